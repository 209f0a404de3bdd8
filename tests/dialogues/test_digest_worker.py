"""The weekly compile on a real Celery worker on Redis, including a worker killed mid-compile."""

import datetime as dt
import os
import re
import signal

import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction

from dialogues.digests import services
from dialogues.digests.models import Digest, DigestFile
from dialogues.digests.snapshot import EditionSpec, digest_snapshot_build
from dialogues.digests.tasks import digest_compile_weekly
from dialogues.digests.weeks import iso_week_bounds
from portal.models import Country
from submissions.models import BarrierReport
from tests.conftest import wait_until
from tests.factories import OfficialFactory
from tests.submissions.factories import BarrierReportFactory

WEEK = "2025-W48"
START, _END = iso_week_bounds(WEEK)
PRERENDERED = [
    f"digests/{WEEK}/{edition}-r1/trade-digest-{WEEK}-{edition}-en.{fmt}"
    for edition in ("officials", "public")
    for fmt in ("csv", "pdf", "xlsx")
]


@pytest.fixture
def week_with_reports(media_storage, celery_worker_process):
    """The worker and the test share a media storage of their own (local, then S3: the worker
    fixture passes it on), so what the test finds in storage is what the worker left."""
    for index in range(6):
        BarrierReportFactory(
            market=Country.objects.get(code="KE" if index % 2 else "PE"),
            topics=["SME-01", "ECOM-10"] if index % 3 else ["SME-02"],
            visibility=BarrierReport.Visibility.ANONYMISED if index % 2 else "public",
            published_at=START + dt.timedelta(days=index % 7, hours=index),
        )
    official = OfficialFactory()
    services.digest_subscription_set(user=official, markets=[], topics=[], email=True)
    celery_worker_process.storage_names = media_storage.names
    return celery_worker_process


def _without_time(snapshot: dict) -> dict:
    return {key: value for key, value in snapshot.items() if key != "compiled_at"}


def _ready(edition: str) -> bool:
    return Digest.objects.filter(week=WEEK, edition=edition, status="ready").exists()


def _files_ready() -> int:
    return DigestFile.objects.filter(digest__week=WEEK, status="ready").count()


def _lockable(digest_id: int) -> bool:
    """No live transaction holds the edition's row (the check the sweeper makes)."""
    with transaction.atomic():
        return Digest.objects.filter(pk=digest_id).select_for_update(skip_locked=True).exists()


def test_a_real_worker_compiles_every_edition_and_renders_its_files(week_with_reports):
    worker = week_with_reports
    digest_compile_weekly.apply_async(kwargs={"week": WEEK})
    for edition in ("public", "officials", "personal"):
        worker.wait_for(lambda edition=edition: _ready(edition), timeout=60, message=edition)
    worker.wait_for(lambda: _files_ready() == 6, timeout=120, message="six files rendered")
    assert worker.storage_names() == PRERENDERED
    with default_storage.open(PRERENDERED[4]) as handle:  # the public PDF
        assert handle.read(5) == b"%PDF-"
    worker.wait_for(lambda: any(worker.mail_dir.iterdir()), message="the digest email")
    assert "digest_file_render" in worker.log()


def test_a_worker_killed_mid_compile_is_redone_when_a_worker_comes_back(week_with_reports):
    worker = week_with_reports
    clean = {
        edition: _without_time(digest_snapshot_build(spec=EditionSpec(edition), week=WEEK))
        for edition in ("public", "officials")
    }

    # Hold the reports table so the compile is certainly in progress when the worker dies:
    # it has created and locked the public edition's row and waits for its first read.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE submissions_barrierreport IN ACCESS EXCLUSIVE MODE")
        digest_compile_weekly.apply_async(kwargs={"week": WEEK})
        worker.wait_for(
            lambda: Digest.objects.filter(week=WEEK, edition="public").exists(),
            timeout=60,
            message="the public edition being compiled",
        )
        public = Digest.objects.get(week=WEEK, edition="public")
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)
    assert public.status == "compiling"
    # The database rolls the dead worker's transaction back and frees the row.
    # No worker runs now (its wait_for needs one): poll with conftest's wait_until.
    wait_until(lambda: _lockable(public.pk), timeout=30, message="the row unlocked")
    assert not _ready("public")

    # The message stays unacknowledged in Redis for the visibility timeout (an hour); the
    # worker that comes back sweeps at start-up and queues the abandoned compile again.
    restarted = worker.restart()
    for edition in ("public", "officials", "personal"):
        restarted.wait_for(lambda edition=edition: _ready(edition), timeout=90, message=edition)
    restarted.wait_for(lambda: _files_ready() == 6, timeout=120, message="six files rendered")
    assert "compile abandoned by a dead worker, queued again" in restarted.log()

    for edition, expected in clean.items():
        (digest,) = Digest.objects.filter(week=WEEK, edition=edition)
        assert digest.is_ready
        assert digest.revision == 1
        assert _without_time(digest.snapshot) == expected
    assert Digest.objects.filter(week=WEEK).count() == 3
    # Exactly the files of the complete digests, nothing half-written or left over.
    assert worker.storage_names() == PRERENDERED
    with default_storage.open(PRERENDERED[4]) as handle:
        assert handle.read(5) == b"%PDF-"

    personal = Digest.objects.get(week=WEEK, edition="personal")
    restarted.wait_for(lambda: any(worker.mail_dir.iterdir()), message="the digest email")
    delivered = r"Task portal\.tasks\.outbox_deliver\[[^\]]+\] succeeded"
    restarted.wait_for(
        lambda: re.search(delivered, restarted.log()), message="the email task finished"
    )
    restarted.wait_until_idle()  # then count: a second email would have arrived by now
    personal.refresh_from_db()
    assert personal.announced_at is not None
    assert len(list(worker.mail_dir.iterdir())) == 1
