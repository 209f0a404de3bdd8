"""A Redis cache that fails open: when Redis is unreachable the site keeps answering.

The cache holds nothing the portal cannot do without: allauth's rate-limit counters (login,
signup, password reset, email confirmation) and the marks that stop a TOTP code being used
twice. With Django's RedisCache, an unreachable Redis turns each of those pages into an HTTP
500. `FailOpenRedisCache` answers instead as an empty cache that stores nothing: reads miss,
writes are dropped, `add` reports success (so allauth's lock around a counter is taken), and
the outage is logged.

What that costs while Redis is down: rate limits do not count, and a TOTP code could be used
a second time within its 30-second window. Both come back by themselves when Redis does.
`/healthz` checks Redis through `strict` (the same cache without the guard), so monitoring
still sees the outage and answers 503.

Connecting gives up after `socket_connect_timeout` (half a second by default, in OPTIONS), and
after one failure the cache does not try Redis again for `RETRY_AFTER_SECONDS`, so a page that
touches the cache several times pays for the outage once, not on every call.
"""

import logging
import time
from collections.abc import Callable
from functools import cached_property
from typing import Any

import redis.exceptions
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

_MISSING = object()
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
RETRY_AFTER_SECONDS = 5.0
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}


class ReusedRedisClients(RedisCacheClient):
    """Django's client, keeping one `redis.Redis` per connection pool. Django builds a new one
    for every cache call, and each copies redis-py's 170 response callbacks: 0.3 ms a call,
    four calls on every signed-in page. A `redis.Redis` on a pool is safe to share."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(  # type: ignore[attr-defined]
                connection_pool=pool
            )
        return client


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache, answering as an empty cache while Redis cannot be reached."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        # Set on the instance: RedisCache.__init__ sets its own client class there.
        self._class = ReusedRedisClients
        self._server_spec = server
        self._params = params
        self._skip_until = 0.0

    @cached_property
    def strict(self) -> RedisCache:
        """The same cache, raising when Redis is unreachable (for the health check)."""
        return RedisCache(self._server_spec, self._params)

    def _guarded(self, fallback: Any, method: Callable[..., Any], *args: Any) -> Any:
        """`method(self, *args)` (a RedisCache method), or `fallback` if Redis is unreachable."""
        if time.monotonic() < self._skip_until:
            return fallback
        try:
            return method(self, *args)
        except UNREACHABLE as error:
            self._skip_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning(
                "Redis cache unreachable during %s (%s: %s); answering as an empty cache "
                "for the next %.0f s.",
                method.__name__,
                type(error).__name__,
                error,
                RETRY_AFTER_SECONDS,
            )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True: "it was not there and now it is", so a lock taken with add() is granted.
        return self._guarded(True, RedisCache.add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guarded(default, RedisCache.get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded(None, RedisCache.set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(False, RedisCache.touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(False, RedisCache.delete, key, version)

    def get_many(self, keys, version=None):
        return self._guarded({}, RedisCache.get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(False, RedisCache.has_key, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._guarded(_MISSING, RedisCache.incr, key, delta, version)
        if result is _MISSING:
            # What Django raises for a key that is not there; an empty cache has none.
            raise ValueError(f"Key '{key}' not found (the Redis cache is unreachable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django returns the keys it failed to store: all of them.
        return self._guarded(list(data), RedisCache.set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._guarded(None, RedisCache.delete_many, keys, version)

    def clear(self):
        return self._guarded(False, RedisCache.clear)
