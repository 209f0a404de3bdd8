"""The email outbox: a row in the action's transaction, sent once, retried, swept."""

import logging
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from portal import outbox
from portal.emails import email_member
from portal.models import OutboxEmail
from portal.tasks import outbox_sweep
from tests.conftest import celery_publishing_to
from tests.factories import UserFactory

Status = OutboxEmail.Status


def _closed_port() -> int:
    """A port nothing listens on: connecting to it is refused at once, for real."""
    from tests.conftest import free_port

    return free_port()


@pytest.fixture
def smtp_server_down(settings):
    """The mail server refuses connections (a real TCP refusal on a closed port)."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _closed_port(), "timeout": 2},
        }
    }


@pytest.fixture
def broker_down():
    """The test process publishes tasks to a Redis that is not there."""
    with celery_publishing_to(f"redis://127.0.0.1:{_closed_port()}/0"):
        yield


def _email(**fields) -> OutboxEmail:
    defaults = {
        "recipient": "wanjiru@roasters.example",
        "subject": "[Trade Dialogues Portal] Your report was published",
        "body_text": "Hello Wanjiru,\n\nYour report is published.\n",
    }
    return OutboxEmail.objects.create(**{**defaults, **fields})


# --- Writing ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_email_is_a_row_of_the_actions_transaction_sent_once_it_commits(
    run_on_commit, mailoutbox
):
    user = UserFactory(email="amina@trade.go.ke", full_name="Amina Odhiambo")
    with run_on_commit():
        email_member(user=user, template="official_decided", context={"approved": True})
        row = OutboxEmail.objects.get()
        assert row.status == Status.PENDING
        assert mailoutbox == [], "nothing leaves before the action commits"

    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.sent_at is not None
    assert row.attempts == 1
    assert (row.recipient, row.language, row.template) == (
        "amina@trade.go.ke",
        "en",
        "official_decided",
    )
    (message,) = mailoutbox
    assert message.to == ["amina@trade.go.ke"]
    assert message.subject == row.subject
    assert message.subject.startswith("[Trade Dialogues Portal] ")
    assert "Amina" in message.body
    assert message.extra_headers["Message-ID"] == outbox.message_id(row)


@pytest.mark.django_db
def test_an_action_that_rolls_back_leaves_no_email(run_on_commit, mailoutbox):
    user = UserFactory()

    @transaction.atomic
    def action_that_fails() -> None:
        email_member(user=user, template="official_decided", context={"approved": True})
        raise RuntimeError("the action failed after writing its email")

    with run_on_commit(), pytest.raises(RuntimeError):
        action_that_fails()
    assert not OutboxEmail.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_email_is_written_in_the_recipients_language(run_on_commit, mailoutbox):
    user = UserFactory(language="fr")
    with run_on_commit():
        email_member(user=user, template="official_decided", context={"approved": True})
    row = OutboxEmail.objects.get()
    assert row.language == "fr"
    assert row.subject == "[Portail des Dialogues commerciaux] Votre compte officiel est vérifié"
    assert mailoutbox[0].subject == row.subject


@pytest.mark.django_db
def test_extra_headers_and_an_html_body_travel_with_the_email(run_on_commit, mailoutbox):
    with run_on_commit():
        outbox.email_queue(
            to="rosa@alpaca-andina.example",
            subject="Resumen semanal",
            body_text="Hola Rosa",
            body_html="<p>Hola Rosa</p>",
            headers={"List-Unsubscribe": "<https://portal.example/unsubscribe/abc/>"},
            language="es",
        )
    (message,) = mailoutbox
    assert message.extra_headers["List-Unsubscribe"] == "<https://portal.example/unsubscribe/abc/>"
    assert message.alternatives[0].content == "<p>Hola Rosa</p>"
    assert message.alternatives[0].mimetype == "text/html"


# --- allauth's emails --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_signup_confirmation_goes_through_the_outbox_in_the_page_language(
    client, run_on_commit, mailoutbox
):
    from tests.portal.test_signup import signup_data

    with run_on_commit():
        response = client.post("/fr/accounts/signup/", signup_data(email="awa@karite.example"))

    assert response.status_code == 302
    row = OutboxEmail.objects.get(recipient="awa@karite.example")
    assert row.status == Status.SENT
    assert row.template == "account/email/email_confirmation_signup"
    assert row.language == "fr"
    assert "/accounts/confirm-email/" in row.body_text
    assert [message.to for message in mailoutbox] == [["awa@karite.example"]]
    assert mailoutbox[0].subject == row.subject


@pytest.mark.django_db
def test_a_password_reset_email_goes_through_the_outbox(client, run_on_commit, mailoutbox):
    UserFactory(email="kevin@kahawa-bora.example")
    with run_on_commit():
        response = client.post("/accounts/password/reset/", {"email": "kevin@kahawa-bora.example"})
    assert response.status_code == 302
    row = OutboxEmail.objects.get(recipient="kevin@kahawa-bora.example")
    assert row.template == "account/email/password_reset_key"
    assert row.status == Status.SENT
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


# --- Delivering ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_delivering_an_email_twice_sends_it_once(mailoutbox):
    email = _email()
    assert outbox.email_deliver(email_id=email.pk) is True
    assert outbox.email_deliver(email_id=email.pk) is False
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)


def _in_other_connection(function):
    """Run `function` in another thread, hence another database connection, as a second
    worker would."""
    results = []

    def run() -> None:
        try:
            results.append(function())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert results, "the other connection did not finish"
    return results[0]


@pytest.mark.django_db(transaction=True)
def test_an_email_another_worker_is_sending_is_skipped_by_workers_and_the_sweeper(
    needs_postgres, mailoutbox
):
    email = _email(next_attempt_at=timezone.now() - timedelta(minutes=5))
    with transaction.atomic():
        # This connection holds the row, as a worker does while it talks to the mail server.
        OutboxEmail.objects.select_for_update().get(pk=email.pk)

        assert _in_other_connection(lambda: outbox.email_deliver(email_id=email.pk)) is False
        assert _in_other_connection(outbox.emails_requeue_due) == 0

    assert mailoutbox == []
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.PENDING, 0)


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_the_same_email_send_it_once(needs_postgres, mailoutbox):
    email = _email()
    racers = 4
    start = threading.Barrier(racers)
    sent: list[bool] = []

    def race() -> None:
        try:
            start.wait(timeout=10)
            sent.append(outbox.email_deliver(email_id=email.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(sent) == [False, False, False, True]
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)


@pytest.mark.django_db
def test_a_mail_server_that_refuses_leaves_the_email_waiting_with_the_reason(
    smtp_server_down, settings
):
    settings.OUTBOX_RETRY_AFTER_SECONDS = 180
    email = _email()
    before = timezone.now()

    assert outbox.email_deliver(email_id=email.pk) is False

    email.refresh_from_db()
    assert email.status == Status.PENDING
    assert email.attempts == 1
    assert email.sent_at is None
    assert email.last_error.startswith("ConnectionRefusedError")
    assert before + timedelta(seconds=180) <= email.next_attempt_at
    assert email.next_attempt_at <= timezone.now() + timedelta(seconds=180)


@pytest.mark.django_db
def test_each_failure_waits_twice_as_long_before_the_next_attempt(smtp_server_down, settings):
    settings.OUTBOX_RETRY_AFTER_SECONDS = 60
    email = _email(attempts=3)
    before = timezone.now()
    outbox.email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.attempts == 4
    assert email.next_attempt_at >= before + timedelta(minutes=8)
    assert email.next_attempt_at <= timezone.now() + timedelta(minutes=8)


@pytest.mark.django_db
def test_an_email_is_given_up_after_the_last_attempt(smtp_server_down, caplog):
    email = _email(attempts=outbox.MAX_ATTEMPTS - 1)
    with caplog.at_level(logging.ERROR, logger="portal.outbox"):
        outbox.email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert email.attempts == outbox.MAX_ATTEMPTS
    assert "Gave up email" in caplog.text
    assert outbox.email_deliver(email_id=email.pk) is False, "a given-up email stays given up"


# --- Queuing, and the sweeper ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_broker_outage_is_logged_not_raised_and_the_email_waits(
    broker_down, run_on_commit, mailoutbox, caplog
):
    with caplog.at_level(logging.WARNING, logger="portal.background"), run_on_commit():
        email = outbox.email_queue(to="awa@karite.example", subject="Bienvenue", body_text="...")

    assert f"Could not queue portal.tasks.outbox_deliver(email_id={email.pk})" in caplog.text
    assert mailoutbox == []
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.PENDING, 0)


@pytest.mark.django_db
def test_the_sweeper_sends_what_waited_too_long_and_leaves_the_rest(mailoutbox):
    now = timezone.now()
    overdue = _email(recipient="overdue@example.org", next_attempt_at=now - timedelta(seconds=1))
    _email(recipient="fresh@example.org", next_attempt_at=now + timedelta(minutes=3))
    _email(recipient="sent@example.org", status=Status.SENT, sent_at=now - timedelta(hours=1))
    _email(recipient="failed@example.org", status=Status.FAILED, next_attempt_at=now)

    assert outbox_sweep.delay().get() == 1

    assert [message.to for message in mailoutbox] == [["overdue@example.org"]]
    overdue.refresh_from_db()
    assert overdue.status == Status.SENT


@pytest.mark.django_db
def test_a_sweep_during_an_outage_queues_nothing_and_tries_again_later(
    broker_down, settings, caplog
):
    settings.OUTBOX_RETRY_AFTER_SECONDS = 120
    email = _email(next_attempt_at=timezone.now() - timedelta(minutes=10))
    before = timezone.now()

    with caplog.at_level(logging.WARNING, logger="portal.background"):
        assert outbox.emails_requeue_due() == 0

    assert "Could not queue portal.tasks.outbox_deliver" in caplog.text
    email.refresh_from_db()
    assert email.status == Status.PENDING
    assert email.next_attempt_at >= before + timedelta(seconds=120)


def test_beat_runs_both_sweepers_and_their_tasks_exist(settings):
    from portal.celery import app as celery_app

    celery_app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"portal.tasks.outbox_sweep", "dialogues.tasks.notifications_sweep"} <= scheduled
    assert scheduled <= set(celery_app.tasks), "every scheduled task is a registered task"


# --- Retention ---------------------------------------------------------------------------


def _written(days_ago: int, status: str, recipient: str = "a@example.org") -> OutboxEmail:
    written = timezone.now() - timedelta(days=days_ago)
    return OutboxEmail.objects.create(
        recipient=recipient,
        subject=f"{status} {days_ago} days ago",
        body_text="Hello",
        status=status,
        created_at=written,
        sent_at=written if status == Status.SENT else None,
    )


@pytest.mark.django_db
def test_the_nightly_purge_erases_old_sent_and_given_up_emails_and_keeps_the_rest(settings):
    settings.PRIVACY_EMAIL_RETENTION_DAYS = 30
    old_sent = _written(31, Status.SENT)
    old_failed = _written(45, Status.FAILED)
    recent_sent = _written(29, Status.SENT)
    still_waiting = _written(40, Status.PENDING)

    from portal.tasks import outbox_purge

    assert outbox_purge.delay().get() == 2

    left = set(OutboxEmail.objects.values_list("pk", flat=True))
    assert left == {recent_sent.pk, still_waiting.pk}
    assert old_sent.pk not in left
    assert old_failed.pk not in left


@pytest.mark.django_db
def test_the_purge_works_through_a_backlog_in_batches(settings, monkeypatch):
    settings.PRIVACY_EMAIL_RETENTION_DAYS = 30
    monkeypatch.setattr(outbox, "PURGE_BATCH", 2)
    for _ in range(5):
        _written(60, Status.SENT)

    assert outbox.emails_purge_old() == 5
    assert not OutboxEmail.objects.exists()


def test_beat_runs_the_purge_every_night(settings):
    from portal.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "portal.tasks.outbox_purge" in scheduled
    assert "portal.tasks.outbox_purge" in app.tasks
