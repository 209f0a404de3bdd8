"""Email goes out through a real Celery worker on Redis, as in production."""

from email import message_from_string

from portal.tasks import email_send


def test_a_real_worker_sends_an_email_queued_on_redis(celery_worker_process):
    worker = celery_worker_process

    email_send.apply_async(
        kwargs={
            "to": ["amina@trade.go.ke"],
            "subject": "[Trade Dialogues Portal] Your official account is verified",
            "body": "Hello Amina,\n\nYour account is verified as an official account.\n",
        }
    )

    worker.wait_for(lambda: any(worker.mail_dir.iterdir()), message="an email file")
    (mail_file,) = list(worker.mail_dir.iterdir())
    message = message_from_string(mail_file.read_text().split("\n" + "-" * 79, 1)[0])
    assert message["To"] == "amina@trade.go.ke"
    assert message["Subject"] == "[Trade Dialogues Portal] Your official account is verified"
    assert "Your account is verified as an official account." in message.get_payload()
    assert "portal.tasks.email_send" in worker.log()


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
