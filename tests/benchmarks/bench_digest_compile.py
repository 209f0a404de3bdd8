"""Digest compile time and peak memory, and the complete open-data files' build (`make bench`).

Generates reports in PostgreSQL (digest_data.py: generate_series, a few minutes at the large
scale), then compiles a busy week and a quarter-as-busy week, and builds both open-data
files, each in a subprocess of its own whose peak resident memory (ru_maxrss) is read when it
ends. The time per report of the two weeks shows whether the compile is linear in the
week's reports.

    BENCH_DIGEST_REPORTS=7500 BENCH_DIGEST_OTHER_REPORTS=492500 make bench

Defaults are CI-sized (7,500 reports in the week, 20,000 others). To measure an existing
database instead (say one made by `python -m tests.benchmarks.digest_data`), set
BENCH_DIGEST_DATABASE_URL and BENCH_DIGEST_WEEK.

Targets (issue 10), on the 2-core reference machine: a week of 7,500 new reports compiles in
under 2 minutes with a peak under 300 MB; a build of the complete files keeps a flat memory.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.benchmarks import digest_data

WEEK_REPORTS = int(os.environ.get("BENCH_DIGEST_REPORTS", "7500"))
OTHER_REPORTS = int(os.environ.get("BENCH_DIGEST_OTHER_REPORTS", "20000"))
BUSY_WEEK = os.environ.get("BENCH_DIGEST_WEEK", "2025-W48")
QUIET_WEEK = "2025-W40"
COMPILE_MAX_SECONDS = 120
COMPILE_MAX_MB = 300
BUILD_MAX_MB = 300
ROOT = Path(__file__).resolve().parents[2]


def _run(module: str, argument: str, database_url: str) -> dict:
    """Run `python -m module argument` against `database_url`; its last line is JSON."""
    # Production settings: with DEBUG on, Django keeps every query's text (a snapshot's
    # megabytes included) in memory, which is not what a worker does.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "localhost",
    }
    done = subprocess.run(
        [sys.executable, "-m", module, argument],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        pytest.fail(f"{module} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _database_url() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.fixture
def database_url(transactional_db) -> str:
    """A database with a busy week and a quieter one, committed (the subprocesses read it)."""
    if url := os.environ.get("BENCH_DIGEST_DATABASE_URL"):
        return url
    if connection.vendor != "postgresql":
        pytest.skip("the digest benchmark generates its data with PostgreSQL's generate_series")
    print(f"\nGenerating {WEEK_REPORTS} reports in {BUSY_WEEK} and {OTHER_REPORTS} others…")
    digest_data.generate(
        week=BUSY_WEEK, week_reports=WEEK_REPORTS, other_reports=OTHER_REPORTS, prefix="busy"
    )
    digest_data.generate(
        week=QUIET_WEEK,
        week_reports=WEEK_REPORTS // 4,
        other_reports=0,
        prefix="quiet",
        reference_year="1991",
    )
    return _database_url()


def test_digest_compile_time_and_peak_memory(database_url):
    busy = _run("tests.benchmarks.digest_compile_run", BUSY_WEEK, database_url)
    results = [("busy", WEEK_REPORTS, busy)]
    if not os.environ.get("BENCH_DIGEST_DATABASE_URL"):
        quiet = _run("tests.benchmarks.digest_compile_run", QUIET_WEEK, database_url)
        results.append(("quarter", WEEK_REPORTS // 4, quiet))
    print("\nDigest compile (public and officials editions), one subprocess each:")
    for label, reports, result in results:
        print(
            f"  {label:<8} week, {reports:>6} new reports: {result['seconds']:7.1f} s, "
            f"{1000 * result['seconds'] / max(reports, 1):6.2f} s per 1,000 reports, "
            f"peak {result['peak_rss_mb']:6.1f} MB"
        )
    print(f"  targets: under {COMPILE_MAX_SECONDS} s and {COMPILE_MAX_MB} MB for 7,500 reports")
    assert busy["seconds"] < COMPILE_MAX_SECONDS
    assert busy["peak_rss_mb"] < COMPILE_MAX_MB


def test_complete_open_data_files_build_with_flat_memory(database_url):
    print("\nComplete open-data files (gzip), built as a worker does, one subprocess each:")
    for fmt in ("csv", "jsonl"):
        result = _run("tests.benchmarks.opendata_build_run", fmt, database_url)
        print(
            f"  {fmt:<6} {result['rows']:>8} reports in {result['seconds']:7.1f} s "
            f"({result['rows_per_second']} reports/s), {result['size_mb']} MB, "
            f"peak {result['peak_rss_mb']} MB"
        )
        assert result["peak_rss_mb"] < BUILD_MAX_MB
