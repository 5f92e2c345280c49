"""Django's Redis cache, with one redis-py client per connection pool instead of a new one for every call.

Django's `RedisCacheClient.get_client` builds a `redis.Redis` for each cache operation; building one copies
redis-py's table of response callbacks (about 170 entries), which was a measurable share of a lesson page's
time (bench/profile_lesson.py: the session read). A client holds no connection of its own — it takes one from
its pool for each command — and Django keeps a cache backend per thread, so reusing it changes nothing else.
"""

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's, not in its stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(django_redis.RedisCache):
    """settings.CACHES["default"]["BACKEND"] = "hocvuso.core.cache.RedisCache" (see the module's docstring)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
