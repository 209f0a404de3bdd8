"""Who reads which digest edition, and how an edition's audience sees reports and threads.

One shared set-up: every role around one week with a public, an officials and a personalised
edition, and one report of each visibility."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from dialogues.digests import services
from dialogues.digests.models import Digest
from dialogues.digests.permissions import can_read_edition, can_subscribe
from dialogues.digests.weeks import iso_week_bounds
from dialogues.models import Thread
from dialogues.selectors import published_posts_for, thread_list_for
from portal import audience
from portal.permissions import acts_as_moderator, is_member, is_official
from submissions.models import BarrierReport
from submissions.selectors import report_display_organisation, report_list_for
from tests.factories import MemberFactory, ModeratorFactory, OfficialFactory
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db

WEEK = "2025-W48"
START = iso_week_bounds(WEEK)[0]
Visibility = BarrierReport.Visibility


@pytest.fixture
def world(db):
    subscriber = OfficialFactory()
    subscription = services.digest_subscription_set(
        user=subscriber, markets=[], topics=[], email=False
    )

    def edition(kind: str, subscription=None) -> Digest:
        return Digest(week=WEEK, week_start=START.date(), edition=kind, subscription=subscription)

    return SimpleNamespace(
        roles={
            "visitor": AnonymousUser(),
            "member": MemberFactory(),
            "official": OfficialFactory(),
            "subscriber": subscriber,
            "moderator": ModeratorFactory(),
            "moderator without two-factor": ModeratorFactory(moderator=False),
        },
        public=edition("public"),
        officials=edition("officials"),
        personal=edition("personal", subscription),
    )


def readers(world, digest: Digest) -> set[str]:
    return {name for name, user in world.roles.items() if can_read_edition(user, digest)}


def test_everyone_reads_the_public_edition(world):
    assert readers(world, world.public) == set(world.roles)


def test_officials_and_moderators_with_two_factor_read_the_officials_edition(world):
    assert readers(world, world.officials) == {"official", "subscriber", "moderator"}


def test_only_the_subscriber_reads_their_personalised_edition(world):
    assert readers(world, world.personal) == {"subscriber"}


def test_only_officials_subscribe(world):
    allowed = {name for name, user in world.roles.items() if can_subscribe(user)}
    assert allowed == {"official", "subscriber"}
    with pytest.raises(PermissionDenied):
        services.digest_subscription_set(
            user=world.roles["member"], markets=[], topics=[], email=True
        )


def test_a_file_of_an_edition_is_refused_to_a_reader_who_may_not_read_it(world):
    world.officials.status = Digest.Status.READY
    with pytest.raises(PermissionDenied):
        services.digest_file_request(
            viewer=world.roles["member"], digest=world.officials, fmt="pdf", language="en"
        )


# --- Audiences: the rule applied to readerships -------------------------------------------------


def test_audiences_are_never_members_or_moderators_and_officials_only_by_choice():
    subscriber = audience.subscriber(SimpleNamespace(pk=7))
    assert [is_official(item) for item in (audience.PUBLIC, audience.OFFICIALS, subscriber)] == [
        False,
        True,
        True,
    ]
    for item in (audience.PUBLIC, audience.OFFICIALS, subscriber):
        assert not is_member(item)
        assert not acts_as_moderator(item)


def test_report_selectors_give_each_audience_what_its_readers_may_read(db):
    public = BarrierReportFactory(visibility=Visibility.PUBLIC)
    anonymised = BarrierReportFactory(visibility=Visibility.ANONYMISED)
    secret = BarrierReportFactory(visibility=Visibility.OFFICIALS_ONLY)
    BarrierReportFactory(status=BarrierReport.Status.SUBMITTED)

    def references(viewer) -> set[str]:
        return set(report_list_for(viewer=viewer).values_list("reference", flat=True))

    assert references(audience.PUBLIC) == {public.reference, anonymised.reference}
    assert references(audience.OFFICIALS) == {
        public.reference,
        anonymised.reference,
        secret.reference,
    }
    # Officials read anonymised reports anonymised: no audience is the reporter or a moderator.
    label = report_display_organisation(anonymised, audience.OFFICIALS)
    assert anonymised.organisation.name not in label
    assert label.startswith("a micro enterprise in Kenya")
    assert report_display_organisation(public, audience.PUBLIC) == public.organisation.name


def test_thread_selectors_give_audiences_open_threads_and_published_posts_only(db):
    from dialogues.models import Post, Theme

    author = MemberFactory()
    theme = Theme.objects.get(topic_id="ECOM-10")
    open_thread = Thread.objects.create(theme=theme, title="Open", author=author, status="open")
    pending = Thread.objects.create(theme=theme, title="Pending", author=author, status="pending")
    Thread.objects.create(theme=theme, title="Removed", author=author, status="removed")
    now = START + dt.timedelta(days=1)
    for number, status in enumerate(["published", "held", "removed"], start=1):
        Post.objects.create(
            thread=open_thread, author=author, body="x", body_html="<p>x</p>", status=status,
            number=number, published_at=now,
        )  # fmt: skip
    Post.objects.create(
        thread=pending, author=author, body="y", body_html="<p>y</p>", status="published",
        number=1, published_at=now,
    )  # fmt: skip

    for viewer in (audience.PUBLIC, audience.OFFICIALS):
        assert list(thread_list_for(viewer=viewer).values_list("title", flat=True)) == ["Open"]
        posts = published_posts_for(viewer=viewer, threads=Thread.objects.all())
        assert list(posts.values_list("thread__title", "status")) == [("Open", "published")]
