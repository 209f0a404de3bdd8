"""Every dialogue and digest service refuses, by itself, whoever may not call it.

Called directly, with no page in front (a task, an admin action, an API): each refusal
raises PermissionDenied and leaves no row, no audit entry, no email and no queued task.
One row of the table per service: what the call is, who may make it, who may not."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from dialogues import services
from dialogues.digests import services as digest_services
from dialogues.digests.models import Digest
from dialogues.digests.weeks import iso_week_bounds
from dialogues.models import NotificationPreference, Suspension, Theme, Thread
from portal.models import User
from tests.dialogues.conftest import make_report, reply
from tests.factories import (
    MemberFactory,
    ModeratorFactory,
    OfficialFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.refusals import MODERATORS_ONLY, Rule, service_permission_tests

pytestmark = pytest.mark.django_db

WEEK = "2025-W48"


@pytest.fixture
def scene(db):
    moderator = ModeratorFactory()
    people = {
        "visitor": AnonymousUser(),
        "no organisation": UserFactory(),
        "pending member": UserFactory(
            organisation=OrganisationFactory(), membership_status=User.MembershipStatus.PENDING
        ),
        "member": MemberFactory(),
        "author": MemberFactory(),
        "official": OfficialFactory(),
        "other official": OfficialFactory(),
        "moderator": moderator,
        "moderator without two-factor": ModeratorFactory(moderator=False),
    }
    theme = Theme.objects.get(topic_id="ECOM-10")
    other_theme = Theme.objects.get(topic_id="SME-01")

    def thread(title: str) -> Thread:
        return services.thread_start(author=moderator, theme=theme, title=title, body="Opening.")

    main, other = thread("Payment gateways"), thread("Parcels held at customs")
    published = reply(people["author"], main, "Published after review.")
    services.post_approve(moderator=moderator, post=published)
    waiting = reply(people["author"], main, "Waiting for review.")
    linked = make_report(reference="TB-2026-00001")
    main.reports.add(linked)
    suspended = MemberFactory()
    Suspension.objects.create(
        member=suspended,
        ends=timezone.now() + dt.timedelta(days=1),
        reason="Spam.",
        moderator=moderator,
    )
    start = iso_week_bounds(WEEK)[0]
    return SimpleNamespace(
        people=people,
        theme=theme,
        other_theme=other_theme,
        thread=main,
        other_thread=other,
        published=published,
        waiting=waiting,
        official_post=reply(people["official"], main, "On the record."),
        report=make_report(reference="TB-2026-00002"),
        linked_report=linked,
        suspended=suspended,
        officials_edition=Digest.objects.create(
            week=WEEK,
            week_start=start.date(),
            edition=Digest.Edition.OFFICIALS,
            status=Digest.Status.READY,
            snapshot={},
            compiled_at=start + dt.timedelta(days=7),
            revision=1,
        ),
    )


LATER = timezone.now() + dt.timedelta(days=7)

RULES: dict[str, Rule] = {
    "thread_start": Rule(
        lambda s, who: services.thread_start(author=who, theme=s.theme, title="T", body="B"),
        allowed="member",
        refused=("visitor", "no organisation", "pending member"),
    ),
    "post_create": Rule(
        lambda s, who: services.post_create(author=who, thread=s.thread, body="Me too."),
        allowed="member",
        refused=("visitor", "no organisation", "pending member"),
    ),
    "post_edit": Rule(
        lambda s, who: services.post_edit(editor=who, post=s.published, body="Changed."),
        allowed="author",
        refused=("visitor", "member", "official", "moderator without two-factor"),
    ),
    "post_flag": Rule(
        lambda s, who: services.post_flag(flagger=who, post=s.published, reason="spam"),
        allowed="member",
        refused=("visitor", "no organisation", "pending member"),
    ),
    "post_mark_official_response": Rule(
        lambda s, who: services.post_mark_official_response(
            actor=who, post=s.official_post, is_response=True
        ),
        allowed="official",
        refused=("member", "other official", "moderator without two-factor"),
    ),
    "follow_set": Rule(
        lambda s, who: services.follow_set(user=who, thread=s.thread, following=True),
        allowed="member",
        refused=("visitor", "no organisation", "pending member"),
    ),
    "notification_preference_set": Rule(
        lambda s, who: services.notification_preference_set(
            user=who, frequency=NotificationPreference.Frequency.DAILY
        ),
        allowed="member",
        refused=("no organisation", "pending member"),
    ),
    "post_approve": Rule(
        lambda s, who: services.post_approve(moderator=who, post=s.waiting),
        allowed="moderator",
        refused=(*MODERATORS_ONLY, "author"),
    ),
    "post_hide": Rule(
        lambda s, who: services.post_hide(moderator=who, post=s.published, reason="Off topic."),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "post_remove": Rule(
        lambda s, who: services.post_remove(moderator=who, post=s.published, reason="Abuse."),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "post_moderate": Rule(
        lambda s, who: services.post_moderate(
            moderator=who, post=s.waiting, action="approve", reason=""
        ),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "post_moderate_bulk": Rule(
        lambda s, who: services.post_moderate_bulk(
            moderator=who, posts=[s.published, s.waiting], action="remove", reason="Spam."
        ),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "thread_lock": Rule(
        lambda s, who: services.thread_lock(
            moderator=who, thread=s.thread, locked=True, reason="Heated."
        ),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "thread_pin": Rule(
        lambda s, who: services.thread_pin(moderator=who, thread=s.thread, pinned=True),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "thread_set_premoderation": Rule(
        lambda s, who: services.thread_set_premoderation(
            moderator=who, thread=s.thread, enabled=True
        ),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "thread_set_slow_mode": Rule(
        lambda s, who: services.thread_set_slow_mode(moderator=who, thread=s.thread, seconds=60),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "thread_move": Rule(
        lambda s, who: services.thread_move(
            moderator=who, thread=s.thread, theme=s.other_theme, reason="Fits there."
        ),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "thread_remove": Rule(
        lambda s, who: services.thread_remove(moderator=who, thread=s.thread, reason="Spam."),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "thread_merge": Rule(
        lambda s, who: services.thread_merge(
            moderator=who, source=s.other_thread, target=s.thread, reason="Same subject."
        ),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "thread_link_report": Rule(
        lambda s, who: services.thread_link_report(moderator=who, thread=s.thread, report=s.report),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "thread_unlink_report": Rule(
        lambda s, who: services.thread_unlink_report(
            moderator=who, thread=s.thread, report=s.linked_report
        ),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "thread_start_from_report": Rule(
        lambda s, who: services.thread_start_from_report(
            moderator=who, report=s.report, theme=s.theme, title="On this report", body="Views?"
        ),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "member_suspend": Rule(
        lambda s, who: services.member_suspend(
            moderator=who, member=s.people["author"], ends=LATER, reason="Spam."
        ),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "suspension_lift": Rule(
        lambda s, who: services.suspension_lift(moderator=who, member=s.suspended, reason="Ok."),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "digest_subscription_set": Rule(
        lambda s, who: digest_services.digest_subscription_set(
            user=who, markets=[], topics=[], email=True
        ),
        allowed="official",
        refused=("visitor", "member", "moderator"),
    ),
    "digest_file_request": Rule(
        lambda s, who: digest_services.digest_file_request(
            viewer=who, digest=s.officials_edition, fmt="pdf", language="fr"
        ),
        allowed="official",
        refused=("visitor", "member", "moderator without two-factor"),
    ),
}


(
    test_a_service_refuses_whoever_may_not_call_it_and_changes_nothing,
    test_the_same_call_by_someone_allowed_goes_through,
) = service_permission_tests(RULES)


def test_bulk_moderation_is_all_or_nothing(scene):
    """A post that cannot take the decision (here: deleted meanwhile, and last in the batch)
    undoes the decision already applied to the others: no post hidden, no audit entry, no
    email to their authors."""
    from dialogues.models import Post
    from portal.models import AuditEvent, OutboxEmail

    deleted = Post(pk=10**9, thread_id=scene.thread.pk, created_at=LATER)
    before = (AuditEvent.objects.count(), OutboxEmail.objects.count())
    with pytest.raises(Post.DoesNotExist):
        services.post_moderate_bulk(
            moderator=scene.people["moderator"],
            posts=[deleted, scene.published],
            action="hide",
            reason="Spam.",
        )
    scene.published.refresh_from_db()
    assert scene.published.status == Post.Status.PUBLISHED
    assert (AuditEvent.objects.count(), OutboxEmail.objects.count()) == before


def test_bulk_moderation_writes_one_audit_entry_per_post(scene):
    from portal.models import AuditEvent

    posts = [scene.published, scene.official_post]
    services.post_moderate_bulk(
        moderator=scene.people["moderator"], posts=posts, action="hide", reason="Off topic."
    )
    entries = AuditEvent.objects.filter(action="post.hide")
    assert sorted(int(entry.target_id) for entry in entries) == sorted(p.pk for p in posts)
