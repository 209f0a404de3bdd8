"""Email goes out through a real Celery worker on Redis, as in production."""

from email import message_from_string

from portal import outbox
from portal.models import OutboxEmail
from portal.tasks import email_send


def read_mail(path) -> object:
    """One message written by Django's file email backend (messages end with a dashed line)."""
    return message_from_string(path.read_text().split("\n" + "-" * 79, 1)[0])


def test_a_real_worker_delivers_an_outbox_email_and_marks_it_sent(celery_worker_process):
    worker = celery_worker_process

    email = outbox.email_queue(
        to="amina@trade.go.ke",
        subject="[Trade Dialogues Portal] Your official account is verified",
        body_text="Hello Amina,\n\nYour account is verified as an official account.\n",
    )

    worker.wait_for(
        lambda: OutboxEmail.objects.filter(pk=email.pk, status="sent").exists(),
        message="the email marked sent",
    )
    worker.wait_until_idle()
    (mail_file,) = list(worker.mail_dir.iterdir())
    message = read_mail(mail_file)
    assert message["To"] == "amina@trade.go.ke"
    assert message["Subject"] == "[Trade Dialogues Portal] Your official account is verified"
    assert message["Message-ID"].startswith(f"<outbox.{email.pk}.")
    assert "Your account is verified as an official account." in message.get_payload()
    email.refresh_from_db()
    assert email.attempts == 1
    assert email.sent_at is not None
    assert "portal.tasks.outbox_deliver" in worker.log()


def test_a_message_queued_before_the_outbox_existed_still_reaches_its_reader(
    celery_worker_process,
):
    worker = celery_worker_process

    email_send.apply_async(
        kwargs={"to": ["amina@trade.go.ke"], "subject": "Queued last week", "body": "Hello."}
    )

    worker.wait_for(
        lambda: OutboxEmail.objects.filter(recipient="amina@trade.go.ke", status="sent").exists(),
        message="the old message delivered through the outbox",
    )
    worker.wait_until_idle()
    (mail_file,) = list(worker.mail_dir.iterdir())
    assert read_mail(mail_file)["Subject"] == "Queued last week"


def test_a_real_worker_ends_the_sessions_of_a_deleted_account(celery_worker_process):
    """Deleting an account queues the end of its sessions on commit; the worker reads every
    stored session and deletes the person's, and only theirs."""
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.test import Client

    from portal import services
    from tests.factories import PASSWORD, MemberFactory

    worker = celery_worker_process
    person = MemberFactory(email="kevin@kahawa.example")
    MemberFactory(email="rosa@alpaca.example")
    laptop, phone, someone_else = Client(), Client(), Client()
    assert laptop.login(email="kevin@kahawa.example", password=PASSWORD)
    assert phone.login(email="kevin@kahawa.example", password=PASSWORD)
    assert someone_else.login(email="rosa@alpaca.example", password=PASSWORD)
    other_session = someone_else.session.session_key
    assert Session.objects.count() == 3

    with transaction.atomic():
        services.account_delete(actor=person, person=person)

    worker.wait_for(
        lambda: Session.objects.count() == 1, message="the deleted person's sessions gone"
    )
    assert list(Session.objects.values_list("session_key", flat=True)) == [other_session]
    assert "portal.tasks.sessions_end_for_person" in worker.log()
