"""Compile one week's public and officials editions in this process and print, as JSON, the
wall time and the peak resident memory (ru_maxrss). Run in a subprocess of its own, so that
the peak is the compile's and nothing else's:

    DEBUG=0 SECRET_KEY=... ALLOWED_HOSTS=localhost DATABASE_URL=postgres://.../portal_x \
        .venv/bin/python -m tests.benchmarks.digest_compile_run 2026-W47
"""

import json
import resource
import sys
import time

import django


def main(week: str) -> None:
    django.setup()
    # What the process holds before compiling (Django, the apps, a connection): the
    # compile's own cost is the peak minus this.
    from django.db import connection

    from dialogues.digests import services

    connection.ensure_connection()
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    results = services.digest_compile_week(week=week, force=True, personal=False, prerender=[])
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(
        json.dumps(
            {
                "week": week,
                "editions": len(results),
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "before_compile_rss_mb": round(baseline_kb / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
