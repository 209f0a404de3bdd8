"""The weekly compile on a real Celery worker on Redis, including a worker killed mid-compile."""

import datetime as dt
import os
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings

from dialogues.digests import services
from dialogues.digests.models import Digest
from dialogues.digests.snapshot import EditionSpec, digest_snapshot_build
from dialogues.digests.weeks import iso_week_bounds
from dialogues.tasks import digest_compile_weekly
from portal.celery import app as celery_app
from portal.models import Country
from submissions.models import BarrierReport
from tests.factories import OfficialFactory
from tests.submissions.factories import BarrierReportFactory

WEEK = "2025-W48"
START, _END = iso_week_bounds(WEEK)


@pytest.fixture
def week_with_reports(celery_worker_process):
    for index in range(6):
        BarrierReportFactory(
            market=Country.objects.get(code="KE" if index % 2 else "PE"),
            topics=["SME-01", "ECOM-10"] if index % 3 else ["SME-02"],
            visibility=BarrierReport.Visibility.ANONYMISED if index % 2 else "public",
            published_at=START + dt.timedelta(days=index % 7, hours=index),
        )
    official = OfficialFactory()
    services.digest_subscription_set(user=official, markets=[], topics=[], email=True)
    return celery_worker_process


def _without_time(snapshot: dict) -> dict:
    return {key: value for key, value in snapshot.items() if key != "compiled_at"}


def _ready(edition: str) -> bool:
    return Digest.objects.filter(week=WEEK, edition=edition, status="ready").exists()


def test_a_real_worker_compiles_every_edition_of_the_week(week_with_reports):
    worker = week_with_reports
    digest_compile_weekly.apply_async(kwargs={"week": WEEK})
    for edition in ("public", "officials", "personal"):
        worker.wait_for(lambda edition=edition: _ready(edition), timeout=60, message=edition)
    public = Digest.objects.get(week=WEEK, edition="public")
    folder = Path(settings.MEDIA_ROOT) / public.folder
    assert sorted(path.suffix for path in folder.iterdir()) == [".csv", ".pdf", ".xlsx"]
    worker.wait_for(lambda: any(worker.mail_dir.iterdir()), message="the digest email")
    assert "digest_compile_weekly" in worker.log()


def test_a_worker_killed_mid_compile_is_restarted_and_the_week_ends_complete(week_with_reports):
    worker = week_with_reports
    clean = {
        edition: _without_time(digest_snapshot_build(spec=EditionSpec(edition), week=WEEK))
        for edition in ("public", "officials")
    }

    digest_compile_weekly.apply_async(kwargs={"week": WEEK})
    # The row exists ("compiling") as soon as the worker claims the edition; the snapshot
    # and the files come after, so killing now interrupts the compile itself.
    worker.wait_for(
        lambda: Digest.objects.filter(week=WEEK, edition="public").exists(),
        timeout=60,
        message="the public edition being compiled",
    )
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)
    assert not _ready("public"), "the worker finished before it could be killed"

    # Redis hands an unacknowledged task to another worker once the visibility timeout has
    # passed (an hour in production). Sweeping with a timeout of 0 stands in for that wait:
    # it puts back in the queue what the killed worker had taken and not acknowledged.
    with celery_app.connection_for_write(transport_options={"visibility_timeout": 0}) as broker:
        broker.default_channel.qos.restore_visible(num=100, interval=1)
    restarted = worker.restart()

    for edition in ("public", "officials", "personal"):
        restarted.wait_for(lambda edition=edition: _ready(edition), timeout=90, message=edition)
    for edition, expected in clean.items():
        (digest,) = Digest.objects.filter(week=WEEK, edition=edition)
        assert digest.is_ready
        assert _without_time(digest.snapshot) == expected
        folder = Path(settings.MEDIA_ROOT) / digest.folder
        names = sorted(path.name for path in folder.iterdir())
        assert names == [
            f"trade-digest-{WEEK}-{edition}-en.csv",
            f"trade-digest-{WEEK}-{edition}-en.pdf",
            f"trade-digest-{WEEK}-{edition}-en.xlsx",
        ]
        assert (folder / names[1]).read_bytes().startswith(b"%PDF-")
    assert Digest.objects.filter(week=WEEK).count() == 3
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.part"))
    time.sleep(0.5)
    assert len(list(worker.mail_dir.iterdir())) == 1
