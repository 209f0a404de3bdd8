"""Signing up with an organisation, confirming the email, and the signup rate limit."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from portal.models import AuditEvent, Organisation, User
from tests.factories import PASSWORD, MemberFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = reverse("account_signup")
LOGIN = reverse("account_login")


def signup_data(**overrides) -> dict[str, str]:
    data = {
        "email": "wanjiru@roasters.example",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "full_name": "Wanjiru Kamau",
        "job_title": "Founder",
        "organisation_choice": "new",
        "organisation_name": "Nyeri Highlands Coffee",
        "organisation_type": "micro_enterprise",
        "organisation_country": "KE",
        "organisation_sector": "agri_food",
        "organisation_website": "https://nyeri-coffee.example",
    }
    data.update(overrides)
    return data


def confirmation_links(mailoutbox) -> list[str]:
    return [
        link
        for message in mailoutbox
        for link in re.findall(r"https?://\S+/accounts/confirm-email/\S+/", message.body)
    ]


def test_signup_with_a_new_organisation_creates_it_with_the_person_as_admin(
    client, run_on_commit, mailoutbox
):
    with run_on_commit():
        response = client.post(SIGNUP, signup_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="wanjiru@roasters.example")
    organisation = Organisation.objects.get(name="Nyeri Highlands Coffee")
    assert (user.full_name, user.job_title, user.language) == ("Wanjiru Kamau", "Founder", "en")
    assert user.organisation == organisation
    assert user.membership_status == User.MembershipStatus.ACTIVE
    assert user.is_organisation_admin
    assert organisation.org_type_id == "micro_enterprise"
    assert organisation.country_id == "KE"
    assert organisation.sector == "agri_food"
    assert organisation.website == "https://nyeri-coffee.example"
    assert AuditEvent.objects.filter(action="organisation.create", actor=user).exists()
    assert not EmailAddress.objects.get(user=user).verified


def test_signup_sends_a_confirmation_email_with_a_working_link(client, run_on_commit, mailoutbox):
    with run_on_commit():
        client.post(SIGNUP, signup_data())

    assert [message.to for message in mailoutbox] == [["wanjiru@roasters.example"]]
    (link,) = confirmation_links(mailoutbox)
    path = link.split("testserver", 1)[-1]
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="wanjiru@roasters.example").verified


def test_signup_in_french_remembers_the_language_for_emails(client):
    response = client.post("/fr" + SIGNUP, signup_data())
    assert response.status_code == 302
    assert User.objects.get(email="wanjiru@roasters.example").language == "fr"


def test_signup_asking_to_join_an_organisation_waits_for_its_admin(
    client, run_on_commit, mailoutbox
):
    organisation = OrganisationFactory(name="Arequipa Alpaca Studio")
    admin = MemberFactory(organisation=organisation, is_organisation_admin=True)
    data = signup_data(
        organisation_choice="join",
        existing_organisation=str(organisation.pk),
        organisation_name="",
        organisation_type="",
        organisation_country="",
        organisation_sector="",
        organisation_website="",
    )

    with run_on_commit():
        response = client.post(SIGNUP, data)

    assert response.status_code == 302
    user = User.objects.get(email="wanjiru@roasters.example")
    assert user.organisation == organisation
    assert user.membership_status == User.MembershipStatus.PENDING
    assert not user.is_organisation_admin
    assert Organisation.objects.count() == 1
    admin_emails = [message for message in mailoutbox if message.to == [admin.email]]
    assert len(admin_emails) == 1
    assert "Wanjiru Kamau asks to join Arequipa Alpaca Studio" in admin_emails[0].subject


def test_joining_without_choosing_an_organisation_is_refused(client):
    response = client.post(SIGNUP, signup_data(organisation_choice="join"))
    assert response.status_code == 200
    assert "Choose the organisation you want to join." in response.content.decode()
    assert not User.objects.exists()


def test_missing_organisation_details_show_an_error_summary_and_keep_what_was_typed(client):
    data = signup_data(organisation_type="", organisation_country="", organisation_sector="")

    response = client.post(SIGNUP, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    for message, field in [
        ("Choose the type of your organisation.", "id_organisation_type"),
        ("Choose the country of your organisation.", "id_organisation_country"),
        ("Choose the sector of your organisation.", "id_organisation_sector"),
    ]:
        assert f'<a href="#{field}">{message}</a>' in html, "summary links to the field"
    assert 'value="Wanjiru Kamau"' in html
    assert 'value="Nyeri Highlands Coffee"' in html
    assert 'value="wanjiru@roasters.example"' in html
    assert not User.objects.exists()
    assert not Organisation.objects.exists()


def test_missing_organisation_name_is_reported(client):
    response = client.post(SIGNUP, signup_data(organisation_name=""))
    assert response.status_code == 200
    assert "Enter the name of your organisation." in response.content.decode()
    assert not User.objects.exists()


def test_an_organisation_already_registered_in_the_same_country_is_refused(client):
    OrganisationFactory(name="Nyeri Highlands Coffee")  # in Kenya

    response = client.post(SIGNUP, signup_data(organisation_name="nyeri highlands coffee "))

    assert response.status_code == 200
    assert "This organisation is already registered. Ask to join it instead." in (
        response.content.decode()
    )
    assert not User.objects.exists()
    assert Organisation.objects.count() == 1


def test_the_same_organisation_name_in_another_country_is_accepted(client):
    OrganisationFactory(name="Nyeri Highlands Coffee")  # in Kenya
    response = client.post(SIGNUP, signup_data(organisation_country="UG"))
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Nyeri Highlands Coffee").count() == 2


def test_a_country_outside_the_wto_list_is_refused(client):
    response = client.post(SIGNUP, signup_data(organisation_country="ZZ"))
    assert response.status_code == 200
    assert not User.objects.exists()


def test_login_is_impossible_before_the_email_is_confirmed(client, run_on_commit, mailoutbox):
    with run_on_commit():
        client.post(SIGNUP, signup_data())
    client.logout()

    with run_on_commit():
        response = client.post(LOGIN, {"login": "wanjiru@roasters.example", "password": PASSWORD})

    # The confirmation email went out a moment ago: not another one yet (see test_ratelimits).
    assert response.status_code == 429
    assert "Confirm your email address before you sign in." in response.content.decode()
    assert len(mailoutbox) == 1
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_login_before_confirming_sends_the_confirmation_again(client, run_on_commit, mailoutbox):
    user = UserFactory(email="wanjiru@roasters.example")
    EmailAddress.objects.filter(user=user).update(verified=False)

    with run_on_commit():
        response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert [message.to for message in mailoutbox] == [["wanjiru@roasters.example"]]
    assert len(confirmation_links(mailoutbox)) == 1
    assert "_auth_user_id" not in client.session


def test_login_works_once_the_email_is_confirmed(client, run_on_commit, mailoutbox):
    with run_on_commit():
        client.post(SIGNUP, signup_data())
    client.post(confirmation_links(mailoutbox)[0].split("testserver", 1)[-1])
    client.logout()

    response = client.post(LOGIN, {"login": "wanjiru@roasters.example", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "Nyeri Highlands Coffee" in dashboard


def test_signup_attempts_from_one_address_are_rate_limited(client):
    # 150 an hour: a workshop of 50 with typos fits (test_ratelimits), a bot does not.
    for _attempt in range(150):
        response = client.post(SIGNUP, signup_data(email="not-an-email"))
        assert response.status_code == 200
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 429
    assert "Too many accounts have been created from your network" in response.content.decode()
    assert not User.objects.exists()
