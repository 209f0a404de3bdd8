"""The Trade Dialogues pages: reading, writing, refusals, moderation, query counts."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dialogues import conf, services
from dialogues.models import Flag, Post, Thread
from portal.models import AuditEvent, User
from tests.dialogues.conftest import make_report, reply, trust
from tests.factories import MemberFactory, OfficialBodyFactory, OfficialFactory

pytestmark = pytest.mark.django_db


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_dialogues_view_says_who_may_see_it():
    views = [
        (route, callback)
        for route, callback in _walk(get_resolver().url_patterns)
        if callback.__module__.startswith("dialogues")
    ]
    assert len(views) >= 25
    missing = [route for route, callback in views if not hasattr(callback, "portal_access")]
    assert missing == []


def test_the_moderation_queue_answers_at_moderation_under_both_names():
    assert reverse("portal:moderation_home") == "/moderation/"
    assert reverse("dialogues:moderation_queue") == "/moderation/"


# --- Reading -----------------------------------------------------------------------------------


def test_the_theme_list_shows_every_reportable_topic_grouped(client):
    html = client.get(reverse("dialogues:theme_list")).content.decode()
    assert "Electronic Payments" in html
    assert "Low-value shipments and de minimis thresholds" in html
    assert "Scope" not in html, "framework articles are not themes"
    for heading in ("Articles of the Agreement", "Negotiated, not in the Agreement"):
        assert heading in html


def test_themes_are_shown_in_the_readers_language(client, theme):
    html = client.get(f"/fr{theme.get_absolute_url()}").content.decode()
    assert "Paiements électroniques" in html


def test_a_visitor_never_sees_pending_or_hidden_text_on_any_page(
    client, open_thread, member, moderator, settings
):
    settings.DIALOGUES_FLAGS_TO_HIDE = 1
    reply(member, open_thread, "PENDING-TEXT")
    settings.DIALOGUES_PREMODERATED_FIRST_POSTS = 0
    author = MemberFactory()
    held = reply(author, open_thread, "HELD-TEXT")
    services.post_flag(flagger=member, post=held, reason=Flag.Reason.SPAM)
    hidden = reply(author, open_thread, "HIDDEN-TEXT")
    services.post_hide(moderator=moderator, post=hidden, reason="x")
    pages = [
        open_thread.get_absolute_url(),
        reverse("dialogues:theme_list"),
        open_thread.theme.get_absolute_url(),
        reverse("dialogues:search") + "?q=TEXT",
        reverse("dialogues:feed"),
        reverse("dialogues:theme_feed", args=[open_thread.theme.slug]),
    ]
    for page in pages:
        html = client.get(page).content.decode()
        for secret in ("PENDING-TEXT", "HELD-TEXT", "HIDDEN-TEXT"):
            assert secret not in html, (page, secret)
    thread_html = client.get(open_thread.get_absolute_url()).content.decode()
    assert "This post is hidden while moderators review it." in thread_html
    assert "A moderator has hidden this post." in thread_html


def test_the_author_sees_their_pending_post_and_the_moderators_reason(
    client, no_premoderation, open_thread, member, moderator
):
    post = reply(member, open_thread, "Phone me on 555")
    services.post_hide(moderator=moderator, post=post, reason="No phone numbers, please")
    client.force_login(member)
    html = client.get(open_thread.get_absolute_url()).content.decode()
    assert "Phone me on 555" in html
    assert "No phone numbers, please" in html


def test_an_officials_post_carries_the_badge_and_the_official_response_mark(
    client, open_thread, official
):
    post = reply(official, open_thread, "We will publish guidance.")
    services.post_mark_official_response(actor=official, post=post, is_response=True)
    html = client.get(open_thread.get_absolute_url()).content.decode()
    article = html[html.index(f'id="post-{post.pk}"') :]
    article = article[: article.index("</article>")]
    assert '<span class="badge badge--official">Official</span>' in article
    assert "Official response" in article
    assert official.organisation.name in article
    assert "Official responses" in html


def test_a_thread_lists_its_latest_official_responses_and_says_there_are_more(
    client, open_thread, official
):
    from dialogues.selectors import OFFICIAL_RESPONSES_LISTED

    officials = [official] + [OfficialFactory() for _ in range(OFFICIAL_RESPONSES_LISTED + 1)]
    posts = [reply(author, open_thread, f"Answer {n}") for n, author in enumerate(officials)]
    for post in posts:
        services.post_mark_official_response(actor=post.author, post=post, is_response=True)
    html = client.get(open_thread.get_absolute_url()).content.decode()
    listed = html[html.index('id="official-heading"') :]
    listed = listed[: listed.index("</section>")]
    assert f"The latest {OFFICIAL_RESPONSES_LISTED}." in listed
    numbers = [f"post {post.number}<" for post in posts]
    assert not any(number in listed for number in numbers[:2]), "the two oldest are not listed"
    positions = [listed.index(number) for number in numbers[2:]]
    assert positions == sorted(positions), "oldest of the latest first"


def test_a_members_post_shows_who_they_speak_for(client, no_premoderation, open_thread, member):
    reply(member, open_thread)
    html = client.get(open_thread.get_absolute_url()).content.decode()
    assert "Micro enterprise, Kenya" in html
    assert member.organisation.name not in html, "only officials' organisations are named"


def test_a_merged_thread_redirects_to_the_thread_that_absorbed_it(
    client, open_thread, theme, moderator
):
    source = services.thread_start(author=moderator, theme=theme, title="Dup", body="x")
    services.thread_merge(moderator=moderator, source=source, target=open_thread, reason="Dup")
    response = client.get(source.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"] == open_thread.get_absolute_url()


def test_a_post_address_leads_to_its_page_and_anchor(
    client, no_premoderation, open_thread, member, settings
):
    posts = [reply(MemberFactory(), open_thread, f"post {n}") for n in range(conf.POSTS_PER_PAGE)]
    response = client.get(posts[-1].get_absolute_url())
    assert response["Location"] == f"{open_thread.get_absolute_url()}?page=2#post-{posts[-1].pk}"


def test_linked_reports_show_on_the_thread_as_their_visibility_allows(
    client, open_thread, moderator, official
):
    services.thread_link_report(
        moderator=moderator, thread=open_thread, report=make_report(reference="TB-2026-00041")
    )
    services.thread_link_report(
        moderator=moderator,
        thread=open_thread,
        report=make_report(reference="TB-2026-00042", visibility="officials_only"),
    )
    html = client.get(open_thread.get_absolute_url()).content.decode()
    assert "TB-2026-00041" in html
    assert "TB-2026-00042" not in html
    client.force_login(official)
    assert "TB-2026-00042" in client.get(open_thread.get_absolute_url()).content.decode()


def test_search_finds_threads_and_posts(client, no_premoderation, open_thread, member):
    reply(member, open_thread, "Our coffee parcels were held by customs")
    html = client.get(reverse("dialogues:search"), {"q": "coffee parcels"}).content.decode()
    assert "Our <mark>coffee</mark> <mark>parcels</mark> were held by customs" in html
    html = client.get(reverse("dialogues:search"), {"q": "gateways"}).content.decode()
    assert open_thread.title in html


# --- Writing -----------------------------------------------------------------------------------


def test_a_new_members_reply_waits_and_they_are_told(client, open_thread, member):
    client.force_login(member)
    response = client.post(
        reverse("dialogues:post_create", args=[open_thread.pk]),
        {"body": "My first post"},
        follow=True,
    )
    html = response.content.decode()
    assert "Your post is waiting for a moderator" in html
    assert "My first post" in html
    assert Post.objects.get(body="My first post").status == Post.Status.PENDING


def test_a_refused_post_keeps_its_text_and_says_when_to_try_again(
    client, settings, no_premoderation, open_thread, member
):
    settings.DIALOGUES_POSTS_PER_MINUTE = 1
    client.force_login(member)
    url = reverse("dialogues:post_create", args=[open_thread.pk])
    client.post(url, {"body": "First"})
    response = client.post(url, {"body": "My carefully written second post"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "My carefully written second post" in html
    assert re.search(r"you can post it at \d\d:\d\d:\d\d UTC, in \d+ (second|minute)", html)
    assert 'class="error-summary"' in html


@pytest.mark.parametrize(
    ("language", "says_when"),
    [
        ("fr", r"vous pourrez le publier à \d\d:\d\d:\d\d UTC, dans \d+ (seconde|minute)"),
        ("es", r"podrá publicarlo a las \d\d:\d\d:\d\d UTC, dentro de \d+ (segundo|minuto)"),
    ],
)
def test_the_posting_limit_page_speaks_the_members_language(
    client, settings, no_premoderation, open_thread, member, language, says_when
):
    settings.DIALOGUES_POSTS_PER_MINUTE = 1
    client.force_login(member)
    url = f"/{language}" + reverse("dialogues:post_create", args=[open_thread.pk])
    client.post(url, {"body": "Premier message"})
    response = client.post(url, {"body": "Mon second message, écrit avec soin"})
    assert response.status_code == 429
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html
    assert "Mon second message, écrit avec soin" in html
    assert re.search(says_when, html)


def test_slow_mode_refusal_names_the_interval(
    client, no_premoderation, open_thread, member, moderator
):
    services.thread_set_slow_mode(moderator=moderator, thread=open_thread, seconds=300)
    client.force_login(member)
    url = reverse("dialogues:post_create", args=[open_thread.pk])
    client.post(url, {"body": "First"})
    response = client.post(url, {"body": "Second"})
    assert response.status_code == 429
    assert "one post every 5 minutes" in response.content.decode()


def test_an_empty_reply_is_refused_with_an_error_summary(
    client, no_premoderation, open_thread, member
):
    client.force_login(member)
    response = client.post(reverse("dialogues:post_create", args=[open_thread.pk]), {"body": ""})
    assert response.status_code == 400
    assert "Write your reply before you post it." in response.content.decode()


def test_quoting_a_post_prefills_the_quote(client, no_premoderation, open_thread, member):
    opening = open_thread.posts.get()
    client.force_login(member)
    html = client.get(f"{open_thread.get_absolute_url()}?quote={opening.pk}").content.decode()
    assert f'name="quote" value="{opening.pk}"' in html
    client.post(
        reverse("dialogues:post_create", args=[open_thread.pk]),
        {"body": "Agreed", "quote": opening.pk},
    )
    html = client.get(open_thread.get_absolute_url()).content.decode()
    assert "wrote:" in html


def test_starting_a_thread(client, theme, member):
    client.force_login(member)
    response = client.post(
        reverse("dialogues:thread_create", args=[theme.slug]),
        {"title": "Our parcels are held", "body": "Since March"},
    )
    thread = Thread.objects.get(title="Our parcels are held")
    assert response["Location"] == thread.get_absolute_url()
    assert thread.status == Thread.Status.PENDING
    assert client.get(theme.get_absolute_url()).content.decode().count("Our parcels are held") == 1


def test_flagging_through_the_page(client, no_premoderation, open_thread):
    post = reply(MemberFactory(), open_thread, "Buy now")
    for _ in range(3):
        client.force_login(MemberFactory())
        response = client.post(
            reverse("dialogues:post_flag", args=[post.pk]), {"reason": Flag.Reason.SPAM}
        )
        assert response.status_code == 302
    client.logout()
    assert "Buy now" not in client.get(open_thread.get_absolute_url()).content.decode()


def test_flagging_for_another_reason_needs_details(client, no_premoderation, open_thread, member):
    post = reply(MemberFactory(), open_thread)
    client.force_login(member)
    response = client.post(reverse("dialogues:post_flag", args=[post.pk]), {"reason": "other"})
    assert response.status_code == 400
    assert "Tell the moderators what is wrong" in response.content.decode()


def test_email_settings_and_follows(client, open_thread, member):
    client.force_login(member)
    client.post(reverse("dialogues:thread_follow", args=[open_thread.pk]), {"follow": "1"})
    client.post(reverse("dialogues:notification_settings"), {"frequency": "immediate"})
    html = client.get(reverse("dialogues:notification_settings")).content.decode()
    assert open_thread.title in html
    checked = re.findall(r'name="frequency" value="(\w+)"[^>]*\bchecked\b', html)
    assert checked == ["immediate"]
    client.post(
        reverse("dialogues:thread_follow", args=[open_thread.pk]),
        {"follow": "0", "next": "https://evil.example/"},
    )
    assert not member.dialogue_follows.exists()


# --- Moderation --------------------------------------------------------------------------------


@pytest.fixture
def queue_world(open_thread, member, moderator, settings):
    settings.DIALOGUES_FLAGS_TO_HIDE = 2
    pending = reply(member, open_thread, "A pending post")
    author = MemberFactory()
    trust(author)
    flagged = reply(author, open_thread, "A flagged post")
    services.post_flag(
        flagger=MemberFactory(), post=flagged, reason=Flag.Reason.ABUSIVE, note="Rude"
    )
    make_report(reference="TB-2026-00051", status="submitted")
    waiting_official = OfficialFactory(
        organisation=OfficialBodyFactory(), official_status=User.OfficialStatus.PENDING
    )
    return {"pending": pending, "flagged": flagged, "official": waiting_official}


def test_the_queue_gathers_posts_flags_reports_and_officials(client, queue_world, moderator):
    client.force_login(moderator)
    html = client.get(reverse("portal:moderation_home")).content.decode()
    assert "A pending post" in html
    assert "A flagged post" in html
    assert "Rude" in html
    assert "TB-2026-00051" in html
    assert queue_world["official"].email in html
    assert reverse("portal:official_decide", args=[queue_world["official"].pk]) in html


def test_the_queue_filters_by_kind(client, queue_world, moderator):
    client.force_login(moderator)
    html = client.get(reverse("portal:moderation_home"), {"queue": "flagged"}).content.decode()
    assert "A flagged post" in html
    assert "A pending post" not in html


def test_approving_from_the_queue_publishes_and_returns_to_the_queue(
    client, queue_world, moderator
):
    client.force_login(moderator)
    post = queue_world["pending"]
    response = client.post(
        reverse("dialogues:post_moderate", args=[post.pk]),
        {f"post-{post.pk}-action": "approve", "next": "/moderation/?queue=pending"},
    )
    assert response["Location"] == "/moderation/?queue=pending"
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED


def test_hiding_without_a_reason_is_refused(client, queue_world, moderator):
    client.force_login(moderator)
    post = queue_world["flagged"]
    response = client.post(
        reverse("dialogues:post_moderate", args=[post.pk]), {f"post-{post.pk}-action": "hide"}
    )
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    assert not AuditEvent.objects.filter(action="post.hide").exists()


def test_bulk_actions_apply_one_decision_to_every_selected_post(client, open_thread, moderator):
    posts = [reply(MemberFactory(), open_thread, f"Waiting {n}") for n in range(3)]
    client.force_login(moderator)
    response = client.post(
        reverse("dialogues:moderation_bulk") + "?queue=pending",
        {"bulk-action": "approve", "bulk-posts": [post.pk for post in posts[:2]]},
    )
    assert response["Location"] == "/moderation/?queue=pending"
    statuses = [Post.objects.get(pk=post.pk).status for post in posts]
    assert statuses == [Post.Status.PUBLISHED, Post.Status.PUBLISHED, Post.Status.PENDING]
    assert AuditEvent.objects.filter(action="post.approve").count() == 2


def test_bulk_hide_needs_posts_and_a_reason(client, open_thread, moderator):
    post = reply(MemberFactory(), open_thread, "Waiting")
    client.force_login(moderator)
    response = client.post(
        reverse("dialogues:moderation_bulk"), {"bulk-action": "hide", "bulk-posts": [post.pk]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say why" in html
    assert f'value="{post.pk}" id="select-post-{post.pk}" form="bulk-form" checked' in html
    response = client.post(reverse("dialogues:moderation_bulk"), {"bulk-action": "approve"})
    assert "Tick at least one post" in response.content.decode()


def test_thread_actions_through_the_page(client, open_thread, other_theme, moderator):
    client.force_login(moderator)

    def act(action, **data):
        return client.post(
            reverse("dialogues:thread_moderate", args=[open_thread.pk, action]),
            {f"{action}-{key}": value for key, value in data.items()},
        )

    assert act("lock").status_code == 400, "locking needs a reason"
    assert act("lock", reason="Resolved").status_code == 302
    assert act("pin").status_code == 302
    assert act("slow_mode", seconds=60).status_code == 302
    assert act("move", theme=other_theme.pk, reason="Fits better").status_code == 302
    assert act("merge", target=open_thread.pk, reason="x").status_code == 400
    assert act("link_report", reference="TB-2026-99999").status_code == 400
    open_thread.refresh_from_db()
    assert open_thread.is_locked
    assert open_thread.is_pinned
    assert open_thread.slow_mode_seconds == 60
    assert open_thread.theme == other_theme


def test_opening_a_dialogue_from_a_report(client, theme, moderator, published_report):
    client.force_login(moderator)
    url = reverse("dialogues:thread_from_report", args=[published_report.reference])
    html = client.get(url).content.decode()
    assert published_report.title in html
    assert "selected>Electronic Payments" in html
    response = client.post(url, {"theme": theme.pk, "title": "Gateways", "body": "Let us discuss."})
    thread = Thread.objects.get(title="Gateways")
    assert response["Location"] == thread.get_absolute_url()
    assert list(thread.reports.all()) == [published_report]


def test_a_report_not_yet_published_cannot_start_a_dialogue(client, moderator):
    report = make_report(reference="TB-2026-00061", status="submitted")
    client.force_login(moderator)
    assert (
        client.get(reverse("dialogues:thread_from_report", args=[report.reference])).status_code
        == 404
    )


def test_suspending_through_the_page(client, member, moderator):
    client.force_login(moderator)
    response = client.post(
        reverse("dialogues:member_suspend", args=[member.pk]), {"days": "3", "reason": "Spam"}
    )
    assert response["Location"] == reverse("dialogues:suspension_list")
    assert member.full_name in client.get(reverse("dialogues:suspension_list")).content.decode()
    client.post(reverse("dialogues:suspension_lift", args=[member.pk]))
    assert AuditEvent.objects.filter(action="member.unsuspend").exists()


def test_moderators_see_earlier_versions_of_a_post(
    client, no_premoderation, open_thread, member, moderator
):
    post = reply(member, open_thread, "First version")
    services.post_edit(editor=member, post=post, body="Second version")
    client.force_login(moderator)
    html = client.get(reverse("dialogues:post_moderate", args=[post.pk])).content.decode()
    assert "First version" in html
    html = client.get(open_thread.get_absolute_url()).content.decode()
    assert "1 earlier version" in html
    client.force_login(member)
    assert "First version" not in client.get(open_thread.get_absolute_url()).content.decode()


# --- Query counts --------------------------------------------------------------------------------


def _fill(thread, count):
    authors = [MemberFactory() for _ in range(4)] + [OfficialFactory()]
    previous = None
    for number in range(count):
        post = reply(authors[number % len(authors)], thread, f"Post {number}", quote=previous)
        previous = post if number % 3 == 0 else None


# Visitor: thread, page of posts, official responses, linked reports. Signed in, also: session,
# user (with organisation, moderators' group and two-factor set-up in the same query), own
# unpublished posts, own flags, follow, suspension.
THREAD_PAGE_QUERIES = {"visitor": 4, "member": 9, "moderator": 9}


@pytest.mark.parametrize("viewer", list(THREAD_PAGE_QUERIES))
def test_a_thread_page_costs_the_same_queries_however_long_the_thread(
    client, django_assert_num_queries, no_premoderation, settings, theme, moderator, viewer
):
    settings.DIALOGUES_POSTS_PER_MINUTE = 1000
    short = services.thread_start(author=moderator, theme=theme, title="Short", body="x")
    long = services.thread_start(author=moderator, theme=theme, title="Long", body="x")
    _fill(short, 5)  # one of each kind of author, as on the long thread
    _fill(long, 3 * conf.POSTS_PER_PAGE + 5)
    user = {"visitor": None, "member": MemberFactory(), "moderator": moderator}[viewer]
    if user is not None:
        client.force_login(user)
        client.get("/")  # the header's unread count, cached per person
    counts = []
    for thread, page in ((short, 1), (long, 1), (long, 4)):
        with django_assert_num_queries(THREAD_PAGE_QUERIES[viewer]) as captured:
            response = client.get(thread.get_absolute_url(), {"page": page})
        assert response.status_code == 200
        counts.append(len(captured))
        page_queries = [q["sql"] for q in captured.captured_queries if '"number" >' in q["sql"]]
        assert len(page_queries) == 1, "a page is one range of post numbers"
        assert " OFFSET " not in page_queries[0], "no OFFSET scan on long threads"
    assert counts[0] == counts[1] == counts[2], (counts, captured.captured_queries)


def test_the_list_pages_cost_the_same_queries_however_many_threads(
    client, django_assert_max_num_queries, theme, moderator
):
    def count(url):
        with django_assert_max_num_queries(12) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    services.thread_start(author=moderator, theme=theme, title="One", body="x")
    few = (count(reverse("dialogues:theme_list")), count(theme.get_absolute_url()))
    for number in range(15):
        services.thread_start(author=moderator, theme=theme, title=f"T{number}", body="x")
    many = (count(reverse("dialogues:theme_list")), count(theme.get_absolute_url()))
    assert few == many


def test_the_queue_costs_the_same_queries_however_many_posts_wait(
    client, django_assert_max_num_queries, open_thread, moderator, settings
):
    settings.DIALOGUES_FLAGS_TO_HIDE = 5
    client.force_login(moderator)

    def count():
        with django_assert_max_num_queries(30) as captured:
            assert client.get(reverse("portal:moderation_home")).status_code == 200
        return len(captured)

    def add(pending: int, flagged: int) -> None:
        for _ in range(pending):
            reply(MemberFactory(), open_thread)
        for _ in range(flagged):
            post = reply(OfficialFactory(), open_thread)
            services.post_flag(flagger=MemberFactory(), post=post, reason="spam")

    add(1, 1)
    few = count()
    add(8, 4)
    assert count() == few


def test_the_active_threads_tag_lists_open_threads_only(rf, open_thread, theme, member):
    from django.template import Context, Template

    services.thread_start(author=member, theme=theme, title="Waiting thread", body="x")
    request = rf.get("/")
    request.user = member
    html = Template("{% load dialogue_tags %}{% active_threads 5 %}").render(
        Context({"request": request})
    )
    assert open_thread.title in html
    assert "Waiting thread" not in html


def test_the_report_dialogues_tag_links_a_report_to_its_threads(rf, open_thread, moderator):
    from django.template import Context, Template

    report = make_report(reference="TB-2026-00071")
    services.thread_link_report(moderator=moderator, thread=open_thread, report=report)
    template = Template("{% load dialogue_tags %}{% report_dialogues report %}")
    request = rf.get("/")
    request.user = moderator
    html = template.render(Context({"request": request, "report": report}))
    assert open_thread.get_absolute_url() in html
    assert reverse("dialogues:thread_from_report", args=[report.reference]) in html
    request.user = MemberFactory()
    html = template.render(Context({"request": request, "report": report}))
    assert "Open a dialogue" not in html
