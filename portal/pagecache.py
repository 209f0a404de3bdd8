"""Whole pages for visitors, kept in the cache (Redis in production) and served without
rendering, and HTML compression.

A view opts in with `@cached_for_visitors`. `VisitorPageCacheMiddleware` stores that view's
response, as compressed for the client, when the reader is not signed in, brings no session
or messages cookie, and the response sets no cookie and carries no CSRF token or CSP nonce.
The next visitor asking for the same address (path with language prefix, query string, host,
scheme, gzip or not) gets the stored bytes before sessions, URL routing or the database are
touched.

Every stored page holds the generation number it was rendered under, read in the same round
trip as the page. A service that changes what visitors read (a report published, a post
written, edited or hidden, a moderation action, a theme changed) calls
`public_pages_changed()`, which bumps the generation when its transaction commits, so every
stored page is out of date at once on every web machine. The generation is read before the
page is rendered, so a page rendered from rows older than a change is stored under the
generation that the change has already retired. Pages also expire after
`PAGE_CACHE_SECONDS`, for what changes with time alone ("this week").

Signed-in readers get the same for the few views marked `@cached_for_people` (the dashboard,
the report list): `PersonPageCacheMiddleware` keeps each person's own copy of the page, with
the form tokens taken out and put back on every request, and serves it without loading the
person, rendering or touching the database. A stored copy holds what it was rendered under and
is served only while all of it is current: the public pages' generation, the generation of
organisations and reference data (`people_pages_changed`), the person's own generation
(`person_pages_changed`, bumped on every save of their row, their groups and their two-factor
authenticators), their unread-notice count, and the session's authentication hash (so a
session that a password change signed out is never answered from a copy). A page whose view
shows more than these must not be marked.

With Redis unreachable the cache fails open (portal.cache): every read misses, pages are
rendered as if no cache existed.
"""

import re
import time
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps
from hashlib import blake2b
from typing import Any

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.middleware.gzip import GZipMiddleware
from django.urls import Resolver404, resolve
from django.utils import translation

from portal.notices import unread_key

GENERATION_KEY = "pagecache:generation"
PEOPLE_GENERATION_KEY = "pagecache:people"
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# What a stored response may not carry: the reader's own state.
_PERSONAL_HEADERS = {"set-cookie"}


def public_pages_changed() -> None:
    """Retire every stored visitor page once the current transaction commits."""
    transaction.on_commit(lambda: _bump(GENERATION_KEY), robust=True)


def generation() -> int:
    """The current generation of stored pages (also part of cached fragments' keys)."""
    return _generation_of(GENERATION_KEY)


def _generation_of(key: str) -> int:
    generation = cache.get(key)
    if generation is None:
        generation = time.time_ns()
        if not cache.add(key, generation, timeout=None):
            generation = cache.get(key, generation)
    return int(generation)


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        # Never set, evicted, or Redis unreachable: start from a number no old page used.
        cache.set(key, time.time_ns(), timeout=None)


def _person_generation_key(person_id: Any) -> str:
    return f"pagecache:person:{person_id}"


def person_pages_changed(person_id: Any) -> None:
    """Retire the person's stored signed-in pages now and again when the current transaction
    commits (a page rendered in between, from rows not yet committed, is retired too)."""
    _bump_now_and_on_commit(_person_generation_key(person_id))


def people_pages_changed() -> None:
    """Retire every person's stored signed-in pages (an organisation or reference data that
    their pages name changed), now and again when the current transaction commits."""
    _bump_now_and_on_commit(PEOPLE_GENERATION_KEY)


def row_generation_key(kind: str, row_id: Any) -> str:
    """The generation of one row's pages (`cached_for_people_and`), e.g. a draft's."""
    return f"pagecache:{kind}:{row_id}"


def row_pages_changed(kind: str, row_id: Any) -> None:
    """Retire the stored signed-in pages that show this row, now and again on commit."""
    _bump_now_and_on_commit(row_generation_key(kind, row_id))


def _bump_now_and_on_commit(key: str) -> None:
    if settings.PAGE_CACHE_SECONDS <= 0:
        return  # nothing is stored, so nothing to retire
    _bump(key)
    transaction.on_commit(lambda: _bump(key), robust=True)


View = Callable[..., HttpResponseBase]


