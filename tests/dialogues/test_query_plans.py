"""Dialogue search and long threads are served by indexes as written: on a few thousand
analysed posts, EXPLAIN of the SQL each page really runs reads no post table from end to end
(search: no query that an index cannot serve), and search ranks a bounded set of candidates.
(Timings at 1,000,000 posts: tests/benchmarks/large_data.sql.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dialogues import conf
from dialogues.models import Post
from dialogues.selectors import SEARCH_POST_CANDIDATES

pytestmark = pytest.mark.django_db

LONG_THREAD_POSTS = 3000


@pytest.fixture
def long_thread(needs_postgres, open_thread, member):
    """The open thread with LONG_THREAD_POSTS published posts, a tenth of them hidden, and a
    hundred other threads of ten posts; 'payment' is in most posts, 'alpaca' in few."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO dialogues_thread (title, status, is_locked, is_pinned, is_premoderated,
                slow_mode_seconds, post_count, last_number, last_post_at, created_at,
                author_id, theme_id)
            SELECT 'Other thread ' || n, 'open', false, false, false, 0, 10, 10, now(), now(),
                   %(author)s, %(theme)s
            FROM generate_series(1, 100) AS n
            """,
            {"author": member.pk, "theme": open_thread.theme_id},
        )
        cursor.execute(
            """
            INSERT INTO dialogues_post (author_was_official, author_was_moderator, is_opening,
                body, body_html, status, status_reason, is_official_response, flag_count,
                created_at, published_at, author_id, thread_id, number)
            SELECT false, false, false, p.body, '<p>' || p.body || '</p>',
                   CASE WHEN n %% 10 = 0 THEN 'hidden' ELSE 'published' END, '', false, 0,
                   now() - n * interval '1 minute', now() - n * interval '1 minute',
                   %(author)s, %(thread)s, n + 1
            FROM generate_series(1, %(count)s) AS n,
                 LATERAL (SELECT 'Post ' || n || ' about payment ' || md5(n::text)
                          || CASE WHEN n %% 300 = 0 THEN ' alpaca payment gateway' ELSE ''
                          END) AS p(body)
            UNION ALL
            SELECT false, false, false, 'Payment delays ' || t.id || ' ' || k, '<p>x</p>',
                   'published', '', false, 0, now(), now(), %(author)s, t.id, k
            FROM dialogues_thread t, generate_series(1, 10) AS k
            WHERE t.title LIKE 'Other thread %%'
            """,
            {"author": member.pk, "thread": open_thread.pk, "count": LONG_THREAD_POSTS},
        )
        # Move the new rows from GIN's pending list into the index, as autovacuum would.
        cursor.execute("SELECT gin_clean_pending_list('dialogue_post_search_vector')")
        cursor.execute("ANALYZE dialogues_post")
        cursor.execute("ANALYZE dialogues_thread")
    open_thread.last_number = open_thread.post_count = LONG_THREAD_POSTS + 1
    open_thread.save()
    return open_thread


def plans_of(client, url: str, table: str, *, seqscan: bool = True) -> list[str]:
    """EXPLAIN of the page's queries on `table`. With seqscan=False the planner reads a whole
    table only if no index can serve the query: on a few thousand rows it would often rather
    read it all, which at a million rows it would not."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        if not seqscan:
            cursor.execute("SET LOCAL enable_seqscan = off")
        for query in captured.captured_queries:
            if f'FROM "{table}"' in query["sql"]:
                cursor.execute("EXPLAIN " + query["sql"])
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert plans
    return plans


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("text", ["payment", "alpaca", '"payment gateway"', "payment -alpaca"])
def test_dialogue_search_reads_the_search_index(client, long_thread, member, signed_in, text):
    if signed_in:
        client.force_login(member)
    url = reverse("dialogues:search") + "?" + f"q={text}"
    plans = plans_of(client, url, "dialogues_post", seqscan=False)
    for plan in plans:
        assert "Seq Scan on dialogues_post" not in plan, plan
    if text == "alpaca":  # a rare word: its few posts come from the GIN index
        assert any("dialogue_post_search_vector" in plan for plan in plans), plans


def test_dialogue_search_ranks_a_bounded_set_of_candidates(client, long_thread):
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("dialogues:search"), {"q": "payment"}).content.decode()
    searches = [
        q["sql"]
        for q in captured.captured_queries
        if "@@" in q["sql"] and 'FROM "dialogues_post"' in q["sql"]
    ]
    # One bounded read of the index, shared by the pager's count and the page.
    assert len(searches) == 1, searches
    assert f"LIMIT {SEARCH_POST_CANDIDATES + 1}" in searches[0]
    assert f"More than {SEARCH_POST_CANDIDATES} posts" in html


def test_last_page_of_a_long_thread_reads_a_range_of_the_thread_index(client, long_thread):
    last_page = -(-long_thread.last_number // conf.POSTS_PER_PAGE)
    url = long_thread.get_absolute_url() + f"?page={last_page}"
    plans = plans_of(client, url, "dialogues_post")
    page_plans = [plan for plan in plans if "number" in plan and "Index" in plan]
    assert any("dialogue_post_unique_number_per_thread" in plan for plan in page_plans), plans
    for plan in plans:
        assert "Seq Scan on dialogues_post" not in plan, plan
    assert Post.objects.filter(thread=long_thread).count() == LONG_THREAD_POSTS + 1
