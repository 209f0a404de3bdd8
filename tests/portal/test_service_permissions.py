"""Every members and organisations service refuses, by itself, whoever may not call it.

Called directly, with no page in front (a task, an admin action, an API): each refusal
raises PermissionDenied and leaves no row, no audit entry, no email and no queued task.
One row of the table per service: what the call is, who may make it, who may not."""

from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from portal import services
from portal.models import Country, OrganisationType, Sector, User, VerifiedDomain
from tests.factories import (
    MemberFactory,
    ModeratorFactory,
    OfficialBodyFactory,
    OfficialFactory,
    UserFactory,
)
from tests.refusals import MODERATORS_ONLY, Rule, service_permission_tests

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(db):
    administrator = MemberFactory(is_organisation_admin=True)
    organisation = administrator.organisation
    moderator = ModeratorFactory()
    people = {
        "visitor": AnonymousUser(),
        "no organisation": UserFactory(),
        "inactive": UserFactory(is_active=False),
        "administrator": administrator,
        "colleague": MemberFactory(organisation=organisation),
        "member": MemberFactory(),
        "official": OfficialFactory(),
        "moderator": moderator,
        "moderator without two-factor": ModeratorFactory(moderator=False),
    }
    return SimpleNamespace(
        people=people,
        organisation=organisation,
        joiner=UserFactory(
            organisation=organisation, membership_status=User.MembershipStatus.PENDING
        ),
        pending_official=MemberFactory(
            organisation=OfficialBodyFactory(), official_status=User.OfficialStatus.PENDING
        ),
        domain=VerifiedDomain.objects.create(
            domain="trade.gov.example", organisation_name="Ministry of Trade", added_by=moderator
        ),
    )


def create_organisation(scene: Any, who: Any) -> Any:
    return services.organisation_create(
        name="Andes Knitwear",
        org_type=OrganisationType.objects.get(code="micro_enterprise"),
        country=Country.objects.get(code="PE"),
        sector=Sector.AGRI_FOOD,
        creator=who,
    )


RULES: dict[str, Rule] = {
    "organisation_create": Rule(
        create_organisation,
        allowed="no organisation",
        refused=("visitor", "inactive", "member"),
    ),
    "membership_request": Rule(
        lambda s, who: services.membership_request(user=who, organisation=s.organisation),
        allowed="no organisation",
        refused=("visitor", "inactive", "member"),
    ),
    "membership_decide": Rule(
        lambda s, who: services.membership_decide(actor=who, member=s.joiner, approve=True),
        allowed="administrator",
        refused=("colleague", "member", "official", "moderator without two-factor"),
    ),
    "organisation_admin_grant": Rule(
        lambda s, who: services.organisation_admin_grant(actor=who, member=s.people["colleague"]),
        allowed="administrator",
        refused=("member", "official", "moderator without two-factor"),
    ),
    "member_verify_official": Rule(
        lambda s, who: services.member_verify_official(
            actor=who, member=s.pending_official, approve=True, reason="Checked by phone."
        ),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "verified_domain_add": Rule(
        lambda s, who: services.verified_domain_add(
            actor=who, domain="customs.gov.example", organisation_name="Customs"
        ),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "verified_domain_remove": Rule(
        lambda s, who: services.verified_domain_remove(actor=who, domain=s.domain),
        allowed="moderator",
        refused=MODERATORS_ONLY,
    ),
    "account_delete": Rule(
        # Nobody deletes someone else's account, not even a moderator.
        lambda s, who: services.account_delete(actor=who, person=s.people["member"]),
        allowed="member",
        refused=("colleague", "official", "moderator"),
    ),
}


(
    test_a_service_refuses_whoever_may_not_call_it_and_changes_nothing,
    test_the_same_call_by_someone_allowed_goes_through,
) = service_permission_tests(RULES)
