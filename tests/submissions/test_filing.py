"""Filing a report in a browser without JavaScript: short steps, each saved, a check page with
change links, duplicate hints, evidence files, then submit."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from submissions.models import Attachment, BarrierReport
from tests.factories import UserFactory
from tests.submissions.conftest import PDF_BYTES, PNG_BYTES
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db

Status = BarrierReport.Status

ANSWERS = {
    "market": {"market": "US", "trade_direction": "exporting", "delivery_mode": "goods"},
    "topics": {"topics": ["SME-01", "SME-03"]},
    "products": {"ntm_chapter": "C", "hs_chapters": "9, 61", "sector": "agri_food"},
    "description": {"description": "Each parcel needs a broker now."},
    "impact": {
        "first_month": "9",
        "first_year": "2025",
        "still_active": "yes",
        "cost_band": "10k_50k",
    },
    "evidence": {"steps_taken": "Asked two couriers."},
    "visibility": {"visibility": "anonymised", "language": "en"},
}


def step_url(report: BarrierReport, step: str) -> str:
    return reverse("submissions:draft_step", kwargs={"draft": report.public_id, "step": step})


def start(client, title="Coffee parcels need a formal entry", summary="Brokers cost more."):
    response = client.post(reverse("submissions:new"), {"title": title, "summary": summary})
    assert response.status_code == 302, response.content.decode()[:2000]
    return BarrierReport.objects.latest("id"), response


def test_visitors_are_asked_to_log_in_first(client):
    response = client.get(reverse("submissions:new"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_people_without_an_organisation_are_told_how_to_join_one(client):
    client.force_login(UserFactory())
    response = client.get(reverse("submissions:new"))
    assert response.status_code == 403
    assert "Register your organisation, or ask to join one" in response.content.decode()


def test_first_step_errors_are_summarised_and_typed_text_kept(client, world):
    client.force_login(world.reporter)
    response = client.post(reverse("submissions:new"), {"title": "", "summary": "x" * 501})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert 'href="#id_title"' in html
    assert "Give your report a title." in html
    assert "500 characters at most; yours has 501." in html
    assert "x" * 501 in html, "what was typed is kept"
    assert not BarrierReport.objects.exists()


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("", "200 characters at most; yours has 5,000."),
        ("/fr", "200 caractères au maximum, le vôtre en compte 5\N{NO-BREAK SPACE}000."),
        ("/es", "200 caracteres como máximo; el suyo tiene 5\N{NO-BREAK SPACE}000."),
    ],
)
def test_a_pasted_title_over_the_limit_is_kept_and_the_excess_explained(
    client, world, prefix, message
):
    """The browser does not cut a pasted title (no maxlength): the page says by how much it
    is over, in the reader's language, and keeps all of it for the person to shorten."""
    client.force_login(world.reporter)
    form = client.get(f"{prefix}/reports/new/").content.decode()
    assert 'name="title"' in form
    assert "maxlength" not in form

    pasted = "Parcels held at customs " + "y" * 4976
    response = client.post(
        f"{prefix}/reports/new/", {"title": pasted, "summary": "Brokers cost more."}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert pasted in html
    assert not BarrierReport.objects.exists()


def test_a_report_is_filed_step_by_step_and_submitted(client, world, mailoutbox, run_on_commit):
    client.force_login(world.reporter)
    report, response = start(client)
    assert response["Location"] == step_url(report, "market")
    for step, data in ANSWERS.items():
        response = client.get(step_url(report, step))
        assert response.status_code == 200
        response = client.post(step_url(report, step), {**data, "action": "continue"})
        assert response.status_code == 302, (step, response.content.decode()[:3000])
    check_url = reverse("submissions:draft_check", kwargs={"draft": report.public_id})
    assert response["Location"] == check_url
    html = client.get(check_url).content.decode()
    assert "Check your answers before you submit your report" in html
    assert "Low-value shipments and de minimis thresholds" in html
    assert "09 " in html
    assert "61 " in html
    assert "September 2025" in html
    assert html.count(">Change<") == 8
    with run_on_commit():
        response = client.post(
            reverse("submissions:draft_submit", kwargs={"draft": report.public_id})
        )
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert response["Location"] == report.get_absolute_url()
    assert report.market_id == "US"
    assert sorted(report.topics.values_list("code", flat=True)) == ["SME-01", "SME-03"]
    assert sorted(report.hs_chapters.values_list("code", flat=True)) == ["09", "61"]
    assert report.first_encountered.isoformat() == "2025-09-01"
    assert report.still_active is True
    assert report.visibility == "anonymised"
    assert mailoutbox[-1].to == [world.reporter.email]
    detail = client.get(report.get_absolute_url()).content.decode()
    assert "Moderators are checking this report" in detail


def test_each_step_is_saved_so_the_reporter_can_come_back_later(client, world):
    client.force_login(world.reporter)
    report, _ = start(client)
    response = client.post(
        step_url(report, "description"), {"description": "Half written", "action": "later"}
    )
    assert response["Location"] == reverse("submissions:mine")
    report.refresh_from_db()
    assert report.description == "Half written"
    mine = client.get(reverse("submissions:mine")).content.decode()
    assert report.title in mine
    assert "Draft" in mine


def test_change_link_returns_to_the_check_page(client, world):
    client.force_login(world.reporter)
    report, _ = start(client)
    response = client.get(step_url(report, "market") + "?from=check")
    assert 'name="from" value="check"' in response.content.decode()
    response = client.post(step_url(report, "market"), {**ANSWERS["market"], "from": "check"})
    assert response["Location"] == reverse(
        "submissions:draft_check", kwargs={"draft": report.public_id}
    )


def test_submitting_an_unfinished_report_lists_what_is_missing(client, world):
    client.force_login(world.reporter)
    report, _ = start(client)
    response = client.post(reverse("submissions:draft_submit", kwargs={"draft": report.public_id}))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Your report is not finished yet" in html
    assert "Choose the market where you met the barrier." in html
    assert step_url(report, "market") + "?from=check" in html
    report.refresh_from_db()
    assert report.status == Status.DRAFT


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        (
            "market",
            {"trade_direction": "exporting"},
            "Choose the market where you met the barrier.",
        ),
        ("topics", {}, "Choose at least one e-commerce topic."),
        ("products", {"hs_chapters": "9, 123", "sector": "agri_food"}, "123 is not an HS chapter"),
        ("products", {"hs_chapters": "77", "sector": "agri_food"}, "77: not an HS chapter in use"),
        ("impact", {"first_month": "3"}, "Enter the year as well as the month."),
        ("impact", {"first_month": "1", "first_year": "2999"}, "The year cannot be in the future."),
        ("visibility", {"language": "en"}, "Choose who can read your report."),
    ],
)
def test_step_errors_say_how_to_fix_them(client, world, step, data, message):
    client.force_login(world.reporter)
    report, _ = start(client)
    response = client.post(step_url(report, step), data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_only_the_reporters_organisation_opens_a_draft(client, world):
    client.force_login(world.reporter)
    report, _ = start(client)
    client.force_login(world.colleague)
    assert client.get(step_url(report, "market")).status_code == 200
    for outsider in (world.member, world.official, world.moderator):
        client.force_login(outsider)
        assert client.get(step_url(report, "market")).status_code in {403, 404}


def test_submitted_report_can_no_longer_be_changed_through_the_steps(client, world):
    report = BarrierReportFactory(reporter=world.reporter, status=Status.SUBMITTED)
    client.force_login(world.reporter)
    assert client.get(step_url(report, "market")).status_code == 404


def test_draft_can_be_deleted_after_confirmation(client, world):
    client.force_login(world.reporter)
    report, _ = start(client)
    url = reverse("submissions:draft_delete", kwargs={"draft": report.public_id})
    assert "Delete this draft?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not BarrierReport.objects.filter(pk=report.pk).exists()


# --- Evidence -------------------------------------------------------------------------------------


def pdf(name="letter.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def test_evidence_is_uploaded_and_listed(client, world):
    client.force_login(world.reporter)
    report, _ = start(client)
    response = client.post(
        step_url(report, "evidence"),
        {
            "steps_taken": "Asked",
            "files": [pdf(), SimpleUploadedFile("photo.png", PNG_BYTES)],
            "action": "upload",
        },
    )
    assert response["Location"] == step_url(report, "evidence")
    stored = sorted(Attachment.objects.values_list("original_name", "content_type"))
    assert stored == [("letter.pdf", "application/pdf"), ("photo.png", "image/png")]
    html = client.get(step_url(report, "evidence")).content.decode()
    assert "letter.pdf" in html
    assert "(2/5)" in html


def test_refused_file_is_explained_and_everything_else_is_kept(client, world):
    client.force_login(world.reporter)
    report, _ = start(client)
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        step_url(report, "evidence"),
        {"steps_taken": "We asked customs twice.", "files": [pdf(), fake], "action": "continue"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "virus.pdf was not attached: we accept PDF, PNG, JPEG" in html
    assert "We asked customs twice." in html
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["letter.pdf"]
    report.refresh_from_db()
    assert report.steps_taken == "We asked customs twice."


def test_sixth_file_is_refused(client, world):
    client.force_login(world.reporter)
    report, _ = start(client)
    client.post(step_url(report, "evidence"), {"files": [pdf(f"{n}.pdf") for n in range(4)]})
    response = client.post(step_url(report, "evidence"), {"files": [pdf("5.pdf"), pdf("6.pdf")]})
    assert response.status_code == 400
    assert "6.pdf was not attached: a report can have at most 5 files" in response.content.decode()
    assert Attachment.objects.count() == 5


def test_evidence_can_be_removed_from_a_draft(client, world):
    client.force_login(world.reporter)
    report, _ = start(client)
    client.post(step_url(report, "evidence"), {"files": [pdf()]})
    attachment = Attachment.objects.get()
    url = reverse(
        "submissions:attachment_remove",
        kwargs={"draft": report.public_id, "attachment_id": attachment.pk},
    )
    assert client.post(url, {"next": "https://evil.example/"})["Location"] == step_url(
        report, "evidence"
    )
    assert not Attachment.objects.exists()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("role", "visibility", "status_code"),
    [
        ("visitor", "public", 200),
        ("visitor", "anonymised", 404),
        ("member", "anonymised", 404),
        ("official", "anonymised", 200),
        ("moderator", "officials_only", 200),
        ("member", "officials_only", 404),
        ("colleague", "anonymised", 200),
        # Without two-factor authentication a moderator downloads what they otherwise would.
        ("moderator_no_mfa", "anonymised", 404),
        ("moderator_no_mfa", "officials_only", 404),
        ("admin_no_mfa", "officials_only", 404),
        ("moderator_no_mfa_colleague", "anonymised", 200),
    ],
)
def test_evidence_downloads_only_to_those_who_may_see_it(
    client, world, role, visibility, status_code
):
    report = BarrierReportFactory(reporter=world.reporter, visibility=visibility)
    attachment = Attachment(
        report=report,
        original_name="Refusal letter.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        size=10,
        sha256="0" * 64,
        uploaded_by=world.reporter,
    )
    content = docx_bytes()
    attachment.file.save("x.docx", SimpleUploadedFile("x.docx", content), save=True)
    viewer = world.role(role)
    if viewer.is_authenticated:
        client.force_login(viewer)
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == status_code
    if status_code == 200:
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="Refusal letter.docx"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert b"".join(response.streaming_content) == content


def test_evidence_is_stored_outside_the_static_root(client, world, settings):
    client.force_login(world.reporter)
    report, _ = start(client)
    client.post(step_url(report, "evidence"), {"files": [SimpleUploadedFile("p.png", PNG_BYTES)]})
    stored = settings.MEDIA_ROOT / Attachment.objects.get().file.name
    assert stored.exists()
    assert settings.STATIC_ROOT not in stored.parents
    assert all(directory not in stored.parents for directory in settings.STATICFILES_DIRS)


# --- Duplicate hints ------------------------------------------------------------------------------


def test_similar_published_reports_are_offered_before_filing_again(client, world):
    original = BarrierReportFactory(
        title="Coffee parcels to the United States need a formal customs entry",
        summary="Small coffee parcels need a broker.",
    )
    client.force_login(world.member)
    report, response = start(client, title="Formal customs entry for small coffee parcels")
    assert response["Location"] == reverse(
        "submissions:draft_similar", kwargs={"draft": report.public_id}
    )
    html = client.get(response["Location"]).content.decode()
    assert original.title in html
    # Going on comes first; each hint is a summary with one button to its co-sign form.
    assert html.index("Continue with a new report") < html.index(original.title)
    cosign_url = reverse(
        "submissions:draft_cosign_instead",
        kwargs={"draft": report.public_id, "reference": original.reference},
    )
    assert html.count(cosign_url) == 1
    assert "This affects us too" in html
    assert 'name="r' not in html, "no co-sign form under the hints"
    form_page = client.get(cosign_url).content.decode()
    assert f"This affects us too: co-sign {original.reference}" in form_page
    assert "How much does this barrier affect you?" in form_page


def test_this_affects_us_too_cosigns_and_discards_the_draft(client, world):
    original = BarrierReportFactory(title="Coffee parcels need a formal customs entry")
    client.force_login(world.member)
    report, _ = start(client, title="Formal customs entry for coffee parcels")
    url = reverse(
        "submissions:draft_cosign_instead",
        kwargs={"draft": report.public_id, "reference": original.reference},
    )
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Say how much the barrier affects you." in response.content.decode()
    response = client.post(url, {f"r{original.pk}-impact": "serious"})
    assert response["Location"] == original.get_absolute_url()
    assert not BarrierReport.objects.filter(pk=report.pk).exists()
    assert original.cosignatures.get().organisation == world.member.organisation


def test_without_similar_reports_the_form_goes_straight_on(client, world):
    client.force_login(world.reporter)
    report, response = start(client, title="Quetzal feathers", summary="Unrelated")
    assert response["Location"] == step_url(report, "market")
