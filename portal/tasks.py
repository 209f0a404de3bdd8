"""Background work for the portal package: delivering the email outbox and erasing old
emails from it, ending sessions.

`outbox_deliver` sends one `OutboxEmail` row (queued when the action that wrote it commits);
`outbox_sweep` runs from beat every OUTBOX_SWEEP_SECONDS and queues again every row still
waiting (see portal.outbox for the guarantees and their one limit).
"""

from celery import shared_task
from django.db import DatabaseError, OperationalError

from portal import outbox, services

# The database being briefly unreachable is worth a retry; a mail server failure is not
# raised (portal.outbox records it on the row and the sweeper retries it with backoff).
TRANSIENT = (OperationalError, ConnectionError, TimeoutError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=600, max_retries=5)
def outbox_deliver(*, email_id: int) -> bool:
    """Send one email from the outbox, unless it is sent already or being sent."""
    return outbox.email_deliver(email_id=email_id)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=60, max_retries=3)
def outbox_sweep() -> int:
    """Queue again every outbox email still waiting after a few minutes."""
    return outbox.emails_requeue_due()


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def outbox_purge() -> int:
    """Erase sent and given-up emails older than PRIVACY_EMAIL_RETENTION_DAYS."""
    return outbox.emails_purge_old()


@shared_task
def email_send(*, to: list[str], subject: str, body: str, html: str = "") -> None:
    """Before the outbox, emails travelled in the task message itself. Messages of that kind
    still in the broker when this version is deployed go into the outbox here, so none is
    lost; nothing queues this task any more."""
    for address in to:
        outbox.email_queue(to=address, subject=subject, body_text=body, body_html=html)


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def sessions_end_for_person(*, user_id: int) -> int:
    """End every stored session of a person whose account was deleted."""
    return services.sessions_end(user_id=user_id)


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def sessions_clear_expired() -> None:
    services.sessions_clear_expired()


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=600, max_retries=5)
def notices_purge() -> int:
    """Nightly: notifications read long ago leave the database (NOTICE_RETENTION_DAYS)."""
    from portal import notices

    return notices.notices_purge()
