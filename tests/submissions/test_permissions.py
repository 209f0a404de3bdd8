"""The visibility rule, for one report (permissions) and for queries (selectors), agree."""

import pytest

from submissions.models import BarrierReport
from submissions.permissions import (
    can_cosign,
    can_edit_report,
    can_respond_officially,
    can_see_attachments,
    can_view_report,
    organisation_is_named,
)
from submissions.selectors import reports_visible_to
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db

Status = BarrierReport.Status
Visibility = BarrierReport.Visibility
ROLES = ["visitor", "no_organisation", "member", "official", "moderator", "colleague"]

# Who reads a report in each status and visibility (colleague: the reporter's organisation).
EXPECTED_READERS = {
    (Status.DRAFT, Visibility.PUBLIC): {"colleague"},
    (Status.SUBMITTED, Visibility.PUBLIC): {"colleague", "moderator"},
    (Status.CHANGES_REQUESTED, Visibility.PUBLIC): {"colleague", "moderator"},
    (Status.REJECTED, Visibility.PUBLIC): {"colleague", "moderator"},
    (Status.PUBLISHED, Visibility.PUBLIC): set(ROLES),
    (Status.PUBLISHED, Visibility.ANONYMISED): set(ROLES),
    (Status.PUBLISHED, Visibility.OFFICIALS_ONLY): {"official", "moderator", "colleague"},
    (Status.RESOLVED_IN_FULL, Visibility.OFFICIALS_ONLY): {"official", "moderator", "colleague"},
    (Status.ARCHIVED, Visibility.ANONYMISED): set(ROLES),
    (Status.SUBMITTED, Visibility.OFFICIALS_ONLY): {"colleague", "moderator"},
    (Status.DRAFT, Visibility.OFFICIALS_ONLY): {"colleague"},
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
    assert readers == {"colleague", "moderator"}


@pytest.mark.parametrize(
    ("role", "named"),
    [
        ("visitor", False),
        ("member", False),
        ("official", False),
        ("moderator", True),
        ("colleague", True),
    ],
)
def test_anonymised_report_names_its_organisation_only_to_itself_and_moderators(world, role, named):
    report = BarrierReportFactory(reporter=world.reporter, visibility=Visibility.ANONYMISED)
    assert organisation_is_named(world.role(role), report) is named


@pytest.mark.parametrize(
    ("visibility", "readers"),
    [
        (Visibility.PUBLIC, set(ROLES)),
        (Visibility.ANONYMISED, {"official", "moderator", "colleague"}),
        (Visibility.OFFICIALS_ONLY, {"official", "moderator", "colleague"}),
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
