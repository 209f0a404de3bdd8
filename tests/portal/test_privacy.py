"""A person's own data, portal's part: account deletion and its rules, handing over the
administrator role, the export's account sections, the privacy notice."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from portal import selectors, services
from portal.emails import email_member
from portal.models import AuditEvent, Organisation, OutboxEmail, User
from portal.outbox import email_queue
from tests.factories import (
    PASSWORD,
    MemberFactory,
    ModeratorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """A request to /fr/ or /es/ leaves its language active in the test thread."""
    translation.activate("en")
    yield
    translation.activate("en")


def _admin(**fields) -> User:
    return MemberFactory(is_organisation_admin=True, **fields)


def _reauthenticated(client, person: User):
    """Signed in, and the password just entered again (allauth's reauthentication)."""
    client.force_login(person)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _export(client) -> dict:
    response = client.get(reverse("portal:personal_data_download"))
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


# --- Deleting an account: what goes -----------------------------------------------------------


def test_deleting_an_account_erases_name_email_job_title_password_and_two_factor(
    run_on_commit,
):
    person = ModeratorFactory(
        full_name="Wanjiru Kamau", email="wanjiru@kahawa.example", job_title="Founder"
    )
    with run_on_commit():
        services.account_delete(actor=person, person=person)

    person.refresh_from_db()
    assert person.deleted_at is not None
    assert (person.full_name, person.job_title) == ("", "")
    assert "wanjiru" not in person.email
    assert person.email.endswith(".invalid")
    assert not person.has_usable_password()
    assert not person.is_active
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not EmailAddress.objects.filter(email="wanjiru@kahawa.example").exists()
    assert not Authenticator.objects.filter(user=person).exists()
    assert not person.groups.exists()
    assert person.display_name == "Former member"
    assert str(person) == "Former member"


def test_a_deleted_person_cannot_log_in_and_the_address_is_free_to_sign_up_again(client):
    person = MemberFactory(email="rosa@alpaca.example")
    services.account_delete(actor=person, person=person)

    assert not client.login(email="rosa@alpaca.example", password=PASSWORD)
    assert UserFactory(email="rosa@alpaca.example").pk != person.pk


def test_deleting_an_account_leaves_the_organisation_and_its_other_members(run_on_commit):
    person = MemberFactory()
    colleague = MemberFactory(organisation=person.organisation)
    with run_on_commit():
        services.account_delete(actor=person, person=person)

    person.refresh_from_db()
    assert person.organisation is None
    assert person.membership_status == User.MembershipStatus.NONE
    assert Organisation.objects.filter(pk=colleague.organisation_id).exists()
    organisation = colleague.organisation
    assert list(
        selectors.organisation_members_for(viewer=colleague, organisation=organisation)
    ) == [colleague]


def test_deletion_is_recorded_in_the_audit_log_without_the_persons_name(run_on_commit):
    person = MemberFactory(full_name="Awa Ndiaye", email="awa@karite.example")
    with run_on_commit():
        services.account_delete(actor=person, person=person)

    event = AuditEvent.objects.get(action="account.delete")
    assert event.actor_id == person.pk
    assert event.target_id == str(person.pk)
    assert event.data["erased"]["email_addresses"] == 1
    recorded = json.dumps([event.target_label, event.reason, event.data])
    assert "Awa" not in recorded
    assert "awa@karite.example" not in recorded


def test_deleting_twice_does_nothing_the_second_time():
    person = MemberFactory()
    services.account_delete(actor=person, person=person)
    services.account_delete(actor=person, person=person)

    assert AuditEvent.objects.filter(action="account.delete").count() == 1


def test_nobody_deletes_another_persons_account():
    person = MemberFactory()
    moderator = ModeratorFactory()

    with pytest.raises(PermissionDenied):
        services.account_delete(actor=moderator, person=person)

    person.refresh_from_db()
    assert person.deleted_at is None


def test_deletion_ends_the_persons_sessions_on_other_devices(client, run_on_commit):
    from django.test import Client

    person = MemberFactory(email="kevin@kahawa.example")
    other_person = MemberFactory(email="amina@trade.example")
    phone = Client()
    assert phone.login(email="kevin@kahawa.example", password=PASSWORD)
    assert client.login(email="amina@trade.example", password=PASSWORD)
    assert Session.objects.count() == 2

    with run_on_commit():
        services.account_delete(actor=person, person=person)

    assert Session.objects.count() == 1  # the other person's session stays
    assert phone.get(reverse("portal:dashboard")).status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 200
    assert other_person.is_active


def test_the_daily_clean_up_removes_expired_sessions_and_keeps_live_ones(client):
    from datetime import timedelta

    from django.utils import timezone

    from portal.tasks import sessions_clear_expired

    assert client.login(email=MemberFactory().email, password=PASSWORD)
    live = client.session.session_key
    Session.objects.create(
        session_key="expired-session-of-last-month",
        session_data="",
        expire_date=timezone.now() - timedelta(days=1),
    )

    sessions_clear_expired.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live]


