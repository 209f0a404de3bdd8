"""Virus scanning against a real clamd (started by the `clamd` fixture with an EICAR
signature) and, end to end, a real Celery worker on Redis: files wait as "being checked",
nobody downloads them meanwhile, a clean file is released, the EICAR file is quarantined,
audited and its uploader emailed, and a scan whose queuing failed is picked up by the sweep.
"""

import logging
from datetime import timedelta
from email import message_from_string

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from submissions import scanning, services
from submissions.models import Attachment, BarrierReport
from submissions.tasks import attachment_scan_sweep
from tests.conftest import EICAR, EICAR_SIGNATURE, celery_publishing_to, free_port
from tests.factories import OfficialFactory
from tests.submissions.conftest import PDF_BYTES
from tests.submissions.factories import BarrierReportFactory

ScanStatus = Attachment.ScanStatus
FOUND = f"{EICAR_SIGNATURE}.UNOFFICIAL"  # clamd's name for a signature from a local database


@pytest.fixture
def scanner(settings, clamd):
    settings.CLAMD_SOCKET = clamd.socket
    settings.CLAMD_TCP = ""
    return clamd


@pytest.fixture
def celery_worker_env(clamd) -> dict[str, str]:
    return {"CLAMD_SOCKET": clamd.socket}


def evidence_url(report: BarrierReport) -> str:
    return reverse("submissions:draft_step", kwargs={"draft": report.public_id, "step": "evidence"})


def upload(client, report: BarrierReport, *files: tuple[str, bytes]):
    return client.post(
        evidence_url(report),
        {
            "steps_taken": "Asked customs.",
            "files": [SimpleUploadedFile(name, content) for name, content in files],
            "action": "upload",
        },
    )


def draft_of(reporter) -> BarrierReport:
    return BarrierReportFactory(
        reporter=reporter, organisation=reporter.organisation, status=BarrierReport.Status.DRAFT
    )


def broker_unreachable():
    """Publish to a port nobody listens on, so queuing meets a real connection refusal."""
    return celery_publishing_to(f"redis://127.0.0.1:{free_port()}/4")


# --- The clamd client ------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["unix socket", "tcp"])
def test_clamd_tells_the_eicar_file_from_a_clean_pdf(settings, clamd, transport):
    settings.CLAMD_SOCKET = clamd.socket if transport == "unix socket" else ""
    settings.CLAMD_TCP = clamd.tcp if transport == "tcp" else ""
    assert scanning.scan_chunks([EICAR]) == scanning.ScanResult(infected=True, signature=FOUND)
    assert scanning.scan_chunks([PDF_BYTES]) == scanning.ScanResult(infected=False)
    # Ten megabytes in one chunk go to clamd in 64 KiB pieces.
    large = PDF_BYTES + b"0" * (10 * 1024 * 1024 - len(PDF_BYTES))
    assert scanning.scan_chunks([large]) == scanning.ScanResult(infected=False)


def test_an_unreachable_scanner_is_an_error_to_retry_not_a_verdict(settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
    with pytest.raises(scanning.ScannerError):
        scanning.scan_chunks([PDF_BYTES])
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_TCP = f"127.0.0.1:{free_port()}"
    with pytest.raises(scanning.ScannerError):
        scanning.scan_chunks([PDF_BYTES])


# --- Without a scanner -----------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_scanner_files_are_available_at_once(client, world, settings):
    settings.CLAMD_SOCKET = settings.CLAMD_TCP = ""
    report = draft_of(world.reporter)
    client.force_login(world.reporter)
    upload(client, report, ("letter.pdf", PDF_BYTES))
    attachment = Attachment.objects.get()
    assert attachment.scan_status == ScanStatus.NOT_SCANNED
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


# --- Held while being checked ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_file_being_checked_is_listed_as_such_and_nobody_downloads_it(
    client, world, settings, scanner
):
    """The scan is queued when the upload commits; inside this test's transaction it never
    does, so the file stays "being checked"."""
    report = draft_of(world.reporter)
    client.force_login(world.reporter)
    upload(client, report, ("letter.pdf", PDF_BYTES))
    attachment = Attachment.objects.get()
    assert attachment.scan_status == ScanStatus.PENDING

    step = client.get(evidence_url(report)).content.decode()
    assert "letter.pdf" in step
    assert "Being checked for viruses" in step
    assert "Files being checked for viruses can be downloaded once the check is done" in step

    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 409
    assert "This file is being checked for viruses" in response.content.decode()
    assert not hasattr(response, "streaming_content")

    # Once the report is published, an official reading it sees the same, without a link.
    BarrierReport.objects.filter(pk=report.pk).update(
        status=BarrierReport.Status.PUBLISHED, reference="TB-2026-09999", visibility="public"
    )
    official = OfficialFactory()
    client.force_login(official)
    page = client.get(reverse("submissions:detail", args=["TB-2026-09999"])).content.decode()
    assert "Being checked for viruses" in page
    assert attachment.get_absolute_url() not in page
    assert client.get(attachment.get_absolute_url()).status_code == 409


