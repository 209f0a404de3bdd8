"""Server-side time of the list and search pages on a large database (not a test).

    DEBUG=1 DATABASE_URL=postgres://.../portal_queries_large \\
        .venv/bin/python tests/benchmarks/query_timings.py

Fill the database first with `manage.py bench_data --scale large`. Each page is requested in process
through Django's test client (middleware, queries and templates, no network) five times after
one warm-up (BENCH_RUNS to change); the script prints the median and the worst, and the number
of queries. To cap slow pages: PGOPTIONS="-c statement_timeout=20s".
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.getcwd())  # run from the checkout to measure
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def timed(label: str, call) -> None:
    try:
        call()
    except Exception as error:  # a statement timeout (PGOPTIONS="-c statement_timeout=...")
        print(f"| {label} | {type(error).__name__} | | |", flush=True)
        connection.close()
        return
    durations, queries = [], 0
    for _ in range(RUNS):
        reset_queries()
        start = time.perf_counter()
        call()
        durations.append((time.perf_counter() - start) * 1000)
        queries = len(connection.queries)
    print(
        f"| {label} | {statistics.median(durations):,.0f} ms | {max(durations):,.0f} ms "
        f"| {queries} |",
        flush=True,
    )


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = True  # keeps connection.queries for the count
    from dialogues.bench_data import BENCH_MEMBER_EMAIL
    from dialogues.models import Thread
    from submissions.selectors import report_similar_for

    member = get_user_model().objects.get(email=BENCH_MEMBER_EMAIL)
    long_thread = Thread.objects.order_by("-last_number").first()
    last_page = -(-long_thread.last_number // 20)
    visitor, signed_in = Client(), Client()
    signed_in.force_login(member)
    pages = [
        ("home", "/"),
        ("/reports/", "/reports/"),
        ("/reports/?sort=cosigned", "/reports/?sort=cosigned"),
        ("/reports/?page=500", "/reports/?page=500"),
        ("/reports/?market=KE", "/reports/?market=KE"),
        ("/reports/?topic=ECOM-05", "/reports/?topic=ECOM-05"),
        ("/reports/?q=payment", "/reports/?q=payment"),
        ("/reports/?q=alpaca", "/reports/?q=alpaca"),
        ('/reports/?q="payment gateway"', '/reports/?q="payment gateway"'),
        ("/reports/?q=dedouanement", "/reports/?q=dedouanement"),
        ("/dialogues/search/?q=payment", "/dialogues/search/?q=payment"),
        ('/dialogues/search/?q="payment gateway"', '/dialogues/search/?q="payment gateway"'),
        ("/dialogues/search/?q=alpaca", "/dialogues/search/?q=alpaca"),
        (
            f"thread of {long_thread.last_number:,} posts, last page",
            f"/dialogues/threads/{long_thread.pk}/?page={last_page}",
        ),
    ]
    print("| page | median | worst | queries |\n|---|---|---|---|")
    for label, url in pages:
        timed(f"{label} (visitor)", lambda url=url: visitor.get(url))
    for label, url in pages[1:2] + pages[6:7] + pages[10:11]:
        timed(f"{label} (member)", lambda url=url: signed_in.get(url))
    timed(
        "duplicate hints (member)",
        lambda: report_similar_for(
            viewer=member,
            title="Payment gateway refuses foreign merchants",
            summary="The payment gateway platform refused our delivery customs account",
        ),
    )


if __name__ == "__main__":
    main()
