"""Evidence files in a browser: an official reading a report sees which files are being
checked for viruses and which are quarantined, can download only the one that passed, and is
told plainly (and accessibly) why the others cannot be downloaded yet or at all."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from submissions.models import Attachment
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import MemberFactory, OfficialFactory
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ScanStatus = Attachment.ScanStatus


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def attach(report, name: str, status: str) -> Attachment:
    attachment = Attachment(
        report=report,
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=report.reporter,
        scan_status=status,
    )
    attachment.file.save("evidence.pdf", ContentFile(PDF), save=True)
    return attachment


def test_an_official_sees_which_evidence_is_being_checked_or_quarantined(page):
    report = BarrierReportFactory(reporter=MemberFactory(), title="Coffee parcels held")
    attach(report, "refusal-letter.pdf", ScanStatus.CLEAN)
    waiting = attach(report, "invoice.pdf", ScanStatus.PENDING)
    attach(report, "customs-form.pdf", ScanStatus.INFECTED)
    official = OfficialFactory()

    log_in(page, email=official.email)
    page.goto(report.get_absolute_url())
    evidence = page.get_by_role("region", name="Evidence")
    expect(evidence.get_by_role("link", name="refusal-letter.pdf")).to_be_visible()
    expect(evidence.get_by_role("link", name="invoice.pdf")).to_have_count(0)
    expect(evidence.get_by_role("link", name="customs-form.pdf")).to_have_count(0)
    expect(evidence.get_by_role("listitem").filter(has_text="invoice.pdf")).to_contain_text(
        "Being checked for viruses"
    )
    expect(evidence.get_by_role("listitem").filter(has_text="customs-form.pdf")).to_contain_text(
        "Quarantined: a virus was found"
    )
    expect(evidence).to_contain_text("Reload the page to see if they are ready.")
    assert_accessible(page, context="report with evidence being checked and quarantined")

    # Someone who follows an old link to the file is told why it cannot be downloaded yet.
    page.goto(waiting.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This file is being checked for viruses"
    )
    assert_accessible(page, context="file being checked")
    page.get_by_role("link", name="Back to the report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Coffee parcels held")
