"""A Redis outage, for real: a private redis-server stopped while people use the site.

With Redis down, signing in, signing up, asking for a password reset, replying in a thread
and submitting a report all answer as usual, each done once; the emails they cause wait in the
outbox. When Redis is back, a real Celery worker, with beat's sweepers inside it, delivers
every email exactly once.
"""

import logging
import re
from email import message_from_string

import pytest
from django.test import Client
from django.urls import reverse

from dialogues import services
from dialogues.models import Notification, NotificationPreference, Post
from portal.models import OutboxEmail, User
from submissions.models import BarrierReport, StatusChange
from tests.conftest import wait_until
from tests.factories import PASSWORD, MemberFactory, ModeratorFactory, UserFactory
from tests.portal.test_signup import signup_data
from tests.submissions.test_services import complete_draft

EXPECTED = {
    # recipient: what the email is
    "newcomer@roasters.example": "account/email/email_confirmation_signup",
    "forgetful@alpaca-andina.example": "account/email/password_reset_key",
    "reporter@karite-teranga.example": "report_status_changed",
    "follower@trade.go.ke": "dialogue_notification",
}


@pytest.fixture
def site_on_private_redis(needs_redis, private_redis, start_celery_worker, settings):
    """The site's cache (as configured for REDIS_URL) and broker on a Redis of the test's
    own, with a real worker and beat sweeping every second for emails waiting over 2 s."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": private_redis.url}}
    settings.REDIS_URL = private_redis.url
    settings.OUTBOX_RETRY_AFTER_SECONDS = 2
    settings.DIALOGUES_PREMODERATED_FIRST_POSTS = 0
    worker = start_celery_worker(
        broker_url=private_redis.url,
        beat=True,
        env={
            "OUTBOX_SWEEP_SECONDS": "1",
            "OUTBOX_RETRY_AFTER_SECONDS": "2",
            "DIALOGUES_PREMODERATED_FIRST_POSTS": "0",
        },
    )
    return private_redis, worker


def _mails(worker) -> list:
    """Every message written: one file holds all that a connection sent within a second."""
    separator = "\n" + "-" * 79 + "\n"
    return [
        message_from_string(text)
        for path in sorted(worker.mail_dir.iterdir())
        for text in path.read_text().split(separator)
        if text.strip()
    ]


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(message) -> str:
    return "".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )


def _sweeps(worker) -> int:
    """How many times each of beat's two sweepers has run to the end, at least."""
    log = worker.log()
    return min(
        len(re.findall(r"Task portal\.tasks\.outbox_sweep\[[^\]]+\] succeeded", log)),
        len(re.findall(r"Task dialogues\.tasks\.notifications_sweep\[[^\]]+\] succeeded", log)),
    )


def test_with_redis_down_nothing_fails_and_every_email_is_delivered_once_it_is_back(
    site_on_private_redis, theme, caplog
):
    redis_server, worker = site_on_private_redis
    moderator = ModeratorFactory()
    thread = services.thread_start(
        author=moderator,
        theme=theme,
        title="Payment gateways refuse foreign merchants",
        body="Which gateways have refused you?",
    )
    follower = MemberFactory(email="follower@trade.go.ke")
    services.notification_preference_set(
        user=follower, frequency=NotificationPreference.Frequency.IMMEDIATE
    )
    services.follow_set(user=follower, thread=thread, following=True)
    poster = MemberFactory(email="poster@kahawa-bora.example")
    reporter = MemberFactory(email="reporter@karite-teranga.example")
    draft = complete_draft(reporter)
    UserFactory(email="forgetful@alpaca-andina.example")
    assert not OutboxEmail.objects.exists(), "the story starts with an empty outbox"

    redis_server.stop()
    health = Client().get("/healthz")
    assert health.status_code == 503
    assert health.json()["broker"]["status"] == "error"
    assert health.json()["cache"]["status"] == "error"

    with caplog.at_level(logging.WARNING, logger="portal.background"):
        signed_in = Client().post(
            reverse("account_login"), {"login": poster.email, "password": PASSWORD}
        )
        signup = Client().post(
            reverse("account_signup"), signup_data(email="newcomer@roasters.example")
        )
        reset = Client().post(
            reverse("account_reset_password"), {"email": "forgetful@alpaca-andina.example"}
        )
        replied = _signed_in(poster).post(
            reverse("dialogues:post_create", args=[thread.pk]),
            {"body": "Two gateways accept us since March."},
        )
        submitted = _signed_in(reporter).post(
            reverse("submissions:draft_submit", kwargs={"draft": draft.public_id})
        )

    assert (signed_in.status_code, signed_in["Location"]) == (302, reverse("portal:dashboard"))
    assert (signup.status_code, signup["Location"]) == (
        302,
        reverse("account_email_verification_sent"),
    )
    assert (reset.status_code, reset["Location"]) == (
        302,
        reverse("account_reset_password_done"),
    )
    assert replied.status_code == 302
    assert submitted.status_code == 302
    # Each action is done, once.
    assert User.objects.filter(email="newcomer@roasters.example").count() == 1
    assert (
        Post.objects.filter(thread=thread, body="Two gateways accept us since March.").count() == 1
    )
    assert Post.objects.filter(thread=thread).count() == 2
    draft.refresh_from_db()
    assert draft.status == BarrierReport.Status.SUBMITTED
    assert StatusChange.objects.filter(report=draft).count() == 1
    # The emails wait: queuing them failed, and said so in the log.
    assert caplog.text.count("Could not queue portal.tasks.outbox_deliver") == 3
    assert "Could not queue dialogues.tasks.notifications_send_to" in caplog.text
    waiting = OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING)
    assert dict(waiting.values_list("recipient", "template")) == {
        recipient: template
        for recipient, template in EXPECTED.items()
        if recipient != "follower@trade.go.ke"  # its notification is still a dialogue row
    }
    assert Notification.objects.get(recipient=follower).sent_at is None
    assert _mails(worker) == []

    redis_server.start()

    worker.wait_for(
        lambda: OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).count() == 4,
        timeout=90,
        message="the four emails delivered after Redis came back",
    )
    # Exactly once: let both sweepers run twice more, then count what left.
    sweeps = _sweeps(worker)
    worker.wait_for(lambda: _sweeps(worker) >= sweeps + 2, message="two more sweeps")
    mails = _mails(worker)
    assert sorted(message["To"] for message in mails) == sorted(EXPECTED)
    emails = OutboxEmail.objects.all()
    assert {email.recipient: email.template for email in emails} == EXPECTED
    assert {(email.status, email.attempts) for email in emails} == {("sent", 1)}
    assert all(email.sent_at is not None for email in emails)
    by_recipient = {message["To"]: message for message in mails}
    assert "Two gateways accept us since March." in _text(by_recipient["follower@trade.go.ke"])
    wait_until(
        lambda: Client().get("/healthz").status_code == 200,
        timeout=15,
        message="/healthz healthy again",
    )
