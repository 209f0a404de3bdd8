"""A busy week: the digest page stays small and right whatever the week's size, never loads
the snapshot, and the week's full list of reports is there page by page; compiling runs the
same queries for a few reports as for hundreds."""

import datetime as dt
import gzip
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dialogues.digests import services
from dialogues.digests.models import Digest
from dialogues.digests.snapshot import EditionSpec, digest_snapshot_build
from dialogues.digests.weeks import iso_week_bounds
from portal.models import Country, Topic
from submissions.models import BarrierReport
from tests.factories import MemberFactory, OfficialFactory

pytestmark = pytest.mark.django_db

WEEK = "2025-W48"
QUIET_WEEK = "2025-W46"
START, _END = iso_week_bounds(WEEK)
REPORTS = 450
VISIBILITIES = ["public", "anonymised", "officials_only"]
PAGE_LIMIT_BYTES = 100 * 1024


def publish_week(week: str, count: int, *, first_number: int = 1) -> list[BarrierReport]:
    """`count` published reports in `week` (bulk-created: a busy week in a second), over
    eight markets and six topics, a third of them officials-only, every third with two
    topics."""
    start = iso_week_bounds(week)[0]
    members = [MemberFactory() for _ in range(6)]
    markets = list(Country.objects.order_by("code")[:8])
    topics = list(Topic.objects.filter(reportable=True).order_by("position")[:6])
    reports = BarrierReport.objects.bulk_create(
        [
            BarrierReport(
                reference=f"TB-1998-{first_number + index:05d}",
                title=f"Marketplace registration barrier number {first_number + index}",
                summary="Sellers must register a local company before they may list goods. " * 3,
                organisation=members[index % len(members)].organisation,
                reporter=members[index % len(members)],
                market=markets[index % len(markets)],
                sector="agri_food",
                visibility=VISIBILITIES[index % 3],
                language="en",
                status=BarrierReport.Status.PUBLISHED,
                submitted_at=start,
                published_at=start + dt.timedelta(minutes=10 * index + 1),
            )
            for index in range(count)
        ]
    )
    through = BarrierReport.topics.through
    through.objects.bulk_create(
        [
            through(barrierreport_id=report.pk, topic_id=topic.pk)
            for index, report in enumerate(reports)
            for topic in {topics[index % 6], topics[(index // 3) % 6] if index % 3 == 0 else None}
            if topic is not None
        ]
    )
    return reports


@pytest.fixture
def busy_week():
    reports = publish_week(WEEK, REPORTS)
    services.digest_compile_week(week=WEEK, personal=False, prerender=[])
    return reports


def _figure(body: str, label: str) -> int:
    match = re.search(rf'<th scope="row">{label}</th><td class="number">(\d+)</td>', body)
    assert match, f"no figure {label!r} on the page"
    return int(match.group(1))


def test_a_busy_weeks_page_is_small_and_counts_every_report_once(client, busy_week):
    visible = [report for report in busy_week if report.visibility != "officials_only"]
    response = client.get(f"/digests/{WEEK}/")
    body = response.content.decode()
    assert len(gzip.compress(response.content)) < PAGE_LIMIT_BYTES
    assert _figure(body, "New reports published") == len(visible) == 300
    # Ranked markets: the largest first, with its count; each links to its reports.
    kenya = Country.objects.get(code="KE")
    in_kenya = sum(1 for report in visible if report.market_id == kenya.pk)
    first_market = re.search(r'market=(\w+)">([^<]+)</a></th><td class="number">(\d+)<', body)
    assert first_market is not None
    counts = {
        code: sum(1 for report in visible if report.market_id == code)
        for code in {report.market_id for report in visible}
    }
    assert int(first_market.group(3)) == max(counts.values())
    if "KE" in counts:
        assert f'market=KE">{kenya.name}</a></th><td class="number">{in_kenya}<' in body
    # A bounded list of the newest reports, and the way to every report.
    assert body.count('class="digest-report"') == 20
    assert visible[-1].title in body
    assert visible[0].title not in body
    assert "All 300 new reports of the week, page by page" in body
    hidden = [report.reference for report in busy_week if report.visibility == "officials_only"]
    assert not [reference for reference in hidden if reference in body]


def test_the_officials_edition_counts_officials_only_reports_too(client, busy_week):
    client.force_login(OfficialFactory())
    response = client.get(f"/digests/{WEEK}/")
    assert len(gzip.compress(response.content)) < PAGE_LIMIT_BYTES
    assert _figure(response.content.decode(), "New reports published") == REPORTS


def test_the_page_never_loads_the_snapshot(client, busy_week, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(8):
        assert client.get(f"/digests/{WEEK}/").status_code == 200
    assert not [query for query in queries if '"snapshot"' in query["sql"]]


def test_the_weeks_reports_page_by_page_for_the_editions_readers(client, busy_week):
    visible = sorted(
        (report for report in busy_week if report.visibility != "officials_only"),
        key=lambda report: report.published_at,
        reverse=True,
    )
    url = f"/digests/{WEEK}/reports/"
    first = client.get(url).content.decode()
    assert "300 reports" in first
    assert "Page 1 of 6" in first
    assert visible[0].reference in first
    assert visible[50].reference not in first
    last = client.get(f"{url}?page=6").content.decode()
    assert visible[-1].reference in last
    officials_only = next(r for r in busy_week if r.visibility == "officials_only")
    assert officials_only.reference not in first + last

    kenya = client.get(f"{url}?market=KE").content.decode()
    in_kenya = [report for report in visible if report.market_id == "KE"]
    assert f"{len(in_kenya)} report" in kenya

    client.force_login(OfficialFactory())
    officials = client.get(f"{url}?edition=officials").content.decode()
    assert f"{REPORTS} reports" in officials


def test_the_reports_page_runs_the_same_queries_on_every_page(
    client, busy_week, django_assert_max_num_queries
):
    url = f"/digests/{WEEK}/reports/"
    client.get(url)  # sessions, reference data and the like are warm
    with django_assert_max_num_queries(10):
        client.get(url)
    with django_assert_max_num_queries(10):
        client.get(f"{url}?page=5")


def test_compiling_a_busy_week_runs_the_queries_of_a_quiet_one():
    """Reading the week's reports costs a few queries per thousand reports, not per report."""
    publish_week(QUIET_WEEK, 3, first_number=5000)
    publish_week(WEEK, REPORTS)
    spec = EditionSpec(Digest.Edition.PUBLIC)
    with CaptureQueriesContext(connection) as quiet:
        quiet_snapshot = digest_snapshot_build(spec=spec, week=QUIET_WEEK)
    with CaptureQueriesContext(connection) as busy:
        busy_snapshot = digest_snapshot_build(spec=spec, week=WEEK)
    assert len(busy) <= len(quiet) + 2
    listed = {report["reference"] for report in busy_snapshot["reports"]}
    assert len(listed) == 300
    assert sum(len(group["references"]) for group in busy_snapshot["reports_by_market"]) == 300
    assert len(quiet_snapshot["reports"]) == 2
