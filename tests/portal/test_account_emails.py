"""allauth's account emails read like the portal's own: the portal's name (never
example.com), the recipient's language, links on SITE_URL, a plain-text and an HTML part."""

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from portal.models import OutboxEmail
from tests.email_reading import foreign_words, html_problems, html_reading, links_in_text
from tests.factories import PASSWORD, MemberFactory
from tests.portal.test_signup import signup_data

pytestmark = pytest.mark.django_db

SITE_NAME = {
    "en": "Trade Dialogues Portal",
    "fr": "Portail des Dialogues commerciaux",
    "es": "Portal de Diálogos comerciales",
}
PREFIX = {"en": "", "fr": "/fr", "es": "/es"}
# The language the pages are used in while the email is caused, when it is not the reader's.
OTHER = {"en": "es", "fr": "en", "es": "fr"}
SIGNUP = reverse("account_signup")
RESET = reverse("account_reset_password")
CHANGE_PASSWORD = reverse("account_change_password")
NEW_PASSWORD = "a-new-long-password-2026"


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.activate("en")


def _latest(template: str, to: str) -> OutboxEmail:
    return OutboxEmail.objects.filter(template=template, recipient=to).latest("pk")


def send_account_emails(client, settings, language: str) -> dict[str, OutboxEmail]:
    """Each account email allauth sends here, to someone who reads `language`."""
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True  # allauth's security notices, if turned on
    sent = {}
    # Signing up on the pages in that language: the new account's language.
    client.post(f"{PREFIX[language]}{SIGNUP}", signup_data(email="new@k.ke"))
    sent["signup"] = _latest("account/email/email_confirmation_signup", "new@k.ke")
    # A password reset asked for on pages in another language: the account's language wins.
    member = MemberFactory(email="amina@k.ke", full_name="Amina Wanjiru", language=language)
    client.post(f"{PREFIX[OTHER[language]]}{RESET}", {"email": "amina@k.ke"})
    sent["password_reset_key"] = _latest("account/email/password_reset_key", "amina@k.ke")
    # Signing up again with a known address, on pages in another language.
    again = signup_data(email="amina@k.ke", organisation_name="Shamba Bora")
    client.post(f"{PREFIX[OTHER[language]]}{SIGNUP}", again)
    sent["account_already_exists"] = _latest("account/email/account_already_exists", "amina@k.ke")
    # A reset for an address nobody has: the language of the pages used.
    client.post(f"{PREFIX[language]}{RESET}", {"email": "nobody@k.ke"})
    sent["unknown_account"] = _latest("account/email/unknown_account", "nobody@k.ke")
    # A security notice: the password changed.
    client.force_login(member)
    client.post(
        f"{PREFIX[OTHER[language]]}{CHANGE_PASSWORD}",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    sent["password_changed"] = _latest("account/email/password_changed", "amina@k.ke")
    return sent


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_account_emails_are_written_in_the_readers_language_with_the_portals_name(
    client, settings, language
):
    problems = {}
    for kind, email in send_account_emails(client, settings, language).items():
        found = []
        reading = html_reading(email.body_html)
        foreign = foreign_words(f"{email.subject}\n{email.body_text}\n{reading.text}", language)
        if foreign:
            found.append(f"words of another language: {sorted(foreign)}")
        if not email.subject.startswith(f"[{SITE_NAME[language]}] "):
            found.append(f"subject: {email.subject!r}")
        if "example.com" in email.body_text + email.body_html:
            found.append("says example.com")
        found += html_problems(email.body_html, language=language, site_name=SITE_NAME[language])
        for link in links_in_text(email.body_text) + [href for href, _text in reading.links]:
            if not link.startswith(f"{settings.SITE_URL}{PREFIX[language]}/"):
                found.append(f"link not on SITE_URL in {language}: {link}")
        if found:
            problems[kind] = found
    assert problems == {}


def test_the_confirmation_email_names_the_portal_and_links_to_its_public_address(client, settings):
    settings.SITE_URL = "https://portal.trade.go.ke"
    call_command("migrate", verbosity=0, interactive=False)  # as a deployment does
    assert Site.objects.get_current().domain == "portal.trade.go.ke"

    client.post("/fr" + SIGNUP, signup_data(email="awa@k.sn"))

    email = _latest("account/email/email_confirmation_signup", "awa@k.sn")
    assert email.subject == "[Portail des Dialogues commerciaux] Confirmez votre adresse e-mail"
    (link,) = [link for link in links_in_text(email.body_text) if "confirm-email" in link]
    assert link.startswith("https://portal.trade.go.ke/fr/accounts/confirm-email/")
    assert "portal.trade.go.ke" in email.body_text
    assert "example.com" not in email.body_text
    # The link works: it opens the confirmation page of the same address.
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200
    reading = html_reading(email.body_html)
    assert reading.headings[0] == (1, "Portail des Dialogues commerciaux")
    assert link in [href for href, _text in reading.links]
