"""The visibility rule, for one report (permissions) and for queries (selectors), agree.

A moderator (or a superuser) without two-factor authentication holds no moderator power:
"moderator_no_mfa" and "admin_no_mfa" (no organisation) read as "no_organisation" does, and
"moderator_no_mfa_colleague" (in the reporting organisation) as "colleague" does."""

import pytest

from submissions.models import BarrierReport
from submissions.permissions import (
    can_cosign,
    can_edit_report,
    can_respond_officially,
    can_see_attachments,
    can_see_full_timeline,
    can_see_who_decided,
    can_triage,
    can_view_report,
    can_withdraw_cosignature,
    organisation_is_named,
)
from submissions.selectors import reports_visible_to
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db

Status = BarrierReport.Status
Visibility = BarrierReport.Visibility
ROLES = [
    "visitor",
    "no_organisation",
    "member",
    "official",
    "moderator",
    "colleague",
    "moderator_no_mfa",
    "moderator_no_mfa_colleague",
    "admin_no_mfa",
]
# The reporting organisation, whether or not its people also hold a moderator's role.
COLLEAGUES = {"colleague", "moderator_no_mfa_colleague"}

# Who reads a report in each status and visibility (colleague: the reporter's organisation).
EXPECTED_READERS = {
    (Status.DRAFT, Visibility.PUBLIC): COLLEAGUES,
    (Status.SUBMITTED, Visibility.PUBLIC): {*COLLEAGUES, "moderator"},
    (Status.CHANGES_REQUESTED, Visibility.PUBLIC): {*COLLEAGUES, "moderator"},
    (Status.REJECTED, Visibility.PUBLIC): {*COLLEAGUES, "moderator"},
    (Status.PUBLISHED, Visibility.PUBLIC): set(ROLES),
    (Status.PUBLISHED, Visibility.ANONYMISED): set(ROLES),
    (Status.PUBLISHED, Visibility.OFFICIALS_ONLY): {*COLLEAGUES, "official", "moderator"},
    (Status.RESOLVED_IN_FULL, Visibility.OFFICIALS_ONLY): {*COLLEAGUES, "official", "moderator"},
    (Status.ARCHIVED, Visibility.ANONYMISED): set(ROLES),
    (Status.SUBMITTED, Visibility.OFFICIALS_ONLY): {*COLLEAGUES, "moderator"},
    (Status.DRAFT, Visibility.OFFICIALS_ONLY): COLLEAGUES,
}


@pytest.mark.parametrize(("status", "visibility"), list(EXPECTED_READERS))
@pytest.mark.parametrize("role", ROLES)
def test_report_readers_follow_status_and_visibility(world, role, status, visibility):
    report = BarrierReportFactory(reporter=world.reporter, status=status, visibility=visibility)
    if status == Status.DUPLICATE:
        report.duplicate_of = BarrierReportFactory()
        report.save()
    viewer = world.role(role)
    expected = role in EXPECTED_READERS[(status, visibility)]
    assert can_view_report(viewer, report) is expected
    assert reports_visible_to(viewer).filter(pk=report.pk).exists() is expected


def test_duplicate_is_read_by_its_organisation_and_moderators_only(world):
    original = BarrierReportFactory()
    report = BarrierReportFactory(
        reporter=world.reporter, status=Status.DUPLICATE, duplicate_of=original
    )
    readers = {role for role in ROLES if can_view_report(world.role(role), report)}
    assert readers == {"colleague", "moderator_no_mfa_colleague", "moderator"}


@pytest.mark.parametrize(
    ("role", "named"),
    [
        ("visitor", False),
        ("member", False),
        ("official", False),
        ("moderator", True),
        ("colleague", True),
        ("moderator_no_mfa", False),
        ("moderator_no_mfa_colleague", True),
        ("admin_no_mfa", False),
    ],
)
def test_anonymised_report_names_its_organisation_only_to_itself_and_moderators(world, role, named):
    report = BarrierReportFactory(reporter=world.reporter, visibility=Visibility.ANONYMISED)
    assert organisation_is_named(world.role(role), report) is named


@pytest.mark.parametrize(
    ("visibility", "readers"),
    [
        (Visibility.PUBLIC, set(ROLES)),
        (
            Visibility.ANONYMISED,
            {"official", "moderator", "colleague", "moderator_no_mfa_colleague"},
        ),
        (
            Visibility.OFFICIALS_ONLY,
            {"official", "moderator", "colleague", "moderator_no_mfa_colleague"},
        ),
    ],
)
def test_evidence_of_unnamed_reports_stays_with_officials_and_moderators(
    world, visibility, readers
):
    report = BarrierReportFactory(reporter=world.reporter, visibility=visibility)
    allowed = {role for role in ROLES if can_see_attachments(world.role(role), report)}
    assert allowed == readers


def test_only_other_organisations_cosign_published_reports(world):
    report = BarrierReportFactory(reporter=world.reporter)
    assert can_cosign(world.member, report)
    assert can_cosign(world.official, report)
    assert not can_cosign(world.colleague, report)
    assert not can_cosign(world.no_organisation, report)
    report.status = Status.RESOLVED_IN_FULL
    assert not can_cosign(world.member, report)


def test_members_of_other_organisations_withdraw_cosignatures_of_reports_they_read(world):
    report = BarrierReportFactory(reporter=world.reporter, status=Status.RESOLVED_IN_FULL)
    assert can_withdraw_cosignature(world.member, report)
    assert can_withdraw_cosignature(world.official, report)
    assert not can_withdraw_cosignature(world.no_organisation, report)
    assert not can_withdraw_cosignature(world.role("visitor"), report)
    report.visibility = BarrierReport.Visibility.OFFICIALS_ONLY
    assert not can_withdraw_cosignature(world.member, report)
    assert can_withdraw_cosignature(world.official, report)


def test_only_verified_officials_answer_published_reports(world):
    report = BarrierReportFactory(reporter=world.reporter)
    assert can_respond_officially(world.official, report)
    assert not can_respond_officially(world.member, report)
    assert not can_respond_officially(world.moderator, report)
    report.status = Status.SUBMITTED
    assert not can_respond_officially(world.official, report)


@pytest.mark.parametrize(
    ("status", "editable"),
    [
        (Status.DRAFT, True),
        (Status.CHANGES_REQUESTED, True),
        (Status.SUBMITTED, False),
        (Status.PUBLISHED, False),
    ],
)
def test_reporters_organisation_edits_drafts_and_reports_sent_back(world, status, editable):
    report = BarrierReportFactory(reporter=world.reporter, status=status)
    assert can_edit_report(world.colleague, report) is editable
    assert not can_edit_report(world.member, report)
    assert not can_edit_report(world.moderator, report)


@pytest.mark.parametrize(
    ("predicate", "allowed"),
    [
        (can_see_full_timeline, {"moderator", "colleague", "moderator_no_mfa_colleague"}),
        (can_see_who_decided, {"moderator"}),
    ],
)
def test_timeline_notes_and_deciders_need_the_organisation_or_two_factor(world, predicate, allowed):
    report = BarrierReportFactory(reporter=world.reporter, status=Status.REJECTED)
    assert {role for role in ROLES if predicate(world.role(role), report)} == allowed


def test_only_moderators_with_two_factor_authentication_triage(world):
    assert {role for role in ROLES if can_triage(world.role(role))} == {"moderator"}
