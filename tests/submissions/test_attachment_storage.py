"""Evidence files go through Django's storage API: the same tests on the local file system and
on S3 (a real S3 API server), by the `media_storage` fixture."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from submissions import services
from tests.submissions.conftest import PDF_BYTES
from tests.submissions.test_services import complete_draft

pytestmark = pytest.mark.django_db


def add_evidence(world, report, name="letter.pdf"):
    upload = SimpleUploadedFile(name, PDF_BYTES, content_type="application/octet-stream")
    return services.attachment_add(actor=world.reporter, report=report, upload=upload)


def test_evidence_is_stored_and_downloaded_through_storage(world, media_storage, client):
    report = complete_draft(world.reporter)
    attachment = add_evidence(world, report)

    (stored,) = media_storage.names("reports")
    assert stored == attachment.file.name
    assert "letter" not in stored
    with media_storage.storage.open(stored) as handle:
        assert handle.read() == PDF_BYTES

    client.force_login(world.reporter)
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    client.force_login(world.member)
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_removing_evidence_deletes_it_from_storage(world, media_storage, run_on_commit):
    report = complete_draft(world.reporter)
    kept = add_evidence(world, report, name="kept.pdf")
    removed = add_evidence(world, report, name="removed.pdf")
    assert len(media_storage.names("reports")) == 2

    with run_on_commit():
        services.attachment_remove(actor=world.reporter, attachment=removed)
    assert media_storage.names("reports") == [kept.file.name]

    with run_on_commit():
        services.report_draft_delete(actor=world.reporter, report=report)
    assert media_storage.names("reports") == []
