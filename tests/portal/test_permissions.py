"""Who may see what: role predicates, role-protected pages and organisation pages."""

from types import SimpleNamespace

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from portal import permissions
from portal.models import User
from tests.factories import (
    MemberFactory,
    ModeratorFactory,
    OfficialFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
TOTP_SETUP = reverse("mfa_activate_totp")


@pytest.fixture
def people():
    """One person per role, and an organisation with an administrator and a pending request."""
    organisation = OrganisationFactory(name="Mombasa Spice Traders")
    other_organisation = OrganisationFactory(name="Cusco Weavers")
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    TOTP.activate(admin, generate_totp_secret())
    staff_without_mfa = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    return SimpleNamespace(
        visitor=AnonymousUser(),
        no_organisation=UserFactory(),
        member=MemberFactory(organisation=organisation, full_name="Wanjiru Member"),
        org_admin=MemberFactory(
            organisation=organisation, is_organisation_admin=True, full_name="Otieno Admin"
        ),
        applicant=UserFactory(
            organisation=organisation,
            membership_status=User.MembershipStatus.PENDING,
            full_name="Pending Applicant",
        ),
        outsider=MemberFactory(organisation=other_organisation, is_organisation_admin=True),
        official=OfficialFactory(),
        unverified_official=OfficialFactory(official_status=User.OfficialStatus.PENDING),
        moderator=ModeratorFactory(),
        moderator_without_mfa=ModeratorFactory(moderator=False),
        inactive_moderator=ModeratorFactory(is_active=False),
        admin=admin,
        staff_without_mfa=staff_without_mfa,
        organisation=organisation,
        other_organisation=other_organisation,
    )


# --- Predicates: allow and deny ----------------------------------------------------------


@pytest.mark.parametrize(
    ("predicate", "allowed", "denied"),
    [
        (
            permissions.is_member,
            ["member", "org_admin", "official", "unverified_official"],
            ["visitor", "no_organisation", "applicant", "moderator"],
        ),
        (
            permissions.is_official,
            ["official"],
            ["visitor", "member", "unverified_official", "moderator", "admin"],
        ),
        (
            permissions.has_moderator_role,
            ["moderator", "moderator_without_mfa", "admin"],
            ["visitor", "member", "official", "inactive_moderator"],
        ),
        (
            permissions.acts_as_admin,
            ["admin"],
            ["visitor", "member", "moderator", "moderator_without_mfa", "staff_without_mfa"],
        ),
        (
            permissions.can_use_admin,
            ["admin"],
            ["visitor", "member", "moderator", "moderator_without_mfa", "staff_without_mfa"],
        ),
        (
            permissions.acts_as_moderator,
            ["moderator", "admin"],
            [
                "visitor",
                "member",
                "official",
                "inactive_moderator",
                "moderator_without_mfa",
                "staff_without_mfa",
            ],
        ),
        (
            permissions.has_mfa,
            ["moderator", "admin"],
            ["visitor", "member", "moderator_without_mfa", "staff_without_mfa"],
        ),
        (
            permissions.can_create_organisation,
            ["no_organisation", "applicant", "moderator"],
            ["visitor", "member", "org_admin", "official", "inactive_moderator"],
        ),
    ],
)
def test_role_predicates_allow_and_deny(people, predicate, allowed, denied):
    for name in allowed:
        assert predicate(getattr(people, name)), f"{predicate.__name__} should allow {name}"
    for name in denied:
        assert not predicate(getattr(people, name)), f"{predicate.__name__} should deny {name}"


def test_a_superuser_holds_the_moderator_role_but_staff_status_alone_does_not(people):
    staff = UserFactory(is_staff=True)
    assert permissions.has_moderator_role(people.staff_without_mfa)
    assert not permissions.has_moderator_role(staff)


@pytest.mark.parametrize(
    ("predicate", "allowed", "denied"),
    [
        (
            permissions.can_manage_members,
            ["org_admin", "moderator", "admin"],
            [
                "visitor",
                "member",
                "applicant",
                "outsider",
                "official",
                "moderator_without_mfa",
                "staff_without_mfa",
            ],
        ),
        (
            permissions.can_see_members,
            ["member", "org_admin", "moderator", "admin"],
            [
                "visitor",
                "applicant",
                "outsider",
                "official",
                "no_organisation",
                "moderator_without_mfa",
                "staff_without_mfa",
            ],
        ),
        (
            # A member asking again to join their own organisation changes nothing.
            permissions.can_request_membership,
            ["no_organisation", "applicant", "member", "org_admin"],
            ["visitor", "outsider", "official", "inactive_moderator"],
        ),
    ],
)
def test_organisation_predicates_allow_and_deny(people, predicate, allowed, denied):
    for name in allowed:
        assert predicate(getattr(people, name), people.organisation), f"allow {name}"
    for name in denied:
        assert not predicate(getattr(people, name), people.organisation), f"deny {name}"


def test_a_declined_former_admin_can_no_longer_manage_members(people):
    people.org_admin.membership_status = User.MembershipStatus.DECLINED
    assert not permissions.can_manage_members(people.org_admin, people.organisation)


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("visitor", "visitor"),
        ("no_organisation", "authenticated"),
        ("applicant", "authenticated"),
        ("member", "member"),
        ("official", "official"),
        ("unverified_official", "member"),
        ("moderator", "moderator"),
        ("admin", "admin"),
    ],
)
def test_user_role_names_the_highest_role(people, name, role):
    assert permissions.user_role(getattr(people, name)) == role


# --- Role matrix for protected pages ------------------------------------------------------

