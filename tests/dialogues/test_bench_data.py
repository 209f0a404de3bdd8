"""The benchmark data generator at its tiny scale: the spread a benchmark needs, rows that
agree with each other, and pages that render from them (`make bench` runs it at large)."""

import io
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count, Max, Min

from dialogues import bench_data
from dialogues.models import Post, Thread
from dialogues.rendering import render_markdown
from portal.models import Organisation
from submissions.models import BarrierReport, CoSignature, ReferenceCounter, StatusChange
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
TINY = bench_data.SCALES["tiny"]


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def tiny(needs_postgres) -> io.StringIO:
    indexes = _index_names()
    out = io.StringIO()
    bench_data.generate("tiny", out=out)
    assert _index_names() == indexes  # dropped for the load, every one built again
    return out


def test_reports_and_threads_are_spread_like_a_real_site(tiny):
    reports = BarrierReport.objects.exclude(status="draft")
    assert BarrierReport.objects.count() == TINY.reports + 1  # and the member's draft
    assert set(reports.values_list("language", flat=True)) == {"en", "fr", "es"}
    assert set(reports.values_list("visibility", flat=True)) == {
        "public",
        "anonymised",
        "officials_only",
    }
    statuses = Counter(reports.values_list("status", flat=True))
    assert len(statuses) >= 6
    assert statuses["published"] > sum(statuses.values()) / 2
    markets = Counter(reports.values_list("market_id", flat=True))
    assert len(markets) >= 20
    assert markets.most_common(1)[0][0] in bench_data.BUSY_MARKETS
    span = reports.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    assert (span["last"] - span["first"]).days > 600
    # A common search word is in some reports, not half of them.
    payment = reports.filter(title__icontains="payment").count()
    assert 0 < payment < reports.count() / 4
    assert StatusChange.objects.filter(to_status="published").exists()
    assert "reports and history" in tiny.getvalue()  # the progress bar

    # Threads: one long one, pending posts unnumbered, HTML as the portal renders it.
    big = Thread.objects.get(title=bench_data.BIG_THREAD_TITLE)
    assert Post.objects.filter(thread=big).count() == TINY.big_thread_posts
    assert Thread.objects.count() == TINY.threads
    assert Post.objects.count() >= TINY.posts * 0.9
    assert Post.objects.filter(status="pending", number__isnull=False).count() == 0
    for post in Post.objects.order_by("id")[:50]:
        assert post.body_html == render_markdown(post.body)


def test_stored_counters_agree_with_the_rows_and_pages_render(client, tiny):
    for report in BarrierReport.objects.annotate(signed=Count("cosignatures")):
        assert report.cosignature_count == report.signed
    assert CoSignature.objects.exists()
    for thread in Thread.objects.all():
        posts = Post.objects.filter(thread=thread)
        assert thread.post_count == posts.filter(status="published").count()
        assert thread.last_number == (posts.aggregate(n=Max("number"))["n"] or 0)
    for counter in ReferenceCounter.objects.all():
        numbers = BarrierReport.objects.filter(reference__startswith=f"TB-{counter.year}-")
        assert numbers.count() == counter.last_number
    # Sequences are past the generated ids: the next row the portal writes gets a new one.
    organisation = OrganisationFactory()
    assert (
        organisation.pk
        > Organisation.objects.exclude(pk=organisation.pk).aggregate(n=Max("id"))["n"]
    )

    # Pages render from the data, and officials-only reports stay hidden.
    published = BarrierReport.objects.filter(status="published")
    public = published.filter(visibility="public").first()
    response = client.get(public.get_absolute_url())
    assert response.status_code == 200
    assert public.title in response.content.decode()
    confidential = published.filter(visibility="officials_only").first()
    assert client.get(confidential.get_absolute_url()).status_code == 404
    big = Thread.objects.get(title=bench_data.BIG_THREAD_TITLE)
    assert client.get(big.get_absolute_url()).status_code == 200
