"""Accounts in a real browser: signing up, confirming the email, roles, languages.

axe-core checks every page the tests visit.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from portal.models import Organisation, User, VerifiedDomain
from tests.e2e.helpers import assert_accessible, link_in_email, log_in
from tests.factories import PASSWORD, ModeratorFactory, OfficialFactory


def _sign_up(page, *, email: str, full_name: str, organisation: dict[str, str]) -> None:
    page.goto("/")
    assert_accessible(page, context="home page")
    page.get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    assert_accessible(page, context="signup form")

    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label(re.compile(r"^(Password \(again\)|Confirm (your )?password)", re.I)).fill(
        PASSWORD
    )
    page.get_by_label("Full name").fill(full_name)
    page.get_by_label("Job title").fill(organisation.get("job_title", ""))
    page.get_by_label("Register a new organisation").check()
    page.get_by_label("Organisation name").fill(organisation["name"])
    page.get_by_label("Type of organisation").select_option(label=organisation["type"])
    page.get_by_label("Country or customs territory").select_option(label=organisation["country"])
    page.get_by_label("Sector").select_option(label=organisation["sector"])
    page.get_by_label("Website").fill(organisation.get("website", ""))
    page.get_by_role("button", name=re.compile(r"^(Sign up|Create( an)? account)$", re.I)).click()

    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    assert_accessible(page, context="'check your email' page")


def _confirm_email(page, mailoutbox, email: str) -> None:
    link = link_in_email(mailoutbox, to=email, containing="/accounts/confirm-email/")
    page.goto(urlsplit(link).path)
    assert_accessible(page, context="email confirmation page")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state("load")
    assert_accessible(page, context="page after confirming")


def _log_out(page) -> None:
    page.get_by_role("button", name="Log out").first.click()
    page.wait_for_load_state("load")
    if "/accounts/logout/" in page.url:  # allauth may ask to confirm
        assert_accessible(page, context="log out page")
        page.get_by_role("button", name=re.compile("Sign out|Log out", re.I)).click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_visitor_signs_up_as_an_sme_confirms_logs_in_and_sees_their_organisation(page, mailoutbox):
    _sign_up(
        page,
        email="wanjiru@nyeri-coffee.example",
        full_name="Wanjiru Kamau",
        organisation={
            "name": "Nyeri Highlands Coffee",
            "type": "Micro enterprise",
            "country": "Kenya",
            "sector": "Agri-food",
            "website": "https://nyeri-coffee.example",
            "job_title": "Founder",
        },
    )
    assert (
        not User.objects.get(email="wanjiru@nyeri-coffee.example").emailaddress_set.get().verified
    )

    _confirm_email(page, mailoutbox, "wanjiru@nyeri-coffee.example")
    if page.get_by_role("button", name="Log out").count():
        _log_out(page)

    log_in(page, email="wanjiru@nyeri-coffee.example")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    assert_accessible(page, context="dashboard")
    expect(page.get_by_role("heading", name="Your organisation")).to_be_visible()
    expect(page.get_by_text("You are a member.")).to_be_visible()

    page.get_by_role("link", name="Nyeri Highlands Coffee").click()
    organisation = Organisation.objects.get(name="Nyeri Highlands Coffee")
    expect(page).to_have_url(re.compile(re.escape(organisation.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nyeri Highlands Coffee")
    expect(page.get_by_text("Micro enterprise")).to_be_visible()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    expect(page.get_by_text("Wanjiru Kamau")).to_be_visible()
    assert_accessible(page, context="organisation page")


def test_official_with_an_allow_listed_domain_gets_the_official_badge(page, mailoutbox):
    VerifiedDomain.objects.create(domain="trade.go.ke", organisation_name="Ministry of Trade")

    _sign_up(
        page,
        email="amina@trade.go.ke",
        full_name="Amina Odhiambo",
        organisation={
            "name": "State Department for Trade",
            "type": "Government ministry or agency",
            "country": "Kenya",
            "sector": "Public administration",
            "job_title": "Director of Trade Policy",
        },
    )
    _confirm_email(page, mailoutbox, "amina@trade.go.ke")
    if not page.get_by_role("button", name="Log out").count():
        log_in(page, email="amina@trade.go.ke")

    page.goto("/dashboard/")
    assert_accessible(page, context="official's dashboard")
    expect(page.locator(".badge--official")).to_have_text("Official")
    expect(page.get_by_text("Your account is verified as an official account.")).to_be_visible()
    assert User.objects.get(email="amina@trade.go.ke").is_verified_official


def test_moderator_without_two_factor_authentication_is_sent_to_set_it_up(page):
    moderator = ModeratorFactory(email="moderator@example.org", moderator=False)

    log_in(page, email=moderator.email)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.goto("/moderation/")

    expect(
        page.get_by_text("Set up two-factor authentication before you use the moderation pages.")
    ).to_be_visible()
    if "/accounts/reauthenticate/" in page.url:
        # allauth asks for the password again before it changes sign-in settings.
        assert "next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F" in page.url
        assert_accessible(page, context="confirm your password before setting up 2FA")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_label("Authenticator code")).to_be_visible()
    assert_accessible(page, context="two-factor set-up page")


def test_visitor_reads_the_home_page_in_french_and_spanish_with_the_language_switcher(page):
    page.goto("/")
    assert_accessible(page, context="home page in English")

    page.get_by_role("link", name="Français").click()
    expect(page).to_have_url(re.compile(r"/fr/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Français")).to_have_attribute("aria-current", "true")
    assert_accessible(page, context="home page in French")

    page.get_by_role("link", name="Español").click()
    expect(page).to_have_url(re.compile(r"/es/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_accessible(page, context="home page in Spanish")

    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_moderator_with_two_factor_authentication_logs_in_and_allow_lists_a_domain(page):
    moderator = ModeratorFactory(email="moderator@example.org")

    log_in(page, email=moderator.email, user=moderator)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("link", name="Moderation")).to_be_visible()
    page.goto("/moderation/domains/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verified email domains")
    assert_accessible(page, context="verified domains")

    page.get_by_label("Email domain").fill("trade.go.ke")
    page.get_by_label("Whose domain is it?").fill("Ministry of Trade, Kenya")
    page.get_by_role("button", name="Add domain").click()

    expect(page.get_by_role("cell", name="trade.go.ke", exact=True)).to_be_visible()
    assert_accessible(page, context="verified domains after adding one")
    assert VerifiedDomain.objects.get().added_by == moderator


def test_a_locked_out_official_signs_in_with_a_code_from_their_email(page, mailoutbox):
    """Someone guesses an official's password five times; the official, with the right password,
    gets the portal's 429 page (in French), then signs in with the code sent to their email."""
    official = OfficialFactory(email="c.martin@dtfc.int.example")
    page.goto("/fr/accounts/login/")
    for _attempt in range(5):
        page.get_by_label("Adresse électronique", exact=True).fill(official.email)
        page.get_by_label("Mot de passe", exact=True).fill("wrong password")
        page.get_by_role("button", name="Connexion").click()
        page.wait_for_load_state("load")

    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()

    expect(
        page.get_by_role("heading", name="Veuillez patienter avant de réessayer")
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"Vous pourrez réessayer à \d\d:\d\d UTC"))).to_be_visible()
    expect(page.get_by_label("Adresse électronique", exact=True)).to_have_value(official.email)
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_value("")
    assert_accessible(page, context="sign-in paused page")

    page.get_by_role("button", name=f"Envoyer un code de connexion à {official.email}").click()
    expect(page).to_have_url(re.compile(r"/fr/accounts/login/code/confirm/$"))
    assert_accessible(page, context="enter the sign-in code")
    (message,) = [message for message in mailoutbox if message.to == [official.email]]
    (code,) = re.findall(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, flags=re.MULTILINE)
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Confirmer").click()

    expect(page).to_have_url(re.compile(r"/fr/dashboard/$"))
    assert_accessible(page, context="dashboard after signing in by code")


def test_the_accessibility_check_catches_a_real_violation(page):
    """Guards the guard: a page with an unlabelled field and an image without alt text fails."""
    page.goto("/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<img src="/static/favicon.svg"><input type="text">\')'
    )
    with pytest.raises(AssertionError, match="image-alt") as failure:
        assert_accessible(page, context="broken page")
    assert "broken page" in str(failure.value)