OK, DENIED, TO_LOGIN, TO_TOTP = "ok", "denied", "login", "totp"
PAGES = ["/dashboard/", "/moderation/", "/moderation/domains/", "/moderation/audit/", "/admin/"]
MATRIX = {
    "visitor": [TO_LOGIN, TO_LOGIN, TO_LOGIN, TO_LOGIN, TO_LOGIN],
    "member": [OK, DENIED, DENIED, DENIED, DENIED],
    "official": [OK, DENIED, DENIED, DENIED, DENIED],
    "moderator": [OK, OK, OK, OK, DENIED],
    "moderator_without_mfa": [OK, TO_TOTP, TO_TOTP, TO_TOTP, DENIED],
    "admin": [OK, OK, OK, OK, OK],
    "staff_without_mfa": [OK, TO_TOTP, TO_TOTP, TO_TOTP, TO_TOTP],
}


def _outcome(client, path: str) -> str:
    response = client.get(path, follow=True)
    first = response.redirect_chain[0][0] if response.redirect_chain else None
    if response.status_code == 403:
        return DENIED
    if first is not None and first.split("?")[0] == TOTP_SETUP:
        return TO_TOTP
    if any(url.split("?")[0] == TOTP_SETUP for url, _status in response.redirect_chain):
        return TO_TOTP
    if response.request["PATH_INFO"] == LOGIN:
        return TO_LOGIN
    if response.status_code == 200 and response.request["PATH_INFO"] == path:
        return OK
    return f"{response.status_code} at {response.request['PATH_INFO']}"


@pytest.mark.parametrize("role", list(MATRIX))
def test_pages_answer_each_role_as_the_role_matrix_says(client, people, role):
    person = getattr(people, role)
    if person.is_authenticated:
        client.force_login(person)
    outcomes = [_outcome(client, path) for path in PAGES]
    assert dict(zip(PAGES, outcomes, strict=True)) == dict(zip(PAGES, MATRIX[role], strict=True))


def test_visitor_sent_to_login_comes_back_to_the_page_they_asked_for(client):
    response = client.get("/moderation/audit/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/moderation/audit/"


def test_moderator_without_mfa_is_told_to_set_it_up(client, people):
    client.force_login(people.moderator_without_mfa)
    response = client.get("/moderation/")
    assert response.status_code == 302
    assert response["Location"] == TOTP_SETUP
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == ["Set up two-factor authentication before you use the moderation pages."]


def test_moderation_actions_refuse_members_even_by_post(client, people):
    client.force_login(people.member)
    response = client.post(
        reverse("portal:official_decide", kwargs={"member_id": people.unverified_official.pk}),
        {f"person-{people.unverified_official.pk}-decision": "approve"},
    )
    assert response.status_code == 403
    people.unverified_official.refresh_from_db()
    assert people.unverified_official.official_status == User.OfficialStatus.PENDING


# --- Organisation page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "sees_members", "sees_requests"),
    [
        ("visitor", False, False),
        ("outsider", False, False),
        ("applicant", False, False),
        ("member", True, False),
        ("org_admin", True, True),
        ("moderator", True, True),
        ("moderator_without_mfa", False, False),
        ("staff_without_mfa", False, False),
    ],
)
def test_organisation_page_shows_members_and_requests_only_to_those_allowed(
    client, people, viewer, sees_members, sees_requests
):
    person = getattr(people, viewer)
    if person.is_authenticated:
        client.force_login(person)
    response = client.get(people.organisation.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mombasa Spice Traders" in html, "the profile itself is public"
    assert ("Wanjiru Member" in html) is sees_members
    assert ("Requests to join" in html) is sees_requests
    assert ("Pending Applicant" in html) is sees_requests


def _decide_url(people):
    return reverse(
        "portal:membership_decide",
        kwargs={"slug": people.organisation.slug, "member_id": people.applicant.pk},
    )


def test_admin_of_another_organisation_cannot_decide_a_request_404(client, people):
    client.force_login(people.outsider)
    response = client.post(
        _decide_url(people), {f"person-{people.applicant.pk}-decision": "approve"}
    )
    assert response.status_code == 404
    people.applicant.refresh_from_db()
    assert people.applicant.membership_status == User.MembershipStatus.PENDING


def test_request_cannot_be_decided_through_another_organisations_address_404(client, people):
    client.force_login(people.outsider)
    url = reverse(
        "portal:membership_decide",
        kwargs={"slug": people.other_organisation.slug, "member_id": people.applicant.pk},
    )
    response = client.post(url, {f"person-{people.applicant.pk}-decision": "approve"})
    assert response.status_code == 404
    people.applicant.refresh_from_db()
    assert people.applicant.membership_status == User.MembershipStatus.PENDING


def test_organisation_admin_approves_a_request_from_the_organisation_page(client, people):
    client.force_login(people.org_admin)
    response = client.post(
        _decide_url(people), {f"person-{people.applicant.pk}-decision": "approve"}
    )
    assert response.status_code == 302
    assert response["Location"] == people.organisation.get_absolute_url()
    people.applicant.refresh_from_db()
    assert people.applicant.membership_status == User.MembershipStatus.ACTIVE


def test_declining_without_a_reason_shows_the_error_next_to_the_request(client, people):
    client.force_login(people.org_admin)
    response = client.post(
        _decide_url(people), {f"person-{people.applicant.pk}-decision": "decline"}
    )
    assert response.status_code == 400
    assert "Say why you decline" in response.content.decode()
    people.applicant.refresh_from_db()
    assert people.applicant.membership_status == User.MembershipStatus.PENDING


def test_unknown_organisation_answers_404(client):
    assert client.get("/organisations/no-such-organisation/").status_code == 404
