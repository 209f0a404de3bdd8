"""Following threads and themes, batched emails about new posts, unsubscribing."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from dialogues import services, tasks
from dialogues.models import Follow, Notification, NotificationPreference, Post
from tests.dialogues.conftest import reply, trust
from tests.factories import MemberFactory, make_moderator

pytestmark = pytest.mark.django_db

Frequency = NotificationPreference.Frequency


@pytest.fixture
def follower(db):
    person = MemberFactory(email="follower@example.org")
    return person


def _set(user, frequency):
    services.notification_preference_set(user=user, frequency=frequency)


def test_followers_are_queued_for_published_posts_only(open_thread, follower, member, moderator):
    services.follow_set(user=follower, thread=open_thread, following=True)
    pending = reply(member, open_thread, "new member's first post")
    assert not Notification.objects.filter(post=pending).exists()
    services.post_approve(moderator=moderator, post=pending)
    assert Notification.objects.filter(recipient=follower, post=pending).exists()


@pytest.mark.parametrize("with_mfa", [False, True])
def test_a_following_moderator_is_emailed_published_posts_only(
    open_thread, member, mailoutbox, run_on_commit, with_mfa
):
    """Before and after two-factor set-up alike: a post waiting for approval is never
    emailed, not even to a moderator who follows the thread."""
    watcher = make_moderator(MemberFactory(email="watcher@example.org"), with_mfa=with_mfa)
    _set(watcher, Frequency.IMMEDIATE)
    services.follow_set(user=watcher, thread=open_thread, following=True)
    trusted = MemberFactory()
    trust(trusted)
    with run_on_commit():
        reply(member, open_thread, "Still waiting for a moderator")
        reply(trusted, open_thread, "Published straight away")
    to_watcher = [message.body for message in mailoutbox if message.to == [watcher.email]]
    assert len(to_watcher) == 1
    assert "Published straight away" in to_watcher[0]
    assert "Still waiting for a moderator" not in to_watcher[0]


def test_authors_are_not_told_about_their_own_posts(no_premoderation, open_thread, follower):
    services.follow_set(user=follower, thread=open_thread, following=True)
    reply(follower, open_thread)
    assert not Notification.objects.filter(recipient=follower).exists()
    assert Notification.objects.filter(recipient=open_thread.author).exists()


def test_theme_followers_hear_about_posts_in_every_thread_of_the_theme(
    no_premoderation, open_thread, follower, member
):
    services.follow_set(user=follower, theme=open_thread.theme, following=True)
    post = reply(member, open_thread)
    assert Notification.objects.get(recipient=follower).post == post


def test_members_who_turned_emails_off_are_not_queued(
    no_premoderation, open_thread, follower, member
):
    _set(follower, Frequency.OFF)
    services.follow_set(user=follower, thread=open_thread, following=True)
    reply(member, open_thread)
    assert not Notification.objects.filter(recipient=follower).exists()


def test_straight_away_members_get_one_email_on_commit(
    no_premoderation, open_thread, follower, member, mailoutbox, run_on_commit
):
    _set(follower, Frequency.IMMEDIATE)
    services.follow_set(user=follower, thread=open_thread, following=True)
    with run_on_commit():
        reply(member, open_thread, "Gateways now accept us")
    assert len(mailoutbox) == 1, "the thread's author (daily by default) waits"
    message = mailoutbox[0]
    assert message.to == [follower.email]
    assert open_thread.title in message.subject
    assert "Gateways now accept us" in message.body
    assert Notification.objects.get(recipient=follower).sent_at is not None


def test_daily_members_get_one_email_with_every_post_of_the_day(
    no_premoderation, open_thread, theme, follower, member, moderator, mailoutbox, run_on_commit
):
    services.follow_set(user=follower, thread=open_thread, following=True)
    second = services.thread_start(author=moderator, theme=theme, title="Second thread", body="x")
    services.follow_set(user=follower, thread=second, following=True)
    Follow.objects.filter(user=moderator).delete()
    with run_on_commit():
        reply(member, open_thread, "one")
        reply(member, open_thread, "two")
        reply(moderator, second, "three")
    assert mailoutbox == [], "daily members wait for the daily run"
    with run_on_commit():
        assert tasks.notifications_send_daily() == 1
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "3 new posts" in mailoutbox[0].subject
    for text in ("one", "two", "three", open_thread.title, "Second thread"):
        assert text in body
    with run_on_commit():
        tasks.notifications_send_daily()
    assert len(mailoutbox) == 1, "a second run sends nothing twice"


def test_posts_hidden_before_the_email_goes_are_left_out(
    no_premoderation, open_thread, follower, member, moderator, mailoutbox, run_on_commit
):
    services.follow_set(user=follower, thread=open_thread, following=True)
    kept = reply(member, open_thread, "Useful information")
    hidden = reply(member, open_thread, "Personal phone number 555")
    services.post_hide(moderator=moderator, post=hidden, reason="Personal data")
    mailoutbox.clear()
    with run_on_commit():
        services.notifications_send(recipient=follower)
    assert len(mailoutbox) == 1
    assert "Useful information" in mailoutbox[0].body
    assert "555" not in mailoutbox[0].body
    assert Notification.objects.filter(post=kept, sent_at__isnull=False).exists()


def test_removed_threads_and_unfollowed_threads_send_nothing(
    no_premoderation, open_thread, follower, member, moderator, mailoutbox, run_on_commit
):
    services.follow_set(user=follower, thread=open_thread, following=True)
    reply(member, open_thread)
    services.thread_remove(moderator=moderator, thread=open_thread, reason="Off-topic")
    mailoutbox.clear()
    with run_on_commit():
        assert services.notifications_send(recipient=follower) == 0
    assert mailoutbox == []


def test_the_immediate_task_leaves_daily_members_for_the_daily_run(
    no_premoderation, open_thread, follower, member, mailoutbox, run_on_commit
):
    services.follow_set(user=follower, thread=open_thread, following=True)
    reply(member, open_thread)
    with run_on_commit():
        assert tasks.notifications_send_to(recipient_id=follower.pk) == 0
    assert Notification.objects.get(recipient=follower).sent_at is None


def test_the_sweeper_emails_straight_away_members_whose_task_never_ran(
    no_premoderation, open_thread, follower, member, mailoutbox, run_on_commit, settings
):
    settings.OUTBOX_RETRY_AFTER_SECONDS = 180
    _set(follower, Frequency.IMMEDIATE)
    services.follow_set(user=follower, thread=open_thread, following=True)
    # Posted without a commit, so the straight-away task is never queued: a broker outage.
    reply(member, open_thread, "Gateways now accept us")
    with run_on_commit():
        assert tasks.notifications_sweep() == 0, "a fresh post is left to its own task"

    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=4))
    with run_on_commit():
        assert tasks.notifications_sweep() == 1, "the thread's author (daily) waits"
    assert [message.to for message in mailoutbox] == [[follower.email]]
    assert "Gateways now accept us" in mailoutbox[0].body

    with run_on_commit():
        assert tasks.notifications_sweep() == 0
    assert len(mailoutbox) == 1, "a second sweep sends nothing twice"


def _unsubscribe_links(body: str) -> list[str]:
    return re.findall(r"https?://\S+/dialogues/unsubscribe/\S+/", body)


def test_each_email_carries_working_unsubscribe_links(
    client, no_premoderation, open_thread, follower, member, mailoutbox, run_on_commit
):
    _set(follower, Frequency.IMMEDIATE)
    services.follow_set(user=follower, thread=open_thread, following=True)
    with run_on_commit():
        reply(member, open_thread)
    thread_link, all_link = _unsubscribe_links(mailoutbox[0].body)
    path = thread_link.split("://", 1)[1].split("/", 1)[1]
    response = client.get(f"/{path}")
    assert response.status_code == 200, "works logged out"
    assert open_thread.title in response.content.decode()
    assert Follow.objects.filter(user=follower).exists(), "opening the link changes nothing"
    client.post(f"/{path}")
    assert not Follow.objects.filter(user=follower).exists()
    all_path = all_link.split("://", 1)[1].split("/", 1)[1]
    client.post(f"/{all_path}")
    assert NotificationPreference.objects.get(user=follower).frequency == Frequency.OFF


def test_a_tampered_unsubscribe_token_is_refused(client, follower):
    token = services.unsubscribe_token(user=follower)
    response = client.post(f"/dialogues/unsubscribe/{token[:-2]}xx/")
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt="another.purpose")


def test_an_unsubscribe_link_for_a_thread_that_no_longer_exists_says_so(client, follower):
    token = signing.dumps({"u": follower.pk, "s": "thread:999999"}, salt=services.UNSUBSCRIBE_SALT)
    response = client.get(f"/dialogues/unsubscribe/{token}/")
    assert response.status_code == 400
    assert "does not work" in response.content.decode()


def test_pending_and_hidden_posts_never_reach_emails(
    open_thread, follower, member, moderator, mailoutbox, run_on_commit, settings
):
    settings.DIALOGUES_FLAGS_TO_HIDE = 1
    _set(follower, Frequency.IMMEDIATE)
    services.follow_set(user=follower, thread=open_thread, following=True)
    with run_on_commit():
        reply(member, open_thread, "SECRET pending text")
    assert mailoutbox == []
    assert Post.objects.get(body="SECRET pending text").status == Post.Status.PENDING
