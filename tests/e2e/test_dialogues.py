"""Trade Dialogues in a real browser: a new member's post waits for a moderator, flags hide a
post, an official's answer carries the badge. axe-core checks every page visited."""

import re

import pytest
from playwright.sync_api import expect

from dialogues import services
from dialogues.models import Post, Theme
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import MemberFactory, ModeratorFactory, OfficialFactory


@pytest.fixture(autouse=True)
def _themes(transactional_db):
    """The live server's database is flushed between tests; the themes come back here."""
    from django.apps import apps

    from dialogues.themes import create_themes

    create_themes(apps)


@pytest.fixture
def thread(transactional_db):
    starter = ModeratorFactory(email="starter@example.org", full_name="Amara Nwosu")
    return services.thread_start(
        author=starter,
        theme=Theme.objects.get(topic_id="ECOM-10"),
        title="Payment gateways refuse Kenyan merchants",
        body="Which gateways have refused you, and in which markets?",
    )


@pytest.fixture
def new_context(browser, live_server):
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_a_new_members_post_waits_until_a_moderator_approves_it(page, new_context, thread):
    member = MemberFactory(full_name="Wanjiru Kamau")
    moderator = ModeratorFactory(full_name="Moderator On Duty")

    log_in(page, email=member.email)
    page.goto(thread.get_absolute_url())
    assert_accessible(page, context="thread page, member")
    page.get_by_label("Your reply").fill("Two gateways refused us this year.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your post is waiting for a moderator")).to_be_visible()
    expect(page.get_by_text("Two gateways refused us this year.")).to_be_visible()
    expect(page.get_by_text("Pending moderation").first).to_be_visible()
    assert_accessible(page, context="thread page with a pending post")

    visitor = new_context()
    visitor.goto(thread.get_absolute_url())
    expect(visitor.get_by_text("Two gateways refused us this year.")).to_have_count(0)

    moderator_page = new_context()
    log_in(moderator_page, email=moderator.email, user=moderator)
    moderator_page.goto("/moderation/")
    expect(moderator_page.get_by_role("heading", name="Moderation queue")).to_be_visible()
    assert_accessible(moderator_page, context="moderation queue")
    item = moderator_page.locator("article.queue-item", has_text="Two gateways refused us")
    item.get_by_label("Reason").fill("Welcome to the dialogue.")
    item.get_by_role("button", name=re.compile(r"^Approve")).click()
    expect(moderator_page.get_by_text("The post is approved.")).to_be_visible()
    assert_accessible(moderator_page, context="moderation queue after approving")

    visitor.goto(thread.get_absolute_url())
    expect(visitor.get_by_text("Two gateways refused us this year.")).to_be_visible()
    assert_accessible(visitor, context="thread page, visitor")
    assert Post.objects.get(body="Two gateways refused us this year.").number == 2


def test_three_flags_make_a_post_disappear(page, new_context, thread, settings):
    settings.DIALOGUES_PREMODERATED_FIRST_POSTS = 0
    author = MemberFactory(full_name="Loud Seller")
    services.post_create(author=author, thread=thread, body="Buy cheap gateway accounts here!")

    for number in range(3):
        flagger = MemberFactory(full_name=f"Careful Reader {number}")
        reader = new_context()
        log_in(reader, email=flagger.email)
        reader.goto(thread.get_absolute_url())
        reader.get_by_role("link", name=re.compile(r"^Flag the post by Loud Seller")).click()
        expect(reader.get_by_role("heading", name="Flag a post for the moderators")).to_be_visible()
        assert_accessible(reader, context="flag form")
        reader.get_by_label("Spam or advertising").check()
        reader.get_by_role("button", name="Send flag").click()
        expect(reader.get_by_text("Thank you. A moderator will look at this post.")).to_be_visible()

    page.goto(thread.get_absolute_url())
    expect(page.get_by_text("Buy cheap gateway accounts here!")).to_have_count(0)
    expect(page.get_by_text("This post is hidden while moderators review it.")).to_be_visible()
    assert_accessible(page, context="thread with a post hidden by flags")


def test_an_officials_answer_carries_the_badge(page, new_context, thread):
    official = OfficialFactory(full_name="Joseph Mwangi")
    log_in(page, email=official.email)
    page.goto(thread.get_absolute_url())
    page.get_by_label("Your reply").fill("The Ministry is discussing onboarding with the gateways.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your reply is published.")).to_be_visible()
    answer = page.locator("article.post", has_text="The Ministry is discussing onboarding")
    expect(answer.get_by_text("Official", exact=True)).to_be_visible()
    answer.get_by_role("button", name="Mark as official response").click()
    expect(page.get_by_role("heading", name="Official responses")).to_be_visible()
    assert_accessible(page, context="thread with an official response")

    visitor = new_context()
    visitor.goto(thread.get_absolute_url())
    answer = visitor.locator("article.post", has_text="The Ministry is discussing onboarding")
    expect(answer.get_by_text("Official", exact=True)).to_be_visible()
    expect(answer.get_by_text("Official response")).to_be_visible()
    expect(answer).to_contain_text(official.organisation.name)
    assert_accessible(visitor, context="thread, visitor, official answer")


def test_the_dialogue_pages_are_accessible_to_visitors(page, thread):
    for path, heading in [
        ("/dialogues/", "Trade Dialogues"),
        (thread.theme.get_absolute_url(), "Electronic Payments"),
        ("/dialogues/search/?q=gateways", "Search the dialogues"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert_accessible(page, context=path)
