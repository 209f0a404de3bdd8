"""Handing over the organisation administrator role to a colleague."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal import services
from portal.models import AuditEvent, User
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _admin(**fields) -> User:
    return MemberFactory(is_organisation_admin=True, **fields)


# --- Handing over the administrator role ---------------------------------------------------


def test_an_administrator_makes_a_colleague_administrator_and_it_is_audited():
    admin = _admin()
    colleague = MemberFactory(organisation=admin.organisation)

    services.organisation_admin_grant(actor=admin, member=colleague)
    services.organisation_admin_grant(actor=admin, member=colleague)

    colleague.refresh_from_db()
    assert colleague.is_organisation_admin
    assert AuditEvent.objects.filter(action="membership.make_admin").count() == 1


def test_a_member_who_is_not_administrator_cannot_make_administrators():
    member = MemberFactory()
    colleague = MemberFactory(organisation=member.organisation)

    with pytest.raises(PermissionDenied):
        services.organisation_admin_grant(actor=member, member=colleague)

    colleague.refresh_from_db()
    assert not colleague.is_organisation_admin


def test_organisation_page_offers_administrators_a_button_to_hand_over(client):
    admin = _admin()
    colleague = MemberFactory(organisation=admin.organisation, full_name="Kevin Otieno")
    url = reverse(
        "portal:organisation_admin_grant",
        kwargs={"slug": admin.organisation.slug, "member_id": colleague.pk},
    )
    client.force_login(admin)

    html = client.get(admin.organisation.get_absolute_url()).content.decode()
    assert f'action="{url}"' in html

    response = client.post(url, follow=True)
    assert "Kevin Otieno is now an administrator of" in response.content.decode()
    colleague.refresh_from_db()
    assert colleague.is_organisation_admin


def test_a_colleague_without_the_role_gets_404_from_the_hand_over_address(client):
    member = MemberFactory()
    colleague = MemberFactory(organisation=member.organisation)
    client.force_login(member)

    url = reverse(
        "portal:organisation_admin_grant",
        kwargs={"slug": member.organisation.slug, "member_id": colleague.pk},
    )
    assert client.post(url).status_code == 404
