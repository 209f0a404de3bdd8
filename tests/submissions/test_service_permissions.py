"""Every barrier report service refuses, by itself, whoever may not call it.

Called directly, with no page in front (a task, an admin action, an API): each refusal
raises PermissionDenied and leaves no row, no audit entry, no email and no queued task.
One row of the table per service: what the call is, who may make it, who may not."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.models import User
from submissions import services
from submissions.models import BarrierReport, CoSignature
from tests.factories import (
    MemberFactory,
    ModeratorFactory,
    OfficialFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.refusals import Rule, service_permission_tests
from tests.submissions.conftest import PDF_BYTES
from tests.submissions.factories import BarrierReportFactory, CoSignatureFactory

pytestmark = pytest.mark.django_db

Status = BarrierReport.Status


def evidence() -> SimpleUploadedFile:
    return SimpleUploadedFile("evidence.pdf", PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def scene(db):
    reporter = MemberFactory()
    people = {
        "visitor": AnonymousUser(),
        "no organisation": UserFactory(),
        "pending member": UserFactory(
            organisation=OrganisationFactory(), membership_status=User.MembershipStatus.PENDING
        ),
        "reporter": reporter,
        "colleague": MemberFactory(organisation=reporter.organisation),
        "member": MemberFactory(),
        "official": OfficialFactory(),
        "moderator": ModeratorFactory(),
        "moderator without two-factor": ModeratorFactory(moderator=False),
    }
    draft = BarrierReportFactory(reporter=reporter, status=Status.DRAFT)
    other_organisation = BarrierReportFactory()  # filed by someone else, published
    return SimpleNamespace(
        people=people,
        draft=draft,
        attachment=services.attachment_add(actor=reporter, report=draft, upload=evidence()),
        submitted=BarrierReportFactory(reporter=reporter, status=Status.SUBMITTED),
        published=other_organisation,
        officials_only=BarrierReportFactory(visibility=BarrierReport.Visibility.OFFICIALS_ONLY),
        cosigned=CoSignatureFactory(
            report=BarrierReportFactory(), signed_by=people["member"]
        ).report,
    )


OUTSIDERS = ("member", "official", "moderator")

RULES: dict[str, Rule] = {
    "report_draft_create": Rule(
        lambda s, who: services.report_draft_create(actor=who, title="T", summary="S"),
        allowed="member",
        refused=("visitor", "no organisation", "pending member"),
    ),
    "report_draft_update": Rule(
        lambda s, who: services.report_draft_update(
            actor=who, report=s.draft, changes={"title": "A new title"}
        ),
        allowed="colleague",
        refused=(*OUTSIDERS, "visitor"),
    ),
    "report_draft_delete": Rule(
        lambda s, who: services.report_draft_delete(actor=who, report=s.draft),
        allowed="colleague",
        refused=OUTSIDERS,
    ),
    "attachment_add": Rule(
        lambda s, who: services.attachment_add(actor=who, report=s.draft, upload=evidence()),
        allowed="reporter",
        refused=OUTSIDERS,
    ),
    "attachment_remove": Rule(
        lambda s, who: services.attachment_remove(actor=who, attachment=s.attachment),
        allowed="reporter",
        refused=OUTSIDERS,
    ),
    "report_submit": Rule(
        lambda s, who: services.report_submit(actor=who, report=s.draft),
        allowed="reporter",
        refused=OUTSIDERS,
    ),
    "report_transition": Rule(
        lambda s, who: services.report_transition(
            actor=who, report=s.submitted, to_status=Status.PUBLISHED
        ),
        allowed="moderator",
        refused=("reporter", "official", "moderator without two-factor"),
    ),
    "report_cosign": Rule(
        lambda s, who: services.report_cosign(
            actor=who, report=s.published, impact=CoSignature.Impact.SERIOUS
        ),
        allowed="member",
        refused=("visitor", "no organisation", "pending member", "moderator"),
    ),
    "report_cosign of a report for officials only": Rule(
        lambda s, who: services.report_cosign(
            actor=who, report=s.officials_only, impact=CoSignature.Impact.SERIOUS
        ),
        allowed="official",
        refused=("member",),
    ),
    "report_cosign_withdraw": Rule(
        lambda s, who: services.report_cosign_withdraw(actor=who, report=s.cosigned),
        allowed="member",
        refused=("visitor", "no organisation", "pending member"),
    ),
    "report_cosign_instead_of_filing": Rule(
        # Only the draft's own organisation may discard it, whoever may co-sign the report.
        lambda s, who: services.report_cosign_instead_of_filing(
            actor=who, draft=s.draft, report=s.published, impact=CoSignature.Impact.SERIOUS
        ),
        allowed="reporter",
        refused=("member", "official"),
    ),
    "official_response_post": Rule(
        lambda s, who: services.official_response_post(
            actor=who, report=s.published, body="We are looking into it."
        ),
        allowed="official",
        refused=("member", "moderator", "reporter"),
    ),
}


(
    test_a_service_refuses_whoever_may_not_call_it_and_changes_nothing,
    test_the_same_call_by_someone_allowed_goes_through,
) = service_permission_tests(RULES)
