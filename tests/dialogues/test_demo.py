"""The whole demo, as `make run` loads it: a weekly digest worth reading in each of the
twelve weeks before "today", conversations in three languages, and moderators' work waiting.

"Today" is fixed (a Monday at the turn of a year: the week that just ended is 2026-W01 and
the twelve weeks reach back into 2025) and passed to the seeders; nothing mocks the clock.
"""

import datetime as dt
import io
import itertools
from collections.abc import Iterator

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction

from dialogues.digests.models import Digest
from dialogues.models import Flag, Follow, Post, Thread
from dialogues.selectors import flagged_posts_for, pending_posts_for
from dialogues.themes import create_themes
from portal.models import AuditEvent, Country, Organisation, User
from portal.reference import load_reference_data
from submissions.models import BarrierReport, CoSignature, OfficialResponse, StatusChange
from submissions.selectors import report_queue_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 5)  # a Monday
STORY_END = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
WEEKS = [
    "2025-W42",
    "2025-W43",
    "2025-W44",
    "2025-W45",
    "2025-W46",
    "2025-W47",
    "2025-W48",
    "2025-W49",
    "2025-W50",
    "2025-W51",
    "2025-W52",
    "2026-W01",
]


@pytest.fixture(scope="module")
def output(django_db_setup, django_db_blocker) -> Iterator[str]:
    """`seed_demo --today 2026-01-05`, run once for this module's tests (they only read) and
    rolled back after them; what it printed."""
    printed = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        if not Country.objects.exists():  # a transactional test before may have flushed it
            load_reference_data(apps)
            create_themes(apps)
        Group.objects.get_or_create(name=settings.MODERATORS_GROUP)
        call_command("seed_demo", "--if-empty", today="2026-01-05", stdout=printed)
        yield printed.getvalue()
        transaction.set_rollback(True)


def _figures(digest: Digest) -> dict[str, int]:
    return {figure["key"]: figure["value"] for figure in digest.snapshot["figures"]}


def _editions(edition: str) -> list[Digest]:
    return list(Digest.objects.filter(edition=edition).order_by("week_start"))


def test_the_twelve_weeks_before_today_are_compiled(output):
    assert "The demo story leads up to Monday 05 January 2026." in output
    assert [digest.week for digest in _editions("public")] == WEEKS
    assert [digest.week for digest in _editions("officials")] == WEEKS
    assert Digest.objects.filter(edition="personal").count() == 12
    for step in ("[1/3] portal", "[2/3] submissions", "[3/3] dialogues"):
        assert step in output


def test_every_week_of_the_public_digest_has_new_reports_and_nearly_every_week_more(output):
    weeks = {digest.week: _figures(digest) for digest in _editions("public")}
    assert all(figures["new_reports"] > 0 for figures in weeks.values()), weeks
    assert sum(figures["status_changes"] > 0 for figures in weeks.values()) >= 11
    assert sum(figures["official_responses"] > 0 for figures in weeks.values()) >= 11
    assert sum(figures["cosignatures"] > 0 for figures in weeks.values()) >= 9
    assert sum(figures["posts"] > 0 for figures in weeks.values()) >= 11
    assert sum(figures["new_threads"] for figures in weeks.values()) == 6
    # One date, one story: the figures are pinned.
    new_reports = [figures["new_reports"] for figures in weeks.values()]
    assert new_reports == [1, 2, 1, 1, 2, 1, 2, 1, 2, 2, 1, 2]


def test_officials_answer_at_most_a_week_apart_whatever_the_weekday(output):
    """Twelve weeks end 1 to 7 days before today and start 84 to 90 days before it: answers
    at most seven days apart from the last week to 84 days back reach every one of them."""
    answers = [
        *OfficialResponse.objects.exclude(report__visibility="officials_only").values_list(
            "created_at", flat=True
        ),
        *Post.objects.filter(is_official_response=True).values_list("published_at", flat=True),
    ]
    days = sorted((TODAY - moment.date()).days for moment in answers)
    assert days[0] <= 7
    assert days[-1] >= 84
    assert max(later - earlier for earlier, later in itertools.pairwise(days)) <= 7


def test_the_latest_digest_reads_like_a_week_of_work(output):
    snapshot = Digest.objects.get(week="2026-W01", edition="public").snapshot
    reports = snapshot["reports"]
    assert reports
    assert all(report["visibility"] != "officials_only" for report in reports)
    assert snapshot["status_changes"]
    assert snapshot["official_responses"]
    assert snapshot["active_threads"]
    assert snapshot["most_cosigned"]
    assert all(week["count"] > 0 for week in snapshot["trend"]), "the trend chart has no gap"


