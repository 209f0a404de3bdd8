"""Every view of ours says who may see it (a decorator from portal.permissions)."""

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver

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
