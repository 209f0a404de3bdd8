"""Shared set-up for the Trade Dialogues tests: themes, people, threads."""

from datetime import timedelta

import pytest

from dialogues import services
from dialogues.models import Post, Theme, Thread
from tests.factories import MemberFactory, ModeratorFactory, OfficialFactory


@pytest.fixture(autouse=True)
def _themes(request: pytest.FixtureRequest) -> None:
    """Migration 0002 creates the themes; transactional tests flush them, so put them back."""
    uses_db = request.node.get_closest_marker("django_db") or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if not uses_db:
        return
    request.getfixturevalue("db")
    from django.apps import apps

    from dialogues.themes import create_themes

    if not Theme.objects.exists():
        create_themes(apps)


@pytest.fixture
def theme(db) -> Theme:
    return Theme.objects.select_related("topic").get(topic_id="ECOM-10")


@pytest.fixture
def other_theme(db) -> Theme:
    return Theme.objects.select_related("topic").get(topic_id="SME-01")


@pytest.fixture
def no_premoderation(settings) -> None:
    """For tests about something else: members' posts are published at once."""
    settings.DIALOGUES_PREMODERATED_FIRST_POSTS = 0


@pytest.fixture
def member(db):
    return MemberFactory()


@pytest.fixture
def official(db):
    return OfficialFactory()


@pytest.fixture
def moderator(db):
    return ModeratorFactory()


def trust(user, count: int = 3) -> None:
    """Give a member enough approved posts that their next posts are not pre-moderated."""
    from django.utils import timezone

    from dialogues.models import Thread as ThreadModel

    thread = ThreadModel.objects.create(
        theme=Theme.objects.first(), title="Earlier thread", author=user, status="open"
    )
    for number in range(1, count + 1):
        Post.objects.create(
            thread=thread,
            author=user,
            body="Earlier post",
            body_html="<p>Earlier post</p>",
            status=Post.Status.PUBLISHED,
            number=number,
            published_at=timezone.now(),
            created_at=timezone.now() - timedelta(minutes=10),
        )
    thread.last_number = count
    thread.post_count = count
    thread.save()


@pytest.fixture
def open_thread(db, theme, moderator) -> Thread:
    """An open thread started by a moderator (so published at once)."""
    return services.thread_start(
        author=moderator,
        theme=theme,
        title="Payment gateways refuse foreign merchants",
        body="Which gateways have refused you, and in which markets?",
    )


def reply(author, thread, body="A reply", **kwargs) -> Post:
    return services.post_create(author=author, thread=thread, body=body, **kwargs)


def make_report(*, reference: str, visibility: str = "public", status: str = "published", **fields):
    """A barrier report as the submissions package stores it (published by default)."""
    from django.utils import timezone

    from submissions.models import BarrierReport

    reporter = fields.pop("reporter", None) or MemberFactory()
    report = BarrierReport.objects.create(
        reference=reference,
        title=fields.pop("title", f"Barrier {reference}"),
        summary=fields.pop("summary", "Payment gateways refuse us."),
        organisation=reporter.organisation,
        reporter=reporter,
        status=status,
        visibility=visibility,
        published_at=timezone.now() if status == "published" else None,
        submitted_at=timezone.now(),
        **fields,
    )
    report.topics.add("ECOM-10")
    return report


@pytest.fixture
def published_report(db):
    return make_report(reference="TB-2026-00001")