def test_the_officials_edition_has_what_only_officials_may_read(output):
    officials = Digest.objects.get(week="2026-W01", edition="officials").snapshot
    public = Digest.objects.get(week="2026-W01", edition="public").snapshot

    def officials_only(snapshot: dict) -> list[dict]:
        return [
            item
            for item in [
                *snapshot["reports"],
                *snapshot["status_changes"],
                *snapshot["official_responses"],
            ]
            if item["visibility"] == "officials_only"
        ]

    assert officials_only(officials)
    assert not officials_only(public)


def test_the_recent_weeks_speak_english_french_and_spanish(output):
    recent = Digest.objects.filter(week__in=WEEKS[-4:], edition="public")
    languages = {report["language"] for digest in recent for report in digest.snapshot["reports"]}
    assert languages == {"en", "fr", "es"}
    since = STORY_END - dt.timedelta(weeks=5)
    posts = Post.objects.filter(status="published", published_at__gte=since)
    assert set(posts.values_list("author__language", flat=True)) == {"en", "fr", "es"}


def test_the_moderation_queue_has_work_waiting(output):
    moderator = User.objects.get(email="moderator@tradedialogues.example")
    TOTP.activate(moderator, generate_totp_secret())  # as on their first visit
    waiting = list(report_queue_for(viewer=moderator))
    assert len(waiting) == 4
    assert all(report.submitted_at > STORY_END - dt.timedelta(days=5) for report in waiting)
    assert len(pending_posts_for(viewer=moderator)) == 2
    flagged = list(flagged_posts_for(viewer=moderator))
    assert len(flagged) == 2
    assert any(post.status == "held" for post in flagged)
    assert BarrierReport.objects.filter(status="changes_requested").exists()


def test_nothing_is_dated_today_or_later(output):
    story = {
        BarrierReport: ["created_at", "updated_at", "submitted_at", "published_at"],
        StatusChange: ["created_at"],
        CoSignature: ["created_at"],
        OfficialResponse: ["created_at"],
        Thread: ["created_at", "last_post_at"],
        Post: ["created_at", "published_at"],
        Flag: ["created_at"],
        Follow: ["created_at"],
        Organisation: ["created_at"],
        User: ["date_joined", "official_verified_at"],
    }
    for model, fields in story.items():
        for field in fields:
            latest = model.objects.exclude(**{field: None}).order_by(f"-{field}").first()
            assert getattr(latest, field) < STORY_END, f"{model.__name__}.{field}"


def test_posts_come_after_their_thread_and_in_order(output):
    for thread in Thread.objects.all():
        posts = list(thread.posts.exclude(published_at=None).order_by("number"))
        assert posts[0].is_opening
        assert posts[0].published_at == thread.created_at
        moments = [post.published_at for post in posts]
        assert moments == sorted(moments), thread.title
        assert all(post.created_at >= thread.created_at for post in thread.posts.all())
        assert thread.last_post_at == max(
            post.published_at for post in posts if post.status == "published"
        )
    for flag in Flag.objects.select_related("post"):
        assert flag.created_at > flag.post.created_at


def test_references_are_numbered_in_the_year_of_submission(output):
    numbered = BarrierReport.objects.exclude(reference=None).order_by("submitted_at")
    by_year: dict[int, list[str]] = {}
    for report in numbered:
        by_year.setdefault(report.submitted_at.year, []).append(report.reference)
    assert set(by_year) == {2025, 2026}
    for year, references in by_year.items():
        assert references == [f"TB-{year}-{number:05d}" for number in range(1, len(references) + 1)]


def test_the_demo_tells_a_dialogue_story(output):
    assert Thread.objects.filter(status=Thread.Status.OPEN).count() == 6
    assert Post.objects.filter(status=Post.Status.PUBLISHED).count() >= 50
    assert Post.objects.filter(status=Post.Status.HIDDEN).exists()
    assert Flag.objects.filter(outcome=Flag.Outcome.OPEN).count() == 5
    assert Post.objects.filter(is_official_response=True).count() == 8
    assert Thread.objects.filter(is_pinned=True).exists()
    assert Thread.objects.filter(is_locked=True).exists()
    assert Thread.objects.filter(reports__isnull=False).count() == 3, "linked to reports"
    long_thread = Thread.objects.order_by("-last_number").first()
    assert long_thread.last_number > 20, "a thread long enough to have pages"
    assert AuditEvent.objects.filter(action="post.approve").exists()


def test_seeding_again_if_empty_does_nothing(output):
    counts = [model.objects.count() for model in (BarrierReport, Post, Digest, User)]
    again = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=again)
    assert again.getvalue() == "Demo data already present; nothing to do.\n"
    assert [model.objects.count() for model in (BarrierReport, Post, Digest, User)] == counts
