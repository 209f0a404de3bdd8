"""A person's own data in barrier reports: what their export holds, and that deleting their
account keeps their organisation's reports."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal import services as portal_services
from submissions import services
from submissions.models import Attachment, BarrierReport, StatusChange
from tests.factories import OfficialFactory
from tests.submissions.conftest import PDF_BYTES
from tests.submissions.factories import (
    BarrierReportFactory,
    CoSignatureFactory,
    OfficialResponseFactory,
)

pytestmark = pytest.mark.django_db

Status = BarrierReport.Status
Visibility = BarrierReport.Visibility


def _export(client, person) -> dict:
    client.force_login(person)
    response = client.get(reverse("portal:personal_data_download"))
    return json.loads(b"".join(response.streaming_content))


def test_deletion_keeps_the_organisations_published_reports(client, world):
    report = BarrierReportFactory(reporter=world.reporter, title="Payment gateways refuse us")

    portal_services.account_delete(actor=world.reporter, person=world.reporter)

    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    assert report.organisation_id == world.colleague.organisation_id
    assert client.get(report.get_absolute_url()).status_code == 200
    listing = client.get(reverse("submissions:list")).content.decode()
    assert "Payment gateways refuse us" in listing


def test_deletion_leaves_drafts_and_pending_reports_with_the_organisation(client, world):
    draft = BarrierReportFactory(reporter=world.reporter, status=Status.DRAFT)
    pending = BarrierReportFactory(reporter=world.reporter, status=Status.SUBMITTED)

    portal_services.account_delete(actor=world.reporter, person=world.reporter)

    client.force_login(world.colleague)
    html = client.get(reverse("submissions:mine")).content.decode()
    assert draft.title in html
    assert pending.title in html
    assert "Former member" in html
    assert "Rita Reporter" not in html


def test_a_report_of_a_deleted_reporter_tells_the_organisations_administrators(
    world, mailoutbox, run_on_commit
):
    world.colleague.is_organisation_admin = True
    world.colleague.save()
    report = BarrierReportFactory(reporter=world.reporter, status=Status.SUBMITTED)
    portal_services.account_delete(actor=world.reporter, person=world.reporter)

    with run_on_commit():
        services.report_transition(actor=world.moderator, report=report, to_status=Status.PUBLISHED)

    assert [message.to for message in mailoutbox] == [[world.colleague.email]]


def test_export_holds_the_reports_drafts_evidence_and_co_signatures_the_person_gave(client, world):
    report = BarrierReportFactory(
        reporter=world.reporter, title="Marketplace asks for a local agent", topics=["ECOM-10"]
    )
    StatusChange.objects.create(
        report=report, to_status=Status.PUBLISHED, actor=world.moderator, note="Clear, thanks."
    )
    draft = BarrierReportFactory(
        reporter=world.reporter, status=Status.DRAFT, title="Half-written draft"
    )
    services.attachment_add(
        actor=world.reporter,
        report=draft,
        upload=SimpleUploadedFile("customs-letter.pdf", PDF_BYTES, "application/pdf"),
    )
    cosigned = BarrierReportFactory(reporter=world.member)
    CoSignatureFactory(
        report=cosigned, signed_by=world.reporter, comment="It costs us two weeks a shipment."
    )

    data = _export(client, world.reporter)

    (filed,) = data["reports"]
    assert filed["title"] == "Marketplace asks for a local agent"
    assert filed["topics"] == ["ECOM-10"]
    assert filed["status_history"][-1]["note"] == "Clear, thanks."
    assert [item["title"] for item in data["drafts"]] == ["Half-written draft"]
    (attachment,) = data["attachments"]
    assert attachment["file_name"] == "customs-letter.pdf"
    assert attachment["sha256"] == Attachment.objects.get().sha256
    (cosignature,) = data["cosignatures"]
    assert cosignature["report"] == cosigned.reference
    assert cosignature["comment"] == "It costs us two weeks a shipment."
    assert data["official_responses"] == []


def test_export_holds_an_officials_responses(client):
    official = OfficialFactory()
    response = OfficialResponseFactory(author=official, body="Our customs office will call you.")

    data = _export(client, official)

    (exported,) = data["official_responses"]
    assert exported["report"] == response.report.reference
    assert exported["body"] == "Our customs office will call you."


def test_export_holds_no_report_a_colleague_filed_even_a_confidential_one(client, world):
    BarrierReportFactory(
        reporter=world.colleague,
        title="Colleague's officials-only report",
        description="Sensitive details.",
        visibility=Visibility.OFFICIALS_ONLY,
    )
    BarrierReportFactory(reporter=world.colleague, status=Status.DRAFT, title="Colleague's draft")
    BarrierReportFactory(reporter=world.reporter, title="My own report")

    text = json.dumps(_export(client, world.reporter))

    assert "My own report" in text
    assert "Colleague" not in text
    assert "Sensitive details." not in text
    assert world.colleague.email not in text


def test_export_reads_a_fixed_number_of_queries_however_many_reports(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.reporter)
    url = reverse("portal:personal_data_download")

    def queries_for_one_export() -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get(url).streaming_content)
        return len(captured)

    BarrierReportFactory(reporter=world.reporter)
    queries_for_one_export()  # content types and the like, cached for the process
    few = queries_for_one_export()
    for _ in range(10):
        report = BarrierReportFactory(reporter=world.reporter, topics=["ECOM-10", "SME-01"])
        StatusChange.objects.create(report=report, to_status=Status.PUBLISHED)
        CoSignatureFactory(signed_by=world.reporter)
    many = queries_for_one_export()

    # The user (the session comes from the cache), one query per section, one per prefetched
    # relation that has rows.
    assert few == many == 26