def test_a_deleted_person_is_sent_no_more_email(mailoutbox, run_on_commit):
    person = MemberFactory()
    services.account_delete(actor=person, person=person)
    person.refresh_from_db()

    with run_on_commit():
        email_member(user=person, template="official_decided", context={"approved": True})

    assert mailoutbox == []


# --- Deleting an account: when it is refused ----------------------------------------------------


def test_the_last_administrator_of_an_organisation_with_other_members_is_refused():
    admin = _admin(full_name="Wanjiru Kamau")
    MemberFactory(organisation=admin.organisation)

    with pytest.raises(services.AccountDeletionRefused) as refused:
        services.account_delete(actor=admin, person=admin)

    (blocker,) = refused.value.blockers
    assert blocker.code == "last_organisation_admin"
    assert admin.organisation.name in blocker.message
    assert blocker.action_url.startswith(admin.organisation.get_absolute_url())
    admin.refresh_from_db()
    assert admin.deleted_at is None
    assert admin.full_name == "Wanjiru Kamau"
    assert not AuditEvent.objects.filter(action="account.delete").exists()


def test_an_administrator_may_leave_once_another_member_administers_the_organisation():
    admin = _admin()
    colleague = MemberFactory(organisation=admin.organisation)
    services.organisation_admin_grant(actor=admin, member=colleague)

    services.account_delete(actor=admin, person=admin)

    admin.refresh_from_db()
    assert admin.deleted_at is not None


def test_the_sole_member_of_an_organisation_may_delete_their_account():
    """No one could take over; people who ask to join then go to the moderators."""
    admin = _admin()

    services.account_delete(actor=admin, person=admin)

    assert Organisation.objects.filter(pk=admin.organisation_id).exists()


def test_a_site_administrator_is_refused_until_their_rights_are_removed():
    superuser = User.objects.create_superuser(email="root@example.org", password=PASSWORD)

    with pytest.raises(services.AccountDeletionRefused) as refused:
        services.account_delete(actor=superuser, person=superuser)

    assert [blocker.code for blocker in refused.value.blockers] == ["site_administrator"]


def test_pending_members_do_not_count_as_someone_to_hand_over_to():
    admin = _admin()
    UserFactory(organisation=admin.organisation, membership_status=User.MembershipStatus.PENDING)

    assert selectors.account_deletion_blockers_for(viewer=admin) == []


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


# --- The deletion page -----------------------------------------------------------------------


