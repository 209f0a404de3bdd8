"""Background work for the Trade Dialogues: emailing followers about new posts.

Tasks are thin: ids in, load the rows, call a service. `notifications_send_to` runs on
commit for members who want posts straight away; `notifications_send_daily` runs once a
day from Celery beat (CELERY_BEAT_SCHEDULE in portal/settings.py) and fans out one task per
member with queued posts; `notifications_sweep` runs every OUTBOX_SWEEP_SECONDS for the
straight-away members whose task was never queued (a broker outage) or never ran. A task run
twice sends nothing twice: the service claims the rows it emails about (SKIP LOCKED) and
marks them processed in the same transaction.

`digest_compile_weekly` compiles last week's digest every Monday (see the section at the end).
"""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from dialogues import digests, services
from dialogues.digest_snapshot import last_complete_iso_week
from dialogues.models import NotificationPreference
from portal.models import User

TRANSIENT = (OperationalError, ConnectionError, TimeoutError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=600, max_retries=5)
def notifications_send_to(*, recipient_id: int, daily: bool = False) -> int:
    """Email one member their queued posts: straight-away members now, the rest daily."""
    recipient = User.objects.filter(pk=recipient_id).first()
    if recipient is None:
        return 0
    frequencies = None if daily else {NotificationPreference.Frequency.IMMEDIATE}
    return services.notifications_send(recipient=recipient, only_if=frequencies)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=60, max_retries=3)
def notifications_sweep() -> int:
    """Every minute or so (beat): a task for each straight-away member whose queued posts
    have waited too long, because their task could not be queued (a broker outage) or was
    lost with a worker. Sending twice is harmless: the service claims the rows it sends."""
    recipients = services.notification_recipients_overdue()
    for recipient_id in recipients:
        notifications_send_to.delay(recipient_id=recipient_id)
    return len(recipients)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=600, max_retries=5)
def notifications_send_daily() -> int:
    """Once a day: one email per member with queued posts (it also sweeps up any post a
    straight-away task missed)."""
    recipients = services.notification_recipients_due()
    for recipient_id in recipients:
        notifications_send_to.delay(recipient_id=recipient_id, daily=True)
    return len(recipients)


# --- Weekly digests ------------------------------------------------------------------------
# Compiling takes the week, locks each edition's row and skips what is complete, so a run
# twice, or redelivered after a worker died (acks_late + reject_on_worker_lost), leaves
# exactly one complete digest per week and edition. Time limits stay below the broker's
# visibility timeout (settings.CELERY_BROKER_TRANSPORT_OPTIONS), so Redis does not hand a
# compile that is still running to a second worker.
DIGEST_SOFT_TIME_LIMIT = 20 * 60
DIGEST_TIME_LIMIT = 25 * 60
DIGEST_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
    "soft_time_limit": DIGEST_SOFT_TIME_LIMIT,
    "time_limit": DIGEST_TIME_LIMIT,
}


@shared_task(**DIGEST_TASK_OPTIONS)
def digest_compile_weekly(*, week: str = "", force: bool = False) -> str:
    """Every Monday (Celery beat): compile last week's public and officials editions, then
    one task per subscription for the personalised editions."""
    week = week or last_complete_iso_week(timezone.now())
    digests.digest_compile_week(week=week, force=force, personal=False)
    for subscription_id in digests.subscriptions_due().values_list("pk", flat=True):
        digest_compile_personal.delay(week=week, subscription_id=subscription_id, force=force)
    return week


@shared_task(**DIGEST_TASK_OPTIONS)
def digest_compile_personal(*, week: str, subscription_id: int, force: bool = False) -> bool:
    """One official's personalised edition of `week` (emailed to them when it is new)."""
    subscription = digests.subscriptions_due().filter(pk=subscription_id).first()
    if subscription is None:
        return False
    spec = digests.EditionSpec.for_subscription(subscription)
    return digests.digest_compile_edition(week=week, spec=spec, force=force).compiled
