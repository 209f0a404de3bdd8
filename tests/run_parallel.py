"""`make test`: the unit tests and the browser tests side by side, each on its own resources.

    .venv/bin/python -m tests.run_parallel [pytest arguments]

The browser tests spend most of their time waiting on Chromium and the live server, the unit
tests on PostgreSQL; run one after the other they took 17 minutes on a 2-core machine, side by
side about two thirds of that. The browser run gets its own database (`<name>_e2e`, so its
test database is `test_<name>_e2e`), its own Redis database (the next number) and its own
VAR_DIR; its output is printed when both have finished. The exit status is the worse of the
two.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def other_database(url: str) -> str:
    """The same server, a database of its own (empty URL: SQLite under VAR_DIR)."""
    if not url or url.startswith("sqlite"):
        return ""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "portal"
    return urlunsplit(parts._replace(path=f"/{name}_e2e"))


def other_redis(url: str) -> str:
    """The same Redis server, the next database number (Redis has 16: 0-15)."""
    if not url:
        return ""
    parts = urlsplit(url)
    number = int(parts.path.lstrip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{number + 1 if number < 15 else number - 1}"))


def main(arguments: list[str]) -> int:
    browser_env = {
        **os.environ,
        "DATABASE_URL": other_database(os.environ.get("DATABASE_URL", "")),
        "REDIS_URL": other_redis(os.environ.get("REDIS_URL", "")),
        "VAR_DIR": str(ROOT / "var" / "e2e"),
    }
    Path(browser_env["VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    log_path = Path(browser_env["VAR_DIR"]) / "pytest-e2e.log"
    pytest = [sys.executable, "-m", "pytest"]
    with log_path.open("w") as log:
        browser = subprocess.Popen(
            [*pytest, "-m", "e2e", *arguments],
            cwd=ROOT,
            env=browser_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            unit = subprocess.call([*pytest, "-m", "not e2e", *arguments], cwd=ROOT)
        finally:
            browser_status = browser.wait()
    print("\n== Browser tests (run beside the unit tests)", flush=True)
    print(log_path.read_text(), flush=True)
    return max(unit, browser_status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
