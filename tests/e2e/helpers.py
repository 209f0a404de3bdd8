"""Helpers for browser tests: accessibility checks, logging in, links from emails.

Every browser test calls `assert_accessible(page)` on each page it visits:

    from tests.e2e.helpers import assert_accessible, log_in

    page.goto("/reports/")
    assert_accessible(page, context="report list")
"""

import re
import time
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import PASSWORD

_axe = Axe()
_LINK = re.compile(r"https?://[^\s<>\"']+")
_LOG_IN_BUTTON = re.compile(r"^(Sign in|Log in)$", re.IGNORECASE)


def assert_accessible(page: Any, *, context: str = "") -> None:
    """Run axe-core on the page as it is now and fail with a readable report on any violation.

    `context` names the page or state in the failure message ("signup form with errors").
    """
    page.wait_for_load_state("load")
    results = _axe.run(page)
    if results.violations_count:
        where = f"{context} ({page.url})" if context else page.url
        raise AssertionError(
            f"axe-core found accessibility violations on {where}:\n" + results.generate_report()
        )


def links_in(message: Any) -> list[str]:
    """Every absolute link in an email's plain-text body."""
    return [link.rstrip(".,)") for link in _LINK.findall(message.body)]


def link_in_email(outbox: list[Any], *, to: str, containing: str) -> str:
    """The link containing `containing` in the latest email sent to `to`."""
    for message in reversed(outbox):
        if to in message.to:
            for link in links_in(message):
                if containing in link:
                    return link
    sent = [(message.to, message.subject) for message in outbox]
    raise AssertionError(f"no email to {to} with a link containing {containing!r}; sent: {sent}")


def totp_code(user: Any) -> str:
    """The current six-digit code of a person's authenticator app (set up by make_moderator)."""
    from allauth.mfa import app_settings

    period = app_settings.TOTP_PERIOD
    if period - time.time() % period < 3:
        # Wait for a fresh code rather than send one that expires on the way.
        time.sleep(period - time.time() % period + 0.1)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def log_in(page: Any, *, email: str, password: str = PASSWORD, user: Any = None) -> None:
    """Log in through the login form like a person; give `user` to answer the TOTP step.

    Fails if the login form is still showing afterwards (wrong password, unconfirmed email).
    """
    page.goto("/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name=_LOG_IN_BUTTON).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    if "/accounts/2fa/authenticate/" in page.url:
        assert user is not None, f"{email} has two-factor authentication: pass user= to log_in"
        page.get_by_label(re.compile("code", re.IGNORECASE)).first.fill(totp_code(user))
        page.get_by_role("button", name=_LOG_IN_BUTTON).click()
        expect(page).not_to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
