"""Browser journeys for barrier reports, in English and in French.

An SME files a report step by step (one file refused, one attached, a missing answer on the
way), a moderator publishes it, a visitor finds it by searching, and a second SME co-signs it
from the duplicate hint instead of filing again. axe-core checks every page visited.

Labels are looked up through gettext in the page's language, so the tests keep working when
the French catalogue is filled in.
"""

import re

import pytest
from django.utils import translation

from portal.models import Topic
from submissions.models import BarrierReport
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import MemberFactory, ModeratorFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def t(language: str, text: str) -> str:
    with translation.override(language):
        return str(translation.gettext(text))


def prefix(language: str) -> str:
    return "" if language == "en" else f"/{language}"


def save_and_continue(page, language: str) -> None:
    page.get_by_role("button", name=t(language, "Save and continue")).click()
    page.wait_for_load_state("load")


def file_report(page, language: str, *, title: str) -> str:
    """Walk every step as the logged-in SME and return the new report's reference."""
    page.goto(f"{prefix(language)}/reports/new/")
    assert_accessible(page, context="first step")

    # A missing answer: the error summary links to the field, the typed summary is kept.
    page.get_by_label(t(language, "Summary")).fill("Every small parcel now needs a broker.")
    save_and_continue(page, language)
    summary = page.get_by_role("alert")
    assert t(language, "Give your report a title.") in summary.inner_text()
    assert page.get_by_label(t(language, "Summary")).input_value().startswith("Every small")
    assert_accessible(page, context="first step with an error")
    page.get_by_label(t(language, "Title"), exact=True).fill(title)
    save_and_continue(page, language)

    page.get_by_label(t(language, "Affected market")).select_option("US")
    page.get_by_label(t(language, "Exporting (selling abroad)")).check()
    page.get_by_label(t(language, "Goods (physical products)")).check()
    assert_accessible(page, context="market step")
    save_and_continue(page, language)

    with translation.override(language):
        topic = Topic.objects.get(code="SME-01").name
    page.get_by_label(topic).check()
    assert_accessible(page, context="topics step")
    save_and_continue(page, language)

    page.get_by_label(t(language, "HS chapters of your products")).fill("09")
    page.get_by_label(t(language, "Your sector")).select_option("agri_food")
    assert_accessible(page, context="products step")
    save_and_continue(page, language)

    page.get_by_label(t(language, "Describe what happened")).fill(
        "Since last year every parcel of roasted coffee needs a formal entry and a broker."
    )
    save_and_continue(page, language)

    page.get_by_label(t(language, "Year"), exact=True).fill("2025")
    page.get_by_label(t(language, "Month"), exact=True).select_option("9")
    page.get_by_label(t(language, "Yes, it is still a problem")).check()
    assert_accessible(page, context="impact step")
    save_and_continue(page, language)

    # Evidence: a file that only pretends to be a PDF is refused, the text stays.
    steps = page.get_by_label(t(language, "What have you done about it so far?"))
    steps.fill("Asked two couriers for a consolidated option.")
    files = page.get_by_label(t(language, "Evidence files"))
    files.set_input_files(
        [
            {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "fake.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00exe"},
        ]
    )
    save_and_continue(page, language)
    assert "fake.pdf" in page.get_by_role("alert").inner_text()
    assert steps.input_value() == "Asked two couriers for a consolidated option."
    attached = t(language, "%(name)s has been attached.") % {"name": "letter.pdf"}
    assert page.get_by_text(attached).is_visible()
    assert_accessible(page, context="evidence step with a refused file")
    save_and_continue(page, language)

    page.get_by_label(t(language, "Public: our organisation is named")).check()
    page.get_by_label(t(language, "English" if language == "en" else "French"), exact=True).check()
    assert_accessible(page, context="visibility step")
    save_and_continue(page, language)

    assert_accessible(page, context="check your answers")
    assert page.get_by_text("letter.pdf", exact=True).is_visible()
    page.get_by_role("button", name=t(language, "Submit report")).click()
    page.wait_for_load_state("load")
    reference = re.search(r"TB-\d{4}-\d{5}", page.url)
    assert reference, page.url
    assert_accessible(page, context="submitted report")
    return reference.group(0)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_barrier_goes_from_an_sme_to_the_public_and_gathers_a_cosigner(page, language):
    reporter = MemberFactory(
        organisation=OrganisationFactory(name="Kahawa Test Roasters"), language=language
    )
    second_sme = MemberFactory(organisation=OrganisationFactory(name="Alpaca Test Knits"))
    moderator = ModeratorFactory()
    title = "Zanzibarite coffee parcels need a formal customs entry"

    log_in(page, email=reporter.email)
    reference = file_report(page, language, title=title)
    report = BarrierReport.objects.get(reference=reference)
    assert report.status == BarrierReport.Status.SUBMITTED
    assert report.language == language
    assert report.attachments.count() == 1
    page.context.clear_cookies()

    # The moderator publishes it from the triage queue.
    log_in(page, email=moderator.email, user=moderator)
    page.goto("/moderation/reports/")
    assert_accessible(page, context="triage queue")
    page.get_by_role("link", name=reference).click()
    page.wait_for_load_state("load")
    assert_accessible(page, context="triage page")
    page.get_by_label(t("en", "Published"), exact=True).check()
    page.get_by_role("button", name=t("en", "Save decision")).click()
    page.wait_for_load_state("load")
    report.refresh_from_db()
    assert report.status == BarrierReport.Status.PUBLISHED
    page.context.clear_cookies()

    # A visitor finds it by searching.
    page.goto(f"{prefix(language)}/reports/")
    page.get_by_role("searchbox").fill("zanzibarite")
    page.get_by_role("button", name=t(language, "Find reports")).click()
    page.wait_for_load_state("load")
    assert_accessible(page, context="search results")
    page.get_by_role("link", name=title).click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert page.get_by_role("link", name="Kahawa Test Roasters").is_visible()
    assert_accessible(page, context="published report")

    # A second SME starts a similar report and co-signs the existing one instead.
    log_in(page, email=second_sme.email)
    page.goto(f"{prefix(language)}/reports/new/")
    page.get_by_label(t(language, "Title"), exact=True).fill(
        "Formal customs entry for coffee parcels"
    )
    page.get_by_label(t(language, "Summary")).fill("Brokers for every zanzibarite parcel.")
    save_and_continue(page, language)
    assert_accessible(page, context="duplicate hints")
    page.get_by_role("link", name=f"{t(language, 'This affects us too')} – {reference}").click()
    page.wait_for_load_state("load")
    assert_accessible(page, context="co-sign instead of filing")
    page.get_by_label(t(language, "Serious: it keeps us out of some sales")).check()
    button = t(language, "This affects us too: co-sign %(reference)s") % {"reference": reference}
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/reports/{reference}/")
    assert page.get_by_text(t(language, "Your organisation co-signs this report.")).is_visible()
    assert page.get_by_role("link", name="Alpaca Test Knits").is_visible()
    assert_accessible(page, context="co-signed report")
    report.refresh_from_db()
    assert report.cosignature_count == 1
    assert BarrierReport.objects.count() == 1, "the second draft was discarded"
