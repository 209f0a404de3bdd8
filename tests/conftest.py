"""Shared test set-up: reference data, factories, strict mode for CI, Chromium."""

import os
import warnings
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# same thread are still synchronous, so the async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

STRICT = os.environ.get("PORTAL_TEST_STRICT") == "1"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
POPPLER_TOOLS = ("pdftotext", "pdftoppm", "pdfinfo")


def require(condition: bool, reason: str) -> None:
    """Skip a test whose real part is missing, or fail under CI's strict mode."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"{reason} (PORTAL_TEST_STRICT=1: CI must run every test)")
    pytest.skip(reason)


def pytest_report_header(config: pytest.Config) -> list[str]:
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    lines = [
        f"portal: database={engine} redis={'yes' if settings.REDIS_URL else 'no'} "
        f"chromium={'yes' if CHROMIUM.exists() else 'NO'} strict={STRICT}"
    ]
    if not settings.DATABASE_IS_POSTGRES:
        lines.append(
            "!!! DATABASE_URL is not PostgreSQL: PostgreSQL-only tests will be SKIPPED !!!"
        )
    if not CHROMIUM.exists():
        lines.append(f"!!! {CHROMIUM} not found: browser tests will be SKIPPED !!!")
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_sep(
            "!", f"{len(skipped)} tests SKIPPED because a real service is missing here", red=True
        )


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Transactional tests flush the tables that migrations filled; put them back."""
    uses_db = request.node.get_closest_marker("django_db") or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if not uses_db:
        return
    request.getfixturevalue("db")
    from django.apps import apps
    from django.contrib.auth.models import Group

    from portal.models import Country
    from portal.reference import load_reference_data

    if not Country.objects.exists():
        load_reference_data(apps)
    Group.objects.get_or_create(name=settings.MODERATORS_GROUP)


