"""Following in a real browser: a member saves a report search as an alert, receives the
email listing a new report, and stops it with the link in the email; the header counts unread
notifications, and the notifications page marks them read. The welcome page after confirming
an email offers to file a report. axe-core checks every page visited."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dialogues import services as dialogue_services
from dialogues.models import Theme
from portal.models import Country
from submissions import tasks
from submissions.models import ReportAlert
from tests.e2e.helpers import assert_accessible, link_in_email, log_in
from tests.factories import MemberFactory, ModeratorFactory
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _themes(transactional_db):
    """The live server's database is flushed between tests; the themes come back here."""
    from django.apps import apps

    from dialogues.themes import create_themes

    create_themes(apps)


def test_a_member_saves_a_search_as_an_alert_receives_it_and_stops_it(page, mailoutbox):
    member = MemberFactory(email="wanjiru@kahawa.example", language="en")
    log_in(page, email=member.email)

    page.goto("/reports/?market=KE")
    assert_accessible(page, context="report list with a search")
    feed = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    expect(feed).to_have_attribute("href", "/reports/feed/?market=KE")
    page.get_by_role("link", name="Save this search as an alert").click()
    expect(page).to_have_url(re.compile(r"/reports/alerts/new/\?market=KE$"))
    assert_accessible(page, context="new alert form")
    expect(page.get_by_label("Market")).to_have_value("KE")

    # A missing name: the error summary says so and the search is kept.
    page.get_by_label("Name of the alert").fill("")
    page.get_by_role("button", name="Save alert").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the alert a name.")
    expect(page.get_by_label("Market")).to_have_value("KE")
    assert_accessible(page, context="new alert form with an error")
    page.get_by_label("Name of the alert").fill("Kenya news")
    page.get_by_label("Daily: one email a day when there are new reports").check()
    page.get_by_role("button", name="Save alert").click()

    expect(page).to_have_url(re.compile(r"/reports/alerts/$"))
    expect(page.get_by_role("heading", name="Kenya news")).to_be_visible()
    assert_accessible(page, context="alert list")

    # A day later a Kenyan report has been published: beat's task emails the alert.
    alert = ReportAlert.objects.get(user=member)
    ReportAlert.objects.filter(pk=alert.pk).update(
        last_published_at=timezone.now() - dt.timedelta(hours=1),
        next_run_at=timezone.now() - dt.timedelta(minutes=1),
    )
    report = BarrierReportFactory(
        market=Country.objects.get(code="KE"),
        title="Mobile money refused for exporters",
        published_at=timezone.now() - dt.timedelta(minutes=5),
    )
    assert tasks.alerts_send_due() == 1
    [email] = [message for message in mailoutbox if "Kenya news" in message.subject]
    assert report.title in email.body

    # The notification is in the header too.
    page.goto("/reports/alerts/")
    expect(page.get_by_role("link", name=re.compile(r"^Notifications 1 unread$"))).to_be_visible()

    # The link in the email stops the alert, without signing in.
    link = link_in_email(mailoutbox, to=member.email, containing="/reports/alerts/unsubscribe/")
    page.context.clear_cookies()
    page.goto(urlsplit(link).path)
    assert_accessible(page, context="stop an alert")
    page.get_by_role("button", name="Stop these emails").click()
    expect(page.get_by_role("heading", name="Your alert is switched off")).to_be_visible()
    assert_accessible(page, context="alert switched off")
    alert.refresh_from_db()
    assert alert.frequency == "off"


def test_the_header_counts_unread_notifications_and_the_page_marks_them_read(page):
    starter = ModeratorFactory(full_name="Amara Nwosu")
    thread = dialogue_services.thread_start(
        author=starter,
        theme=Theme.objects.get(topic_id="ECOM-10"),
        title="Payment gateways refuse Kenyan merchants",
        body="Which gateways have refused you?",
    )
    follower = MemberFactory(email="follower@kahawa.example", language="fr")
    dialogue_services.follow_set(user=follower, thread=thread, following=True)
    dialogue_services.post_create(author=starter, thread=thread, body="PayFast, since May.")

    log_in(page, email=follower.email)
    page.goto("/fr/")
    badge = page.get_by_role("link", name=re.compile(r"^Notifications 1 à lire$"))
    expect(badge).to_be_visible()
    assert_accessible(page, context="home page with an unread notification")
    badge.click()

    expect(page).to_have_url(re.compile(r"/fr/notifications/$"))
    expect(page.get_by_text("Nouveau", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"Nouveau message de .* que vous suivez"))).to_be_visible()
    assert_accessible(page, context="notifications page")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()

    page.reload()
    expect(page.get_by_text("Nouveau", exact=True)).to_have_count(0)
    page.get_by_role("link", name=thread.title).click()
    expect(page).to_have_url(re.compile(r"/fr/dialogues/posts/\d+/|/fr/dialogues/threads/"))


def test_the_duplicate_hints_and_the_welcome_page_are_accessible(page):
    member = MemberFactory(email="sme@kahawa.example")
    log_in(page, email=member.email)
    page.goto("/dashboard/welcome/")
    expect(page.get_by_role("link", name="File a barrier report")).to_be_visible()
    assert_accessible(page, context="welcome page")

    page.goto("/notifications/")
    expect(page.get_by_text(re.compile(r"^Nothing yet\."))).to_be_visible()
    assert_accessible(page, context="empty notifications page")
