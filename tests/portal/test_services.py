"""Services for organisations, membership, official verification and the audit trail."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from portal import selectors, services
from portal.models import AuditEvent, Country, OrganisationType, Sector, User, VerifiedDomain
from tests.factories import (
    MemberFactory,
    ModeratorFactory,
    OfficialBodyFactory,
    OfficialFactory,
    OrganisationFactory,
    UserFactory,
    make_moderator,
)

pytestmark = pytest.mark.django_db


def events(action: str, target=None):
    found = AuditEvent.objects.filter(action=action)
    if target is not None:
        found = found.filter(target_id=str(target.pk))
    return found


# --- Organisations and membership ---------------------------------------------------------


def test_organisation_create_makes_the_creator_an_active_admin_member_and_audits_it():
    creator = UserFactory()

    organisation = services.organisation_create(
        name="  Nairobi Coffee Roasters ",
        org_type=OrganisationType.objects.get(code="micro_enterprise"),
        country=Country.objects.get(code="KE"),
        sector=Sector.AGRI_FOOD,
        website="https://roasters.example",
        creator=creator,
    )

    creator.refresh_from_db()
    assert organisation.name == "Nairobi Coffee Roasters"
    assert organisation.slug == "nairobi-coffee-roasters"
    assert creator.organisation == organisation
    assert creator.membership_status == User.MembershipStatus.ACTIVE
    assert creator.is_organisation_admin
    assert creator.official_status == User.OfficialStatus.NOT_APPLICABLE
    event = events("organisation.create", organisation).get()
    assert event.actor == creator
    assert event.target_label == "Nairobi Coffee Roasters"


def test_organisations_with_the_same_name_get_distinct_addresses():
    kenya, peru = Country.objects.get(code="KE"), Country.objects.get(code="PE")
    org_type = OrganisationType.objects.get(code="micro_enterprise")
    first = services.organisation_create(
        name="Andes Crafts", org_type=org_type, country=kenya, sector=Sector.CRAFTS
    )
    second = services.organisation_create(
        name="Andes Crafts", org_type=org_type, country=peru, sector=Sector.CRAFTS
    )
    assert first.slug == "andes-crafts"
    assert second.slug == "andes-crafts-2"
    assert first.get_absolute_url() != second.get_absolute_url()


def test_membership_request_is_pending_and_emails_only_the_organisation_admins(
    run_on_commit, mailoutbox
):
    organisation = OrganisationFactory(name="Lima Alpaca Knitwear")
    admin = MemberFactory(organisation=organisation, is_organisation_admin=True)
    MemberFactory(organisation=organisation, is_organisation_admin=False)
    MemberFactory(is_organisation_admin=True)  # administrator of another organisation
    applicant = UserFactory(full_name="Rosa Quispe")

    with run_on_commit():
        services.membership_request(user=applicant, organisation=organisation)

    applicant.refresh_from_db()
    assert applicant.organisation == organisation
    assert applicant.membership_status == User.MembershipStatus.PENDING
    assert not applicant.is_organisation_admin
    assert [message.to for message in mailoutbox] == [[admin.email]]
    assert "Rosa Quispe" in mailoutbox[0].subject
    assert "Lima Alpaca Knitwear" in mailoutbox[0].subject
    assert organisation.get_absolute_url() in mailoutbox[0].body
    assert events("membership.request", organisation).get().actor == applicant


def test_asking_again_to_join_the_same_organisation_does_nothing(run_on_commit, mailoutbox):
    organisation = OrganisationFactory()
    MemberFactory(organisation=organisation, is_organisation_admin=True)
    applicant = UserFactory()
    with run_on_commit():
        services.membership_request(user=applicant, organisation=organisation)
        services.membership_request(user=applicant, organisation=organisation)
    assert len(mailoutbox) == 1
    assert events("membership.request").count() == 1


def _pending_applicant(organisation=None):
    organisation = organisation or OrganisationFactory(name="Dakar Natural Cosmetics")
    admin = MemberFactory(organisation=organisation, is_organisation_admin=True)
    applicant = UserFactory(
        organisation=organisation, membership_status=User.MembershipStatus.PENDING
    )
    return admin, applicant


def test_approving_a_request_makes_an_active_member_and_tells_them(run_on_commit, mailoutbox):
    admin, applicant = _pending_applicant()

    with run_on_commit():
        services.membership_decide(actor=admin, member=applicant, approve=True)

    applicant.refresh_from_db()
    assert applicant.membership_status == User.MembershipStatus.ACTIVE
    assert applicant.is_member
    event = events("membership.approve", applicant).get()
    assert event.actor == admin
    assert event.data == {"organisation": applicant.organisation_id}
    assert [message.to for message in mailoutbox] == [[applicant.email]]
    assert "You are now a member of Dakar Natural Cosmetics" in mailoutbox[0].subject


def test_declining_a_request_sends_the_reason_and_records_it(run_on_commit, mailoutbox):
    admin, applicant = _pending_applicant()

    with run_on_commit():
        services.membership_decide(
            actor=admin, member=applicant, approve=False, reason="We do not know this person."
        )

    applicant.refresh_from_db()
    assert applicant.membership_status == User.MembershipStatus.DECLINED
    assert not applicant.is_member
    event = events("membership.decline", applicant).get()
    assert (event.actor, event.reason) == (admin, "We do not know this person.")
    assert "declined" in mailoutbox[0].subject
    assert "We do not know this person." in mailoutbox[0].body


def test_a_repeat_membership_decision_does_nothing(run_on_commit, mailoutbox):
    admin, applicant = _pending_applicant()
    with run_on_commit():
        services.membership_decide(actor=admin, member=applicant, approve=True)
        services.membership_decide(actor=admin, member=applicant, approve=False, reason="Oops")

    applicant.refresh_from_db()
    assert applicant.membership_status == User.MembershipStatus.ACTIVE
    assert AuditEvent.objects.filter(action__startswith="membership.").count() == 1
    assert len(mailoutbox) == 1


# --- Officials ---------------------------------------------------------------------------


def _sign_up_official(email: str, organisation=None) -> User:
    """Someone who signed up for a new ministry account and has not confirmed their email."""
    user = User.objects.create_user(email=email, password="x" * 12, full_name="Amina Odhiambo")
    EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    services.organisation_create(
        name="Ministry of Investments, Trade and Industry",
        org_type=OrganisationType.objects.get(code="government_ministry"),
        country=Country.objects.get(code="KE"),
        sector=Sector.PUBLIC,
        creator=user,
    )
    user.refresh_from_db()
    return user


def _confirm_email(client, user: User) -> None:
    address = EmailAddress.objects.get(user=user)
    key = EmailConfirmationHMAC(address).key
    response = client.post(reverse("account_confirm_email", args=[key]))
    assert response.status_code == 302


def test_official_with_allow_listed_domain_is_verified_when_they_confirm_their_email(
    client, run_on_commit, mailoutbox
):
    VerifiedDomain.objects.create(domain="trade.go.ke", organisation_name="Ministry of Trade")
    user = _sign_up_official("amina@trade.go.ke")
    assert user.official_status == User.OfficialStatus.PENDING, "not verified before confirming"

    with run_on_commit():
        _confirm_email(client, user)

    user.refresh_from_db()
    assert EmailAddress.objects.get(user=user).verified
    assert user.official_status == User.OfficialStatus.VERIFIED
    assert user.official_verified_at is not None
    assert user.is_verified_official
    event = events("official.verify", user).get()
    assert event.actor is None
    assert event.data == {"domain": "trade.go.ke", "automatic": True}
    assert [message.to for message in mailoutbox] == [[user.email]]
    assert "Your official account is verified" in mailoutbox[0].subject


def test_official_without_allow_listed_domain_waits_in_the_verification_queue(
    client, run_on_commit
):
    moderator = ModeratorFactory()
    user = _sign_up_official("amina@gmail.example")

    assert user not in selectors.officials_awaiting_verification(viewer=moderator), (
        "unconfirmed email addresses are not shown to moderators"
    )
    with run_on_commit():
        _confirm_email(client, user)

    user.refresh_from_db()
    assert user.official_status == User.OfficialStatus.PENDING
    assert not user.is_verified_official
    assert list(selectors.officials_awaiting_verification(viewer=moderator)) == [user]
    assert not events("official.verify").exists()


def test_official_who_joins_an_official_body_is_verified_by_domain_on_approval(run_on_commit):
    VerifiedDomain.objects.create(domain="trade.go.ke", organisation_name="Ministry of Trade")
    ministry = OfficialBodyFactory()
    admin = MemberFactory(organisation=ministry, is_organisation_admin=True)
    applicant = UserFactory(
        email="joseph@trade.go.ke",
        organisation=ministry,
        membership_status=User.MembershipStatus.PENDING,
    )
    with run_on_commit():
        services.membership_decide(actor=admin, member=applicant, approve=True)
    applicant.refresh_from_db()
    assert applicant.official_status == User.OfficialStatus.VERIFIED


def _official_waiting(language: str = "en") -> User:
    return MemberFactory(
        email="director@ministry.example",
        organisation=OfficialBodyFactory(),
        official_status=User.OfficialStatus.PENDING,
        language=language,
    )


def test_moderator_verifying_an_official_records_who_and_why_and_tells_the_member(
    run_on_commit, mailoutbox
):
    moderator = ModeratorFactory()
    member = _official_waiting()

    with run_on_commit():
        services.member_verify_official(
            actor=moderator, member=member, approve=True, reason="Checked on the ministry site."
        )

    member.refresh_from_db()
    assert member.official_status == User.OfficialStatus.VERIFIED
    assert member.official_verified_at is not None
    event = events("official.verify", member).get()
    assert (event.actor, event.reason) == (moderator, "Checked on the ministry site.")
    assert [message.to for message in mailoutbox] == [[member.email]]
    assert "Your official account is verified" in mailoutbox[0].subject
    assert "Checked on the ministry site." in mailoutbox[0].body


def test_moderator_rejecting_an_official_records_the_reason_and_emails_it(
    run_on_commit, mailoutbox
):
    moderator = ModeratorFactory()
    member = _official_waiting()

    with run_on_commit():
        services.member_verify_official(
            actor=moderator, member=member, approve=False, reason="Personal email address."
        )

    member.refresh_from_db()
    assert member.official_status == User.OfficialStatus.REJECTED
    assert not member.is_verified_official
    event = events("official.reject", member).get()
    assert (event.actor, event.reason) == (moderator, "Personal email address.")
    assert "could not be verified" in mailoutbox[0].subject
    assert "Personal email address." in mailoutbox[0].body


def test_a_repeat_official_decision_does_nothing(run_on_commit, mailoutbox):
    moderator = ModeratorFactory()
    member = _official_waiting()
    with run_on_commit():
        services.member_verify_official(actor=moderator, member=member, approve=True, reason="")
        services.member_verify_official(actor=moderator, member=member, approve=True, reason="")
    assert events("official.verify", member).count() == 1
    assert len(mailoutbox) == 1


def test_official_decision_email_is_sent_to_a_french_speaking_member(run_on_commit, mailoutbox):
    member = _official_waiting(language="fr")
    with run_on_commit():
        services.member_verify_official(
            actor=ModeratorFactory(), member=member, approve=True, reason="Vérifié."
        )
    assert [message.to for message in mailoutbox] == [[member.email]]
    assert "Vérifié." in mailoutbox[0].body


def test_official_decision_email_is_written_in_french_needs_fr_catalogue(run_on_commit, mailoutbox):
    """Passes once portal/locale/fr is filled: the member reads French, not English."""
    member = _official_waiting(language="fr")
    with run_on_commit():
        services.member_verify_official(
            actor=ModeratorFactory(), member=member, approve=True, reason=""
        )
    message = mailoutbox[0]
    assert "Your official account is verified" not in message.subject
    assert "Hello" not in message.body
    assert "officiel" in (message.subject + message.body).lower()


# --- Verified domains --------------------------------------------------------------------


def test_verified_domain_add_normalises_the_domain_and_audits_once():
    moderator = ModeratorFactory()
    services.verified_domain_add(
        actor=moderator, domain=" @Trade.GO.ke ", organisation_name="Ministry of Trade, Kenya"
    )
    services.verified_domain_add(
        actor=moderator, domain="trade.go.ke", organisation_name="Ministry of Trade, Kenya"
    )
    assert list(VerifiedDomain.objects.values_list("domain", flat=True)) == ["trade.go.ke"]
    assert events("domain.add").get().actor == moderator


def test_verified_domain_remove_deletes_it_and_keeps_an_audit_record():
    moderator = ModeratorFactory()
    domain = services.verified_domain_add(
        actor=moderator, domain="customs.go.ke", organisation_name="Kenya Revenue Authority"
    )
    services.verified_domain_remove(actor=moderator, domain=domain, reason="Agency renamed.")
    assert not VerifiedDomain.objects.exists()
    event = events("domain.remove").get()
    assert event.reason == "Agency renamed."
    assert event.data == {"domain": "customs.go.ke"}


# --- Moderator decisions need two-factor authentication -----------------------------------

WITHOUT_TWO_FACTORS = {
    "moderator": lambda: ModeratorFactory(moderator=False),
    "superuser": lambda: UserFactory(is_staff=True, is_superuser=True),
    "moderator who administers another organisation": lambda: make_moderator(
        MemberFactory(is_organisation_admin=True), with_mfa=False
    ),
}


@pytest.mark.parametrize("who", list(WITHOUT_TWO_FACTORS))
def test_moderator_decisions_are_refused_without_two_factor_authentication(
    who, run_on_commit, mailoutbox
):
    """Each service refuses by itself: no decision, no audit record, no email."""
    actor = WITHOUT_TWO_FACTORS[who]()
    official = OfficialFactory(official_status=User.OfficialStatus.PENDING)
    _admin, applicant = _pending_applicant()
    domain = VerifiedDomain.objects.create(domain="trade.go.ke", organisation_name="MITI")
    decisions = [
        lambda: services.member_verify_official(
            actor=actor, member=official, approve=True, reason=""
        ),
        lambda: services.membership_decide(actor=actor, member=applicant, approve=True),
        lambda: services.verified_domain_add(
            actor=actor, domain="customs.go.ke", organisation_name="KRA"
        ),
        lambda: services.verified_domain_remove(actor=actor, domain=domain),
    ]
    for decide in decisions:
        with run_on_commit(), pytest.raises(PermissionDenied):
            decide()
    official.refresh_from_db()
    applicant.refresh_from_db()
    assert official.official_status == User.OfficialStatus.PENDING
    assert applicant.membership_status == User.MembershipStatus.PENDING
    assert list(VerifiedDomain.objects.values_list("domain", flat=True)) == ["trade.go.ke"]
    assert not AuditEvent.objects.exists()
    assert mailoutbox == []


# --- The audit trail ---------------------------------------------------------------------


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm():
    event = services.audit_record(actor=None, action="test.event", reason="original")
    event.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    event.refresh_from_db()
    assert event.reason == "original"


def test_database_refuses_to_update_or_delete_audit_events(needs_postgres):
    event = services.audit_record(actor=None, action="test.event", reason="original")
    for statement in (
        "UPDATE portal_auditevent SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM portal_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    event.refresh_from_db()
    assert event.reason == "original"


def test_audit_record_names_its_target():
    organisation = OrganisationFactory(name="Hanoi Software Studio")
    event = services.audit_record(
        actor=None, action="organisation.note", target=organisation, data={"k": 1}
    )
    assert event.target_type.model_class().__name__ == "Organisation"
    assert event.target_id == str(organisation.pk)
    assert event.target_label == "Hanoi Software Studio"
    assert event.data == {"k": 1}
