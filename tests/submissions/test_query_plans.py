"""The report list, its filters and sorts, search and duplicate hints are served by indexes as
written: on a few thousand analysed rows, EXPLAIN of the SQL each page really runs shows the
intended index, no sequential scan of the reports and no sort of the whole table, and the pager
counts no further than its cap. (Timings at 500,000 reports: tests/benchmarks/large_data.sql.)
"""

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.pagination import COUNT_CAP
from submissions.models import PUBLISHED_STATUSES, BarrierReport
from submissions.selectors import report_similar_for
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db

REPORTS = 4000
TABLE = BarrierReport._meta.db_table


@pytest.fixture
def many_reports(needs_postgres, world):
    """REPORTS reports of the reporter's organisation's kind, spread over statuses,
    visibilities, markets, topics and two years, with a few words that are common or rare."""
    reporter = world.member
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO submissions_barrierreport (reference, public_id, title, summary,
                description, organisation_id, reporter_id, market_id, trade_direction,
                delivery_mode,
                sector, cost_band, steps_taken, visibility, language, status,
                cosignature_count, created_at, updated_at, submitted_at, published_at,
                status_changed_at)
            SELECT 'TB-1998-' || lpad(n::text, 5, '0'), gen_random_uuid(),
                   'Parcels held ' || n, 'Summary ' || n || CASE WHEN n %% 400 = 0
                       THEN ' payment gateway refused' ELSE ' payment delays' END,
                   'Words ' || md5(n::text), %(organisation)s, %(reporter)s,
                   (ARRAY['US', 'KE', 'PE', 'VN', 'SN', 'FR'])[1 + n %% 6],
                   'exporting', 'goods',
                   (ARRAY['agri_food', 'textiles', 'software', 'crafts'])[1 + n %% 4],
                   'unknown', '',
                   (ARRAY['public', 'anonymised', 'officials_only'])[1 + n %% 3], 'en',
                   (ARRAY['published', 'published', 'published', 'resolved_in_part',
                          'submitted', 'archived', 'rejected'])[1 + n %% 7],
                   n %% 37, at, at, at, at, at
            FROM generate_series(1, %(count)s) AS n,
                 LATERAL (SELECT now() - n * interval '3 hours') AS d(at)
            """,
            {"organisation": reporter.organisation_id, "reporter": reporter.pk, "count": REPORTS},
        )
        cursor.execute(
            """
            INSERT INTO submissions_barrierreport_topics (barrierreport_id, topic_id)
            SELECT r.id, t.code FROM submissions_barrierreport r
            JOIN (SELECT code, row_number() OVER (ORDER BY code) AS i FROM portal_topic) t
              ON t.i = 1 + r.id %% 10
            """,
            {},
        )
        # Move the new rows from GIN's pending list into the index, as autovacuum would.
        cursor.execute("SELECT gin_clean_pending_list('report_search_vector')")
        cursor.execute("ANALYZE submissions_barrierreport")
        cursor.execute("ANALYZE submissions_barrierreport_topics")
    return BarrierReport.objects.filter(reference__startswith="TB-1998-")


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def page_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def list_query(queries: list[str]) -> str:
    """The query that reads the page of reports (ordered, limited, not the pager's count)."""
    (query,) = [
        sql
        for sql in queries
        if sql.startswith(f'SELECT "{TABLE}"."id"') and "LIMIT" in sql and "ORDER BY" in sql
    ]
    return query


def assert_index_serves(plan: str, index: str) -> None:
    assert any(name in plan for name in index.split("|")), plan
    assert f"Seq Scan on {TABLE}" not in plan, plan
    # No sort of the reports: the index gives the order (a sort of a few rows may remain).
    assert "Sort Key: submissions_barrierreport.published_at" not in plan, plan


@pytest.mark.parametrize(
    ("role", "query", "index"),
    [
        ("visitor", "", "report_newest"),
        ("member", "", "report_newest"),
        ("official", "", "report_newest"),
        ("moderator", "", "report_newest"),
        ("visitor", "?sort=cosigned", "report_most_cosigned"),
        ("member", "?sort=cosigned", "report_most_cosigned"),
        ("visitor", "?market=KE", "report_market_newest"),
        # A sector holds a quarter of the reports: reading the newest, skipping others, is fine.
        ("visitor", "?sector=software", "report_sector_newest|report_newest"),
        ("visitor", "?page=10", "report_newest"),
    ],
)
def test_report_list_reads_an_index_in_the_order_it_shows(
    client, world, many_reports, role, query, index
):
    if role != "visitor":
        client.force_login(world.role(role))
    queries = page_queries(client, reverse("submissions:list") + query)
    assert_index_serves(explain(list_query(queries)), index)


def test_topic_filter_reads_the_topic_index(client, many_reports):
    topic = many_reports.first().topics.get()
    queries = page_queries(client, reverse("submissions:list") + f"?topic={topic.pk}")
    plan = explain(list_query(queries))
    assert "report_topics_topic" in plan or "report_newest" in plan, plan
    assert f"Seq Scan on {TABLE}" not in plan, plan


def test_pager_counts_no_further_than_its_cap(client, many_reports, monkeypatch):
    monkeypatch.setattr("submissions.views.COUNT_CAP", 1000)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("submissions:list")).content.decode()
    counts = [query["sql"] for query in captured.captured_queries if "COUNT(*)" in query["sql"]]
    assert counts, "the pager counts"
    assert all("LIMIT 1001" in sql for sql in counts if f'"{TABLE}"' in sql), counts
    assert "More than 1,000 reports" in html
    # The last page offered is the cap's; a later one shows it.
    html = client.get(reverse("submissions:list") + "?page=999").content.decode()
    assert "Page 50 of 50" in html


