"""The deployment checks of the portal's own: which senders and site addresses they refuse."""

import pytest

from portal import checks


@pytest.mark.parametrize(
    "domain",
    [
        "localhost",
        "mail.localhost",
        "example.com",
        "portal.example.org",
        "example.net",
        "portal.test",
        "tradedialogues.example",
        "host.invalid",
        "printer.local",
        "127.0.0.1",
        "[::1]",
        "mailhost",
        "",
    ],
)
def test_placeholder_domains_are_recognised(domain):
    assert checks.is_placeholder_domain(domain)


@pytest.mark.parametrize(
    "domain", ["wto.org", "trade.go.ke", "economia.gob.pe", "notexample.com", "example.co.uk"]
)
def test_real_domains_pass(domain):
    assert not checks.is_placeholder_domain(domain)


def test_the_sender_check_names_the_setting_and_its_value(settings):
    settings.DEFAULT_FROM_EMAIL = "Portal <noreply@localhost>"
    (warning,) = checks.check_default_from_email()
    assert warning.id == "portal.W001"
    assert "noreply@localhost" in warning.msg
    settings.DEFAULT_FROM_EMAIL = "Trade Dialogues Portal <noreply@trade.go.ke>"
    assert checks.check_default_from_email() == []


@pytest.mark.parametrize(
    ("site_url", "https", "warns"),
    [
        ("http://127.0.0.1:8000", False, True),
        ("http://localhost:8000", False, True),
        ("http://portal.trade.go.ke", True, True),
        ("http://portal.trade.go.ke", False, False),
        ("https://portal.trade.go.ke", True, False),
    ],
)
def test_the_site_url_check(settings, site_url, https, warns):
    settings.SITE_URL = site_url
    settings.HTTPS = https
    assert [message.id for message in checks.check_site_url()] == (["portal.W002"] if warns else [])
