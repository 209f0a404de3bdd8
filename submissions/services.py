"""Writes for barrier reports: drafting, submitting, triage, evidence, co-signing, answers.

Each function takes keyword-only arguments, runs in one transaction, locks the report it
changes, checks the current state first so a repeat does nothing, records every status change
as a StatusChange (and moderators' as an AuditEvent) and emails the reporter on commit.
Each checks who may act itself (permissions.py) and raises PermissionDenied, whatever the
page, task or script that called it checked; impossible states raise ValidationError.
"""

import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.background import enqueue, enqueue_on_commit
from portal.emails import absolute_url, email_member
from portal.models import Notice, User
from portal.notices import neutral_path, notices_create
from portal.pagecache import public_pages_changed
from portal.permissions import require_moderator
from portal.services import audit_record
from submissions import files, filing, selectors
from submissions.files import MAX_ATTACHMENTS_PER_REPORT
from submissions.models import (
    PUBLISHED_STATUSES,
    Attachment,
    BarrierReport,
    CoSignature,
    OfficialResponse,
    ReferenceCounter,
    ReportAlert,
    ReportFollow,
    StatusChange,
)
from submissions.permissions import (
    MODERATOR_TRANSITIONS,
    NOTE_REQUIRED_FOR,
    REPORTER_TRANSITIONS,
    can_cosign,
    can_file_reports,
    can_manage_alert,
    can_respond_officially,
    can_save_alerts,
    can_view_report,
    can_withdraw_cosignature,
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
    if not can_file_reports(actor) or actor.organisation_id is None:
        raise PermissionDenied(_("Join an organisation before you report a barrier."))
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
    if not is_in_reporting_organisation(actor, report):
        raise PermissionDenied
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
    if not is_in_reporting_organisation(actor, report):
        raise PermissionDenied
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
    _notify_followers(
        report,
        actor=actor,
        kind=Notice.Kind.REPORT_STATUS,
        key=f"status:{change.pk}",
        # The English label, translated for each reader on their notifications page.
        data={"status": to_status, "status_label": _source_text(Status(to_status).label)},
    )
    return change


def _source_text(text: Any) -> str:
    """A lazy translation's own (English) text, whatever language is active."""
    with translation.override(None):
        return str(text)


# Co-signers and followers told about one event inline (each, at most).
NOTICE_COSIGNERS_MAX = 500


def _notify_followers(
    report: BarrierReport, *, actor: User | None, kind: str, key: str, data: dict[str, Any]
) -> None:
    """A notice for the reporter, the people who co-signed and those who follow the report,
    who may read it now (not the person who acted)."""
    people = [report.reporter]
    people += [
        cosignature.signed_by
        for cosignature in CoSignature.objects.filter(report=report)
        .select_related("signed_by")
        .order_by("created_at")[:NOTICE_COSIGNERS_MAX]
    ]
    people += [
        follow.user
        for follow in ReportFollow.objects.filter(report=report)
        .select_related("user")
        .order_by("created_at")[:NOTICE_COSIGNERS_MAX]
    ]
    recipients = {
        person.pk
        for person in people
        if person.is_active
        and (actor is None or person.pk != actor.pk)
        and can_view_report(person, report)
    }
    if report.reference is None or not recipients:
        return
    notices_create(
        recipient_ids=recipients,
        kind=kind,
        key=key,
        title=f"{report.reference}: {report.title}",
        path=neutral_path(report),
        data=data,
    )


@transaction.atomic
def report_submit(*, actor: User, report: BarrierReport) -> BarrierReport:
    """Send a complete draft (or a corrected report) to the moderators; numbered on first
    submission. A repeat does nothing."""
    report = _locked(report)
    if not is_in_reporting_organisation(actor, report):
        raise PermissionDenied
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
    if is_in_reporting_organisation(actor, report):
        raise ValidationError(_("Your organisation filed this report."))
    if not can_cosign(actor, report) or actor.organisation_id is None:
        raise PermissionDenied
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
    report = _locked(report)
    if not can_withdraw_cosignature(actor, report) or actor.organisation_id is None:
        raise PermissionDenied
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
    if not is_in_reporting_organisation(actor, draft):
        raise PermissionDenied
    cosignature = report_cosign(actor=actor, report=report, impact=impact, comment=comment)
    if draft.status == Status.DRAFT:
        report_draft_delete(actor=actor, report=draft)
    return cosignature


@transaction.atomic
def official_response_post(*, actor: User, report: BarrierReport, body: str) -> OfficialResponse:
    """A verified official answers on the record; the reporter is told."""
    report = _locked(report)
    if not can_respond_officially(actor, report):
        raise PermissionDenied
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
    _notify_followers(
        report,
        actor=actor,
        kind=Notice.Kind.REPORT_RESPONSE,
        key=f"response:{response.pk}",
        data={"organisation": response.organisation.name},
    )
    return response


# --- Following a report --------------------------------------------------------------------


@transaction.atomic
def report_follow_set(*, actor: User, report: BarrierReport, following: bool) -> bool:
    """Follow a report one may read (or stop); a repeat does nothing."""
    if not (actor.is_authenticated and actor.is_active and can_view_report(actor, report)):
        raise PermissionDenied
    if following:
        ReportFollow.objects.get_or_create(user=actor, report=report)
    else:
        ReportFollow.objects.filter(user=actor, report=report).delete()
    return following


# --- Alerts (saved searches) ---------------------------------------------------------------

ALERT_UNSUBSCRIBE_SALT = "submissions.alert-unsubscribe"
ALERT_PERIODS = {
    ReportAlert.Frequency.DAILY: timedelta(days=1),
    ReportAlert.Frequency.WEEKLY: timedelta(days=7),
}
# Reports published in the last minute wait for the next run: a publication whose
# transaction commits a moment after its published_at is then never behind the watermark.
ALERT_SETTLE = timedelta(minutes=1)
ALERT_FIELDS = ("name", "q", "market", "topic", "ntm_chapter", "sector", "frequency")


ALERT_RELATIONS = frozenset({"market", "topic", "ntm_chapter"})


def _alert_assign(alert: ReportAlert, fields: Mapping[str, Any]) -> None:
    for field in ALERT_FIELDS:
        if field not in fields:
            continue
        value = fields[field]
        if field in ALERT_RELATIONS:
            setattr(alert, f"{field}_id", getattr(value, "pk", value) or None)
        else:
            setattr(alert, field, (value or "").strip() if isinstance(value, str) else "")


def _alert_schedule(alert: ReportAlert, now: datetime) -> None:
    period = ALERT_PERIODS.get(ReportAlert.Frequency(alert.frequency))
    alert.next_run_at = now + period if period else now


@transaction.atomic
def alert_create(*, actor: User, **fields: Any) -> ReportAlert:
    """Save a search; its first email lists only reports published from now on."""
    if not can_save_alerts(actor):
        raise PermissionDenied
    now = timezone.now()
    alert = ReportAlert(user=actor, last_published_at=now, created_at=now, updated_at=now)
    _alert_assign(alert, fields)
    _alert_schedule(alert, now)
    alert.save()
    return alert


@transaction.atomic
def alert_update(*, actor: User, alert: ReportAlert, **fields: Any) -> ReportAlert:
    """Change the search or how often; a new frequency starts its period now."""
    alert = ReportAlert.objects.select_for_update().get(pk=alert.pk)
    if not can_manage_alert(actor, alert):
        raise PermissionDenied
    before = alert.frequency
    _alert_assign(alert, fields)
    now = timezone.now()
    if alert.frequency != before:
        _alert_schedule(alert, now)
        if before == ReportAlert.Frequency.OFF:
            # Switched back on: news from now, not the backlog of the quiet weeks.
            alert.last_published_at = now
    alert.updated_at = now
    alert.save()
    return alert


@transaction.atomic
def alert_delete(*, actor: User, alert: ReportAlert) -> None:
    if not can_manage_alert(actor, alert):
        raise PermissionDenied
    ReportAlert.objects.filter(pk=alert.pk).delete()


def alert_unsubscribe_token(alert: ReportAlert) -> str:
    return signing.dumps({"a": alert.pk, "u": alert.user_id}, salt=ALERT_UNSUBSCRIBE_SALT)


def alert_unsubscribe_read(token: str) -> ReportAlert:
    """The alert a token switches off; raises BadSignature or ReportAlert.DoesNotExist."""
    data = signing.loads(token, salt=ALERT_UNSUBSCRIBE_SALT)
    return ReportAlert.objects.get(pk=data["a"], user_id=data["u"])


@transaction.atomic
def alert_unsubscribe(*, token: str) -> ReportAlert:
    """One click from the email: the alert stays listed, switched off. The signature is the
    authority (no login); a repeat does nothing more."""
    alert = ReportAlert.objects.select_for_update().get(pk=alert_unsubscribe_read(token).pk)
    if alert.frequency != ReportAlert.Frequency.OFF:
        alert.frequency = ReportAlert.Frequency.OFF
        alert.updated_at = timezone.now()
        alert.save(update_fields=["frequency", "updated_at"])
    return alert


def alert_search_path(alert: ReportAlert) -> str:
    """The report list with the alert's search, without a language prefix."""
    query = urlencode({key: value for key, value in alert.filters().items() if value})
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("submissions:list")
    return f"{path}?{query}" if query else path


@transaction.atomic
def alert_send(*, alert_id: int, now: datetime | None = None) -> int:
    """Email the alert's owner the reports published since its watermark that they may read
    (the newest ALERT_EMAIL_MAX_REPORTS, and a link to the rest), then move the watermark.
    Returns how many reports matched. Runs only when the alert is due, and claims the row
    (SKIP LOCKED): a task run twice, or by two workers, sends one email."""
    now = now or timezone.now()
    alert = (
        ReportAlert.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user", "market", "topic", "ntm_chapter")
        .filter(pk=alert_id, next_run_at__lte=now)
        .exclude(frequency=ReportAlert.Frequency.OFF)
        .first()
    )
    if alert is None:
        return 0
    until = now - ALERT_SETTLE
    owner = alert.user
    total = 0
    if owner.is_active and owner.deleted_at is None and until > alert.last_published_at:
        matches = selectors.alert_new_reports(alert=alert, until=until)
        limit = max(1, int(getattr(settings, "ALERT_EMAIL_MAX_REPORTS", 10)))
        reports = list(matches[:limit])
        total = len(reports) if len(reports) < limit else matches.count()
        if reports:
            search_path = alert_search_path(alert)
            email_member(
                user=owner,
                template="report_alert",
                context={
                    "alert": alert,
                    "reports": reports,
                    "total": total,
                    "more": total - len(reports),
                    "search_url": absolute_url(
                        search_path, language=owner.language or settings.LANGUAGE_CODE
                    ),
                },
                unsubscribe=reverse(
                    "submissions:alert_unsubscribe",
                    kwargs={"token": alert_unsubscribe_token(alert)},
                ),
            )
            notices_create(
                recipient_ids=[owner.pk],
                kind=Notice.Kind.ALERT,
                key=f"alert:{alert.pk}:{until.isoformat()}",
                title=alert.name,
                path=search_path,
                data={"count": total},
            )
            alert.last_sent_at = now
    alert.last_published_at = max(alert.last_published_at, until)
    _alert_schedule(alert, now)
    alert.save(update_fields=["last_published_at", "last_sent_at", "next_run_at"])
    return total