def test_a_search_counts_to_the_filtered_cap_and_still_lists_the_newest_matches(
    client, many_reports, monkeypatch
):
    monkeypatch.setattr("submissions.views.FILTERED_COUNT_CAP", 20)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("submissions:list") + "?q=payment").content.decode()
    counts = [query["sql"] for query in captured.captured_queries if "COUNT(*)" in query["sql"]]
    assert all("LIMIT 21" in sql for sql in counts if f'"{TABLE}"' in sql), counts
    assert "More than 20 reports" in html
    # Read through the newest-first index once the count is capped: the same page.
    newest = (
        many_reports.filter(
            status__in=PUBLISHED_STATUSES,
            visibility__in=["public", "anonymised"],
            title__icontains="payment",
        )
        .order_by("-published_at", "-id")
        .values_list("reference", flat=True)[:3]
    )
    positions = [html.index(reference) for reference in newest]
    assert positions == sorted(positions)


def test_a_search_offers_its_newest_pages_and_asks_to_narrow_it(client, many_reports):
    """Past SEARCH_PAGES pages a text search would test thousands more reports' text one by
    one; the reader gets the last page offered and a way on instead."""
    searched = reverse("submissions:list") + "?q=payment"
    html = client.get(searched + "&page=999").content.decode()
    assert "Page 10 of 10" in html
    assert "The 200 newest matches are shown. Add words or a filter to narrow your search." in html
    assert "narrow your search" not in client.get(reverse("submissions:list")).content.decode()
    with CaptureQueriesContext(connection) as captured:
        client.get(searched + "&page=10")
    reads = [query["sql"] for query in captured.captured_queries]
    assert "SET LOCAL enable_sort = off" in reads, "a deep page walks the index"


def test_pager_counts_every_report_below_its_cap(client, many_reports):
    html = client.get(reverse("submissions:list") + "?market=KE").content.decode()
    visible = many_reports.filter(
        market_id="KE", status__in=PUBLISHED_STATUSES, visibility__in=["public", "anonymised"]
    ).count()
    assert visible < COUNT_CAP
    assert f"{visible:,} reports" in html


@pytest.mark.parametrize("text", ["payment", '"payment gateway"', "gateway -delays"])
def test_text_and_phrase_search_read_the_search_index(client, many_reports, text):
    queries = page_queries(client, reverse("submissions:list") + "?" + f"q={text}")
    plan = explain(list_query(queries))
    assert "report_search_vector" in plan or "report_newest" in plan, plan
    assert f"Seq Scan on {TABLE}" not in plan, plan


def test_duplicate_hints_never_scan_the_reports(world, many_reports):
    """A member's hints read the shared reports and their organisation's separately: ORed
    together no index could serve them."""
    BarrierReportFactory(title="Payment gateway refused foreign merchants")
    with CaptureQueriesContext(connection) as captured:
        hints = report_similar_for(
            viewer=world.member,
            title="Payment gateway refuses merchants",
            summary="Foreign merchants refused by the payment gateway",
        )
    assert hints
    for query in captured.captured_queries:
        if f'FROM "{TABLE}"' in query["sql"]:
            plan = explain(query["sql"])
            assert f"Seq Scan on {TABLE}" not in plan, plan


def test_duplicate_hints_include_the_viewers_own_officials_only_reports(world):
    own = BarrierReportFactory(
        reporter=world.reporter,
        visibility="officials_only",
        title="Marketplace seller registration fees",
    )
    BarrierReportFactory(
        visibility="officials_only", title="Marketplace seller registration deposits"
    )
    hints = report_similar_for(viewer=world.colleague, title="Marketplace seller registration")
    assert hints == [own]


def test_the_sitemap_reads_its_latest_change_and_its_pages_from_indexes(client, many_reports):
    """The index's latest change is the end of report_latest_update, and a report page a
    range of the primary key, not a walk past every earlier report (OFFSET)."""
    latest = next(
        sql
        for sql in page_queries(client, "/sitemap.xml")
        if sql.startswith(f'SELECT MAX("{TABLE}"."updated_at")')
    )
    assert_index_serves(explain(latest), "report_latest_update")
    last = math.ceil(many_reports.order_by("-pk").values_list("pk", flat=True)[0] / 1000)
    (page,) = [
        sql
        for sql in page_queries(client, f"/sitemap-reports.xml?p={last}")
        if sql.startswith(f'SELECT "{TABLE}"."id"')
    ]
    assert "OFFSET" not in page
    assert_index_serves(explain(page), f"{TABLE}_pkey")
