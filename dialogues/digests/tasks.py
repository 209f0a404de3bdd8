"""Background work for weekly digests (Celery), registered through dialogues/tasks.py.

Tasks are thin: ids in, load the rows, call a service. Compiling takes the week, locks each
edition's row and skips what is complete, so a task run twice, or run again after a worker
died, leaves exactly one complete digest per week and edition. Every file (PDF, CSV, XLSX,
in each language) is rendered here, never in a web request.

A worker killed mid-task leaves its message unacknowledged in Redis until the visibility
timeout (an hour) passes; waiting that long is not needed: `digest_sweep` runs every
minute (beat) and whenever a worker starts, and queues again what a dead worker left
(services.digest_sweep). The late copy of the message, when it comes, finds the work done.
Time limits stay below the broker's visibility timeout, so Redis does not hand a task that
is still running to a second worker.
"""

from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.db import OperationalError
from django.utils import timezone

from dialogues.digests import services
from dialogues.digests.snapshot import EditionSpec
from dialogues.digests.weeks import last_complete_iso_week

TRANSIENT = (OperationalError, ConnectionError, TimeoutError)
DIGEST_SOFT_TIME_LIMIT = 20 * 60
DIGEST_TIME_LIMIT = int(services.COMPILE_TIME_LIMIT.total_seconds())
DIGEST_TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
    "soft_time_limit": DIGEST_SOFT_TIME_LIMIT,
    "time_limit": DIGEST_TIME_LIMIT,
}


# Names kept from before the digests became a package: messages already queued still run.
@shared_task(name="dialogues.tasks.digest_compile_weekly", **DIGEST_TASK_OPTIONS)
def digest_compile_weekly(*, week: str = "", force: bool = False) -> str:
    """Every Monday (Celery beat): compile last week's public and officials editions (and
    queue their files), then one task per subscription for the personalised editions."""
    week = week or last_complete_iso_week(timezone.now())
    services.digest_compile_week(week=week, force=force, personal=False)
    for subscription_id in services.subscriptions_due().values_list("pk", flat=True):
        digest_compile_personal.delay(week=week, subscription_id=subscription_id, force=force)
    return week


@shared_task(name="dialogues.tasks.digest_compile_personal", **DIGEST_TASK_OPTIONS)
def digest_compile_personal(*, week: str, subscription_id: int, force: bool = False) -> bool:
    """One official's personalised edition of `week` (emailed to them when it is new)."""
    subscription = services.subscriptions_due().filter(pk=subscription_id).first()
    if subscription is None:
        return False
    spec = EditionSpec.for_subscription(subscription)
    return services.digest_compile_edition(week=week, spec=spec, force=force).compiled


@shared_task(**DIGEST_TASK_OPTIONS)
def digest_file_render(*, file_id: int) -> bool:
    """Render one digest file and store it; nothing if another worker has it or it is done."""
    return services.digest_file_render(file_id=file_id) is not None


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def digest_sweep() -> int:
    """Queue again the compiles and renders that dead workers left (beat, worker start)."""
    result = services.digest_sweep()
    return len(result.weeks) + len(result.personal) + len(result.files)


@worker_ready.connect
def _sweep_when_a_worker_starts(sender: Any = None, **kwargs: Any) -> None:
    """A worker that comes back after a crash picks up what the crash left, at once."""
    digest_sweep.delay()
