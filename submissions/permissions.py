"""Who may see, file, change, co-sign and answer barrier reports.

The visibility rule (ARCHITECTURE.md) in one sentence: published reports are readable by
everyone, except officials-only reports, which only verified officials, moderators and the
reporter's organisation read; reports not yet published (or rejected, or closed as duplicates)
are readable by moderators and the reporter's organisation; drafts only by the reporter's
organisation. `can_view_report` states it for one report and `visible_reports_q` in
selectors.py states it for a query; tests hold the two to the same matrix.
"""

from portal.permissions import acts_as_moderator, is_official, organisation_of
from portal.types import Reader, person_of
from submissions.models import PUBLISHED_STATUSES, Attachment, BarrierReport, ReportAlert

Status = BarrierReport.Status
Visibility = BarrierReport.Visibility

# Statuses in which other organisations may add their voice.
COSIGNABLE_STATUSES = (Status.PUBLISHED, Status.RESOLVED_IN_PART)
# Statuses in which officials may answer.
RESPONDABLE_STATUSES = (Status.PUBLISHED, Status.RESOLVED_IN_PART, Status.RESOLVED_IN_FULL)

# Which status a moderator may move a report to, from each status. Reporters move their own
# reports only from draft or changes requested to submitted (REPORTER_TRANSITIONS).
MODERATOR_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (),
    Status.SUBMITTED: (
        Status.PUBLISHED,
        Status.CHANGES_REQUESTED,
        Status.REJECTED,
        Status.DUPLICATE,
    ),
    Status.CHANGES_REQUESTED: (Status.REJECTED,),
    Status.PUBLISHED: (
        Status.RESOLVED_IN_PART,
        Status.RESOLVED_IN_FULL,
        Status.DUPLICATE,
        Status.ARCHIVED,
    ),
    Status.RESOLVED_IN_PART: (Status.RESOLVED_IN_FULL, Status.PUBLISHED, Status.ARCHIVED),
    Status.RESOLVED_IN_FULL: (Status.PUBLISHED, Status.ARCHIVED),
    # Decisions can be reopened: a rejected or duplicate report goes back to triage, an
    # archived one back on the public record.
    Status.REJECTED: (Status.SUBMITTED,),
    Status.DUPLICATE: (Status.SUBMITTED,),
    Status.ARCHIVED: (Status.PUBLISHED,),
}
REPORTER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Status.SUBMITTED,),
    Status.CHANGES_REQUESTED: (Status.SUBMITTED,),
}
# A moderator must say why: the note goes to the reporter.
NOTE_REQUIRED_FOR = (Status.CHANGES_REQUESTED, Status.REJECTED, Status.DUPLICATE)


def is_in_reporting_organisation(user: Reader, report: BarrierReport) -> bool:
    organisation_id = organisation_of(user)
    return organisation_id is not None and organisation_id == report.organisation_id


def can_view_report(user: Reader, report: BarrierReport) -> bool:
    if is_in_reporting_organisation(user, report):
        return True
    if report.status == Status.DRAFT:
        return False
    if acts_as_moderator(user):
        return True
    if report.status not in PUBLISHED_STATUSES:
        return False
    if report.visibility == Visibility.OFFICIALS_ONLY:
        return is_official(user)
    return True


def organisation_is_named(user: Reader, report: BarrierReport) -> bool:
    """Anonymised reports name their organisation only to itself and to moderators."""
    if report.visibility != Visibility.ANONYMISED:
        return True
    if is_in_reporting_organisation(user, report):
        return True
    return acts_as_moderator(user)


def can_see_attachments(user: Reader, report: BarrierReport) -> bool:
    """Evidence files often name the firm, so on anonymised reports they stay with the
    reporter's organisation, moderators and officials."""
    if not can_view_report(user, report):
        return False
    if report.visibility == Visibility.PUBLIC:
        return True
    if is_in_reporting_organisation(user, report):
        return True
    if acts_as_moderator(user):
        return True
    return is_official(user)


def can_download_attachment(user: Reader, attachment: Attachment) -> bool:
    """Files being checked for viruses, or quarantined, are downloaded by nobody."""
    if not can_see_attachments(user, attachment.report):
        return False
    return attachment.is_available


def can_see_full_timeline(user: Reader, report: BarrierReport) -> bool:
    """Moderators' notes are written to the reporter; others see dates and statuses only."""
    if is_in_reporting_organisation(user, report):
        return True
    return acts_as_moderator(user)


def can_see_who_decided(user: Reader, report: BarrierReport) -> bool:
    """The moderator behind each status change is named to moderators only (the reporter
    reads the decision and its note, from "the moderators")."""
    if not can_view_report(user, report):
        return False
    return acts_as_moderator(user)


def can_file_reports(user: Reader) -> bool:
    return organisation_of(user) is not None


def can_edit_report(user: Reader, report: BarrierReport) -> bool:
    if not is_in_reporting_organisation(user, report):
        return False
    return report.is_editable


def can_cosign(user: Reader, report: BarrierReport) -> bool:
    organisation_id = organisation_of(user)
    if organisation_id is None or organisation_id == report.organisation_id:
        return False
    if report.status not in COSIGNABLE_STATUSES:
        return False
    return can_view_report(user, report)


def can_withdraw_cosignature(user: Reader, report: BarrierReport) -> bool:
    """A member takes back their organisation's co-signature whatever the report's status is
    now, as long as they may still read the report."""
    if organisation_of(user) is None:
        return False
    return can_view_report(user, report)


def can_respond_officially(user: Reader, report: BarrierReport) -> bool:
    if not is_official(user):
        return False
    if report.status not in RESPONDABLE_STATUSES:
        return False
    return can_view_report(user, report)


def can_triage(user: Reader) -> bool:
    return acts_as_moderator(user)


def moderator_transitions(user: Reader, report: BarrierReport) -> tuple[str, ...]:
    if not can_triage(user):
        return ()
    return MODERATOR_TRANSITIONS.get(report.status, ())


# --- Alerts --------------------------------------------------------------------------------------


def can_save_alerts(user: Reader) -> bool:
    """Anyone signed in may save a search (what each email lists is what they may read)."""
    person = person_of(user)
    return person is not None and person.is_active


def can_manage_alert(user: Reader, alert: ReportAlert) -> bool:
    person = person_of(user)
    return person is not None and can_save_alerts(person) and alert.user_id == person.pk
