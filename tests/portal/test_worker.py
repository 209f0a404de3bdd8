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