@pytest.fixture(autouse=True)
def _english():
    """A request through the test client to /fr/ leaves French active in the test's thread
    (LocaleMiddleware activates, nothing deactivates): start and end each test in English, so
    no test depends on the one before it."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _isolated_cache() -> None:
    """Rate-limit counters from one test must not refuse the next test's requests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on-commit work (emails, tasks) inside a test's transaction, as a commit would."""

    def runner():
        return django_capture_on_commit_callbacks(execute=True)

    return runner


# --- Browser -----------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    require(CHROMIUM.exists(), f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        playwright = sync_playwright().start()
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
        playwright.stop()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        out = Path("test-results")
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def needs_postgres() -> None:
    require(settings.DATABASE_IS_POSTGRES, "needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def page_cache(settings) -> None:
    """Pages and fragments kept in the cache, as in production (off in tests by default)."""
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what a service queues for its commit (a generation bump), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def needs_redis() -> None:
    require(bool(settings.REDIS_URL), "needs Redis (set REDIS_URL)")


@pytest.fixture
def needs_pdftotext() -> None:
    """pdftotext, pdftoppm and pdfinfo (Debian's poppler-utils), checked before the test does
    any work rather than found missing halfway through it."""
    import shutil

    missing = [tool for tool in POPPLER_TOOLS if shutil.which(tool) is None]
    require(not missing, f"needs {', '.join(missing)} (Debian's poppler-utils)")


# --- A real Celery worker ----------------------------------------------------------------


def wait_until(condition, *, timeout: float = 30, message: str = "condition", details=str):
    """Poll `condition` every 0.1 s until it is true; fail with `details()` at the deadline."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"{message} not reached within {timeout} s\n{details()}")


@contextmanager
def celery_publishing_to(broker_url: str):
    """Make this test process publish tasks to `broker_url` instead of running them eagerly."""
    import kombu.pools

    from portal.celery import app as celery_app

    def reset_connections() -> None:
        kombu.pools.reset()  # close the connections to the previous broker, forget the pools
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    saved = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = broker_url
    reset_connections()
    try:
        yield celery_app
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = saved
        reset_connections()


@pytest.fixture
def start_celery_worker(needs_postgres, transactional_db, tmp_path):
    """Start real `celery -A portal worker` processes reading and writing the test database.

    `start_celery_worker(broker_url=..., beat=False, env={...})` starts one worker on that
    broker (default: REDIS_URL), with beat inside it if asked, and extra environment (say
    OUTBOX_SWEEP_SECONDS). While it runs, the test process publishes tasks to the same broker
    instead of running them eagerly (`task.apply_async(...)` / `.delay(...)`); rows a test
    creates are committed (transactional_db), so the worker sees them. Email sent by the
    worker lands as files in `worker.mail_dir`; `worker.log()` reads its log;
    `worker.restart()` starts a new worker once the test has killed the first. Workers stop
    after the test.

    "Exactly once" is checked after `worker.wait_until_idle()`: the queue is empty and every
    task the worker received has finished, so a duplicate still on its way cannot arrive
    after the count (waiting for the first copy alone proves "at least once").
    """
    import re
    import subprocess
    import sys
    from contextlib import ExitStack, suppress
    from types import SimpleNamespace
    from urllib.parse import quote

    database = settings.DATABASES["default"]
    credentials = quote(database.get("USER") or "", safe="")
    if database.get("PASSWORD"):
        credentials += ":" + quote(database["PASSWORD"], safe="")
    database_url = (
        f"postgres://{credentials}@{database.get('HOST') or 'localhost'}:"
        f"{database.get('PORT') or 5432}/{database['NAME']}"
    )
    workers: list[SimpleNamespace] = []
    publishing = ExitStack()

    def start_worker(
        *, broker_url: str = "", beat: bool = False, env: dict[str, str] | None = None
    ) -> SimpleNamespace:
        broker_url = broker_url or settings.REDIS_URL
        folder = tmp_path / f"worker-{len(workers) + 1}"
        mail_dir = folder / "mail"
        mail_dir.mkdir(parents=True)
        (folder / "var").mkdir()  # beat keeps its schedule file there
        log_path = folder / "worker.log"
        log_path.touch()
        worker_env = {
            key: value
            for key, value in os.environ.items()
            # The worker must behave as in production, not as a test process.
            if key not in {"PYTEST_VERSION", "PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        }
        worker_env.update(
            {
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "DATABASE_URL": database_url,
                "REDIS_URL": broker_url,
                "EMAIL_URL": f"file://{mail_dir}",
                "CELERY_TASK_ALWAYS_EAGER": "0",
                "DEBUG": "1",
                "VAR_DIR": str(folder / "var"),
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                # The test's media storage (media_storage fixture: local or S3), if it set one.
                "MEDIA_STORAGE_URL": getattr(settings, "MEDIA_STORAGE_URL", ""),
                **(env or {}),
            }
        )
        command = [
            sys.executable, "-m", "celery", "-A", "portal", "worker",
            "--pool=solo", "--concurrency=1", "-Q", "celery", "--loglevel=INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        if beat:
            command.append("--beat")

        def log() -> str:
            return log_path.read_text(errors="replace")

        def launch() -> subprocess.Popen:
            with log_path.open("a") as log_file:
                return subprocess.Popen(
                    command,
                    cwd=Path(__file__).resolve().parent.parent,
                    env=worker_env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                )

        def wait_for(condition, timeout: float = 30, message: str = "condition") -> None:
            def alive_and_true() -> bool:
                if worker.process.poll() is not None:
                    pytest.fail(f"the Celery worker exited ({worker.process.returncode}):\n{log()}")
                return bool(condition())

            wait_until(
                alive_and_true,
                timeout=timeout,
                message=message,
                details=lambda: f"worker log:\n{log()}",
            )

        def idle() -> bool:
            import redis

            # Since this worker process said it was ready: a worker the test killed leaves a
            # task received and never finished earlier in the same log.
            text = log().rsplit(" ready.", 1)[-1]
            received = len(re.findall(r"Task [\w.]+\[[\w-]+\] received", text))
            finished = len(
                re.findall(r"Task [\w.]+\[[\w-]+\] (?:succeeded|raised|retry|failed)", text)
            )
            with redis.Redis.from_url(broker_url) as broker:
                waiting = broker.llen("celery")
            return waiting == 0 and received == finished

        def wait_until_idle(timeout: float = 60) -> None:
            wait_for(idle, timeout=timeout, message="the queue drained and every task finished")

        def restart() -> SimpleNamespace:
            """Start a new worker once the current one has died (say, killed by the test)."""
            worker.process.wait(timeout=15)
            workers_ready = log().count(" ready.")
            worker.process = launch()
            wait_for(lambda: log().count(" ready.") > workers_ready, message="worker ready again")
            return worker

        if not workers:
            celery_app = publishing.enter_context(celery_publishing_to(broker_url))
            celery_app.control.purge()  # nothing left over from an earlier run
        worker = SimpleNamespace(
            process=launch(),
            broker_url=broker_url,
            mail_dir=mail_dir,
            log_path=log_path,
            log=log,
            wait_for=wait_for,
            wait_until_idle=wait_until_idle,
            restart=restart,
        )
        workers.append(worker)
        wait_for(lambda: " ready." in log(), message="worker ready")
        return worker

    try:
        yield start_worker
    finally:
        for worker in workers:
            worker.process.terminate()
        for worker in workers:
            try:
                worker.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(timeout=5)
        if workers:
            # A worker the test killed leaves its message unacknowledged in the broker, to come
            # back after the visibility timeout into a later run: put it back and purge it now
            # (unless the test left the broker stopped).
            from portal.background import BROKER_ERRORS
            from portal.celery import app as celery_app

            with suppress(*BROKER_ERRORS):
                with celery_app.connection_for_write(
                    transport_options={"visibility_timeout": 0}
                ) as broker:
                    broker.default_channel.qos.restore_visible(num=1000)
                celery_app.control.purge()
        publishing.close()


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    """Extra environment for the worker of `celery_worker_process`; override it in a test
    module to configure what the worker needs (say, CLAMD_SOCKET)."""
    return {}


@pytest.fixture
def celery_worker_process(needs_redis, start_celery_worker, celery_worker_env):
    """A real worker on REDIS_URL (see `start_celery_worker`).

    def test_x(celery_worker_process):
        email_send.apply_async(kwargs={...})
        celery_worker_process.wait_for(lambda: any(celery_worker_process.mail_dir.iterdir()))
    """
    return start_celery_worker(env=celery_worker_env)


# --- A private Redis server ----------------------------------------------------------------


class RedisServer:
    """A `redis-server` of the test's own, on a free port, that the test can stop and start."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def answers(self) -> bool:
        """PING over a plain socket (redis-py's client would retry with backoff)."""
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def log(self) -> str:
        path = self.directory / "redis.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> "RedisServer":
        import subprocess

        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.directory),
            "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, timeout=15, message="redis-server answering", details=self.log)
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        self.process.wait(timeout=15)
        self.process = None
        wait_until(lambda: not self.answers(), timeout=15, message="redis-server stopped")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def private_redis(tmp_path):
    """A running `redis-server` on a free port (`.url`), with `.stop()` and `.start()`."""
    import shutil

    require(shutil.which("redis-server") is not None, "needs redis-server (apt-get install it)")
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory).start()
    try:
        yield server
    finally:
        server.stop()


# --- A real ClamAV daemon ----------------------------------------------------------------

# The EICAR anti-virus test file: harmless, and detected by every scanner.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_SIGNATURE = "Portal.Test.EICAR"


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """A real `clamd` (Debian's clamav-daemon) on a Unix socket and a TCP port, in a temporary
    folder, with a one-line signature database: the MD5 hash of the EICAR test file (clamd
    reports it as "Portal.Test.EICAR.UNOFFICIAL"). Signature downloads are not needed.

        def test_x(clamd, settings):
            settings.CLAMD_SOCKET = clamd.socket   # or settings.CLAMD_TCP = clamd.tcp
    """
    import hashlib
    import shutil
    import socket
    import subprocess
    import time
    from types import SimpleNamespace

    binary = shutil.which("clamd") or "/usr/sbin/clamd"
    require(Path(binary).exists(), "needs ClamAV's clamd (apt-get install clamav-daemon)")
    directory = tmp_path_factory.mktemp("clamd")
    database = directory / "db"
    database.mkdir()
    (database / "portal-test.hdb").write_text(
        f"{hashlib.md5(EICAR, usedforsecurity=False).hexdigest()}:{len(EICAR)}:{EICAR_SIGNATURE}\n"
    )
    unix_socket = directory / "clamd.sock"
    port = free_port()
    log_path = directory / "clamd.log"
    config = directory / "clamd.conf"
    config.write_text(
        f"LocalSocket {unix_socket}\n"
        f"TCPSocket {port}\n"
        "TCPAddr 127.0.0.1\n"
        f"DatabaseDirectory {database}\n"
        f"TemporaryDirectory {directory}\n"
        f"LogFile {log_path}\n"
        "Foreground yes\n"
    )
    with (directory / "clamd.out").open("w") as output:
        process = subprocess.Popen(
            [binary, "--config-file", str(config)], stdout=output, stderr=subprocess.STDOUT
        )

    def answers_ping() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.sendall(b"zPING\0")
                return connection.recv(16) == b"PONG\0"
        except OSError:
            return False

    deadline = time.monotonic() + 60
    while not answers_ping():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = log_path.read_text() if log_path.exists() else ""
            pytest.fail(f"clamd did not start:\n{log}{(directory / 'clamd.out').read_text()}")
        time.sleep(0.1)
    try:
        yield SimpleNamespace(socket=str(unix_socket), tcp=f"127.0.0.1:{port}", log_path=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


# --- Media storage: the local file system and a real S3 API server -------------------------

S3_TEST_ENDPOINT = os.environ.get("PORTAL_TEST_S3_ENDPOINT", "")
S3_TEST_KEYS = {"AWS_ACCESS_KEY_ID": "portal-test", "AWS_SECRET_ACCESS_KEY": "portal-test-secret"}


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """An S3 API server: the one .ci/run started (PORTAL_TEST_S3_ENDPOINT), or moto in server
    mode started here on a free port (stopped after the run)."""
    if S3_TEST_ENDPOINT:
        yield S3_TEST_ENDPOINT
        return
    import importlib.util
    import subprocess
    import sys
    import time
    import urllib.request

    if importlib.util.find_spec("moto") is None:
        require(False, "needs moto[server] for the S3 storage tests (pip install moto[server])")
    port = free_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    with log_path.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):  # noqa: S310
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"moto server did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
    try:
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(params=["local", "s3"])
def media_storage(request, settings, tmp_path, monkeypatch):
    """Media storage for a test, once on the local file system and once on S3 (a real S3 API
    server, a fresh bucket per test). `media_storage.names()` lists every stored file."""
    import uuid
    from types import SimpleNamespace

    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path / "media"
    if request.param == "local":
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        }
        url = ""
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        import boto3

        for key, value in S3_TEST_KEYS.items():
            monkeypatch.setenv(key, value)
        bucket = f"portal-test-{uuid.uuid4().hex[:12]}"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
            Bucket=bucket
        )
        url = f"s3://{bucket}/media?endpoint_url={endpoint}&region=us-east-1"
        from portal.settings import _media_storage

        settings.STORAGES = {**settings.STORAGES, "default": _media_storage(url)}
    settings.MEDIA_STORAGE_URL = url  # a worker started after this uses the same storage

    def names(folder: str = "") -> list[str]:
        found: list[str] = []

        def walk(path: str) -> None:
            try:
                directories, files = default_storage.listdir(path)
            except FileNotFoundError:
                return
            prefix = f"{path}/" if path else ""
            found.extend(prefix + name for name in files)
            for directory in directories:
                walk(prefix + directory)

        walk(folder)
        return sorted(found)

    return SimpleNamespace(kind=request.param, url=url, names=names, storage=default_storage)
