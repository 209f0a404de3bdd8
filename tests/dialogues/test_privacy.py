"""A person's own data in the Trade Dialogues: what their export holds, and what their
account deletion keeps (the conversation) and erases (what only served them)."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues import services
from dialogues.digests.services import digest_subscription_set
from dialogues.models import (
    Digest,
    DigestSubscription,
    Follow,
    Notification,
    NotificationPreference,
    Post,
)
from portal import services as portal_services
from portal.models import Country, Topic
from tests.dialogues.conftest import reply, trust
from tests.factories import MemberFactory, OfficialFactory

pytestmark = pytest.mark.django_db


def _export(client, person) -> dict:
    client.force_login(person)
    response = client.get(reverse("portal:personal_data_download"))
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def speaker(db):
    """A trusted member (posts published at once) who will delete their account."""
    person = MemberFactory(full_name="Wanjiru Kamau", email="wanjiru@kahawa.example")
    trust(person)
    return person


# --- Deletion keeps the conversation --------------------------------------------------------


def test_posts_of_a_deleted_member_stay_and_show_former_member(client, open_thread, speaker):
    answer = reply(speaker, open_thread, body="Gateway X refused us in Peru.")
    other = MemberFactory(full_name="Rosa Quispe")
    trust(other)
    quoting = reply(other, open_thread, body="Same for us.", quote=answer)

    portal_services.account_delete(actor=speaker, person=speaker)

    html = client.get(open_thread.get_absolute_url()).content.decode()
    assert "Gateway X refused us in Peru." in html
    assert "Wanjiru" not in html
    assert html.count("Former member") >= 2  # the post's author and the quote's source
    assert "Former member wrote:" in html
    quoting.refresh_from_db()
    assert quoting.quote_id == answer.pk
    answer.refresh_from_db()
    assert (answer.status, answer.number) == (Post.Status.PUBLISHED, 2)
    open_thread.refresh_from_db()
    assert open_thread.post_count == 3


def test_threads_started_by_a_deleted_member_stay_open_under_former_member(client, theme, speaker):
    thread = services.thread_start(
        author=speaker, theme=theme, title="De minimis in Kenya", body="Who else is affected?"
    )

    portal_services.account_delete(actor=speaker, person=speaker)

    thread.refresh_from_db()
    assert thread.status == "open"
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Started by Former member" in html
    theme_html = client.get(theme.get_absolute_url()).content.decode()
    assert "Wanjiru" not in theme_html
    assert "Former member" in theme_html


def test_the_feed_names_no_deleted_member(client, open_thread, speaker):
    reply(speaker, open_thread, body="Still a problem.")
    portal_services.account_delete(actor=speaker, person=speaker)

    feed = client.get(reverse("dialogues:feed")).content.decode()
    assert "Still a problem." in feed
    assert "Wanjiru" not in feed


def test_deletion_erases_follows_email_choices_notifications_and_digest_subscription(
    open_thread, speaker, theme
):
    official = OfficialFactory()
    trust(official)
    services.follow_set(user=official, following=True, thread=open_thread)
    services.follow_set(user=official, following=True, theme=theme)
    services.notification_preference_set(
        user=official, frequency=NotificationPreference.Frequency.IMMEDIATE
    )
    reply(speaker, open_thread, body="A post the official is told about.")
    subscription = digest_subscription_set(
        user=official, markets=Country.objects.filter(code="KE"), topics=[], email=True
    )
    Digest.objects.create(
        week="2026-W01",
        week_start=timezone.now().date(),
        edition=Digest.Edition.PERSONAL,
        subscription=subscription,
    )
    assert Notification.objects.filter(recipient=official).exists()

    portal_services.account_delete(actor=official, person=official)

    assert not Follow.objects.filter(user=official).exists()
    assert not NotificationPreference.objects.filter(user=official).exists()
    assert not Notification.objects.filter(recipient=official).exists()
    assert not DigestSubscription.objects.filter(user=official).exists()
    assert not Digest.objects.filter(edition=Digest.Edition.PERSONAL).exists()


def test_a_moderator_hiding_a_deleted_members_post_emails_no_one(
    mailoutbox, open_thread, speaker, moderator, run_on_commit
):
    post = reply(speaker, open_thread, body="An old post.")
    portal_services.account_delete(actor=speaker, person=speaker)

    with run_on_commit():
        services.post_hide(moderator=moderator, post=post, reason="Off-topic.")

    assert mailoutbox == []


# --- Export ----------------------------------------------------------------------------------


def test_export_holds_the_persons_threads_posts_edits_flags_and_choices(
    client, open_thread, speaker, moderator, theme
):
    post = reply(speaker, open_thread, body="First version.")
    services.post_edit(editor=speaker, post=post, body="Second version.")
    flagged = reply(moderator, open_thread, body="A post someone flags.")
    services.post_flag(
        flagger=speaker, post=flagged, reason="off_topic", note="Not about payments."
    )
    services.follow_set(user=speaker, following=True, theme=theme)
    services.notification_preference_set(user=speaker, frequency="off")
    services.thread_start(
        author=speaker, theme=theme, title="Marketplace registration", body="Opening words."
    )
    services.member_suspend(
        moderator=moderator,
        member=speaker,
        ends=timezone.now() + timedelta(days=2),
        reason="Repeated advertising.",
    )

    data = _export(client, speaker)

    assert [thread["title"] for thread in data["threads"]] == [
        "Earlier thread",
        "Marketplace registration",
    ]
    edited = next(item for item in data["posts"] if item["id"] == post.pk)
    assert edited["body"] == "Second version."
    assert [version["previous_text"] for version in edited["edit_history"]] == ["First version."]
    assert "Opening words." in [item["body"] for item in data["posts"]]
    (flag,) = data["flags"]
    assert (flag["post"], flag["note"]) == (flagged.pk, "Not about payments.")
    assert theme.slug in [follow["theme"] for follow in data["follows"]]
    assert data["notification_preferences"]["frequency"] == "off"
    (suspension,) = data["suspensions"]
    assert suspension["reason"] == "Repeated advertising."
    assert data["digest_subscription"] is None


def test_export_holds_the_digest_subscription_of_an_official(client):
    official = OfficialFactory()
    digest_subscription_set(
        user=official,
        markets=Country.objects.filter(code__in=["KE", "PE"]),
        topics=Topic.objects.filter(code="ECOM-10"),
        email=False,
    )

    data = _export(client, official)

    assert data["digest_subscription"]["markets"] == ["KE", "PE"]
    assert data["digest_subscription"]["topics"] == ["ECOM-10"]
    assert data["digest_subscription"]["email_when_ready"] is False


def test_export_holds_no_one_elses_posts(client, open_thread, speaker):
    colleague = MemberFactory(organisation=speaker.organisation, full_name="Kevin Otieno")
    trust(colleague)
    colleague_post = reply(colleague, open_thread, body="Colleague's private worry.")
    reply(speaker, open_thread, body="My own words.", quote=colleague_post)

    data = _export(client, speaker)

    text = json.dumps(data)
    assert "My own words." in text
    assert "Colleague's private worry." not in text
    assert "Kevin" not in text
    assert "Payment gateways refuse foreign merchants" in text  # the thread it sits in


def test_export_reads_a_fixed_number_of_queries_however_many_posts(
    client, open_thread, speaker, settings
):
    settings.DIALOGUES_POSTS_PER_MINUTE = 100
    client.force_login(speaker)
    url = reverse("portal:personal_data_download")

    def queries_for_one_export() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get(url).streaming_content)
        return len(captured)

    reply(speaker, open_thread, body="One.")
    queries_for_one_export()  # content types and the like, cached for the process
    few = queries_for_one_export()
    for number in range(12):
        post = reply(speaker, open_thread, body=f"Post {number}.")
        services.post_edit(editor=speaker, post=post, body=f"Post {number}, edited.")
    many = queries_for_one_export()

    # The user (the session comes from the cache), one query per section, one per prefetched
    # relation that has rows.
    assert few == many == 24