def _marker(mark: str, value: Any = True) -> Callable[[View], View]:
    """A decorator that marks a view with `value`, and each response it returns, as `mark`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            setattr(response, mark, True)
            return response

        setattr(wrapped, mark, value)
        return wrapped

    return decorator


# Let the middleware keep this view's pages for readers who are not signed in.
cached_for_visitors = _marker("cached_for_visitors")
# Let the middleware keep this view's pages for each signed-in person. Only for views whose
# page shows nothing beyond what the stored copy is checked against (see above).
cached_for_people = _marker("cached_for_people")


def cached_for_people_and(depends_on: Callable[..., Iterable[str]]) -> Callable[[View], View]:
    """`cached_for_people` for a page that also shows rows of its own: `depends_on(**kwargs)`,
    given the address's arguments, names the row generations (`row_generation_key`) its
    copies are checked against too."""
    return _marker("cached_for_people", depends_on)


def connect_person_page_signals() -> None:
    """Retire stored signed-in pages whenever what they were checked against changes. The
    person's row is saved in many places (services, allauth's password and email pages, the
    admin, sign-ins), so model signals are the one net that catches every save."""
    from allauth.mfa.models import Authenticator
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from portal.models import Country, Organisation, OrganisationType, User

    def person_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
        person_pages_changed(instance.pk)

    def authenticator_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
        person_pages_changed(instance.user_id)

    def groups_changed(
        sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
    ) -> None:
        if not action.startswith("post_"):
            return
        if not reverse:
            person_pages_changed(instance.pk)
        elif pk_set:
            for person_id in pk_set:
                person_pages_changed(person_id)
        else:  # a group cleared: whose pages is not known
            people_pages_changed()

    def named_row_saved(sender: Any, **kwargs: Any) -> None:
        people_pages_changed()

    # weak=False: the receivers are local functions, kept alive only by the signal.
    for event, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(
            person_saved, sender=User, dispatch_uid=f"pagecache.person.{event}", weak=False
        )
        signal.connect(
            authenticator_saved,
            sender=Authenticator,
            dispatch_uid=f"pagecache.mfa.{event}",
            weak=False,
        )
        for model in (Organisation, OrganisationType, Country):
            signal.connect(
                named_row_saved,
                sender=model,
                dispatch_uid=f"pagecache.{model.__name__}.{event}",
                weak=False,
            )
    m2m_changed.connect(
        groups_changed, sender=User.groups.through, dispatch_uid="pagecache.groups", weak=False
    )


@lru_cache(maxsize=8192)
def _view_marks(path: str) -> tuple[bool, tuple[str, ...] | None]:
    """Whether the address is served by a view marked @cached_for_visitors, and, for a view
    marked for people, the row generations its copies also depend on (None: not marked), so
    any other request (a login page, the health check) costs no trip to the cache."""
    # Language-prefixed patterns match only in their own language.
    with translation.override(translation.get_language_from_path(path) or settings.LANGUAGE_CODE):
        try:
            match = resolve(path)
        except Resolver404:
            return False, None
    people = getattr(match.func, "cached_for_people", None)
    rows = tuple(people(**match.kwargs)) if callable(people) else () if people else None
    return getattr(match.func, "cached_for_visitors", False), rows


def _cached_view_at(path: str) -> bool:
    return _view_marks(path)[0]


def _is_visitor(request: HttpRequest) -> bool:
    """No signed-in session and no message waiting: the page is the same for every visitor."""
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
    )


def _key(request: HttpRequest, person: str = "") -> str:
    accepts_gzip = bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
    address = "|".join(
        [
            request.scheme or "",
            request.META.get("HTTP_HOST", ""),
            request.path,
            request.META.get("QUERY_STRING", ""),
            "gzip" if accepts_gzip else "identity",
        ]
    )
    digest = blake2b(address.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
    return f"pagecache:person:{person}:{digest}" if person else f"pagecache:{digest}"


def _storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    user = getattr(request, "user", None)
    nonce = getattr(request, "_csp_nonce", None)
    return (
        getattr(response, "cached_for_visitors", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and (user is None or not user.is_authenticated)
        and not nonce
    )


class VisitorPageCacheMiddleware:
    """Serves and stores whole visitor pages. Placed above GZipMiddleware, so the bytes kept
    are the compressed ones, and above the session, CSRF and authentication middleware,
    which a stored page never needs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or not _is_visitor(request) or not _cached_view_at(request.path_info):
            return self.get_response(request)
        key = _key(request)
        # One round trip: the current generation and the page, which holds the generation it
        # was rendered under. A page from an earlier generation is out of date.
        found = cache.get_many([GENERATION_KEY, key])
        current = found.get(GENERATION_KEY)
        if current is None:
            current = generation()
        stored = found.get(key)
        if stored is not None and stored[0] == current:
            _generation, content, headers = stored
            hit = HttpResponse(content)
            for name, value in headers:
                hit.headers[name] = value
            return hit
        response = self.get_response(request)
        if _storable(request, response):
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in _PERSONAL_HEADERS
            ]
            page = (current, response.content, headers)  # type: ignore[attr-defined]
            cache.set(key, page, timeout=seconds)
        return response


