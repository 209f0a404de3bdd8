"""The Redis cache fails open: an unreachable Redis reads as an empty cache, not an error."""

import logging

import pytest
import redis

from portal.cache import RETRY_AFTER_SECONDS, FailOpenRedisCache
from tests.conftest import wait_until


@pytest.fixture
def cache(private_redis):
    return FailOpenRedisCache(private_redis.url, {"KEY_PREFIX": "cache-test"})


def test_it_is_an_ordinary_redis_cache_while_redis_answers(cache):
    cache.set("greeting", "karibu", timeout=60)
    assert cache.get("greeting") == "karibu"
    assert cache.add("greeting", "bienvenue") is False
    assert cache.add("counter", 1) is True
    assert cache.incr("counter") == 2
    assert cache.get_many(["greeting", "missing"]) == {"greeting": "karibu"}


def test_every_call_shares_one_redis_client(cache):
    """Django builds a client per call, copying redis-py's response callbacks each time."""
    cache.set("greeting", "karibu", timeout=60)
    cache.get("greeting")
    client = cache._cache.get_client()
    cache.get("greeting")
    assert cache._cache.get_client() is client
    assert cache._cache.get_client("greeting", write=True) is client  # one server: one pool


def test_with_redis_down_it_answers_as_an_empty_cache_and_logs_once(cache, private_redis, caplog):
    cache.set("greeting", "karibu", timeout=60)
    private_redis.stop()

    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        assert cache.get("greeting") is None
        assert cache.get("greeting", "default") == "default"
        assert cache.add("lock", True) is True, "a lock taken with add() is granted"
        cache.set("greeting", "bienvenue")
        assert cache.has_key("greeting") is False
        assert cache.get_many(["greeting"]) == {}
        assert cache.get_or_set("computed", lambda: 42) == 42
        assert cache.delete("greeting") is False
        with pytest.raises(ValueError, match="not found"):
            cache.incr("counter")

    outage_logs = [record for record in caplog.records if record.name == "portal.cache"]
    assert len(outage_logs) == 1, "one warning per outage, not one per call"
    assert "unreachable" in outage_logs[0].getMessage()


def test_the_strict_twin_raises_so_the_health_check_sees_the_outage(cache, private_redis):
    private_redis.stop()
    with pytest.raises(redis.exceptions.ConnectionError):
        cache.strict.get("greeting")


def test_it_uses_redis_again_once_redis_is_back(cache, private_redis):
    private_redis.stop()
    assert cache.get("greeting") is None
    private_redis.start()

    def stored_again() -> bool:
        cache.set("greeting", "hola", timeout=60)
        return cache.strict.get("greeting") == "hola"

    wait_until(stored_again, timeout=RETRY_AFTER_SECONDS + 10, message="the cache storing again")
    assert cache.get("greeting") == "hola"
