"""The Redis cache backend (hocvuso.core.cache) reuses one client per connection pool and behaves as Django's:
against the Redis the suite is given (REDIS_URL; CI sets it)."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from hocvuso.core.cache import RedisCache


def redis_caches() -> dict[str, dict[str, str]]:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: there is no Redis to talk to (CI sets it).")
    return {"default": {"BACKEND": "hocvuso.core.cache.RedisCache", "LOCATION": settings.REDIS_URL}}


def test_one_client_serves_every_call_and_the_values_are_djangos() -> None:
    with override_settings(CACHES=redis_caches()):
        cache = caches["default"]
        assert isinstance(cache, RedisCache)
        client = cache._cache.get_client()
        cache.set_many({"hocvuso-test:a": {"x": [1, 2]}, "hocvuso-test:b": 7}, timeout=30)
        assert cache.get_many(["hocvuso-test:a", "hocvuso-test:b", "hocvuso-test:none"]) == {
            "hocvuso-test:a": {"x": [1, 2]},
            "hocvuso-test:b": 7,
        }
        assert cache.incr("hocvuso-test:b") == 8
        assert cache.add("hocvuso-test:b", 1) is False
        cache.delete_many(["hocvuso-test:a", "hocvuso-test:b"])
        assert cache.get("hocvuso-test:a") is None
        assert cache._cache.get_client(write=True) is client is cache._cache.get_client()


def test_an_unreachable_redis_fails_each_call_and_the_next_call_tries_again() -> None:
    with override_settings(
        CACHES={"default": {"BACKEND": "hocvuso.core.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    ):
        cache = caches["default"]
        for _ in range(2):
            with pytest.raises(Exception, match=r"Connection refused|Error 111"):
                cache.get("hocvuso-test:a")
