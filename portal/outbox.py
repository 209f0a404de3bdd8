"""The email outbox: every email is a row before it is a message.

`email_queue` writes an `OutboxEmail` row in the transaction of the action that causes the
email (a reply, a status change, a signup) and queues its delivery once that transaction
commits. If the action rolls back, there is no row and no email. If the broker is down when
the transaction commits, the row waits: `emails_requeue_due`, run by beat every
`OUTBOX_SWEEP_SECONDS`, queues again every row still waiting `OUTBOX_RETRY_AFTER_SECONDS`
after it was written or last tried. A broker outage therefore costs a delay, never an error
page and never a lost email.

Delivery (`email_deliver`) claims the row with SELECT ... FOR UPDATE SKIP LOCKED and keeps
the lock while it talks to the mail server, then marks the row sent in the same transaction.
Two workers given the same row (the on-commit task and a sweeper's re-queue, say) cannot
both send it: the second skips a locked row, or finds it already sent.

What this cannot promise: if a worker dies (SIGKILL, power loss, a lost database connection)
after the mail server accepted the message but before the transaction that marks the row sent
commits, the row is still pending when its lock is released, and the sweeper sends it again.
That is the one way an email can be delivered twice; it is never lost. The window is the time
between the end of the SMTP conversation and the commit (milliseconds). Each row's message
carries a stable Message-ID built from the row, so mail clients and servers that recognise
duplicates by Message-ID show the second copy as the same message.
"""

import logging
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from portal.background import enqueue, enqueue_on_commit
from portal.models import OutboxEmail

logger = logging.getLogger(__name__)

# After this many failed attempts an email is given up (status "failed", kept for a person
# to look at in the admin). The backoff between attempts doubles from OUTBOX_RETRY_AFTER up to
# MAX_BACKOFF, so ten attempts span several hours of a mail server being down.
MAX_ATTEMPTS = 10
MAX_BACKOFF = timedelta(hours=1)
# How many rows one sweep queues; the next sweep takes the rest.
SWEEP_BATCH = 500
# Old emails are deleted this many rows per statement, and at most PURGE_BATCHES statements per
# run (the next night's run takes the rest), so a backlog never holds a long transaction.
PURGE_BATCH = 1000
PURGE_BATCHES = 200


def retry_after() -> timedelta:
    """How long a row may wait before the sweeper queues it again (OUTBOX_RETRY_AFTER_SECONDS)."""
    return timedelta(seconds=max(0, int(getattr(settings, "OUTBOX_RETRY_AFTER_SECONDS", 180))))


def _backoff(attempts: int) -> timedelta:
    return min(retry_after() * 2 ** max(0, attempts - 1), MAX_BACKOFF)


def email_queue(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    headers: dict[str, str] | None = None,
    language: str = "",
    template: str = "",
) -> OutboxEmail:
    """Write one email to the outbox and deliver it once the current transaction commits."""
    from portal.tasks import outbox_deliver

    now = timezone.now()
    email = OutboxEmail.objects.create(
        recipient=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers or {},
        language=language,
        template=template,
        created_at=now,
        next_attempt_at=now + retry_after(),
    )
    enqueue_on_commit(outbox_deliver, email_id=email.pk)
    return email


def message_id(email: OutboxEmail) -> str:
    """The same Message-ID every time this row is sent."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<outbox.{email.pk}.{email.created_at:%Y%m%d%H%M%S}@{domain}>"


def _message(email: OutboxEmail) -> EmailMultiAlternatives:
    headers = {"Message-ID": message_id(email), **email.headers}
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
        headers=headers,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


@transaction.atomic
def email_deliver(*, email_id: int) -> bool:
    """Send one pending email and mark it sent; True if this call sent it.

    Does nothing if the row is sent, given up, or locked by another worker sending it right
    now. A failure to send is recorded on the row (attempts, last error, when to try again)
    and is not raised: the sweeper retries with a growing delay, up to MAX_ATTEMPTS.
    """
    email = (
        OutboxEmail.objects.select_for_update(skip_locked=True)
        .filter(pk=email_id, status=OutboxEmail.Status.PENDING)
        .first()
    )
    if email is None:
        return False
    email.attempts += 1
    try:
        _message(email).send()
    except Exception as error:
        return _record_failure(email, error)
    email.status = OutboxEmail.Status.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["status", "sent_at", "attempts", "last_error"])
    return True


def _record_failure(email: OutboxEmail, error: Exception) -> bool:
    email.last_error = f"{type(error).__name__}: {error}"[:2000]
    if email.attempts >= MAX_ATTEMPTS:
        email.status = OutboxEmail.Status.FAILED
        logger.error(
            "Gave up email %s to %s after %d attempts: %s",
            email.pk,
            email.recipient,
            email.attempts,
            email.last_error,
        )
    else:
        email.next_attempt_at = timezone.now() + _backoff(email.attempts)
        logger.warning(
            "Email %s to %s not sent (attempt %d of %d, next at %s): %s",
            email.pk,
            email.recipient,
            email.attempts,
            MAX_ATTEMPTS,
            email.next_attempt_at.isoformat(timespec="seconds"),
            email.last_error,
        )
    email.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
    return False


def emails_requeue_due(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Queue delivery again for every pending email whose next attempt is due; returns how
    many were queued. Rows a worker is sending right now are skipped (SKIP LOCKED); each row
    queued is given a new due time first, so the next sweep does not queue it twice while the
    task waits in the queue."""
    from portal.tasks import outbox_deliver

    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxEmail.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not due:
            return 0
        OutboxEmail.objects.filter(pk__in=due).update(next_attempt_at=now + retry_after())
    queued = 0
    for email_id in due:
        if not enqueue(outbox_deliver, email_id=email_id):
            break  # the broker is down again; the rows come due again after retry_after()
        queued += 1
    return queued


def retention() -> timedelta:
    """How long an email is kept after it was written (PRIVACY_EMAIL_RETENTION_DAYS), as the
    privacy notice says."""
    return timedelta(days=max(1, int(settings.PRIVACY_EMAIL_RETENTION_DAYS)))


def emails_purge_old(*, now: datetime | None = None) -> int:
    """Delete the emails sent or given up more than retention() after they were written;
    returns how many went. Pending ones stay: they are still being delivered. Reads the
    created_at index a batch at a time."""
    cutoff = (now or timezone.now()) - retention()
    old = OutboxEmail.objects.filter(created_at__lt=cutoff).exclude(
        status=OutboxEmail.Status.PENDING
    )
    purged = 0
    for _batch in range(PURGE_BATCHES):
        ids = list(old.order_by("created_at").values_list("pk", flat=True)[:PURGE_BATCH])
        if not ids:
            break
        deleted, _by_model = OutboxEmail.objects.filter(pk__in=ids).delete()
        purged += deleted
    return purged
