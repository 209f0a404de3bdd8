"""Background work for barrier reports: the virus scan of evidence files, and the complete
open-data files (`opendata_build_all` nightly on beat, `opendata_build` per file: opendata.py).

`attachment_scan` is queued when an upload commits (services.attachment_add) and retried
with backoff while clamd is unreachable or the database hiccups. `attachment_scan_sweep` runs
from Celery beat (CELERY_BEAT_SCHEDULE in portal/settings.py) and queues again every file
still "being checked" after a while: a scan whose queuing failed, or which ran out of
retries, is picked up there. Scanning a file twice does nothing the second time.
"""

from datetime import datetime, timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from portal.background import enqueue
from submissions import opendata, selectors, services
from submissions.models import Attachment
from submissions.scanning import ScannerError

# A file still waiting after this long has lost its scan (or is past its retries).
SCAN_SWEEP_AFTER = timedelta(minutes=10)
SCAN_SWEEP_BATCH = 500


@shared_task(
    # FileNotFoundError and friends: storage (S3) may fail for a moment too.
    autoretry_for=(ScannerError, OperationalError, OSError),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=6,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=5 * 60,
    time_limit=6 * 60,
)
def attachment_scan(*, attachment_id: int) -> str:
    """Scan one evidence file and record the verdict (clean, or quarantined)."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return ""  # the draft or the file was removed meanwhile
    return services.attachment_scan(attachment=attachment)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def attachment_scan_sweep() -> int:
    """Every few minutes (Celery beat): queue again the scans of files left waiting."""
    attachment_ids = selectors.attachment_ids_awaiting_scan(
        uploaded_before=timezone.now() - SCAN_SWEEP_AFTER, limit=SCAN_SWEEP_BATCH
    )
    services.attachment_scan_queue(attachment_ids=attachment_ids)
    return len(attachment_ids)


# --- Alerts ----------------------------------------------------------------------------------

ALERTS_BATCH = 1000


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600)
def alert_send(*, alert_id: int) -> int:
    """Email one alert's new reports (nothing if it is not due: a repeat sends nothing)."""
    return services.alert_send(alert_id=alert_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def alerts_send_due() -> int:
    """Every hour (Celery beat): a task for each alert that is due. One not queued (a broker
    outage) stays due and is queued by the next run."""
    alert_ids = selectors.alert_ids_due(now=timezone.now(), limit=ALERTS_BATCH)
    for alert_id in alert_ids:
        enqueue(alert_send, alert_id=alert_id)
    return len(alert_ids)


# --- Open data -------------------------------------------------------------------------------


@shared_task(
    autoretry_for=(OperationalError, OSError),
    retry_backoff=True,
    max_retries=3,
    acks_late=True,
    reject_on_worker_lost=True,
    # Every public report takes minutes on a busy machine: longer than other tasks, still
    # below the Redis visibility timeout (twice CELERY_LONGEST_TASK_SECONDS) and below
    # opendata.BUILD_STALE, after which another build may take the claim over.
    soft_time_limit=50 * 60,
    time_limit=55 * 60,
)
def opendata_build(*, fmt: str, claim: str) -> bool:
    """Build one complete open-data file under the claim its queuer took."""
    return opendata.bulk_file_build(fmt=fmt, claim=datetime.fromisoformat(claim)) is not None


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def opendata_build_all() -> int:
    """Every night (Celery beat): rebuild every complete open-data file."""
    return sum(opendata.bulk_build_queue(fmt) for fmt in opendata.BULK_FORMATS)
