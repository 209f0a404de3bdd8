"""Portal pages as people use them: dashboard, verification decisions, domains, audit log."""

import pytest
from django.urls import reverse

from portal import services
from portal.models import AuditEvent, User, VerifiedDomain
from tests.factories import (
    MemberFactory,
    ModeratorFactory,
    OfficialBodyFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(client):
    moderator = ModeratorFactory(full_name="Maria Moderator")
    client.force_login(moderator)
    client.moderator = moderator
    return client


def _waiting_official(**fields) -> User:
    return MemberFactory(
        organisation=OfficialBodyFactory(),
        official_status=User.OfficialStatus.PENDING,
        **fields,
    )


def test_dashboard_saves_the_profile_and_says_so(client):
    member = MemberFactory()
    client.force_login(member)

    response = client.post(
        reverse("portal:dashboard"),
        {"full_name": "Aïssatou Diop", "job_title": "Export manager", "language": "fr"},
        follow=True,
    )

    member.refresh_from_db()
    assert (member.full_name, member.job_title, member.language) == (
        "Aïssatou Diop",
        "Export manager",
        "fr",
    )
    assert "Your profile has been saved." in response.content.decode()


def test_dashboard_tells_an_applicant_they_wait_for_approval(client):
    applicant = UserFactory(
        organisation=OrganisationFactory(), membership_status=User.MembershipStatus.PENDING
    )
    client.force_login(applicant)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "Your request to join is waiting for approval." in html


def test_moderator_verifies_an_official_from_the_queue(moderator_client, run_on_commit):
    official = _waiting_official()
    url = reverse("portal:official_decide", kwargs={"member_id": official.pk})

    with run_on_commit():
        response = moderator_client.post(
            url,
            {
                f"person-{official.pk}-decision": "approve",
                f"person-{official.pk}-reason": "Listed on the ministry's staff page.",
            },
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:moderation_home")
    official.refresh_from_db()
    assert official.official_status == User.OfficialStatus.VERIFIED
    event = AuditEvent.objects.get(action="official.verify")
    assert (event.actor, event.reason) == (
        moderator_client.moderator,
        "Listed on the ministry's staff page.",
    )


def test_declining_an_official_without_a_reason_is_refused(moderator_client):
    official = _waiting_official()
    url = reverse("portal:official_decide", kwargs={"member_id": official.pk})

    response = moderator_client.post(url, {f"person-{official.pk}-decision": "decline"})

    assert response.status_code == 400
    assert "Say why you decline" in response.content.decode()
    official.refresh_from_db()
    assert official.official_status == User.OfficialStatus.PENDING


def test_a_member_of_an_ordinary_business_cannot_be_made_an_official_404(moderator_client):
    member = MemberFactory()
    url = reverse("portal:official_decide", kwargs={"member_id": member.pk})
    response = moderator_client.post(url, {f"person-{member.pk}-decision": "approve"})
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.official_status == User.OfficialStatus.NOT_APPLICABLE


def test_moderator_decides_a_request_to_an_organisation_without_an_admin(
    moderator_client, run_on_commit, mailoutbox
):
    organisation = OrganisationFactory()
    applicant = UserFactory(
        organisation=organisation, membership_status=User.MembershipStatus.PENDING
    )
    url = reverse("portal:join_request_decide", kwargs={"member_id": applicant.pk})

    with run_on_commit():
        response = moderator_client.post(url, {f"person-{applicant.pk}-decision": "approve"})

    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.membership_status == User.MembershipStatus.ACTIVE
    assert [message.to for message in mailoutbox] == [[applicant.email]]


def test_requests_to_organisations_with_an_admin_are_left_to_that_admin_404(moderator_client):
    organisation = OrganisationFactory()
    MemberFactory(organisation=organisation, is_organisation_admin=True)
    applicant = UserFactory(
        organisation=organisation, membership_status=User.MembershipStatus.PENDING
    )
    url = reverse("portal:join_request_decide", kwargs={"member_id": applicant.pk})
    response = moderator_client.post(url, {f"person-{applicant.pk}-decision": "approve"})
    assert response.status_code == 404


def test_moderator_adds_and_removes_a_verified_domain(moderator_client):
    url = reverse("portal:verified_domains")

    response = moderator_client.post(
        url, {"domain": "@Customs.GO.ke", "organisation_name": "Kenya Revenue Authority"}
    )
    assert response.status_code == 302
    domain = VerifiedDomain.objects.get()
    assert domain.domain == "customs.go.ke"
    assert domain.added_by == moderator_client.moderator
    page = moderator_client.get(url).content.decode()
    assert "customs.go.ke" in page
    assert "Kenya Revenue Authority" in page

    remove = reverse("portal:verified_domain_remove", kwargs={"domain_id": domain.pk})
    assert moderator_client.post(remove).status_code == 302
    assert not VerifiedDomain.objects.exists()
    assert list(
        AuditEvent.objects.order_by("created_at", "id").values_list("action", flat=True)
    ) == ["domain.add", "domain.remove"]


def test_a_domain_with_spaces_is_refused_with_a_helpful_message(moderator_client):
    response = moderator_client.post(
        reverse("portal:verified_domains"), {"domain": "trade go ke", "organisation_name": "X"}
    )
    assert response.status_code == 400
    assert "Enter a domain such as trade.gov.ke, without spaces." in response.content.decode()
    assert not VerifiedDomain.objects.exists()


def test_audit_log_lists_events_newest_first_and_filters_by_action(moderator_client):
    services.audit_record(actor=None, action="official.verify", reason="Automatic by domain")
    services.audit_record(
        actor=moderator_client.moderator, action="domain.add", reason="Added for customs"
    )
    url = reverse("portal:audit_log")

    html = moderator_client.get(url).content.decode()
    assert html.index("Added for customs") < html.index("Automatic by domain")
    assert "The portal" in html, "automatic decisions say who made them"

    filtered = moderator_client.get(url, {"action": "official.verify"}).content.decode()
    assert "Automatic by domain" in filtered
    assert "Added for customs" not in filtered


def test_audit_log_query_count_does_not_grow_with_events(
    moderator_client, django_assert_max_num_queries
):
    url = reverse("portal:audit_log")
    for _number in range(3):
        services.audit_record(
            actor=moderator_client.moderator, action="test.event", target=MemberFactory()
        )
    with django_assert_max_num_queries(12) as few:
        moderator_client.get(url)
    for number in range(30):
        services.audit_record(
            actor=UserFactory(), action=f"test.event{number}", target=MemberFactory()
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        moderator_client.get(url)


def test_organisation_page_query_count_does_not_grow_with_members(
    client, django_assert_max_num_queries
):
    organisation = OrganisationFactory()
    member = MemberFactory(organisation=organisation, is_organisation_admin=True)
    for _number in range(2):
        MemberFactory(organisation=organisation)
        UserFactory(organisation=organisation, membership_status=User.MembershipStatus.PENDING)
    client.force_login(member)
    with django_assert_max_num_queries(15) as few:
        client.get(organisation.get_absolute_url())
    for _number in range(20):
        MemberFactory(organisation=organisation, official_status=User.OfficialStatus.VERIFIED)
        UserFactory(organisation=organisation, membership_status=User.MembershipStatus.PENDING)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(organisation.get_absolute_url())
    assert response.status_code == 200


def test_audit_log_pagination_keeps_filters_but_not_the_old_page(client):
    from portal.services import audit_record
    from tests.factories import ModeratorFactory

    moderator = ModeratorFactory()
    for _ in range(120):
        audit_record(actor=moderator, action="domain.add")
    client.force_login(moderator)
    html = client.get("/moderation/audit/?action=domain.add&page=2").content.decode()
    assert "?action=domain.add&amp;page=3" in html
    assert "page=2&amp;page" not in html
