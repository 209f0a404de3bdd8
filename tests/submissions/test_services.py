"""Writes: drafting, references, the workflow, co-signing, official responses, evidence."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from portal.models import AuditEvent, Country, Topic
from submissions import services
from submissions.models import (
    Attachment,
    BarrierReport,
    CoSignature,
    ReferenceCounter,
    StatusChange,
)
from tests.factories import MemberFactory
from tests.submissions.conftest import PDF_BYTES
from tests.submissions.factories import BarrierReportFactory, CoSignatureFactory

pytestmark = pytest.mark.django_db

Status = BarrierReport.Status


def complete_draft(reporter, **fields) -> BarrierReport:
    report = services.report_draft_create(
        actor=reporter, title="Parcels held at customs", summary="Held for weeks."
    )
    changes = {
        "description": "Every parcel is held.",
        "market": Country.objects.get(code="US"),
        "trade_direction": BarrierReport.TradeDirection.EXPORTING,
        "delivery_mode": BarrierReport.DeliveryMode.GOODS,
        "topics": [Topic.objects.get(code="SME-01")],
        "visibility": BarrierReport.Visibility.PUBLIC,
        **fields,
    }
    return services.report_draft_update(actor=reporter, report=report, changes=changes)


# --- Drafting and submitting ----------------------------------------------------------------------


def test_draft_belongs_to_the_reporters_organisation_and_takes_its_sector(world):
    report = services.report_draft_create(
        actor=world.reporter, title=" Title ", summary="Summary", language="fr"
    )
    assert report.status == Status.DRAFT
    assert report.reference is None
    assert report.organisation == world.reporter.organisation
    assert report.sector == world.reporter.organisation.sector
    assert report.title == "Title"
    assert report.language == "fr"


def test_draft_update_refuses_fields_reporters_do_not_set(world):
    report = complete_draft(world.reporter)
    with pytest.raises(ValueError, match="status"):
        services.report_draft_update(
            actor=world.reporter, report=report, changes={"status": Status.PUBLISHED}
        )


def test_submitted_report_cannot_be_edited(world):
    report = services.report_submit(actor=world.reporter, report=complete_draft(world.reporter))
    with pytest.raises(ValidationError):
        services.report_draft_update(actor=world.reporter, report=report, changes={"title": "x"})


def test_incomplete_draft_is_not_submitted_and_says_what_is_missing(world):
    report = services.report_draft_create(actor=world.reporter, title="Only a title", summary="")
    with pytest.raises(ValidationError) as error:
        services.report_submit(actor=world.reporter, report=report)
    assert {"summary", "market", "topics", "description"} <= set(error.value.message_dict)
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert report.reference is None


def test_submitting_numbers_the_report_records_it_and_emails_the_reporter(
    world, mailoutbox, run_on_commit
):
    with run_on_commit():
        report = services.report_submit(actor=world.reporter, report=complete_draft(world.reporter))
    year = timezone.now().year
    assert report.reference == f"TB-{year}-00001"
    assert report.status == Status.SUBMITTED
    assert report.submitted_at is not None
    change = StatusChange.objects.get(report=report)
    assert (change.from_status, change.to_status, change.actor) == (
        Status.DRAFT,
        Status.SUBMITTED,
        world.reporter,
    )
    assert [message.to for message in mailoutbox] == [[world.reporter.email]]
    assert report.reference in mailoutbox[0].subject
    assert f"/reports/{report.reference}/" in mailoutbox[0].body


def test_submitting_twice_does_nothing_the_second_time(world):
    report = services.report_submit(actor=world.reporter, report=complete_draft(world.reporter))
    services.report_submit(actor=world.reporter, report=report)
    assert StatusChange.objects.filter(report=report).count() == 1
    assert ReferenceCounter.objects.get().last_number == 1


def test_references_count_up_within_a_year(world):
    first = services.report_submit(actor=world.reporter, report=complete_draft(world.reporter))
    second = services.report_submit(actor=world.reporter, report=complete_draft(world.reporter))
    assert int(second.reference[-5:]) == int(first.reference[-5:]) + 1
    assert services.reference_next(year=2031) == "TB-2031-00001"


def test_reference_is_unique_in_the_database(world):
    BarrierReportFactory(reference="TB-2030-00001")
    with pytest.raises(IntegrityError), transaction.atomic():
        BarrierReportFactory(reference="TB-2030-00001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_consecutive_references(needs_postgres):
    """Twelve reporters press Submit at the same moment (real threads, real PostgreSQL)."""
    reporters = [MemberFactory() for _ in range(12)]
    drafts = [complete_draft(reporter) for reporter in reporters]
    barrier = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def submit(reporter, draft) -> None:
        try:
            barrier.wait()
            services.report_submit(actor=reporter, report=draft)
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=submit, args=pair) for pair in zip(reporters, drafts, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    year = timezone.now().year
    references = sorted(BarrierReport.objects.values_list("reference", flat=True))
    assert references == [f"TB-{year}-{number:05d}" for number in range(1, 13)]


# --- The workflow ---------------------------------------------------------------------------------


@pytest.fixture
def submitted(world):
    return services.report_submit(actor=world.reporter, report=complete_draft(world.reporter))


def test_publishing_sets_publication_date_audits_and_emails(
    world, submitted, mailoutbox, run_on_commit
):
    with run_on_commit():
        report = services.report_transition(
            actor=world.moderator, report=submitted, to_status=Status.PUBLISHED
        )
    assert report.status == Status.PUBLISHED
    assert report.published_at is not None
    event = AuditEvent.objects.get(action="report.published")
    assert event.actor == world.moderator
    assert event.data == {
        "reference": report.reference,
        "from": Status.SUBMITTED,
        "to": Status.PUBLISHED,
    }
    assert mailoutbox[-1].to == [world.reporter.email]
    assert "Published" in mailoutbox[-1].subject


def test_every_moderator_decision_is_audited(world, submitted):
    services.report_transition(actor=world.moderator, report=submitted, to_status="published")
    services.report_transition(
        actor=world.moderator, report=submitted, to_status="resolved_in_part", note="Half fixed."
    )
    services.report_transition(actor=world.moderator, report=submitted, to_status="archived")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["report.published", "report.resolved_in_part", "report.archived"]
    timeline = StatusChange.objects.filter(report=submitted).order_by("id")
    assert [change.to_status for change in timeline] == [
        "submitted",
        "published",
        "resolved_in_part",
        "archived",
    ]


def test_repeating_a_decision_does_nothing(world, submitted):
    services.report_transition(actor=world.moderator, report=submitted, to_status="published")
    services.report_transition(actor=world.moderator, report=submitted, to_status="published")
    assert AuditEvent.objects.filter(action="report.published").count() == 1


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        (Status.DRAFT, Status.PUBLISHED),
        (Status.SUBMITTED, Status.RESOLVED_IN_FULL),
        (Status.SUBMITTED, Status.ARCHIVED),
        (Status.REJECTED, Status.PUBLISHED),
        (Status.PUBLISHED, Status.SUBMITTED),
        (Status.ARCHIVED, Status.RESOLVED_IN_PART),
    ],
)
def test_moves_the_workflow_does_not_allow_are_refused(world, from_status, to_status):
    report = BarrierReportFactory(reporter=world.reporter, status=from_status)
    with pytest.raises(ValidationError):
        services.report_transition(
            actor=world.moderator, report=report, to_status=to_status, note="Because."
        )
    report.refresh_from_db()
    assert report.status == from_status
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("to_status", [Status.CHANGES_REQUESTED, Status.REJECTED])
def test_sending_back_or_rejecting_needs_a_note_for_the_reporter(world, submitted, to_status):
    with pytest.raises(ValidationError) as error:
        services.report_transition(actor=world.moderator, report=submitted, to_status=to_status)
    assert "note" in error.value.message_dict


def test_changes_requested_lets_the_reporter_edit_and_resubmit(world, submitted):
    services.report_transition(
        actor=world.moderator,
        report=submitted,
        to_status=Status.CHANGES_REQUESTED,
        note="Add the rule's name.",
    )
    services.report_draft_update(
        actor=world.reporter, report=submitted, changes={"description": "Rule 12 says..."}
    )
    report = services.report_submit(actor=world.reporter, report=submitted)
    assert report.status == Status.SUBMITTED
    assert report.reference == submitted.reference, "the reference does not change"


def test_duplicate_points_to_a_published_original(world, submitted):
    draft_original = BarrierReportFactory(status=Status.SUBMITTED)
    with pytest.raises(ValidationError):
        services.report_transition(
            actor=world.moderator,
            report=submitted,
            to_status=Status.DUPLICATE,
            note="Same barrier.",
            duplicate_of=draft_original,
        )
    original = BarrierReportFactory()
    report = services.report_transition(
        actor=world.moderator,
        report=submitted,
        to_status=Status.DUPLICATE,
        note="Same barrier.",
        duplicate_of=original,
    )
    assert report.duplicate_of == original
    reopened = services.report_transition(
        actor=world.moderator, report=report, to_status=Status.SUBMITTED
    )
    assert reopened.duplicate_of is None


def test_database_refuses_a_duplicate_without_original(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        BarrierReportFactory(status=Status.DUPLICATE, duplicate_of=None)


def test_email_goes_out_in_the_reporters_language(world, submitted, mailoutbox, run_on_commit):
    world.reporter.language = "fr"
    world.reporter.save()
    submitted.reporter.language = "fr"
    with run_on_commit():
        services.report_transition(
            actor=world.moderator, report=submitted, to_status=Status.PUBLISHED
        )
    assert f"/fr/reports/{submitted.reference}/" in mailoutbox[-1].body


def test_reporter_who_left_is_not_emailed_but_organisation_admins_are(
    world, submitted, mailoutbox, run_on_commit
):
    admin = MemberFactory(organisation=world.reporter.organisation, is_organisation_admin=True)
    world.reporter.membership_status = "declined"
    world.reporter.save()
    with run_on_commit():
        services.report_transition(
            actor=world.moderator,
            report=BarrierReport.objects.get(pk=submitted.pk),
            to_status=Status.REJECTED,
            note="Out of scope.",
        )
    assert [message.to for message in mailoutbox] == [[admin.email]]


@pytest.mark.parametrize(
    "role", ["moderator_no_mfa", "moderator_no_mfa_colleague", "admin_no_mfa", "official"]
)
def test_only_a_moderator_with_two_factor_authentication_decides_a_report(world, role):
    """The service refuses by itself, whatever page called it: nothing changes, nobody is
    emailed, nothing is recorded."""
    report = BarrierReportFactory(reporter=world.reporter, status=Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.report_transition(
            actor=world.role(role), report=report, to_status=Status.PUBLISHED
        )
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert not StatusChange.objects.filter(report=report).exists()
    assert not AuditEvent.objects.filter(action="report.published").exists()


# --- Co-signing and responses ---------------------------------------------------------------------


def test_cosigning_counts_once_per_organisation(world):
    report = BarrierReportFactory(reporter=world.reporter)
    colleague_of_member = MemberFactory(organisation=world.member.organisation)
    services.report_cosign(actor=world.member, report=report, impact="serious", comment=" Yes ")
    services.report_cosign(actor=colleague_of_member, report=report, impact="minor")
    report.refresh_from_db()
    assert report.cosignature_count == 1
    cosignature = CoSignature.objects.get()
    assert (cosignature.impact, cosignature.comment) == ("serious", "Yes")
    services.report_cosign_withdraw(actor=colleague_of_member, report=report)
    report.refresh_from_db()
    assert report.cosignature_count == 0


def test_database_allows_one_cosignature_per_organisation(world):
    cosignature = CoSignatureFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CoSignatureFactory(
            report=cosignature.report,
            signed_by=MemberFactory(organisation=cosignature.organisation),
        )


def test_reporters_organisation_cannot_cosign_its_own_report(world):
    report = BarrierReportFactory(reporter=world.reporter)
    with pytest.raises(ValidationError):
        services.report_cosign(actor=world.colleague, report=report, impact="minor")


def test_cosigning_instead_of_filing_discards_the_draft(world):
    original = BarrierReportFactory()
    draft = complete_draft(world.member)
    services.report_cosign_instead_of_filing(
        actor=world.member, draft=draft, report=original, impact="moderate"
    )
    assert not BarrierReport.objects.filter(pk=draft.pk).exists()
    assert original.cosignatures.get().organisation == world.member.organisation


def test_official_response_is_recorded_audited_and_emailed(world, mailoutbox, run_on_commit):
    report = BarrierReportFactory(reporter=world.reporter)
    with run_on_commit():
        response = services.official_response_post(
            actor=world.official, report=report, body=" We will raise it. "
        )
    assert response.body == "We will raise it."
    assert response.organisation == world.official.organisation
    assert AuditEvent.objects.filter(action="report.official_response").exists()
    assert mailoutbox[-1].to == [world.reporter.email]


# --- Evidence -------------------------------------------------------------------------------------


def upload(name="evidence.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_evidence_is_stored_under_a_random_name_with_its_hash(world, settings):
    report = complete_draft(world.reporter)
    attachment = services.attachment_add(
        actor=world.reporter, report=report, upload=upload("letter.pdf")
    )
    assert attachment.original_name == "letter.pdf"
    assert "letter" not in attachment.file.name
    assert attachment.file.name.startswith("reports/")
    assert attachment.file.name.endswith(".pdf")
    assert (settings.MEDIA_ROOT / attachment.file.name).read_bytes() == PDF_BYTES
    assert len(attachment.sha256) == 64
    assert attachment.size == len(PDF_BYTES)


def test_at_most_five_files_per_report(world):
    report = complete_draft(world.reporter)
    for number in range(5):
        services.attachment_add(actor=world.reporter, report=report, upload=upload(f"{number}"))
    with pytest.raises(ValidationError):
        services.attachment_add(actor=world.reporter, report=report, upload=upload("six"))
    assert Attachment.objects.filter(report=report).count() == 5


def test_removing_evidence_deletes_the_file_after_commit(world, settings, run_on_commit):
    report = complete_draft(world.reporter)
    attachment = services.attachment_add(actor=world.reporter, report=report, upload=upload())
    path = settings.MEDIA_ROOT / attachment.file.name
    with run_on_commit():
        services.attachment_remove(actor=world.reporter, attachment=attachment)
    assert not path.exists()
    assert not Attachment.objects.exists()


def test_deleting_a_draft_deletes_its_files(world, settings, run_on_commit):
    report = complete_draft(world.reporter)
    attachment = services.attachment_add(actor=world.reporter, report=report, upload=upload())
    path = settings.MEDIA_ROOT / attachment.file.name
    with run_on_commit():
        services.report_draft_delete(actor=world.reporter, report=report)
    assert not path.exists()
    assert not BarrierReport.objects.filter(pk=report.pk).exists()
