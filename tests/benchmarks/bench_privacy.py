"""A very active person's own data (`make bench`): the export streams in a fixed number of
queries and bounded memory, and deleting the account stays quick.

Run against PostgreSQL for figures that mean something:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal make bench
"""

import json
import time
import tracemalloc

import pytest
from django.utils import timezone

from dialogues.models import Post, PostRevision, Theme, Thread
from portal import services
from submissions.models import BarrierReport, StatusChange
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

POSTS = 5000
REPORTS = 500
# Targets on the 2-core reference machine.
EXPORT_MAX_SECONDS = 10
EXPORT_MAX_PEAK_MEMORY_MB = 40
DELETE_MAX_SECONDS = 2


@pytest.fixture
def busy_person(django_db_blocker):
    from django.apps import apps

    from dialogues.themes import create_themes

    if not Theme.objects.exists():
        create_themes(apps)
    person = MemberFactory()
    now = timezone.now()
    thread = Thread.objects.create(
        theme=Theme.objects.first(), title="A long conversation", author=person, status="open"
    )
    posts = Post.objects.bulk_create(
        [
            Post(
                thread=thread,
                author=person,
                body=f"Post {index}: the courier asked for a local tax number again. " * 8,
                body_html="<p>Post</p>",
                status=Post.Status.PUBLISHED,
                number=index + 1,
                published_at=now,
            )
            for index in range(POSTS)
        ],
        batch_size=1000,
    )
    PostRevision.objects.bulk_create(
        [PostRevision(post=post, body="Earlier text.", edited_by=person) for post in posts[::5]],
        batch_size=1000,
    )
    reports = BarrierReport.objects.bulk_create(
        [
            BarrierReport(
                reference=f"TB-2024-{index + 1:05d}",
                title=f"Barrier {index}",
                description="What happened, in detail. " * 20,
                organisation=person.organisation,
                reporter=person,
                status=BarrierReport.Status.PUBLISHED,
                submitted_at=now,
                published_at=now,
            )
            for index in range(REPORTS)
        ],
        batch_size=500,
    )
    StatusChange.objects.bulk_create(
        [StatusChange(report=report, to_status="published") for report in reports],
        batch_size=500,
    )
    return person


def test_a_busy_persons_export_streams_in_bounded_time_and_memory(client, busy_person):
    client.force_login(busy_person)
    client.get("/dashboard/your-data/")  # a running server has its modules and URLs loaded

    started = time.perf_counter()
    response = client.get("/dashboard/your-data/download/")
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started

    tracemalloc.start()  # a second run: tracing memory slows Python down several times
    response = client.get("/dashboard/your-data/download/")
    for _chunk in response.streaming_content:
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(
        f"\nPersonal data export: {POSTS} posts, {REPORTS} reports, {size / 1e6:.1f} MB "
        f"in {elapsed:.2f} s, peak Python memory {peak / 1e6:.1f} MB"
    )
    assert elapsed < EXPORT_MAX_SECONDS
    assert peak / 1e6 < EXPORT_MAX_PEAK_MEMORY_MB
    data = json.loads(b"".join(client.get("/dashboard/your-data/download/").streaming_content))
    assert (len(data["posts"]), len(data["reports"])) == (POSTS, REPORTS)


def test_deleting_a_busy_persons_account_is_quick(busy_person):
    started = time.perf_counter()
    services.account_delete(actor=busy_person, person=busy_person)
    elapsed = time.perf_counter() - started

    print(f"\nAccount deletion with {POSTS} posts and {REPORTS} reports: {elapsed * 1000:.0f} ms")
    assert elapsed < DELETE_MAX_SECONDS
