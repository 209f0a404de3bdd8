"""Every view of ours says who may see it (a decorator from portal.permissions), and every
page answers HEAD as it answers GET."""

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

OUR_PACKAGES = ("portal", "submissions", "dialogues")
ROLES = {"visitor", "authenticated", "member", "official", "moderator"}


# The Django admin has its own access control (staff + MFA, see portal.admin_site).
EXEMPT_NAMESPACES = {"admin"}


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, object]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                pattern.namespace or namespace,
            )
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern.callback


def _our_views() -> list[tuple[str, object]]:
    views = []
    for route, namespace, callback in _walk(get_resolver().url_patterns):
        if namespace in EXEMPT_NAMESPACES:
            continue
        view = getattr(callback, "view_class", callback)
        module = getattr(view, "__module__", "") or ""
        if module.split(".")[0] in OUR_PACKAGES:
            views.append((route, callback))
    return views


def test_the_walk_finds_our_views():
    names = {getattr(callback, "__name__", "") for _route, callback in _our_views()}
    assert {"home", "healthz", "set_language", "dashboard", "audit_log"} <= names


def test_every_view_of_ours_declares_who_may_see_it():
    missing = [
        f"{route} -> {callback.__module__}.{getattr(callback, '__name__', callback)}"
        for route, callback in _our_views()
        if getattr(callback, "portal_access", None) not in ROLES
    ]
    assert missing == [], (
        "Decorate these views with public, login_required, member_required, "
        "official_required or moderator_required from portal.permissions:\n" + "\n".join(missing)
    )


def test_moderation_pages_are_for_moderators():
    for route, callback in _our_views():
        if route.startswith("moderation/"):
            assert callback.portal_access == "moderator", route


# --- HEAD, as load balancers and monitors probe -----------------------------------------------

SAMPLE_BY_CONVERTER = {
    "IntConverter": 1,
    "SlugConverter": "sample",
    "StringConverter": "sample",
    "PathConverter": "sample",
    "UUIDConverter": "5f0c6c4e-3c1a-4b8e-9a57-0d8b1f1e2a33",
    "ReferenceConverter": "TB-2026-00001",
}
# Named groups of the regular-expression routes (allauth's keys, the digest week and format).
SAMPLE_BY_GROUP = {"week": "2025-W48", "fmt": "pdf", "key": "sample-key", "uidb36": "1"}


def _named_routes(patterns, namespace: str = "", converters=None) -> Iterator[tuple[str, dict]]:
    """(namespaced name, sample kwargs) for every named route; None kwargs when a route's
    arguments cannot be made up here."""
    for pattern in patterns:
        found = {**(converters or {}), **getattr(pattern.pattern, "converters", {})}
        groups = set(pattern.pattern.regex.groupindex) - set(found)
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from _named_routes(pattern.url_patterns, inner, found)
            continue
        if not pattern.name:
            continue
        kwargs: dict | None = {
            name: SAMPLE_BY_CONVERTER[type(converter).__name__] for name, converter in found.items()
        }
        if groups - set(SAMPLE_BY_GROUP):
            kwargs = None
        else:
            kwargs.update({group: SAMPLE_BY_GROUP[group] for group in groups})
        yield ":".join(part for part in (namespace, pattern.name) if part), kwargs


@pytest.fixture
def holder_of_every_role(db):
    """An active superuser who is also a moderator with two-factor authentication and a
    verified official: every access decorator lets them through to the method check."""
    from tests.factories import OfficialFactory, make_moderator

    return make_moderator(OfficialFactory(is_staff=True, is_superuser=True))


def test_every_page_that_answers_get_also_answers_head(client, holder_of_every_role):
    client.force_login(holder_of_every_role)
    refused_head, post_only, checked, not_walked = [], [], [], []
    for name, kwargs in _named_routes(get_resolver().url_patterns):
        if kwargs is None:
            not_walked.append(name)
            continue
        url = reverse(name, kwargs=kwargs)
        get = client.get(url)
        if get.status_code == 405:
            post_only.append(name)
            continue
        head = client.head(url)
        checked.append(name)
        # The same answer is not required: the admin's login page, for one, redirects a
        # signed-in GET only. Refusing the method, or failing, is what must not happen.
        if head.status_code == 405 or head.status_code >= 500:
            refused_head.append(f"{url}: GET {get.status_code}, HEAD {head.status_code}")
    assert refused_head == []
    # The walk reached the pages of every package, and told POST-only actions apart.
    assert {
        "healthz",
        "portal:home",
        "portal:audit_log",
        "submissions:detail",
        "submissions:export_csv",
        "submissions_moderation:triage",
        "dialogues:thread_detail",
        "dialogues:digest_detail",
        "dialogues:digest_download",
        "account_login",
        "admin:index",
    } <= set(checked)
    assert {"set_language", "submissions:cosign", "dialogues:thread_follow"} <= set(post_only)
    assert all(name.startswith("admin:") for name in not_walked), not_walked


def test_healthz_answers_head_as_it_answers_get(client, db):
    get = client.get("/healthz")
    head = client.head("/healthz")
    assert get.status_code == 200
    assert head.status_code == 200
    assert head["Content-Type"] == "application/json"
    assert head.content == b""