def test_deletion_page_asks_for_the_password_before_deleting(client):
    person = MemberFactory()
    client.force_login(person)

    assert client.get(reverse("portal:account_delete")).status_code == 200
    response = client.post(reverse("portal:account_delete"), {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    person.refresh_from_db()
    assert person.deleted_at is None


def test_deletion_page_without_the_tick_explains_and_keeps_the_account(client):
    person = MemberFactory()
    _reauthenticated(client, person)

    response = client.post(reverse("portal:account_delete"), {})

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Tick the box to confirm that you want to delete your account." in html
    person.refresh_from_db()
    assert person.deleted_at is None


def test_deletion_page_deletes_logs_out_and_says_so(client):
    person = MemberFactory()
    _reauthenticated(client, person)

    response = client.post(reverse("portal:account_delete"), {"confirm": "on"}, follow=True)

    assert "Your account has been deleted." in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert "_auth_user_id" not in client.session
    person.refresh_from_db()
    assert person.deleted_at is not None


def test_deletion_page_explains_what_the_last_administrator_must_do_first(client):
    admin = _admin()
    MemberFactory(organisation=admin.organisation)
    client.force_login(admin)

    html = client.get(reverse("portal:account_delete")).content.decode()

    assert "You are the only administrator of" in html
    assert f'href="{admin.organisation.get_absolute_url()}#members-heading"' in html
    assert "Delete my account" not in html


def test_deletion_page_is_translated(client):
    client.force_login(MemberFactory())
    url = reverse("portal:account_delete")
    french = client.get("/fr" + url).content.decode()
    spanish = client.get("/es" + url).content.decode()
    assert "Supprimer votre compte" in french
    assert "Eliminar su cuenta" in spanish


# --- Export: portal's sections -----------------------------------------------------------------


def test_export_needs_a_signed_in_person(client):
    response = client.get(reverse("portal:personal_data_download"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_export_is_a_json_file_download_that_is_never_cached(client):
    client.force_login(MemberFactory())
    response = client.get(reverse("portal:personal_data_download"))

    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]


def test_export_documents_every_section_it_holds(client):
    client.force_login(MemberFactory())
    data = _export(client)

    assert data["schema"] == "personal-data"
    sections = set(data["sections"])
    assert {"account", "email_addresses", "audit_events", "posts", "reports"} <= sections
    assert sections <= set(data)
    assert all(data["sections"].values())


def test_export_holds_the_account_membership_and_email_addresses(client):
    person = MemberFactory(full_name="Rosa Quispe", job_title="Owner", is_organisation_admin=True)
    client.force_login(person)
    data = _export(client)

    assert data["account"]["full_name"] == "Rosa Quispe"
    assert data["account"]["job_title"] == "Owner"
    assert data["organisation_membership"]["organisation"] == person.organisation.name
    assert data["organisation_membership"]["is_administrator"] is True
    assert data["email_addresses"] == [{"email": person.email, "verified": True, "primary": True}]


def test_export_from_a_french_page_explains_in_french_with_addresses_that_work_for_all(
    client, settings
):
    settings.SITE_URL = "https://portal.example.org"
    person = MemberFactory()
    client.force_login(person)
    url = reverse("portal:personal_data_download")

    response = client.get("/fr" + url)
    data = json.loads(b"".join(response.streaming_content))

    assert data["sections"]["email_addresses"].startswith("Vos adresses électroniques")
    assert data["organisation_membership"]["organisation_url"] == (
        f"https://portal.example.org/organisations/{person.organisation.slug}/"
    )


def test_export_lists_two_factor_methods_without_their_secrets(client):
    moderator = ModeratorFactory()
    client.force_login(moderator)
    data = _export(client)

    assert [method["type"] for method in data["two_factor_authentication"]] == ["totp"]
    secret = Authenticator.objects.get(user=moderator).data["secret"]
    assert secret not in json.dumps(data)


def test_export_holds_audit_events_by_and_about_the_person_but_no_one_elses_name(client):
    moderator = ModeratorFactory()
    applicant = MemberFactory(full_name="Pedro Silva Other")
    services.member_verify_official(
        actor=moderator, member=applicant, approve=False, reason="Not a ministry address."
    )
    someone_else = MemberFactory()
    services.member_verify_official(
        actor=ModeratorFactory(), member=someone_else, approve=False, reason="Unrelated."
    )
    client.force_login(moderator)
    data = _export(client)

    (event,) = data["audit_events"]
    assert event["action"] == "official.reject"
    assert event["by_you"] is True
    assert event["reason"] == "Not a ministry address."
    assert event["target"] is None
    assert "Pedro" not in json.dumps(data)
    assert "Unrelated." not in json.dumps(data)


def test_export_tells_the_person_about_decisions_on_their_account(client):
    applicant = MemberFactory()
    services.member_verify_official(
        actor=ModeratorFactory(full_name="Maria Moderator"),
        member=applicant,
        approve=False,
        reason="Use your ministry address.",
    )
    client.force_login(applicant)
    data = _export(client)

    (event,) = data["audit_events"]
    assert (event["about_you"], event["by_you"]) == (True, False)
    assert event["reason"] == "Use your ministry address."
    assert "Maria" not in json.dumps(data)


# --- The privacy notice --------------------------------------------------------------------------


def test_privacy_notice_names_the_controller_and_contact_from_settings(client, settings):
    settings.PRIVACY_CONTROLLER = "Secretariat of the Example Trade Forum"
    settings.PRIVACY_CONTACT_EMAIL = "dpo@trade-forum.example"

    url = reverse("portal:privacy")
    for prefix in ("", "/fr", "/es"):
        html = client.get(prefix + url).content.decode()
        assert "Secretariat of the Example Trade Forum" in html
        assert 'href="mailto:dpo@trade-forum.example"' in html


def test_privacy_notice_states_legal_bases_retention_and_rights(client, settings):
    settings.PRIVACY_LOG_RETENTION_DAYS = 45
    settings.PRIVACY_EMAIL_RETENTION_DAYS = 60
    html = client.get(reverse("portal:privacy")).content.decode()

    for heading in ("Why we use it, and on what legal basis", "How long we keep it", "Your rights"):
        assert heading in html
    for kind in ("Barrier reports and drafts", "Posts and threads", "Evidence files", "Audit log"):
        assert kind in html
    assert "45 days." in html
    assert "60 days after we write them" in html
    assert "never more than 14 days after you log in" in html
    for right in ("Access and portability", "Rectification", "Erasure", "Objection", "Complaint"):
        assert right in html
    assert f'href="{reverse("portal:personal_data")}"' in html
    assert f'href="{reverse("portal:account_delete")}"' in html


def test_privacy_notice_names_the_supervisory_authority_when_set(client, settings):
    settings.PRIVACY_SUPERVISORY_AUTHORITY = "the Office of the Data Protection Commissioner"
    settings.PRIVACY_SUPERVISORY_AUTHORITY_URL = "https://www.odpc.example/"

    html = client.get("/fr" + reverse("portal:privacy")).content.decode()

    assert "the Office of the Data Protection Commissioner" in html
    assert 'href="https://www.odpc.example/"' in html
    assert "autorité de protection des données" in html


def test_privacy_notice_is_translated(client):
    url = reverse("portal:privacy")
    french = client.get("/fr" + url).content.decode()
    spanish = client.get("/es" + url).content.decode()
    assert "Combien de temps nous les conservons" in french
    assert "Cuánto tiempo los conservamos" in spanish


# --- Emails in the outbox -------------------------------------------------------------------


def test_export_holds_the_emails_written_to_the_person_and_no_one_elses(
    client, run_on_commit, mailoutbox
):
    person = MemberFactory()
    EmailAddress.objects.create(user=person, email="second@example.org", verified=True)
    someone_else = MemberFactory()
    email_queue(to=person.email, subject="Your report was published", body_text="It is online.")
    email_queue(to="second@example.org", subject="To the second address", body_text="Hi")
    email_queue(to=someone_else.email, subject="Not yours", body_text="Private")

    client.force_login(person)
    emails = _export(client)["emails"]

    assert {email["subject"] for email in emails} == {
        "Your report was published",
        "To the second address",
    }
    published = next(email for email in emails if email["subject"] == "Your report was published")
    assert published["text"] == "It is online."
    assert published["written_at"]


def test_deleting_an_account_erases_the_emails_written_to_it(run_on_commit, mailoutbox):
    person = MemberFactory()
    someone_else = MemberFactory()
    email_queue(to=person.email, subject="Yours", body_text="Hello")
    email_queue(to=someone_else.email, subject="Theirs", body_text="Hello")

    services.account_delete(actor=person, person=person)

    assert list(OutboxEmail.objects.values_list("subject", flat=True)) == ["Theirs"]


def test_privacy_notice_says_how_long_emails_are_kept(client, settings):
    settings.PRIVACY_EMAIL_RETENTION_DAYS = 45
    page = client.get(reverse("portal:privacy")).content.decode()

    assert "45 days after we write them, then they are erased" in page
    assert "Only until they are sent" not in page
