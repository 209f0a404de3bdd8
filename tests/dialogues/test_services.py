"""Writing in the Trade Dialogues: threads, posts, pre-moderation, flags, limits, follows."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from dialogues import services
from dialogues.models import Flag, Follow, Post, PostRevision, Suspension, Thread
from portal.models import AuditEvent
from tests.dialogues.conftest import make_report, reply, trust
from tests.factories import MemberFactory, ModeratorFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


# --- Pre-moderation ------------------------------------------------------------------------


def test_new_members_first_three_posts_wait_and_the_fourth_is_published(
    open_thread, member, moderator
):
    posts = []
    for number in range(3):
        post = reply(member, open_thread, f"Post {number}")
        assert post.status == Post.Status.PENDING
        assert post.number is None
        posts.append(post)
    for post in posts:
        services.post_approve(moderator=moderator, post=post)
    fourth = reply(member, open_thread, "Fourth post")
    assert fourth.status == Post.Status.PUBLISHED


def test_unapproved_posts_do_not_count_towards_trust(open_thread, member):
    for number in range(4):
        assert reply(member, open_thread, f"Post {number}").status == Post.Status.PENDING


def test_a_new_members_thread_waits_until_its_first_post_is_approved(theme, member, moderator):
    thread = services.thread_start(author=member, theme=theme, title="Parcels held", body="Why?")
    assert thread.status == Thread.Status.PENDING
    opening = thread.posts.get()
    services.post_approve(moderator=moderator, post=opening)
    thread.refresh_from_db()
    assert thread.status == Thread.Status.OPEN
    assert thread.post_count == 1


def test_verified_officials_and_moderators_are_not_pre_moderated(open_thread, official, moderator):
    assert reply(official, open_thread).status == Post.Status.PUBLISHED
    assert reply(moderator, open_thread).status == Post.Status.PUBLISHED


def test_every_post_in_a_pre_moderated_thread_waits_except_moderators(
    open_thread, member, official, moderator
):
    trust(member)
    services.thread_set_premoderation(moderator=moderator, thread=open_thread, enabled=True)
    assert reply(member, open_thread).status == Post.Status.PENDING
    assert reply(official, open_thread).status == Post.Status.PENDING
    assert reply(moderator, open_thread).status == Post.Status.PUBLISHED


def test_pre_moderation_count_is_a_setting(settings, open_thread, member):
    settings.DIALOGUES_PREMODERATED_FIRST_POSTS = 0
    assert reply(member, open_thread).status == Post.Status.PUBLISHED


def test_published_posts_are_numbered_in_order_of_publication(open_thread, member, official):
    waiting = reply(member, open_thread, "first written")
    published = reply(official, open_thread, "second written")
    services.post_approve(moderator=open_thread.author, post=waiting)
    waiting.refresh_from_db()
    assert (published.number, waiting.number) == (2, 3)
    open_thread.refresh_from_db()
    assert open_thread.last_number == 3
    assert open_thread.post_count == 3


# --- Rate limits, slow mode, suspensions -----------------------------------------------------


def test_posting_faster_than_the_limit_is_refused_with_the_time_to_try_again(
    settings, no_premoderation, open_thread, member
):
    settings.DIALOGUES_POSTS_PER_MINUTE = 2
    first = reply(member, open_thread)
    reply(member, open_thread)
    with pytest.raises(services.PostRefused) as refused:
        reply(member, open_thread, "third")
    assert refused.value.status == 429
    assert refused.value.retry_at == first.created_at + timedelta(seconds=60)
    assert "UTC" in refused.value.message
    assert not Post.objects.filter(body="third").exists()


def test_the_rate_limit_counts_only_the_last_minute(
    settings, no_premoderation, open_thread, member
):
    settings.DIALOGUES_POSTS_PER_MINUTE = 1
    old = reply(member, open_thread)
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    assert reply(member, open_thread).status == Post.Status.PUBLISHED


def test_slow_mode_spaces_one_members_posts_in_a_thread(
    no_premoderation, open_thread, member, moderator
):
    services.thread_set_slow_mode(moderator=moderator, thread=open_thread, seconds=300)
    open_thread.refresh_from_db()
    first = reply(member, open_thread)
    with pytest.raises(services.PostRefused) as refused:
        reply(member, open_thread)
    assert refused.value.retry_at == first.created_at + timedelta(seconds=300)
    assert "slow mode" in refused.value.message
    assert reply(moderator, open_thread).status == Post.Status.PUBLISHED
    assert reply(MemberFactory(), open_thread).status == Post.Status.PUBLISHED


def test_a_suspended_member_cannot_post_start_threads_edit_or_flag(
    no_premoderation, open_thread, theme, member, moderator
):
    own = reply(member, open_thread)
    other = reply(moderator, open_thread)
    services.member_suspend(
        moderator=moderator, member=member, ends=timezone.now() + timedelta(days=3), reason="Spam"
    )
    with pytest.raises(services.PostRefused, match="suspended"):
        reply(member, open_thread)
    with pytest.raises(services.PostRefused, match="suspended"):
        services.thread_start(author=member, theme=theme, title="t", body="b")
    with pytest.raises(services.PostRefused, match="suspended"):
        services.post_edit(editor=member, post=own, body="changed")
    with pytest.raises(services.PostRefused, match="suspended"):
        services.post_flag(flagger=member, post=other, reason=Flag.Reason.SPAM)


def test_lifting_a_suspension_lets_the_member_post_again(
    no_premoderation, open_thread, member, moderator, mailoutbox, run_on_commit
):
    with run_on_commit():
        services.member_suspend(
            moderator=moderator, member=member, ends=timezone.now() + timedelta(days=1), reason="x"
        )
        assert services.suspension_lift(moderator=moderator, member=member, reason="Appeal") == 1
    assert reply(member, open_thread).status == Post.Status.PUBLISHED
    assert [m.subject for m in mailoutbox][-1].endswith("You can post in the Trade Dialogues again")
    assert AuditEvent.objects.filter(action="member.unsuspend", target_id=str(member.pk)).exists()


def test_moderators_cannot_be_suspended(moderator):
    from tests.factories import ModeratorFactory

    with pytest.raises(services.ModerationRefused):
        services.member_suspend(
            moderator=moderator,
            member=ModeratorFactory(),
            ends=timezone.now() + timedelta(days=1),
            reason="x",
        )


def test_an_expired_suspension_no_longer_applies(no_premoderation, open_thread, member, moderator):
    services.member_suspend(
        moderator=moderator,
        member=member,
        starts=timezone.now() - timedelta(days=2),
        ends=timezone.now() - timedelta(seconds=1),
        reason="Old",
    )
    assert reply(member, open_thread).status == Post.Status.PUBLISHED


def test_locked_threads_take_no_replies_except_from_moderators(
    no_premoderation, open_thread, member, moderator
):
    services.thread_lock(moderator=moderator, thread=open_thread, locked=True, reason="Resolved")
    with pytest.raises(services.PostRefused, match="locked"):
        reply(member, open_thread)
    assert reply(moderator, open_thread).status == Post.Status.PUBLISHED


# --- Quotes, edits, official responses -----------------------------------------------------


def test_a_reply_quotes_only_a_published_post_of_the_same_thread(
    no_premoderation, open_thread, theme, member, moderator
):
    opening = open_thread.posts.get()
    assert reply(member, open_thread, quote=opening).quote == opening
    elsewhere = services.thread_start(author=moderator, theme=theme, title="Other", body="x")
    foreign = elsewhere.posts.get()
    assert reply(member, open_thread, quote=foreign).quote is None


def test_editing_keeps_the_previous_version(no_premoderation, open_thread, member):
    post = reply(member, open_thread, "Version one")
    services.post_edit(editor=member, post=post, body="Version **two**")
    post.refresh_from_db()
    assert post.body_html == "<p>Version <strong>two</strong></p>"
    assert post.edited_at is not None
    revision = PostRevision.objects.get(post=post)
    assert (revision.body, revision.edited_by) == ("Version one", member)


def test_an_unchanged_edit_does_nothing(no_premoderation, open_thread, member):
    post = reply(member, open_thread, "Same")
    services.post_edit(editor=member, post=post, body="Same")
    assert not PostRevision.objects.exists()


def test_editing_a_hidden_post_sends_it_back_to_the_queue(
    no_premoderation, open_thread, member, moderator
):
    post = reply(member, open_thread, "Call Mr X on +00 000")
    services.post_hide(moderator=moderator, post=post, reason="No phone numbers")
    services.post_edit(editor=member, post=post, body="Call the gateway's helpdesk")
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING


def test_a_still_pre_moderated_member_editing_a_published_post_sends_it_back(
    open_thread, member, moderator
):
    post = reply(member, open_thread, "Fine text")
    services.post_approve(moderator=moderator, post=post)
    services.post_edit(editor=member, post=post, body="Buy cheap watches")
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING
    assert post.number == 2, "it keeps its place when approved again"


def test_an_official_marks_their_own_post_as_the_official_response(open_thread, official):
    post = reply(official, open_thread, "The ministry will publish guidance.")
    services.post_mark_official_response(actor=official, post=post, is_response=True)
    post.refresh_from_db()
    assert post.is_official_response
    assert AuditEvent.objects.filter(action="post.official_response").exists()


def test_only_an_officials_post_can_be_an_official_response(
    no_premoderation, open_thread, member, moderator
):
    post = reply(member, open_thread)
    with pytest.raises(services.ModerationRefused):
        services.post_mark_official_response(actor=moderator, post=post, is_response=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(is_official_response=True)


def test_the_badge_needs_the_author_to_still_be_verified(open_thread, official):
    post = reply(official, open_thread)
    assert post.shows_official_badge
    official.official_status = official.OfficialStatus.REJECTED
    official.save()
    post = Post.objects.select_related("author").get(pk=post.pk)
    assert not post.shows_official_badge


# --- Flags ---------------------------------------------------------------------------------


@pytest.fixture
def flagged_post(no_premoderation, open_thread):
    return reply(MemberFactory(), open_thread, "Buy my product")


def test_a_member_flags_a_post_once(flagged_post, member):
    first = services.post_flag(flagger=member, post=flagged_post, reason=Flag.Reason.SPAM)
    again = services.post_flag(flagger=member, post=flagged_post, reason=Flag.Reason.ABUSIVE)
    assert first == again
    assert Flag.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(post=flagged_post, flagger=member, reason=Flag.Reason.OTHER)


def test_members_cannot_flag_their_own_posts(flagged_post):
    with pytest.raises(services.PostRefused):
        services.post_flag(flagger=flagged_post.author, post=flagged_post, reason="spam")


def test_three_flags_hide_a_post_until_a_moderator_decides(flagged_post, mailoutbox, run_on_commit):
    flaggers = MemberFactory.create_batch(3)
    with run_on_commit():
        for flagger in flaggers[:2]:
            services.post_flag(flagger=flagger, post=flagged_post, reason=Flag.Reason.SPAM)
        flagged_post.refresh_from_db()
        assert flagged_post.status == Post.Status.PUBLISHED
        services.post_flag(flagger=flaggers[2], post=flagged_post, reason=Flag.Reason.OFF_TOPIC)
    flagged_post.refresh_from_db()
    assert flagged_post.status == Post.Status.HELD
    assert flagged_post.flag_count == 3
    assert AuditEvent.objects.filter(action="post.hold", actor=None).exists()
    assert [m.to for m in mailoutbox] == [[flagged_post.author.email]]


def test_the_number_of_flags_that_hide_a_post_is_a_setting(settings, flagged_post, member):
    settings.DIALOGUES_FLAGS_TO_HIDE = 1
    services.post_flag(flagger=member, post=flagged_post, reason=Flag.Reason.CONFIDENTIAL)
    flagged_post.refresh_from_db()
    assert flagged_post.status == Post.Status.HELD


def test_approving_a_held_post_dismisses_its_flags(settings, flagged_post, member, moderator):
    settings.DIALOGUES_FLAGS_TO_HIDE = 1
    services.post_flag(flagger=member, post=flagged_post, reason=Flag.Reason.SPAM)
    services.post_approve(moderator=moderator, post=flagged_post, reason="Fair comment")
    flagged_post.refresh_from_db()
    assert flagged_post.status == Post.Status.PUBLISHED
    assert flagged_post.flag_count == 0
    assert Flag.objects.get().outcome == Flag.Outcome.DISMISSED
    services.post_flag(flagger=member, post=flagged_post, reason=Flag.Reason.SPAM)
    flagged_post.refresh_from_db()
    assert flagged_post.status == Post.Status.PUBLISHED, "a member's flag counts once"


# --- Moderator actions: audit and the author told why ----------------------------------------


@pytest.fixture
def authored(no_premoderation, open_thread):
    """A thread and a post by the same member, so each action has an author to tell."""
    author = MemberFactory(email="author@example.org")
    thread = services.thread_start(
        author=author, theme=open_thread.theme, title="Customs hold parcels", body="Opening"
    )
    post = reply(author, thread, "A reply")
    return author, thread, post


@pytest.mark.parametrize(
    ("action", "audit_action", "subject"),
    [
        ("hide", "post.hide", "A moderator has hidden your post"),
        ("remove", "post.remove", "A moderator has removed your post"),
        ("lock", "thread.lock", "Your thread is locked"),
        ("pin", "thread.pin", "Your thread is pinned"),
        ("premoderate", "thread.premoderate", "Posts in your thread now wait for a moderator"),
        ("slow_mode", "thread.slow_mode", "Slow mode changed in your thread"),
        ("move", "thread.move", "Your thread has moved to another theme"),
        ("merge", "thread.merge", "Your thread is merged into another thread"),
        ("remove_thread", "thread.remove", "A moderator has removed your thread"),
        ("suspend", "member.suspend", "Your account is suspended from posting"),
    ],
)
def test_every_moderator_action_is_audited_and_tells_the_author_why(
    authored,
    open_thread,
    other_theme,
    moderator,
    mailoutbox,
    run_on_commit,
    action,
    audit_action,
    subject,
):
    author, thread, post = authored
    reason = f"Reason for {action}"
    calls = {
        "hide": lambda: services.post_hide(moderator=moderator, post=post, reason=reason),
        "remove": lambda: services.post_remove(moderator=moderator, post=post, reason=reason),
        "lock": lambda: services.thread_lock(
            moderator=moderator, thread=thread, locked=True, reason=reason
        ),
        "pin": lambda: services.thread_pin(
            moderator=moderator, thread=thread, pinned=True, reason=reason
        ),
        "premoderate": lambda: services.thread_set_premoderation(
            moderator=moderator, thread=thread, enabled=True, reason=reason
        ),
        "slow_mode": lambda: services.thread_set_slow_mode(
            moderator=moderator, thread=thread, seconds=60, reason=reason
        ),
        "move": lambda: services.thread_move(
            moderator=moderator, thread=thread, theme=other_theme, reason=reason
        ),
        "merge": lambda: services.thread_merge(
            moderator=moderator, source=thread, target=open_thread, reason=reason
        ),
        "remove_thread": lambda: services.thread_remove(
            moderator=moderator, thread=thread, reason=reason
        ),
        "suspend": lambda: services.member_suspend(
            moderator=moderator,
            member=author,
            ends=timezone.now() + timedelta(days=7),
            reason=reason,
        ),
    }
    with run_on_commit():
        calls[action]()
    event = AuditEvent.objects.get(action=audit_action)
    assert event.actor == moderator
    assert event.reason == reason
    to_author = [m for m in mailoutbox if m.to == [author.email]]
    assert len(to_author) == 1
    assert to_author[0].subject.endswith(subject)
    assert reason in to_author[0].body


MODERATOR_SERVICES = [
    "approve",
    "hide",
    "remove",
    "lock",
    "pin",
    "premoderate",
    "slow_mode",
    "move",
    "merge",
    "remove_thread",
    "link_report",
    "unlink_report",
    "start_from_report",
    "suspend",
    "lift_suspension",
]


@pytest.mark.parametrize("action", MODERATOR_SERVICES)
@pytest.mark.parametrize(
    "who", ["moderator without two factors", "superuser without two factors", "member"]
)
def test_moderator_services_refuse_anyone_not_acting_as_a_moderator(
    authored, open_thread, other_theme, mailoutbox, run_on_commit, action, who
):
    """Each service refuses by itself, whatever page called it: nothing changes, nothing is
    recorded, nobody is emailed."""
    author, thread, post = authored
    actor = {
        "moderator without two factors": lambda: make_moderator(MemberFactory(), with_mfa=False),
        "superuser without two factors": lambda: UserFactory(is_staff=True, is_superuser=True),
        "member": MemberFactory,
    }[who]()
    report = make_report(reference="TB-2026-00077")
    thread.reports.add(report)
    suspended = MemberFactory()
    suspension = Suspension.objects.create(
        member=suspended,
        ends=timezone.now() + timedelta(days=3),
        reason="Earlier",
        moderator=ModeratorFactory(),
    )
    reason = "No power yet"
    calls = {
        "approve": lambda: services.post_approve(moderator=actor, post=post),
        "hide": lambda: services.post_hide(moderator=actor, post=post, reason=reason),
        "remove": lambda: services.post_remove(moderator=actor, post=post, reason=reason),
        "lock": lambda: services.thread_lock(
            moderator=actor, thread=thread, locked=True, reason=reason
        ),
        "pin": lambda: services.thread_pin(moderator=actor, thread=thread, pinned=True),
        "premoderate": lambda: services.thread_set_premoderation(
            moderator=actor, thread=thread, enabled=True
        ),
        "slow_mode": lambda: services.thread_set_slow_mode(
            moderator=actor, thread=thread, seconds=60
        ),
        "move": lambda: services.thread_move(
            moderator=actor, thread=thread, theme=other_theme, reason=reason
        ),
        "merge": lambda: services.thread_merge(
            moderator=actor, source=thread, target=open_thread, reason=reason
        ),
        "remove_thread": lambda: services.thread_remove(
            moderator=actor, thread=thread, reason=reason
        ),
        "link_report": lambda: services.thread_link_report(
            moderator=actor, thread=open_thread, report=report
        ),
        "unlink_report": lambda: services.thread_unlink_report(
            moderator=actor, thread=thread, report=report
        ),
        "start_from_report": lambda: services.thread_start_from_report(
            moderator=actor, report=report, theme=other_theme, title="From a report", body="Hi"
        ),
        "suspend": lambda: services.member_suspend(
            moderator=actor,
            member=author,
            ends=timezone.now() + timedelta(days=7),
            reason=reason,
        ),
        "lift_suspension": lambda: services.suspension_lift(
            moderator=actor, member=suspended, reason=reason
        ),
    }
    before = {
        "audit": AuditEvent.objects.count(),
        "threads": list(Thread.objects.order_by("pk").values_list()),
        "posts": list(Post.objects.order_by("pk").values_list()),
        "reports on threads": list(Thread.reports.through.objects.values_list()),
    }
    with run_on_commit(), pytest.raises(PermissionDenied):
        calls[action]()
    assert AuditEvent.objects.count() == before["audit"]
    assert list(Thread.objects.order_by("pk").values_list()) == before["threads"]
    assert list(Post.objects.order_by("pk").values_list()) == before["posts"]
    assert list(Thread.reports.through.objects.values_list()) == before["reports on threads"]
    assert not Suspension.objects.filter(member=author).exists()
    suspension.refresh_from_db()
    assert suspension.lifted_at is None
    assert mailoutbox == []


def test_a_moderator_without_two_factors_marks_no_one_elses_official_response(
    open_thread, official
):
    post = reply(official, open_thread, "Our ministry's answer")
    with pytest.raises(PermissionDenied):
        services.post_mark_official_response(
            actor=ModeratorFactory(moderator=False), post=post, is_response=True
        )
    post.refresh_from_db()
    assert post.is_official_response is False


def test_a_moderator_without_an_organisation_writes_only_with_two_factors(open_thread, theme):
    waiting = ModeratorFactory(moderator=False)
    with pytest.raises(PermissionDenied):
        reply(waiting, open_thread, "Before two factors")
    with pytest.raises(PermissionDenied):
        services.thread_start(author=waiting, theme=theme, title="Not yet", body="Not yet")
    assert not Post.objects.filter(author=waiting).exists()
    make_moderator(waiting)
    assert reply(waiting, open_thread, "With two factors").status == Post.Status.PUBLISHED


def test_approving_a_pending_post_is_audited_and_tells_the_author(
    open_thread, member, moderator, mailoutbox, run_on_commit
):
    post = reply(member, open_thread)
    with run_on_commit():
        services.post_approve(moderator=moderator, post=post, reason="Welcome")
    assert AuditEvent.objects.filter(action="post.approve", actor=moderator).count() == 1
    assert mailoutbox[-1].to == [member.email]
    assert mailoutbox[-1].subject.endswith("Your post is published")


def test_repeating_a_moderator_action_does_nothing(authored, moderator, mailoutbox, run_on_commit):
    _author, thread, post = authored
    with run_on_commit():
        for _ in range(2):
            services.post_hide(moderator=moderator, post=post, reason="x")
            services.thread_lock(moderator=moderator, thread=thread, locked=True, reason="y")
    assert AuditEvent.objects.filter(action__in=["post.hide", "thread.lock"]).count() == 2
    assert len(mailoutbox) == 2


def test_removal_is_final(authored, moderator):
    _author, _thread, post = authored
    services.post_remove(moderator=moderator, post=post, reason="Doxxing")
    services.post_approve(moderator=moderator, post=post)
    post.refresh_from_db()
    assert post.status == Post.Status.REMOVED


def test_removing_the_opening_post_of_a_pending_thread_removes_the_thread(theme, member, moderator):
    thread = services.thread_start(author=member, theme=theme, title="Spam", body="spam")
    services.post_remove(moderator=moderator, post=thread.posts.get(), reason="Spam")
    thread.refresh_from_db()
    assert thread.status == Thread.Status.REMOVED


def test_merging_moves_posts_in_publication_order_with_followers_and_reports(
    no_premoderation, open_thread, theme, moderator, published_report
):
    follower, both = MemberFactory(), MemberFactory()
    source = services.thread_start(author=moderator, theme=theme, title="Dup", body="source 1")
    reply(both, open_thread, "target 2")
    reply(both, source, "source 2")
    reply(both, open_thread, "target 3")
    services.follow_set(user=follower, thread=source, following=True)
    services.follow_set(user=both, thread=source, following=True)
    services.follow_set(user=both, thread=open_thread, following=True)
    services.thread_link_report(moderator=moderator, thread=source, report=published_report)
    services.thread_merge(moderator=moderator, source=source, target=open_thread, reason="Same")
    open_thread.refresh_from_db()
    source.refresh_from_db()
    bodies = list(open_thread.posts.order_by("number").values_list("body", flat=True))
    assert bodies == [
        "Which gateways have refused you, and in which markets?",
        "source 1",
        "target 2",
        "source 2",
        "target 3",
    ]
    assert open_thread.last_number == open_thread.post_count == 5
    assert source.status == Thread.Status.MERGED
    assert source.merged_into == open_thread
    assert set(Follow.objects.filter(thread=open_thread).values_list("user", flat=True)) >= {
        follower.pk,
        both.pk,
    }
    assert not Follow.objects.filter(thread=source).exists()
    assert list(open_thread.reports.all()) == [published_report]
    assert source.posts.count() == 0


def test_a_thread_cannot_be_merged_into_itself_or_a_closed_thread(open_thread, theme, moderator):
    with pytest.raises(services.ModerationRefused):
        services.thread_merge(
            moderator=moderator, source=open_thread, target=open_thread, reason=""
        )
    other = services.thread_start(author=moderator, theme=theme, title="Other", body="x")
    services.thread_remove(moderator=moderator, thread=other, reason="x")
    with pytest.raises(services.ModerationRefused):
        services.thread_merge(moderator=moderator, source=open_thread, target=other, reason="")


# --- Threads from reports ------------------------------------------------------------------


def test_a_moderator_opens_a_dialogue_from_a_published_report_and_the_reporter_is_told(
    theme, moderator, published_report, mailoutbox, run_on_commit
):
    with run_on_commit():
        thread = services.thread_start_from_report(
            moderator=moderator, report=published_report, theme=theme, title="T", body="B"
        )
    assert thread.status == Thread.Status.OPEN
    assert list(thread.reports.all()) == [published_report]
    assert list(published_report.dialogue_threads.all()) == [thread]
    assert AuditEvent.objects.filter(action="thread.start_from_report").exists()
    assert mailoutbox[-1].to == [published_report.reporter.email]
    assert published_report.reference in mailoutbox[-1].subject


def test_a_thread_gathers_several_reports_but_only_published_ones(open_thread, moderator):
    first = make_report(reference="TB-2026-00011")
    second = make_report(reference="TB-2026-00012")
    draft_like = make_report(reference="TB-2026-00013", status="submitted")
    services.thread_link_report(moderator=moderator, thread=open_thread, report=first)
    services.thread_link_report(moderator=moderator, thread=open_thread, report=second)
    services.thread_link_report(moderator=moderator, thread=open_thread, report=second)
    with pytest.raises(services.ModerationRefused):
        services.thread_link_report(moderator=moderator, thread=open_thread, report=draft_like)
    assert open_thread.reports.count() == 2
    assert AuditEvent.objects.filter(action="thread.link_report").count() == 2
