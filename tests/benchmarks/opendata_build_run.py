"""Build the complete open-data files in this process, as a worker does, and print as JSON
the rows per second and the peak resident memory (ru_maxrss). Run in a subprocess of its own:

    DEBUG=0 SECRET_KEY=... ALLOWED_HOSTS=localhost DATABASE_URL=postgres://.../portal_x \
        .venv/bin/python -m tests.benchmarks.opendata_build_run csv
"""

import json
import resource
import sys
import tempfile
import time

import django


def main(fmt: str) -> None:
    django.setup()
    from django.conf import settings

    from submissions import opendata

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tempfile.mkdtemp(prefix="opendata-bench-")},
        },
    }
    opendata.bulk_file_for(fmt)
    claim = opendata._claim(fmt)
    if claim is None:
        raise SystemExit(f"A build of {fmt} is running already.")
    started = time.perf_counter()
    file = opendata.bulk_file_build(fmt=fmt, claim=claim)
    seconds = time.perf_counter() - started
    if file is None:
        raise SystemExit("The build lost its claim.")
    print(
        json.dumps(
            {
                "format": fmt,
                "rows": file.rows,
                "seconds": round(seconds, 2),
                "rows_per_second": round((file.rows or 0) / seconds),
                "size_mb": round((file.size or 0) / 1e6, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
