"""Visitors' pages are stored whole in Redis, compressed, and retired the moment what they show
changes; signed-in members never get them."""

import gzip

import pytest
from django.core.cache import cache
from django.urls import reverse

from dialogues import services
from dialogues.models import Post
from portal.pagecache import GENERATION_KEY
from submissions import services as report_services
from tests.dialogues.conftest import make_report
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("needs_redis", "page_cache")]

GZIP = {"accept-encoding": "gzip, deflate, br"}


def html(response) -> str:
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


def visit(client, path, **headers):
    """A visitor's request: no cookie from an earlier answer (as a fresh browser, or wrk)."""
    client.cookies.clear()
    return client.get(path, headers={**GZIP, **headers})


@pytest.fixture
def pages(open_thread):
    report = make_report(reference="TB-2026-00501", title="Parcels held for weeks at the border")
    return {
        "home": "/",
        "report list": "/reports/?q=parcels",
        "report": report.get_absolute_url(),
        "themes": reverse("dialogues:theme_list"),
        "theme": open_thread.theme.get_absolute_url(),
        "thread": open_thread.get_absolute_url(),
        "thread in French": f"/fr{open_thread.get_absolute_url()}",
        "dialogue search": reverse("dialogues:search") + "?q=gateway",
    }


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "report list",
        "report",
        "themes",
        "theme",
        "thread",
        "thread in French",
        "dialogue search",
    ],
)
def test_a_visitors_page_is_served_again_from_the_cache_without_the_database(
    client, pages, name, django_assert_num_queries
):
    first = visit(client, pages[name])
    assert first.status_code == 200
    assert first["Content-Encoding"] == "gzip"
    assert "csrfmiddlewaretoken" not in html(first), "a stored page holds no one's CSRF token"
    assert "Set-Cookie" not in first, "a stored page sets no cookie"

    with django_assert_num_queries(0):
        second = visit(client, pages[name])
    assert second.status_code == 200
    assert html(second) == html(first)
    assert second["Content-Type"] == first["Content-Type"]
    assert second["X-Frame-Options"] == "DENY"
    assert "Accept-Encoding" in second["Vary"]
    assert "Content-Security-Policy" in second


def test_pages_that_are_never_stored_do_not_ask_the_cache(client):
    assert visit(client, "/accounts/login/").status_code == 200
    assert visit(client, "/no-such-page/").status_code == 404
    assert cache.get(GENERATION_KEY) is None, "no trip to Redis for them"
    visit(client, "/fr/")
    assert cache.get(GENERATION_KEY) is not None


def test_a_published_report_shows_at_once_on_home_and_list(client, commits):
    from tests.factories import ModeratorFactory

    report = make_report(reference="TB-2026-00502", title="Seller registration", status="submitted")
    assert "Seller registration" not in html(visit(client, "/"))
    assert "Seller registration" not in html(visit(client, "/reports/"))
    with commits():
        report_services.report_transition(
            actor=ModeratorFactory(), report=report, to_status="published"
        )
    assert "Seller registration" in html(visit(client, "/"))
    assert "Seller registration" in html(visit(client, "/reports/"))
    assert "Seller registration" in html(visit(client, report.get_absolute_url()))


def test_a_new_post_and_a_hidden_post_show_at_once_on_the_thread(
    client, commits, open_thread, moderator, no_premoderation
):
    url = open_thread.get_absolute_url()
    visit(client, url)
    with commits():
        post = services.post_create(
            author=MemberFactory(), thread=open_thread, body="Our gateway refused us in Peru."
        )
    assert post.status == Post.Status.PUBLISHED
    assert "Our gateway refused us in Peru." in html(visit(client, url))

    with commits():
        services.post_hide(moderator=moderator, post=post, reason="Off topic")
    assert "Our gateway refused us in Peru." not in html(visit(client, url))


