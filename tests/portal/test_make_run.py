"""`make run`: web, worker and beat under honcho, and Ctrl-C stops every one of them.

The test runs the real `make run` on the embedded defaults (SQLite, kombu's filesystem broker,
a file cache, all under a temporary VAR_DIR), waits until the site answers and the worker and
beat are up, then does what a terminal does on Ctrl-C: SIGINT to the whole foreground process
group.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 180  # install check, migrate and demo data on a fresh SQLite file first
STOP_SECONDS = 10


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children() -> dict[int, list[int]]:
    """Every running process's children, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (command) state ppid ...": the command may hold spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _tree(root: int) -> set[int]:
    children = _children()
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def _command(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting for its parent to collect it."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _wait(condition, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(
        f"{what} not within {seconds} s; output:\n{log.read_text(errors='replace')[-5000:]}"
    )


def test_ctrl_c_stops_web_worker_and_beat_within_seconds(tmp_path):
    require(shutil.which("make") is not None, "needs make")
    port = _free_port()
    log = tmp_path / "make-run.log"
    env = {
        key: value
        for key, value in os.environ.items()
        # The embedded default, as on a newcomer's machine; not a test process.
        if key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "MEDIA_ROOT", "DEBUG"}
        and not key.startswith(("PYTEST", "DJANGO_ALLOW", "CELERY_"))
    }
    # Emails the demo queues go to files, not the console: what is counted below is the
    # processes' own shutdown output.
    env.update(
        {"VAR_DIR": str(tmp_path / "var"), "PORT": str(port), "EMAIL_URL": f"file://{tmp_path}"}
    )
    with log.open("w") as output:
        make = subprocess.Popen(
            ["make", "run"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
    try:
        _wait(lambda: _answers(port), STARTUP_SECONDS, "the web server answering", log)
        _wait(lambda: " ready." in log.read_text(), 60, "the worker ready", log)
        _wait(lambda: "beat: Starting..." in log.read_text(), 60, "beat started", log)
        processes = _tree(make.pid)
        commands = " | ".join(_command(pid) for pid in processes)
        assert f"runserver 127.0.0.1:{port}" in commands
        assert "celery -A portal worker" in commands
        assert "celery -A portal beat" in commands
        started = log.read_text()

        os.killpg(make.pid, signal.SIGINT)
        stopped_at = time.monotonic()
        make.wait(timeout=STOP_SECONDS)
        _wait(lambda: not any(_alive(pid) for pid in processes), STOP_SECONDS, "all gone", log)
        elapsed = time.monotonic() - stopped_at
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()

    shutdown = log.read_text()[len(started) :]
    assert elapsed < STOP_SECONDS
    assert not [pid for pid in processes if _alive(pid)], "no process is left behind"
    assert not _answers(port)
    # One SIGTERM each from honcho: one warm shutdown (the old recipe's `kill 0` trap re-fired on
    # its own signal and printed thousands), and the worker finishes its current task.
    assert shutdown.count("Warm shutdown") == 1, shutdown
    assert "Segmentation fault" not in shutdown
    assert len(shutdown.splitlines()) < 40, shutdown
