"""Background work for the Trade Dialogues: emailing followers about new posts.

Tasks are thin: ids in, load the rows, call a service. `notifications_send_to` runs on
commit for members who want posts straight away; `notifications_send_daily` runs once a
day from Celery beat (CELERY_BEAT_SCHEDULE in portal/settings.py) and fans out one task per
member with queued posts; `notifications_sweep` runs every OUTBOX_SWEEP_SECONDS for the
straight-away members whose task was never queued (a broker outage) or never ran. A task run
twice sends nothing twice: the service claims the rows it emails about (SKIP LOCKED) and
marks them processed in the same transaction.

Digest tasks (the weekly compile, file renders, the sweeper) live in dialogues/digests/tasks.py
and are imported at the end, so the worker registers them with this module.
"""

from celery import shared_task
from django.db import OperationalError

from dialogues import services
from dialogues.models import NotificationPreference, Post
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


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=600, max_retries=5)
def post_notices_fan_out(*, post_id: int, kind: str) -> int:
    """The notifications of a post for a thread or theme with many followers, in batches."""
    post = (
        Post.objects.select_related("thread", "author", "organisation").filter(pk=post_id).first()
    )
    if post is None:
        return 0
    return services.post_notices_fan_out(post=post, kind=kind)


# --- Weekly digests: the tasks live in dialogues/digests/tasks.py ------------------------
from dialogues.digests.tasks import (  # noqa: E402, F401  (registered with the worker here)
    digest_compile_personal,
    digest_compile_weekly,
    digest_file_render,
    digest_sweep,
)
