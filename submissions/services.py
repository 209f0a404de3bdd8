"""Writes for barrier reports: drafting, submitting, triage, evidence, co-signing, answers.

Each function takes keyword-only arguments, runs in one transaction, locks the report it
changes, checks the current state first so a repeat does nothing, records every status change
as a StatusChange (and moderators' as an AuditEvent) and emails the reporter on commit.
Callers check who may act (permissions.py); services refuse impossible states.
"""

import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.background import enqueue, enqueue_on_commit
from portal.emails import email_member
from portal.models import User
from portal.pagecache import public_pages_changed
from portal.permissions import require_moderator
from portal.services import audit_record
from submissions import files, filing
from submissions.files import MAX_ATTACHMENTS_PER_REPORT
from submissions.models import (
    PUBLISHED_STATUSES,
    Attachment,
    BarrierReport,
    CoSignature,
    OfficialResponse,
    ReferenceCounter,
    StatusChange,
)
from submissions.permissions import (
    MODERATOR_TRANSITIONS,
    NOTE_REQUIRED_FOR,
    REPORTER_TRANSITIONS,
    can_view_report,
    is_in_reporting_organisation,
)
from submissions.scanning import scan_file, scanner_configured

logger = logging.getLogger(__name__)

Status = BarrierReport.Status
ScanStatus = Attachment.ScanStatus

# Fields a reporter may set while drafting (the steps' fields, without files).
DRAFT_FIELDS = frozenset(
    field for step in filing.STEPS for field in step.fields if field != "attachments"
)
MANY_TO_MANY_FIELDS = frozenset({"topics", "hs_chapters"})


def _delete_stored_files(names: list[str | None]) -> None:
    """Remove evidence files from storage (after the rows are gone for good)."""
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        if name:
            storage.delete(name)


def _locked(report: BarrierReport) -> BarrierReport:
    return BarrierReport.objects.select_for_update().get(pk=report.pk)


# --- References --------------------------------------------------------------------------------


def reference_next(*, year: int) -> str:
    """The next TB-<year>-<5 digits> reference. Must run inside the caller's transaction: the
    year's counter row stays locked until it commits, so concurrent submissions queue here
    instead of reading the same number (the unique reference is the backstop)."""
    ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"TB-{year}-{counter.last_number:05d}"


# --- Drafting ----------------------------------------------------------------------------------


@transaction.atomic
def report_draft_create(
    *, actor: User, title: str, summary: str, language: str = "en"
) -> BarrierReport:
    """Start a report for the actor's organisation from its first step."""
    if actor.organisation_id is None:
        raise ValidationError(_("Join an organisation before you report a barrier."))
    now = timezone.now()
    return BarrierReport.objects.create(
        title=title.strip(),
        summary=summary.strip(),
        organisation_id=actor.organisation_id,
        reporter=actor,
        sector=actor.organisation.sector if actor.organisation else "",
        language=language,
        created_at=now,
        updated_at=now,
        status_changed_at=now,
    )


@transaction.atomic
def report_draft_update(
    *, actor: User, report: BarrierReport, changes: Mapping[str, Any]
) -> BarrierReport:
    """Save the answers of one step. Only drafts and reports sent back for changes change."""
    unknown = set(changes) - DRAFT_FIELDS
    if unknown:
        raise ValueError(f"Not a reporter's field: {sorted(unknown)}")
    report = _locked(report)
    if not report.is_editable:
        raise ValidationError(_("This report has been submitted and can no longer be changed."))
    changed = []
    for field, value in changes.items():
        if field in MANY_TO_MANY_FIELDS:
            getattr(report, field).set(value)
            continue
        if isinstance(value, str):
            value = value.strip()
        if getattr(report, field) != value:
            setattr(report, field, value)
            changed.append(field)
    report.updated_at = timezone.now()
    report.save(update_fields=[*changed, "updated_at"])
    return report


@transaction.atomic
def report_draft_delete(*, actor: User, report: BarrierReport) -> None:
    """Discard a draft that was never submitted, with its files."""
    report = _locked(report)
    if report.status != Status.DRAFT:
        raise ValidationError(_("Only drafts can be deleted."))
    names = [attachment.file.name for attachment in report.attachments.all() if attachment.file]
    report.delete()
    transaction.on_commit(lambda: _delete_stored_files(names))


