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

With Redis unreachable the cache fails open (portal.cache): every read misses, pages are
rendered as if no cache existed.
"""

import re
import time
from collections.abc import Callable
from functools import lru_cache, wraps
from hashlib import blake2b
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.urls import Resolver404, resolve
from django.utils import translation

GENERATION_KEY = "pagecache:generation"
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# What a stored response may not carry: the reader's own state.
_PERSONAL_HEADERS = {"set-cookie"}


def public_pages_changed() -> None:
    """Retire every stored visitor page once the current transaction commits."""
    transaction.on_commit(_bump_generation, robust=True)


def _bump_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        # Never set, evicted, or Redis unreachable: start from a number no old page used.
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def generation() -> int:
    """The current generation of stored pages (also part of cached fragments' keys)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = time.time_ns()
        if not cache.add(GENERATION_KEY, generation, timeout=None):
            generation = cache.get(GENERATION_KEY, generation)
    return int(generation)


def cached_for_visitors(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Let the middleware keep this view's pages for readers who are not signed in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response.cached_for_visitors = True  # type: ignore[attr-defined]
        return response

    wrapped.cached_for_visitors = True  # type: ignore[attr-defined]
    return wrapped


@lru_cache(maxsize=8192)
def _cached_view_at(path: str) -> bool:
    """Whether the address is served by a view marked @cached_for_visitors, so any other
    request (a login page, the health check) costs no trip to the cache."""
    # Language-prefixed patterns match only in their own language.
    with translation.override(translation.get_language_from_path(path) or settings.LANGUAGE_CODE):
        try:
            match = resolve(path)
        except Resolver404:
            return False
    return getattr(match.func, "cached_for_visitors", False)


def _is_visitor(request: HttpRequest) -> bool:
    """No signed-in session and no message waiting: the page is the same for every visitor."""
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
    )


def _key(request: HttpRequest) -> str:
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
    return f"pagecache:{digest}"


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
