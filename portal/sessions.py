"""Sessions kept in the database and read from the cache (Redis), so a signed-in request
costs no query for its session.

Django's `cached_db` engine, with one change: a session stays in the cache for
`SESSION_CACHE_SECONDS` at most rather than for the session's whole life. The database stays
the record; the cache only saves the read. The cap matters when Redis cannot be reached for
a while (the cache fails open, portal/cache.py): a sign-out in that time deletes the session
from the database but cannot delete it from the cache, and the stale copy would otherwise be
read back for up to two weeks once Redis answers again. With the cap it is gone within
minutes.
"""

from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches


class _ShortLivedEntries:
    """The session cache, setting every entry for SESSION_CACHE_SECONDS at most."""

    def __init__(self, cache: Any) -> None:
        self._cache = cache

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        cap = settings.SESSION_CACHE_SECONDS
        self._cache.set(key, value, cap if timeout is None else min(timeout, cap))

    def __contains__(self, key: str) -> bool:
        return key in self._cache

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cache, name)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._cache = _ShortLivedEntries(caches[settings.SESSION_CACHE_ALIAS])
