"""Rate limits that stop attackers, not users: behind a proxy, locked out, at a workshop.

Each test plays one lockout scenario against the real cache (Redis in CI): what was tried,
what the person still can do, and what the limit takes away. Every refusal is the portal's
own page: HTTP 429, the site's layout and language, when to try again, the form kept.
"""

import re
import subprocess
import sys
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from redis import Redis

from portal import dates, ratelimits
from portal.models import User
from tests.conftest import require
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
SIGNUP = reverse("account_signup")
RESET = reverse("account_reset_password")
REQUEST_CODE = reverse("account_request_login_code")
CONFIRM_CODE = reverse("account_confirm_login_code")
DASHBOARD = reverse("portal:dashboard")
PROXY = "10.0.0.2"
# "You can try again at 14:05 UTC, in 5 minutes." in the three languages.
# The time alone, or with its date when it falls on the next day (within an hour of midnight).
WHEN = r"(?:[^<]*? )?\d\d:\d\d UTC"
RETRY = {
    "en": rf"You can try again at {WHEN}, in (\d+) (minutes?|seconds?)\.",
    "fr": rf"Vous pourrez réessayer à {WHEN}, dans (\d+) (minutes?|secondes?)\.",
    "es": rf"Podrá volver a intentarlo a las {WHEN}, dentro de (\d+) (minutos?|segundos?)\.",
}


def _log_in(client, email: str, password: str, **headers):
    return client.post(LOGIN, {"login": email, "password": password}, **headers)


def _signed_in(client) -> bool:
    return client.get(DASHBOARD).status_code == 200


def _code_from(message) -> str:
    (code,) = re.findall(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, flags=re.MULTILINE)
    return code


def _assert_refused_page(response, *, language: str = "en") -> str:
    """The portal's 429 page in `language`, saying when; returns the page's text."""
    html = response.content.decode()
    assert response.status_code == 429
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html, "the site's own layout"
    assert "429 Too Many Requests" not in html
    match = re.search(RETRY[language], html)
    assert match, f"no retry time in {language}:\n{html}"
    assert int(response["Retry-After"]) > 0
    return html


# --- When: the time and the wait, in words ------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0.2, "1 second"),
        (45, "45 seconds"),
        (60, "1 minute"),
        (61, "2 minutes"),  # rounded up: never too early
        (299.5, "5 minutes"),
        (3600, "60 minutes"),
        (7199, "2 hours"),
        (7201, "3 hours"),
    ],
)
def test_the_wait_is_said_in_words_rounded_up(seconds, words):
    assert ratelimits.wait_phrase(seconds) == words


def test_the_time_is_rounded_up_to_the_minute_and_dated_on_a_later_day():
    now = timezone.now().replace(hour=10, minute=4, second=0, microsecond=0)
    with translation.override("fr"):
        assert ratelimits.time_phrase(now + timedelta(seconds=30)) == "10:05"
        assert ratelimits.time_phrase(now) == "10:04"
        tomorrow = now + timedelta(days=1)
        # The portal's one French style: "2 décembre 2026 à 10:04" ("1er" on the first).
        expected = dates.long_date(tomorrow) + " à 10:04"
        assert ratelimits.time_phrase(tomorrow) == expected


# --- Who is asking: the client behind the proxy --------------------------------------------------


