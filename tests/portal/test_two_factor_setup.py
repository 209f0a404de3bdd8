"""Setting up two-factor authentication: the QR code's text alternative, and no second
password prompt straight after signing in."""

import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, ModeratorFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, person) -> None:
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]


def test_a_new_moderator_sets_up_two_factor_without_typing_the_password_again(client):
    moderator = ModeratorFactory(moderator=False)
    _sign_in(client, moderator)

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 200
    assert "Authenticator code" in response.content.decode()


def test_the_password_is_asked_again_once_the_sign_in_is_no_longer_fresh(client, settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    moderator = ModeratorFactory(moderator=False)
    _sign_in(client, moderator)

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_the_qr_code_says_what_it_is_for_and_never_reads_out_the_secret(client):
    moderator = ModeratorFactory(moderator=False)
    _sign_in(client, moderator)
    html = client.get(reverse("mfa_activate_totp")).content.decode()

    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', html)
    if secret is None:
        secret = re.search(r'value="([A-Z2-7]{16,})"', html)
    assert secret, "the secret is shown as text to type in"
    images = re.findall(r"<img[^>]*>", html)
    qr_code = next(image for image in images if "data:image/svg" in image)
    alt = re.search(r'alt="([^"]*)"', qr_code).group(1)
    assert "QR code to scan with your authenticator app" in alt
    assert secret.group(1) not in alt


def test_the_qr_code_text_is_translated(client):
    moderator = ModeratorFactory(moderator=False)
    _sign_in(client, moderator)
    html = client.get("/fr" + reverse("mfa_activate_totp")).content.decode()

    assert "Code QR à scanner avec votre application d’authentification" in html
