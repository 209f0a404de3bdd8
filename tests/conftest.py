"""Shared test set-up: reference data, factories, strict mode for CI, Chromium."""

import os
import warnings
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# same thread are still synchronous, so the async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

STRICT = os.environ.get("PORTAL_TEST_STRICT") == "1"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


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
def needs_redis() -> None:
    require(bool(settings.REDIS_URL), "needs Redis (set REDIS_URL)")


@pytest.fixture
def needs_pdftotext() -> None:
    import shutil

    require(shutil.which("pdftotext") is not None, "needs pdftotext (Debian's poppler-utils)")


# --- A real Celery worker ----------------------------------------------------------------


@pytest.fixture
def celery_worker_process(needs_redis, needs_postgres, transactional_db, tmp_path):
    """A real `celery -A portal worker` on Redis, reading and writing the test database.

    While the fixture is active, the test process publishes tasks to Redis instead of running
    them eagerly (`task.apply_async(...)` / `.delay(...)`); rows a test creates are committed
    (transactional_db), so the worker sees them. Email sent by the worker lands as files in
    `worker.mail_dir`; `worker.log_path` holds the worker's log; `worker.restart()` starts a
    new worker once the test has killed the first. Stopped after the test.

        def test_x(celery_worker_process):
            email_send.apply_async(kwargs={...})
            celery_worker_process.wait_for(lambda: any(celery_worker_process.mail_dir.iterdir()))
    """
    import subprocess
    import sys
    import time
    from types import SimpleNamespace
    from urllib.parse import quote

    from portal.celery import app as celery_app

    database = settings.DATABASES["default"]
    credentials = quote(database.get("USER") or "", safe="")
    if database.get("PASSWORD"):
        credentials += ":" + quote(database["PASSWORD"], safe="")
    database_url = (
        f"postgres://{credentials}@{database.get('HOST') or 'localhost'}:"
        f"{database.get('PORT') or 5432}/{database['NAME']}"
    )
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {
        key: value
        for key, value in os.environ.items()
        # The worker must behave as in production, not as a test process.
        if key not in {"PYTEST_VERSION", "PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": settings.REDIS_URL,
            "EMAIL_URL": f"file://{mail_dir}",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "DEBUG": "1",
            "VAR_DIR": str(tmp_path / "var"),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            # The test's media storage (media_storage fixture: local or S3), if it set one.
            "MEDIA_STORAGE_URL": getattr(settings, "MEDIA_STORAGE_URL", ""),
        }
    )
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "worker",
        "--pool=solo", "--concurrency=1", "-Q", "celery", "--loglevel=INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip

    def log() -> str:
        return log_path.read_text(errors="replace") if log_path.exists() else ""

    def wait_for(condition, timeout: float = 30, message: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if process.poll() is not None:
                pytest.fail(f"the Celery worker exited ({process.returncode}):\n{log()}")
            time.sleep(0.1)
        pytest.fail(f"{message} not reached within {timeout} s; worker log:\n{log()}")

    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()  # nothing left over from an earlier run

    def start() -> subprocess.Popen:
        with log_path.open("a") as log_file:
            return subprocess.Popen(
                command,
                cwd=Path(__file__).resolve().parent.parent,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )

    def restart() -> SimpleNamespace:
        """Start a new worker once the current one has died (say, killed by the test)."""
        nonlocal process
        process.wait(timeout=15)
        workers_ready = log().count(" ready.")
        process = worker.process = start()
        wait_for(lambda: log().count(" ready.") > workers_ready, message="worker ready again")
        return worker

    log_path.touch()
    process = start()
    worker = SimpleNamespace(
        process=process,
        mail_dir=mail_dir,
        log_path=log_path,
        log=log,
        wait_for=wait_for,
        restart=restart,
    )
    try:
        wait_for(lambda: " ready." in log(), message="worker ready")
        yield worker
    finally:
        celery_app.conf.task_always_eager = was_eager
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        # A worker the test killed leaves its message unacknowledged in Redis, to come back
        # after the visibility timeout into a later run: put it back and purge it now.
        with celery_app.connection_for_write(transport_options={"visibility_timeout": 0}) as broker:
            broker.default_channel.qos.restore_visible(num=1000)
        celery_app.control.purge()


# --- Media storage: the local file system and a real S3 API server -------------------------

S3_TEST_ENDPOINT = os.environ.get("PORTAL_TEST_S3_ENDPOINT", "")
S3_TEST_KEYS = {"AWS_ACCESS_KEY_ID": "portal-test", "AWS_SECRET_ACCESS_KEY": "portal-test-secret"}


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
    port = _free_port()
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