def test_a_new_post_and_a_hidden_post_show_at_once_in_dialogue_search(
    client, commits, open_thread, moderator, no_premoderation
):
    url = reverse("dialogues:search") + "?q=alpaca"
    assert "yarn parcels stuck" not in html(visit(client, url))
    with commits():
        post = services.post_create(
            author=MemberFactory(), thread=open_thread, body="Alpaca yarn parcels stuck in Lima."
        )
    assert "yarn parcels stuck" in html(visit(client, url))  # "Alpaca" is highlighted
    with commits():
        services.post_hide(moderator=moderator, post=post, reason="Off topic")
    assert "yarn parcels stuck" not in html(visit(client, url))


def test_a_new_thread_shows_at_once_on_its_theme(client, commits, theme, moderator):
    url = theme.get_absolute_url()
    assert "Marketplace fees for foreign sellers" not in html(visit(client, url))
    with commits():
        services.thread_start(
            author=moderator, theme=theme, title="Marketplace fees for foreign sellers", body="x"
        )
    assert "Marketplace fees for foreign sellers" in html(visit(client, url))


def test_a_change_saved_in_the_admin_shows_at_once(client, theme, commits):
    from tests.factories import ModeratorFactory

    url = theme.get_absolute_url()
    assert "Cross-border payments, renamed" not in html(visit(client, "/dialogues/"))
    admin = ModeratorFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    change = reverse("admin:portal_topic_change", args=[theme.topic.pk])
    form = client.get(change).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value not in (None, False)}
    data["name_en"] = "Cross-border payments, renamed"
    with commits():
        response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    assert "Cross-border payments, renamed" in html(visit(client, "/dialogues/"))
    assert "Cross-border payments, renamed" in html(visit(client, url))


def test_a_signed_in_member_never_gets_the_visitors_page_nor_leaves_theirs(client, open_thread):
    url = open_thread.get_absolute_url()
    assert "Log in" in html(visit(client, url))

    member = MemberFactory()
    client.force_login(member)
    own = client.get(url, headers=GZIP)
    assert "Log out" in html(own)
    assert "csrfmiddlewaretoken" in html(own)

    visitor = html(visit(client, url))
    assert "Log out" not in visitor
    assert "csrfmiddlewaretoken" not in visitor


def test_languages_do_not_mix(client, open_thread):
    url = open_thread.get_absolute_url()
    assert '<html lang="en">' in html(visit(client, url))
    assert '<html lang="fr">' in html(visit(client, f"/fr{url}"))
    assert '<html lang="es">' in html(visit(client, f"/es{url}"))
    # A French browser asking for the English address still reads English, as without a cache.
    assert '<html lang="en">' in html(visit(client, url, **{"accept-language": "fr"}))


def test_a_client_without_gzip_gets_the_page_uncompressed(client, open_thread):
    url = open_thread.get_absolute_url()
    visit(client, url)
    client.cookies.clear()
    plain = client.get(url)
    assert "Content-Encoding" not in plain
    assert open_thread.title in plain.content.decode()


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page(client, open_thread):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse
    from django.test import RequestFactory

    url = open_thread.get_absolute_url()
    visit(client, url)
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "You are signed out.")
    response = HttpResponse()
    storage.update(response)
    client.cookies.clear()
    client.cookies["messages"] = response.cookies["messages"].value
    page = client.get(url, headers=GZIP)
    assert "You are signed out." in html(page)
    assert "You are signed out." not in html(visit(client, url)), "the message was not stored"


def test_pages_are_served_while_redis_is_down(client, settings, open_thread, moderator, commits):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    url = open_thread.get_absolute_url()
    assert open_thread.title in html(visit(client, url))
    with commits():
        services.thread_lock(moderator=moderator, thread=open_thread, locked=True, reason="")
    assert "locked" in html(visit(client, url))


def test_the_cache_is_off_when_page_cache_seconds_is_zero(
    client, settings, open_thread, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    url = open_thread.get_absolute_url()
    visit(client, url)
    with django_assert_max_num_queries(50) as captured:
        visit(client, url)
    assert len(captured) > 0