# The form token a signed-in page carries (`{% csrf_token %}`): the browser's own, so it is taken
# out of a stored page and a fresh one for this browser put back on every request.
_CSRF_VALUE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_PLACEHOLDER = b"\x00csrf-token\x00"


class PersonPageCacheMiddleware:
    """Serves and stores signed-in people's pages for views marked @cached_for_people. Placed
    below the session, locale and CSRF middleware (a stored page needs the person's id from
    the session, the language and a form token) and above authentication, which a stored page
    answers without."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        seconds = settings.PAGE_CACHE_SECONDS
        if (
            seconds <= 0
            or request.method != "GET"
            or settings.SESSION_COOKIE_NAME not in request.COOKIES
            or "messages" in request.COOKIES
        ):
            return self.get_response(request)
        rows = _view_marks(request.path_info)[1]
        if rows is None:
            return self.get_response(request)
        session = request.session  # type: ignore[attr-defined]
        person, auth_hash = session.get(SESSION_KEY), session.get(HASH_SESSION_KEY)
        if not person or not auth_hash or "_messages" in session:
            return self.get_response(request)
        key = _key(request, person)
        keys = [GENERATION_KEY, PEOPLE_GENERATION_KEY, _person_generation_key(person), *rows]
        # One round trip: what the page depends on, and the page, which holds the values it
        # was rendered under.
        found = cache.get_many([*keys, unread_key(person), key])
        state = (*(found.get(name) for name in keys), found.get(unread_key(person)), auth_hash)
        stored = found.get(key)
        if stored is not None and None not in state and stored[0] == state:
            _state, content, headers = stored
            token = get_token(request).encode()
            hit = HttpResponse(content.replace(_CSRF_PLACEHOLDER, token))
            for name, value in headers:
                hit.headers[name] = value
            return hit
        # As read before rendering (a change during the render leaves the copy out of date);
        # only a generation never set yet costs another round trip.
        generations = tuple(found.get(name) or _generation_of(name) for name in keys)
        response = self.get_response(request)
        if _storable_for(request, response, person, auth_hash):
            unread = cache.get(unread_key(person))  # as the page's header printed it
            if unread is not None:
                content = _CSRF_VALUE.sub(
                    rb"\1" + _CSRF_PLACEHOLDER + rb"\2",
                    response.content,  # type: ignore[attr-defined]
                )
                headers = [
                    (name, value)
                    for name, value in response.items()
                    if name.lower() not in _PERSONAL_HEADERS
                ]
                page = ((*generations, unread, auth_hash), content, headers)
                cache.set(key, page, timeout=seconds)
        return response


def _storable_for(
    request: HttpRequest, response: HttpResponseBase, person: str, auth_hash: str
) -> bool:
    user = getattr(request, "user", None)
    session = request.session  # type: ignore[attr-defined]
    return (
        getattr(response, "cached_for_people", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
        and user is not None
        and user.is_authenticated
        and str(user.pk) == str(person)
        and not session.modified
        and session.get(HASH_SESSION_KEY) == auth_hash
        and not getattr(request, "_csp_nonce", None)
    )


# Content types worth compressing; files that are compressed already (PDF, XLSX, images,
# archives) are sent as they are.
_COMPRESSIBLE = ("text/", "application/json", "application/xml", "application/atom+xml")


class PortalGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH mitigation) for text responses only."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase):
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(_COMPRESSIBLE):
            return response
        return super().process_response(request, response)
