"""What each viewer may read: pending and hidden posts never reach visitors, search or feeds;
linked reports follow the submissions visibility rule."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from dialogues import selectors, services
from dialogues.models import Post, Thread
from tests.dialogues.conftest import make_report, reply
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

VISITOR = AnonymousUser()


@pytest.fixture
def mixed_thread(open_thread, member, moderator, settings):
    """One thread with a published, a pending, a held, a hidden and a removed post."""
    settings.DIALOGUES_FLAGS_TO_HIDE = 1
    author = MemberFactory()
    posts = {"pending": reply(member, open_thread, "PENDING words")}
    settings.DIALOGUES_PREMODERATED_FIRST_POSTS = 0
    for status in ("published", "held", "hidden", "removed"):
        posts[status] = reply(author, open_thread, f"{status.upper()} words")
    services.post_flag(flagger=member, post=posts["held"], reason="spam")
    services.post_hide(moderator=moderator, post=posts["hidden"], reason="Hidden reason")
    services.post_remove(moderator=moderator, post=posts["removed"], reason="Removed reason")
    open_thread.refresh_from_db()
    return open_thread, author, posts


def _bodies(viewer, thread) -> set[str]:
    shown = selectors.thread_posts_for(viewer=viewer, thread=thread, page_number=1)
    return {post.body for post in [*shown.page, *shown.unpublished] if post.viewer_sees_body}


def test_visitors_and_other_members_read_published_posts_only(mixed_thread):
    thread, _author, _posts = mixed_thread
    expected = {"Which gateways have refused you, and in which markets?", "PUBLISHED words"}
    assert _bodies(VISITOR, thread) == expected
    assert _bodies(MemberFactory(), thread) == expected


def test_authors_read_their_own_pending_held_and_hidden_posts_not_removed_ones(mixed_thread):
    thread, author, _posts = mixed_thread
    assert _bodies(author, thread) >= {"PUBLISHED words", "HELD words", "HIDDEN words"}
    assert "REMOVED words" not in _bodies(author, thread)


def test_moderators_read_everything(mixed_thread, moderator):
    thread, _author, _posts = mixed_thread
    assert {"PENDING words", "HELD words", "HIDDEN words", "REMOVED words"} <= _bodies(
        moderator, thread
    )


def test_a_post_page_of_a_hidden_post_is_not_found_for_others(mixed_thread):
    _thread, author, posts = mixed_thread
    for status in ("pending", "held", "hidden", "removed"):
        with pytest.raises(Http404):
            selectors.post_get_for(viewer=VISITOR, post_id=posts[status].pk)
    assert selectors.post_get_for(viewer=author, post_id=posts["removed"].pk)


def test_search_finds_published_posts_only(mixed_thread):
    for status in ("pending", "held", "hidden", "removed"):
        assert not selectors.search_posts_for(viewer=VISITOR, text=f"{status} words").exists()
    found = selectors.search_posts_for(viewer=VISITOR, text="published words")
    assert [post.body for post in found] == ["PUBLISHED words"]


def test_feeds_carry_published_posts_only(mixed_thread):
    bodies = {post.body for post in selectors.feed_posts()}
    assert "PUBLISHED words" in bodies
    assert not bodies & {"PENDING words", "HELD words", "HIDDEN words", "REMOVED words"}


def test_pending_threads_are_listed_only_for_their_author_and_moderators(theme, member, moderator):
    thread = services.thread_start(author=member, theme=theme, title="Waiting", body="SECRET")
    assert thread not in selectors.thread_list_for(viewer=VISITOR, theme=theme)
    assert thread not in selectors.thread_list_for(viewer=MemberFactory(), theme=theme)
    assert thread in selectors.thread_list_for(viewer=member, theme=theme)
    assert thread in selectors.thread_list_for(viewer=moderator, theme=theme)
    with pytest.raises(Http404):
        selectors.thread_get_for(viewer=VISITOR, thread_id=thread.pk)
    assert not selectors.search_threads_for(viewer=VISITOR, text="Waiting")
    assert not selectors.search_posts_for(viewer=VISITOR, text="SECRET").exists()


def test_posts_of_removed_threads_leave_search_and_feeds(
    no_premoderation, open_thread, member, moderator
):
    reply(member, open_thread, "Unique gateway words")
    services.thread_remove(moderator=moderator, thread=open_thread, reason="Off-topic")
    assert not selectors.search_posts_for(viewer=VISITOR, text="unique gateway").exists()
    assert not selectors.feed_posts()
    with pytest.raises(Http404):
        selectors.thread_get_for(viewer=VISITOR, thread_id=open_thread.pk)


def test_linked_reports_follow_the_report_visibility_rule(open_thread, moderator, official):
    public = make_report(reference="TB-2026-00021")
    restricted = make_report(reference="TB-2026-00022", visibility="officials_only")
    for report in (public, restricted):
        services.thread_link_report(moderator=moderator, thread=open_thread, report=report)

    def references(viewer):
        return {
            r.reference for r in selectors.reports_for_thread(viewer=viewer, thread=open_thread)
        }

    assert references(VISITOR) == {"TB-2026-00021"}
    assert references(MemberFactory()) == {"TB-2026-00021"}
    assert references(official) == {"TB-2026-00021", "TB-2026-00022"}
    assert references(moderator) == {"TB-2026-00021", "TB-2026-00022"}


def test_a_merged_thread_leads_to_the_thread_that_absorbed_it(open_thread, theme, moderator):
    first = services.thread_start(author=moderator, theme=theme, title="A", body="a")
    second = services.thread_start(author=moderator, theme=theme, title="B", body="b")
    services.thread_merge(moderator=moderator, source=first, target=second, reason="dup")
    services.thread_merge(moderator=moderator, source=second, target=open_thread, reason="dup")
    first.refresh_from_db()
    assert selectors.thread_final_destination(first) == open_thread


def test_the_moderation_queue_lists_pending_then_flagged_posts_oldest_first(
    mixed_thread, moderator, member
):
    _thread, _author, posts = mixed_thread
    pending = list(selectors.pending_posts_for(viewer=moderator))
    assert pending == [posts["pending"]]
    flagged = list(selectors.flagged_posts_for(viewer=moderator))
    assert flagged == [posts["held"]]
    assert [flag.flagger for flag in flagged[0].open_flags] == [member]
    assert selectors.queue_counts_for(viewer=moderator) == {"pending": 1, "flagged": 1, "held": 1}
    assert not selectors.pending_posts_for(viewer=member).exists()


def test_the_queue_filters_by_theme_and_flag_reason(mixed_thread, moderator, other_theme):
    assert not selectors.pending_posts_for(viewer=moderator, theme=other_theme).exists()
    assert selectors.flagged_posts_for(viewer=moderator, reason="spam").count() == 1
    assert not selectors.flagged_posts_for(viewer=moderator, reason="abusive").exists()


def test_reports_awaiting_triage_come_from_the_submissions_selectors(moderator, member):
    make_report(reference="TB-2026-00031", status="submitted")
    make_report(reference="TB-2026-00032")
    total, oldest = selectors.reports_awaiting_triage_for(viewer=moderator)
    assert total == 1
    assert [report.reference for report in oldest] == ["TB-2026-00031"]
    assert selectors.reports_awaiting_triage_for(viewer=member) == (0, [])


# --- PostgreSQL full-text search --------------------------------------------------------------


def test_postgres_search_uses_the_gin_indexes(
    needs_postgres, no_premoderation, open_thread, member
):
    reply(member, open_thread, "Customs held our parcels of coffee beans")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN "
            "('dialogue_post_search_vector', 'dialogue_thread_title_search')"
        )
        assert {row[0] for row in cursor.fetchall()} == {
            "dialogue_post_search_vector",
            "dialogue_thread_title_search",
        }
        cursor.execute("SET LOCAL enable_seqscan = off")
        with CaptureQueriesContext(connection) as captured:
            selectors.post_text_matches(Post.objects.all(), "parcels coffee")
        (search_sql,) = [q["sql"] for q in captured.captured_queries if "@@" in q["sql"]]
        cursor.execute("EXPLAIN " + search_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        threads_plan = (
            Thread.objects.alias(search=SearchVector("title", config=selectors.SEARCH_CONFIG))
            .filter(search=SearchQuery("gateways", config=selectors.SEARCH_CONFIG))
            .explain()
        )
    assert "dialogue_post_search_vector" in plan, "the stored vector's index serves the query"
    assert "dialogue_thread_title_search" in threads_plan
    posts = selectors.search_posts_for(viewer=VISITOR, text="parcels coffee")
    assert [post.body for post in posts] == ["Customs held our parcels of coffee beans"]


def test_postgres_search_understands_phrases_and_exclusions(
    needs_postgres, no_premoderation, open_thread, member
):
    reply(member, open_thread, "de minimis threshold for parcels")
    reply(member, open_thread, "threshold for VAT registration")
    found = selectors.search_posts_for(viewer=VISITOR, text="threshold -parcels")
    assert [post.body for post in found] == ["threshold for VAT registration"]
    found = selectors.search_posts_for(viewer=VISITOR, text='"de minimis"')
    assert [post.body for post in found] == ["de minimis threshold for parcels"]


def test_thread_titles_are_searched(no_premoderation, open_thread):
    assert selectors.search_threads_for(viewer=VISITOR, text="gateways refuse") == [open_thread]
    assert Post.objects.exists()
