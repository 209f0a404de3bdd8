"""A person's own data in a real browser: downloading it, deleting the account (with the
password asked again), handing over the administrator role first, and the privacy notice in
three languages on a phone and a desktop screen. axe-core checks every page visited."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dialogues import services as dialogue_services
from dialogues.models import Theme
from portal.models import User
from tests.dialogues.conftest import trust
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import PASSWORD, MemberFactory, ModeratorFactory
from tests.submissions.factories import BarrierReportFactory

PHONE = {"width": 320, "height": 720}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def _themes(transactional_db):
    """The live server's database is flushed between tests; the themes come back here."""
    from django.apps import apps

    from dialogues.themes import create_themes

    create_themes(apps)


@pytest.fixture
def thread(transactional_db):
    starter = ModeratorFactory(email="starter@example.org", full_name="Amara Nwosu")
    return dialogue_services.thread_start(
        author=starter,
        theme=Theme.objects.get(topic_id="ECOM-10"),
        title="Payment gateways refuse Kenyan merchants",
        body="Which gateways have refused you, and in which markets?",
    )


def test_a_member_downloads_everything_about_them_and_nothing_about_a_colleague(
    page, thread, tmp_path
):
    member = MemberFactory(full_name="Wanjiru Kamau", email="wanjiru@kahawa.example")
    colleague = MemberFactory(organisation=member.organisation, full_name="Kevin Otieno")
    BarrierReportFactory(reporter=member, title="Courier demands a local tax number")
    BarrierReportFactory(
        reporter=colleague,
        title="Confidential: customs broker asks for a fee",
        visibility="officials_only",
    )
    trust(member)
    dialogue_services.post_create(author=member, thread=thread, body="Gateway X refused us.")

    log_in(page, email=member.email)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Download your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    expect(page.get_by_role("definition").filter(has_text="Everything you posted")).to_be_visible()
    assert_accessible(page, context="your data page")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your data (JSON)").click()
    download = download_info.value
    assert re.fullmatch(
        r"trade-dialogues-personal-data-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename
    )
    saved = Path(tmp_path / download.suggested_filename)
    download.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))

    assert data["account"]["email"] == "wanjiru@kahawa.example"
    assert [report["title"] for report in data["reports"]] == ["Courier demands a local tax number"]
    assert "Gateway X refused us." in [post["body"] for post in data["posts"]]
    text = saved.read_text(encoding="utf-8")
    assert "Confidential: customs broker" not in text
    assert "Kevin" not in text


def test_a_member_deletes_their_account_and_their_posts_stay_as_former_member(page, thread):
    member = MemberFactory(full_name="Rosa Quispe", email="rosa@alpaca.example")
    trust(member)
    dialogue_services.post_create(
        author=member, thread=thread, body="Our knitwear waits three weeks at customs."
    )
    report = BarrierReportFactory(reporter=member, title="Import VAT collected twice")

    log_in(page, email=member.email)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    assert_accessible(page, context="delete your account page")

    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Tick the box to confirm")).to_be_visible()
    assert_accessible(page, context="delete your account page with an error")

    page.get_by_label("I understand that deleting my account cannot be undone").check()
    # The password typed to sign in a moment ago counts as confirmed (for
    # ACCOUNT_REAUTHENTICATION_TIMEOUT), so it is not asked for again here.
    page.get_by_role("button", name="Delete my account").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_text("Your account has been deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert_accessible(page, context="home page after deleting the account")

    page.goto(thread.get_absolute_url())
    post = page.locator("article.post", has_text="Our knitwear waits three weeks at customs.")
    expect(post.locator(".post-author__name")).to_have_text("Former member")
    expect(page.get_by_text("Rosa Quispe")).to_have_count(0)
    assert_accessible(page, context="thread with a former member's post")

    page.goto(report.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import VAT collected twice")

    page.goto("/accounts/login/")
    page.get_by_label("Email", exact=True).fill("rosa@alpaca.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^(Sign in|Log in)$", re.I)).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert User.objects.get(pk=member.pk).deleted_at is not None


def test_the_last_administrator_hands_over_before_deleting_their_account(page, thread):
    admin = MemberFactory(full_name="Awa Ndiaye", is_organisation_admin=True)
    MemberFactory(organisation=admin.organisation, full_name="Fatou Sarr")

    log_in(page, email=admin.email)
    page.goto("/dashboard/delete-account/")
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("You are the only administrator of")
    expect(page.get_by_role("button", name="Delete my account")).to_have_count(0)
    assert_accessible(page, context="delete page for the last administrator")

    warning.get_by_role("link", name="Choose a new administrator").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    assert_accessible(page, context="organisation page with hand-over buttons")
    page.get_by_role("button", name="Make Fatou Sarr an administrator").click()
    expect(page.get_by_text("Fatou Sarr is now an administrator of")).to_be_visible()
    assert_accessible(page, context="organisation page after handing over")

    page.goto("/dashboard/delete-account/")
    expect(page.get_by_role("button", name="Delete my account")).to_be_visible()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["320px", "1280px"])
@pytest.mark.parametrize("language", ["", "/fr", "/es"], ids=["en", "fr", "es"])
def test_privacy_pages_read_well_in_every_language_on_phone_and_desktop(
    page, transactional_db, viewport, language
):
    page.set_viewport_size(viewport)
    member = MemberFactory(is_organisation_admin=True)
    MemberFactory(organisation=member.organisation)

    page.goto(f"{language}/privacy/")
    expect(page.locator("h2#retention")).to_be_visible()
    assert_accessible(page, context=f"privacy notice {language or '/en'} {viewport['width']}px")

    log_in(page, email=member.email)
    for path in ("/dashboard/your-data/", "/dashboard/delete-account/"):
        page.goto(f"{language}{path}")
        assert_accessible(page, context=f"{language}{path} at {viewport['width']}px")
        no_sideways_scroll = page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert no_sideways_scroll, f"{language}{path} scrolls sideways at {viewport['width']}px"
