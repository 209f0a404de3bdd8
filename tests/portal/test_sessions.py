"""Sessions are kept in the database and read from the cache (portal/sessions.py)."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from portal.sessions import SessionStore
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def session_queries(captured) -> list[str]:
    return [query["sql"] for query in captured if "django_session" in query["sql"]]


def test_a_signed_in_page_reads_its_session_from_the_cache_not_the_database(
    client, django_assert_max_num_queries
):
    client.force_login(MemberFactory())
    with django_assert_max_num_queries(5) as captured:
        assert client.get(reverse("portal:dashboard")).status_code == 200
    assert session_queries(captured.captured_queries) == []
    assert Session.objects.count() == 1, "the database keeps the record"


def test_a_session_missing_from_the_cache_is_read_from_the_database_and_cached_again(
    client, django_assert_max_num_queries
):
    client.force_login(MemberFactory())
    cache.clear()
    with django_assert_max_num_queries(5) as captured:
        assert client.get(reverse("portal:dashboard")).status_code == 200, "still signed in"
    assert len(session_queries(captured.captured_queries)) == 1
    with django_assert_max_num_queries(5) as again:
        assert client.get(reverse("portal:dashboard")).status_code == 200
    assert session_queries(again.captured_queries) == []


def test_signing_out_ends_the_cached_session_too(client):
    client.force_login(MemberFactory())
    cookie = client.cookies["sessionid"].value
    client.post(reverse("account_logout"))
    client.cookies["sessionid"] = cookie
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302, "the old cookie no longer signs anyone in"


class Recorder:
    """The cache, noting the timeout of every entry set."""

    def __init__(self) -> None:
        self.timeouts: list[int | None] = []

    def set(self, key, value, timeout=None) -> None:
        self.timeouts.append(timeout)
        cache.set(key, value, timeout)

    def __contains__(self, key) -> bool:
        return key in cache


def test_a_session_stays_in_the_cache_for_minutes_not_for_its_whole_life(settings):
    """Should Redis miss a sign-out while unreachable, the stale copy expires soon."""
    settings.SESSION_CACHE_SECONDS = 600
    settings.SESSION_COOKIE_AGE = 14 * 24 * 3600
    store = SessionStore()
    recorder = Recorder()
    store._cache._cache = recorder
    store["key"] = "value"
    store.save()
    assert recorder.timeouts
    assert set(recorder.timeouts) == {600}