@pytest.mark.django_db
def test_the_sweep_scans_files_left_waiting(world, settings, scanner):
    report = draft_of(world.reporter)
    waiting = services.attachment_add(
        actor=world.reporter, report=report, upload=SimpleUploadedFile("a.pdf", PDF_BYTES)
    )  # its scan was never queued: the test's transaction does not commit
    fresh = services.attachment_add(
        actor=world.reporter, report=report, upload=SimpleUploadedFile("b.pdf", PDF_BYTES)
    )
    Attachment.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(minutes=11)
    )
    assert attachment_scan_sweep() == 1  # Celery runs the queued scan eagerly in tests
    waiting.refresh_from_db()
    fresh.refresh_from_db()
    assert waiting.scan_status == ScanStatus.CLEAN
    assert fresh.scan_status == ScanStatus.PENDING, "recent uploads have their own scan"


# --- End to end: the real worker -------------------------------------------------------------


def test_the_worker_quarantines_the_eicar_file_and_releases_the_clean_pdf(
    client, world, settings, scanner, celery_worker_process
):
    report = draft_of(world.reporter)
    client.force_login(world.reporter)
    response = upload(client, report, ("letter.pdf", PDF_BYTES), ("prices.csv", EICAR))
    assert response.status_code == 302
    clean = Attachment.objects.get(original_name="letter.pdf")
    infected = Attachment.objects.get(original_name="prices.csv")

    def scanned() -> bool:
        return not Attachment.objects.filter(scan_status=ScanStatus.PENDING).exists()

    celery_worker_process.wait_for(scanned, message="both files scanned")
    clean.refresh_from_db()
    infected.refresh_from_db()
    assert clean.scan_status == ScanStatus.CLEAN
    assert infected.scan_status == ScanStatus.INFECTED
    assert infected.scan_signature == FOUND

    download = client.get(clean.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    refused = client.get(infected.get_absolute_url())
    assert refused.status_code == 409
    assert "This file has been quarantined" in refused.content.decode()

    event = AuditEvent.objects.get(action="attachment.quarantined")
    assert event.target_id == str(infected.pk)
    assert event.reason == FOUND
    assert event.data["sha256"] == infected.sha256

    step = client.get(evidence_url(report)).content.decode()
    assert "Quarantined: a virus was found" in step

    def emails() -> list:
        return [
            message_from_string(text.split("\n" + "-" * 79, 1)[0])
            for text in (path.read_text() for path in celery_worker_process.mail_dir.iterdir())
            if "\n" + "-" * 79 in text  # written in full
        ]

    celery_worker_process.wait_for(lambda: emails(), message="the uploader emailed")
    celery_worker_process.wait_until_idle()  # then count: one email, not a first of two
    messages = emails()
    assert [(m["To"], m["Subject"]) for m in messages] == [
        (world.reporter.email, "[Trade Dialogues Portal] We found a virus in prices.csv")
    ]
    text = next(part for part in messages[0].walk() if part.get_content_type() == "text/plain")
    assert "nobody can download it" in text.get_payload(decode=True).decode()


def test_a_scan_that_could_not_be_queued_is_picked_up_by_the_sweep(
    client, world, settings, scanner, celery_worker_process, caplog
):
    """The broker is unreachable while the file is uploaded: the upload still succeeds, the
    failure is logged, and the sweep scans the file once the broker is back."""
    report = draft_of(world.reporter)
    client.force_login(world.reporter)
    with broker_unreachable(), caplog.at_level(logging.WARNING, logger="portal.background"):
        response = upload(client, report, ("letter.pdf", PDF_BYTES))
    assert response.status_code == 302
    [record] = caplog.records
    attachment_id = Attachment.objects.get().pk
    assert record.getMessage().startswith(
        f"Could not queue submissions.tasks.attachment_scan(attachment_id={attachment_id})"
    )
    attachment = Attachment.objects.get()
    assert attachment.scan_status == ScanStatus.PENDING

    Attachment.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    attachment_scan_sweep.delay()
    celery_worker_process.wait_for(
        lambda: Attachment.objects.get().scan_status == ScanStatus.CLEAN,
        message="the swept file scanned",
    )
    assert client.get(attachment.get_absolute_url()).status_code == 200
