"""The hostile upload set through the real evidence step: every file that must be refused is
refused with the error summary, in the reporter's language, nothing of it is stored, and what
the reporter typed is kept. Names are made safe with a visible note."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from submissions import services
from submissions.models import Attachment, BarrierReport
from tests.submissions.conftest import PDF_BYTES, PNG_BYTES
from tests.submissions.factories import BarrierReportFactory
from tests.submissions.upload_set import REFUSED

pytestmark = pytest.mark.django_db

STEPS_TAKEN = "Asked the customs broker twice; no answer yet."


def evidence_url(report: BarrierReport, language: str = "en") -> str:
    with translation.override(language):
        return reverse(
            "submissions:draft_step", kwargs={"draft": report.public_id, "step": "evidence"}
        )


def start_draft(client, reporter) -> BarrierReport:
    client.force_login(reporter)
    response = client.post(
        reverse("submissions:new"),
        {"title": "Parcels need a formal entry", "summary": "Brokers cost more."},
    )
    assert response.status_code == 302
    return BarrierReport.objects.get(reporter=reporter)


def stored_files(settings) -> list[str]:
    media = settings.MEDIA_ROOT
    return (
        sorted(str(path) for path in media.rglob("*") if path.is_file()) if media.exists() else []
    )


@pytest.mark.parametrize(("case", "upload"), REFUSED.items(), ids=REFUSED.keys())
def test_each_hostile_file_is_refused_with_the_error_summary_and_nothing_is_stored(
    client, world, settings, case, upload
):
    name, content, reason = upload
    report = start_draft(client, world.reporter)
    response = client.post(
        evidence_url(report),
        {
            "steps_taken": STEPS_TAKEN,
            "files": [SimpleUploadedFile(name, content, content_type="application/pdf")],
            "action": "continue",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert reason in html.replace("&#x27;", "'")
    assert STEPS_TAKEN in html, "the text is kept in the form"
    report.refresh_from_db()
    assert report.steps_taken == STEPS_TAKEN, "and saved with the draft"
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            "prices.pdf n\u2019a pas été joint\xa0: son nom se termine par .pdf, mais ce "
            "n\u2019est pas un fichier PDF\xa0: son contenu est au format CSV.",
        ),
        (
            "es",
            "No se adjuntó prices.pdf: su nombre termina en .pdf, pero no es un archivo PDF: "
            "su contenido es CSV.",
        ),
    ],
)
def test_refusals_are_explained_in_the_reporters_language(
    client, world, settings, language, expected
):
    report = start_draft(client, world.reporter)
    response = client.post(
        evidence_url(report, language),
        {
            "steps_taken": STEPS_TAKEN,
            "files": [SimpleUploadedFile("prices.pdf", b"market,fee\nUS,35\n")],
            "action": "continue",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert expected in html.replace("&#x27;", "'")
    assert STEPS_TAKEN in html
    assert stored_files(settings) == []


def test_a_refused_file_does_not_stop_the_good_one_beside_it(client, world, settings):
    report = start_draft(client, world.reporter)
    name, content, _reason = REFUSED["xlsx with a VBA project"]
    response = client.post(
        evidence_url(report),
        {
            "steps_taken": STEPS_TAKEN,
            "files": [
                SimpleUploadedFile(name, content),
                SimpleUploadedFile("letter.pdf", PDF_BYTES),
            ],
            "action": "continue",
        },
    )
    assert response.status_code == 400
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["letter.pdf"]
    assert len(stored_files(settings)) == 1


def test_control_characters_are_removed_from_names_with_a_visible_note(client, world):
    report = start_draft(client, world.reporter)
    response = client.post(
        evidence_url(report),
        {"files": [SimpleUploadedFile("fac\u0007ture\u202e.pdf", PDF_BYTES)], "action": "upload"},
        follow=True,
    )
    html = response.content.decode()
    assert Attachment.objects.get().original_name == "facture.pdf"
    assert "facture.pdf has been attached." in html
    assert (
        "We removed invisible characters (control or formatting characters) from the name of "
        "facture.pdf." in html
    )
    assert "\u202e" not in html


def test_a_double_extension_is_kept_readable_but_cannot_pass_for_another_type(client, world):
    report = start_draft(client, world.reporter)
    response = client.post(
        evidence_url(report),
        {"files": [SimpleUploadedFile("x.html.png", PNG_BYTES)], "action": "upload"},
        follow=True,
    )
    attachment = Attachment.objects.get()
    assert attachment.original_name == "x_html.png"
    assert attachment.content_type == "image/png"
    assert "“x.html.png” was saved as “x_html.png”." in response.content.decode()
    download = client.get(attachment.get_absolute_url())
    assert download["Content-Disposition"] == 'attachment; filename="x_html.png"'
    assert download["Content-Type"] == "image/png"


def test_only_the_reporters_organisation_can_attach_files(world):
    report = BarrierReportFactory(reporter=world.reporter, status=BarrierReport.Status.DRAFT)
    with pytest.raises(PermissionDenied):
        services.attachment_add(
            actor=world.member, report=report, upload=SimpleUploadedFile("a.pdf", PDF_BYTES)
        )
    assert not Attachment.objects.exists()