@transaction.atomic
def attachment_add(*, actor: User, report: BarrierReport, upload: UploadedFile) -> Attachment:
    """Check one evidence file (files.check_upload: type by content, no macros, no huge
    images, a name that agrees) and store it under a random name; at most five per report.
    With a virus scanner configured, the file waits as "being checked" and its scan is
    queued once the upload commits."""
    report = _locked(report)
    if not is_in_reporting_organisation(actor, report):
        raise PermissionDenied
    if not report.is_editable:
        raise ValidationError(_("This report has been submitted and can no longer be changed."))
    checked = files.check_upload(upload, name=upload.name or "", size=upload.size or 0)
    if report.attachments.count() >= MAX_ATTACHMENTS_PER_REPORT:
        raise ValidationError(
            _(
                "%(name)s was not attached: a report can have at most %(limit)s files. Remove "
                "one first."
            ),
            params={"name": checked.name, "limit": MAX_ATTACHMENTS_PER_REPORT},
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    scanned = scanner_configured()
    attachment = Attachment(
        report=report,
        original_name=checked.name,
        content_type=checked.kind.content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        scan_status=ScanStatus.PENDING if scanned else ScanStatus.NOT_SCANNED,
    )
    attachment.file.save(f"evidence.{checked.kind.extension}", upload, save=False)
    try:
        attachment.save()
    except Exception:
        _delete_stored_files([attachment.file.name])
        raise
    BarrierReport.objects.filter(pk=report.pk).update(updated_at=timezone.now())
    if scanned:
        # A broker outage leaves the file "being checked"; the sweep queues it again
        # (tasks.attachment_scan_sweep).
        from submissions.tasks import attachment_scan

        enqueue_on_commit(attachment_scan, attachment_id=attachment.pk)
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    report = _locked(attachment.report)
    if not is_in_reporting_organisation(actor, report):
        raise PermissionDenied
    if not report.is_editable:
        raise ValidationError(_("This report has been submitted and can no longer be changed."))
    names = [attachment.file.name]
    attachment.delete()
    transaction.on_commit(lambda: _delete_stored_files(names))


# --- Virus scanning -------------------------------------------------------------------------


def attachment_scan_queue(*, attachment_ids: list[int]) -> None:
    """Queue the scans of files still waiting for one (the sweep)."""
    from submissions.tasks import attachment_scan

    for attachment_id in attachment_ids:
        enqueue(attachment_scan, attachment_id=attachment_id)


def attachment_scan(*, attachment: Attachment) -> str:
    """Stream a file waiting for its virus check to clamd and record the verdict; returns the
    new scan status. A file found infected is quarantined: never downloadable again, recorded
    in the audit log, and its uploader told. A file already checked is left alone, so a scan
    queued twice does nothing the second time. scanning.ScannerError means "try again"."""
    if attachment.scan_status != ScanStatus.PENDING:
        return attachment.scan_status
    # Outside the transaction: no row stays locked while clamd reads the file.
    result = scan_file(attachment.file)
    with transaction.atomic():
        current = (
            Attachment.objects.select_for_update(of=("self",))
            .select_related("report", "uploaded_by")
            .filter(pk=attachment.pk)
            .first()
        )
        if current is None or current.scan_status != ScanStatus.PENDING:
            return current.scan_status if current is not None else ""
        current.scanned_at = timezone.now()
        if not result.infected:
            current.scan_status = ScanStatus.CLEAN
            current.save(update_fields=["scan_status", "scanned_at"])
            public_pages_changed()
            return current.scan_status
        current.scan_status = ScanStatus.INFECTED
        current.scan_signature = result.signature[:200]
        current.save(update_fields=["scan_status", "scanned_at", "scan_signature"])
        report = current.report
        audit_record(
            actor=None,
            action="attachment.quarantined",
            target=current,
            reason=current.scan_signature,
            data={
                "report": report.reference or str(report.public_id),
                "sha256": current.sha256,
                "uploaded_by": current.uploaded_by_id,
            },
        )
        if current.uploaded_by.is_active:
            email_member(
                user=current.uploaded_by,
                template="attachment_quarantined",
                context={"attachment": current, "report": report},
            )
        return current.scan_status


# --- Status changes ------------------------------------------------------------------------


def _email_reporter(report: BarrierReport, *, template: str, context: dict[str, Any]) -> None:
    """Tell the reporter, or if they have left the organisation its administrators; never
    anyone who may no longer read the report."""
    recipients = [report.reporter]
    if not (report.reporter.is_active and can_view_report(report.reporter, report)):
        recipients = list(
            User.objects.filter(
                organisation_id=report.organisation_id,
                membership_status=User.MembershipStatus.ACTIVE,
                is_organisation_admin=True,
                is_active=True,
            )
        )
    for recipient in recipients:
        email_member(user=recipient, template=template, context={"report": report, **context})


def _change_status(
    report: BarrierReport, *, actor: User | None, to_status: str, note: str
) -> StatusChange:
    now = timezone.now()
    from_status = report.status
    report.status = to_status
    report.status_changed_at = now
    report.updated_at = now
    if to_status == Status.SUBMITTED:
        report.submitted_at = now
    if to_status == Status.PUBLISHED and report.published_at is None:
        report.published_at = now
    report.save()
    public_pages_changed()
    change = StatusChange.objects.create(
        report=report,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        note=note,
        created_at=now,
    )
    _email_reporter(
        report,
        template="report_status_changed",
        # The change itself, not its label: the email names the status in the reporter's
        # language, not in the moderator's.
        context={"change": change},
    )
    return change


@transaction.atomic
def report_submit(*, actor: User, report: BarrierReport) -> BarrierReport:
    """Send a complete draft (or a corrected report) to the moderators; numbered on first
    submission. A repeat does nothing."""
    report = _locked(report)
    if Status.SUBMITTED not in REPORTER_TRANSITIONS.get(report.status, ()):
        return report
    missing = filing.missing_answers(report)
    if missing:
        raise ValidationError({field: [message] for field, message in missing.items()})
    if report.reference is None:
        report.reference = reference_next(year=timezone.now().year)
    _change_status(report, actor=actor, to_status=Status.SUBMITTED, note="")
    return report


@transaction.atomic
def report_transition(
    *,
    actor: User,
    report: BarrierReport,
    to_status: str,
    note: str = "",
    duplicate_of: BarrierReport | None = None,
) -> BarrierReport:
    """A moderator's decision. Repeating the current status does nothing; a move the workflow
    does not allow raises ValidationError."""
    require_moderator(actor)
    report = _locked(report)
    if report.status == to_status:
        return report
    if to_status not in MODERATOR_TRANSITIONS.get(report.status, ()):
        raise ValidationError(
            _("A report that is %(current)s cannot become %(target)s.")
            % {
                "current": report.get_status_display().lower(),
                "target": Status(to_status).label.lower(),
            }
        )
    note = note.strip()
    if to_status in NOTE_REQUIRED_FOR and not note:
        raise ValidationError({"note": [_("Tell the reporter why: your note is sent to them.")]})
    if to_status == Status.DUPLICATE:
        if duplicate_of is None:
            raise ValidationError({"duplicate_of": [_("Give the reference of the original.")]})
        duplicate_of = BarrierReport.objects.get(pk=duplicate_of.pk)  # its current status
        if duplicate_of.pk == report.pk:
            raise ValidationError({"duplicate_of": [_("A report cannot duplicate itself.")]})
        if duplicate_of.status not in PUBLISHED_STATUSES:
            raise ValidationError({"duplicate_of": [_("The original must be a published report.")]})
        report.duplicate_of = duplicate_of
    elif report.duplicate_of_id is not None:
        report.duplicate_of = None
    from_status = report.status
    _change_status(report, actor=actor, to_status=to_status, note=note)
    audit_record(
        actor=actor,
        action=f"report.{to_status}",
        target=report,
        reason=note,
        data={
            "reference": report.reference,
            "from": from_status,
            "to": to_status,
            **({"duplicate_of": duplicate_of.reference} if duplicate_of else {}),
        },
    )
    return report


# --- Co-signing and official responses ---------------------------------------------------------


def _recount_cosignatures(report: BarrierReport) -> None:
    public_pages_changed()
    BarrierReport.objects.filter(pk=report.pk).update(
        cosignature_count=CoSignature.objects.filter(report_id=report.pk).count()
    )


@transaction.atomic
def report_cosign(
    *, actor: User, report: BarrierReport, impact: str, comment: str = ""
) -> CoSignature:
    """Add the actor's organisation to the report; one co-signature per organisation (a repeat
    returns the existing one)."""
    report = _locked(report)
    if actor.organisation_id is None or actor.organisation_id == report.organisation_id:
        raise ValidationError(_("Your organisation filed this report."))
    cosignature, created = CoSignature.objects.get_or_create(
        report=report,
        organisation_id=actor.organisation_id,
        defaults={"signed_by": actor, "impact": impact, "comment": comment.strip()},
    )
    if created:
        _recount_cosignatures(report)
    return cosignature


@transaction.atomic
def report_cosign_withdraw(*, actor: User, report: BarrierReport) -> None:
    if actor.organisation_id is None:
        return
    report = _locked(report)
    deleted, _rows = CoSignature.objects.filter(
        report=report, organisation_id=actor.organisation_id
    ).delete()
    if deleted:
        _recount_cosignatures(report)


@transaction.atomic
def report_cosign_instead_of_filing(
    *, actor: User, draft: BarrierReport, report: BarrierReport, impact: str, comment: str = ""
) -> CoSignature:
    """ "This affects us too": co-sign the existing report and discard the new draft."""
    cosignature = report_cosign(actor=actor, report=report, impact=impact, comment=comment)
    if draft.status == Status.DRAFT:
        report_draft_delete(actor=actor, report=draft)
    return cosignature


@transaction.atomic
def official_response_post(*, actor: User, report: BarrierReport, body: str) -> OfficialResponse:
    """A verified official answers on the record; the reporter is told."""
    report = _locked(report)
    if actor.organisation_id is None:
        raise ValidationError(_("Only verified officials can answer."))
    response = OfficialResponse.objects.create(
        report=report, author=actor, organisation_id=actor.organisation_id, body=body.strip()
    )
    audit_record(
        actor=actor,
        action="report.official_response",
        target=report,
        data={"reference": report.reference, "response": response.pk},
    )
    _email_reporter(report, template="report_official_response", context={"response": response})
    return response