def test_trusted_proxy_count_comes_from_the_environment():
    script = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env={
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "1",
            "TRUSTED_PROXY_COUNT": "2",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert result.stdout.strip() == "2"


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.7", PROXY),  # no proxy trusted: a client cannot choose its address
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.66, 203.0.113.7", "203.0.113.7"),  # the client wrote the first entry
        (2, "198.51.100.66, 203.0.113.7, 10.0.0.1", "203.0.113.7"),
    ],
)
def test_the_client_address_is_read_behind_the_trusted_proxies(
    settings, proxies, forwarded_for, expected
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert ratelimits.client_address(request) == expected


def test_a_trusted_client_ip_header_names_the_client(settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.9")
    assert ratelimits.client_address(request) == "203.0.113.9"


def test_behind_a_proxy_a_guesser_is_refused_while_other_clients_sign_in(client, settings):
    """Tried: wrong passwords for many accounts from one client, all through the TLS proxy.
    Survived: another client behind the same proxy signs in. Lost: the guesser, for a while."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    guesser = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    someone = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.10"}
    member = UserFactory()
    for number in range(20):
        response = _log_in(client, f"victim{number}@example.org", "Guess-123456", **guesser)
        assert response.status_code == 200, number

    refused = _log_in(client, "victim99@example.org", "Guess-123456", **guesser)
    _assert_refused_page(refused)

    other = client.__class__()
    assert _log_in(other, member.email, PASSWORD, **someone).status_code == 302
    assert _signed_in(other)


# --- Locked out of an account: the code sent by email still opens it ----------------------------


def test_a_locked_account_refuses_even_the_right_password_and_says_when(client):
    """Tried: five wrong passwords for one account. Lost: its password, for five minutes.
    The page says until when, keeps the email address and offers a code."""
    member = UserFactory(email="amina@trade.go.ke")
    for _attempt in range(5):
        assert _log_in(client, member.email, "wrong password").status_code == 200

    response = _log_in(client, member.email, PASSWORD)

    html = _assert_refused_page(response)
    assert re.search(RETRY["en"], html).group(1, 2) == ("5", "minutes")
    assert "signing in with a password is paused" in html
    assert 'name="login" value="amina@trade.go.ke"' in html, "the email address is kept"
    assert PASSWORD not in html
    assert "except your password: type it again" in html
    assert f'action="{REQUEST_CODE}"' in html
    assert "Email a sign-in code to amina@trade.go.ke" in html
    assert not _signed_in(client)


def test_a_locked_out_member_signs_in_with_a_code_sent_to_their_email(
    client, run_on_commit, mailoutbox
):
    """Tried: someone else locks the account with wrong passwords from another network.
    Survived: its owner signs in with the code emailed to their confirmed address."""
    member = UserFactory(email="amina@trade.go.ke")
    attacker = client.__class__(REMOTE_ADDR="203.0.113.66")
    for _attempt in range(5):
        _log_in(attacker, member.email, "wrong password")
    assert _log_in(client, member.email, PASSWORD).status_code == 429

    with run_on_commit():  # the button on the refusal page
        response = client.post(REQUEST_CODE, {"email": member.email})
    assert response.status_code == 302
    assert response["Location"] == CONFIRM_CODE
    (message,) = mailoutbox
    assert message.to == ["amina@trade.go.ke"]

    response = client.post(CONFIRM_CODE, {"code": _code_from(message)})

    assert response.status_code == 302
    assert _signed_in(client)
    assert _log_in(attacker.__class__(), member.email, PASSWORD).status_code == 429, (
        "the password itself stays locked until its time"
    )


def test_a_wrong_code_does_not_sign_in(client, run_on_commit, mailoutbox):
    member = UserFactory()
    with run_on_commit():
        client.post(REQUEST_CODE, {"email": member.email})
    response = client.post(CONFIRM_CODE, {"code": "AAAA-AAAA"})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not _signed_in(client)


def test_a_sign_in_code_does_not_skip_a_moderators_second_factor(client, run_on_commit, mailoutbox):
    moderator = make_moderator(UserFactory())
    with run_on_commit():
        client.post(REQUEST_CODE, {"email": moderator.email})
    response = client.post(CONFIRM_CODE, {"code": _code_from(mailoutbox[-1])})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not _signed_in(client)


def test_wrong_two_factor_codes_pause_the_account_for_minutes(client):
    """Tried: a moderator's password, then wrong authenticator codes. Lost: code entry for
    five minutes (not the day that the account's daily rate would allow)."""
    moderator = make_moderator(UserFactory())
    url = reverse("mfa_authenticate")
    assert _log_in(client, moderator.email, PASSWORD)["Location"] == url
    for _attempt in range(5):
        assert client.post(url, {"code": "000000"}).status_code == 200

    response = client.post(url, {"code": "000000"})

    html = _assert_refused_page(response)
    assert re.search(RETRY["en"], html).group(1, 2) == ("5", "minutes")
    assert "There have been too many wrong codes for this account." in html
    assert not _signed_in(client)


def test_asking_for_codes_too_often_is_refused_with_the_address_kept(client, run_on_commit):
    """Tried: a code asked for again and again, each time in a new session (to flood someone's
    inbox). Lost: more codes for a minute. Survived: the codes already sent."""
    member = UserFactory(email="rosa@alpaca-andina.example")
    with run_on_commit():
        for _attempt in range(3):
            session = client.__class__()
            assert session.post(REQUEST_CODE, {"email": member.email}).status_code == 302

    response = client.post("/es" + REQUEST_CODE, {"email": member.email})

    html = _assert_refused_page(response, language="es")
    assert 'value="rosa@alpaca-andina.example"' in html
    assert "Se han pedido demasiados códigos" in html


@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_locked_account_page_speaks_the_readers_language(client, language):
    member = UserFactory()
    prefix = f"/{language}"
    for _attempt in range(5):
        client.post(prefix + LOGIN, {"login": member.email, "password": "wrong password"})
    response = client.post(prefix + LOGIN, {"login": member.email, "password": PASSWORD})
    html = _assert_refused_page(response, language=language)
    assert {"fr": "Envoyer un code de connexion à", "es": "Enviar un código de acceso a"}[
        language
    ] in html


# --- A workshop in one office ------------------------------------------------------------------


def test_fifty_people_sign_up_and_sign_in_from_one_office(client):
    """Tried: a workshop of 50 people on one office network, signing up then signing in
    (with a few typos on the way). Survived: all of them."""
    office = {"REMOTE_ADDR": "192.0.2.10"}
    organisation = OrganisationFactory()
    for number in range(50):
        person = client.__class__(**office)
        data = {
            "email": f"participant{number}@workshop.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "full_name": f"Participant {number}",
            "organisation_choice": "join",
            "existing_organisation": str(organisation.pk),
        }
        if number % 10 == 0:  # a typo first: the form comes back, and counts
            assert person.post(SIGNUP, {**data, "password2": "typo"}).status_code == 200
        assert person.post(SIGNUP, data).status_code == 302, number
    assert User.objects.filter(email__endswith="@workshop.example").count() == 50
    EmailAddress.objects.filter(email__endswith="@workshop.example").update(verified=True)

    for number in range(50):
        person = client.__class__(**office)
        email = f"participant{number}@workshop.example"
        if number % 5 == 0:
            assert _log_in(person, email, "typo in the password").status_code == 200
        assert _log_in(person, email, PASSWORD).status_code == 302, number
        assert _signed_in(person)


def test_a_password_guesser_in_the_office_is_still_slowed(client):
    """Tried: guessing passwords from one address. Lost: after 20 wrong passwords in a minute,
    sign-ins from that address wait; one account locks after 5 whatever the address."""
    for number in range(20):
        _log_in(client, f"someone{number}@example.org", "Guess-123456")
    _assert_refused_page(_log_in(client, "someone99@example.org", "Guess-123456"))

    target = UserFactory()
    for number in range(5):
        elsewhere = client.__class__(REMOTE_ADDR=f"198.51.100.{number + 1}")
        _log_in(elsewhere, target.email, "Guess-123456")
    fresh = client.__class__(REMOTE_ADDR="198.51.100.200")
    assert _log_in(fresh, target.email, PASSWORD).status_code == 429


# --- Signup, password reset, confirmation email: the form and the input are kept ----------------


def test_signup_over_the_limit_keeps_what_was_typed_in_french(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"}
    client.post("/fr" + SIGNUP, {"email": "first@example.org"})
    data = {
        "email": "awa@karite-teranga.example",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "full_name": "Awa Diop",
        "job_title": "Fondatrice",
        "organisation_choice": "new",
        "organisation_name": "Karité Teranga",
        "organisation_type": "micro_enterprise",
        "organisation_country": "SN",
        "organisation_sector": "cosmetics",
    }

    response = client.post("/fr" + SIGNUP, data)

    html = _assert_refused_page(response, language="fr")
    assert "Trop de comptes ont été créés depuis votre réseau" in html
    for kept in ('value="awa@karite-teranga.example"', 'value="Awa Diop"', 'value="Fondatrice"',
                 'value="Karité Teranga"', '<option value="SN" selected>'):  # fmt: skip
        assert kept in html, kept
    assert re.search(r'value="cosmetics"[^>]*selected', html), "the chosen sector is kept"
    assert PASSWORD not in html
    assert not User.objects.filter(email="awa@karite-teranga.example").exists()


def test_password_reset_over_the_limit_keeps_the_address_in_spanish(client, run_on_commit):
    member = UserFactory(email="rosa@alpaca-andina.example")
    with run_on_commit():
        for _attempt in range(5):
            assert client.post("/es" + RESET, {"email": member.email}).status_code == 302

    response = client.post("/es" + RESET, {"email": member.email})

    html = _assert_refused_page(response, language="es")
    assert 'value="rosa@alpaca-andina.example"' in html
    assert "Los correos ya enviados siguen funcionando" in html


def test_signing_in_before_confirming_says_the_link_was_just_sent(
    client, run_on_commit, mailoutbox
):
    """Tried: sign in right after signing up, before confirming. Lost: a second email so soon.
    Survived: the first link, which confirms the address and lets the person in."""
    UserFactory(email="kevin@kahawa-bora.example")  # a confirmed account is not affected
    with run_on_commit():
        client.post(
            SIGNUP,
            {
                "email": "wanjiru@roasters.example",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "full_name": "Wanjiru Kamau",
                "organisation_choice": "join",
                "existing_organisation": str(OrganisationFactory().pk),
            },
        )
    client.logout()

    with run_on_commit():
        response = _log_in(client, "wanjiru@roasters.example", PASSWORD)

    html = _assert_refused_page(response)
    assert "We sent a confirmation link to this address a moment ago" in html
    assert 'value="wanjiru@roasters.example"' in html
    assert len(mailoutbox) == 1, "no second email"
    (link,) = re.findall(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body)
    assert client.post(link.split("testserver", 1)[-1]).status_code == 302
    assert _signed_in(client)


def test_asking_again_too_soon_for_a_confirmation_on_the_email_page_says_when(
    client, run_on_commit, mailoutbox
):
    """Tried: add a second address, then ask at once for its confirmation email again.
    Lost: the second email, for three minutes. Survived: the first link."""
    client.force_login(UserFactory())
    url = reverse("account_email")
    with run_on_commit():
        added = client.post(url, {"action_add": "", "email": "second@example.org"})
    assert added.status_code == 302
    assert len(mailoutbox) == 1

    with run_on_commit():
        response = client.post(url, {"action_send": "", "email": "second@example.org"})

    html = _assert_refused_page(response)
    assert re.search(RETRY["en"], html).group(1, 2) == ("3", "minutes")
    assert "The confirmation links already sent still work." in html
    assert len(mailoutbox) == 1
    assert client.get(url).status_code == 200, "the page itself still opens"


def test_a_page_without_a_form_to_keep_answers_with_the_portal_page(client):
    member = UserFactory()
    client.force_login(member)
    url = reverse("account_change_password")
    for _attempt in range(5):
        client.post(url, {"oldpassword": "wrong", "password1": "x", "password2": "x"})
    response = client.post(url, {"oldpassword": "wrong", "password1": "x", "password2": "x"})
    html = _assert_refused_page(response)
    assert "<h1>Too many attempts</h1>" in html
    assert f'href="{url}"' in html


# --- The counters live in Redis, shared by every web process -------------------------------------


def test_the_counters_are_kept_in_redis(client, needs_redis):
    require(settings.CACHES["default"]["BACKEND"].endswith("RedisCache"), "cache is not Redis")
    _log_in(client, "nobody@example.org", "wrong password")
    redis = Redis.from_url(settings.REDIS_URL)
    keys = [key.decode() for key in redis.keys("*allauth:rl:allauth.account:login_failed:*")]
    assert len(keys) == 4, keys  # two rates per address, two per account
