"""The HTML part of every email, opened in Chromium and read by axe-core as a mail client
that shows HTML would show it: no accessibility violation in any language."""

import pytest

from tests.dialogues.every_email import send_every_email
from tests.e2e.helpers import assert_accessible
from tests.portal.test_account_emails import send_account_emails


@pytest.fixture(autouse=True)
def _virus_scanner(settings, clamd) -> None:
    """The quarantine email is caused by a real clamd finding the EICAR test file."""
    settings.CLAMD_SOCKET = clamd.socket


@pytest.fixture
def mail_view(browser):
    """A bare page, as a mail client's reading pane: no site around the email."""
    context = browser.new_context(viewport={"width": 360, "height": 800})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_html_email_passes_axe(db, client, settings, tmp_path, mail_view, language):
    settings.MEDIA_ROOT = tmp_path / "media"
    emails = {**send_every_email(language), **send_account_emails(client, settings, language)}
    assert len(emails) == 19  # 14 of the portal, 5 of allauth
    for template, email in emails.items():
        mail_view.set_content(email.body_html)
        assert_accessible(mail_view, context=f"{template} email ({language})")
        # Nothing wider than a small phone: no sideways scrolling at 360 px.
        width = mail_view.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{template} is {width} px wide"
