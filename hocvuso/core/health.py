"""Health checks of the parts a web process needs: the database, the cache and the queue's broker.

Each check answers a short word ("ok", "eager", "error") and never the error itself: `/healthz` is public,
and error messages name hosts. The error goes to the log instead (where personal numbers are masked).
"""

import functools
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any

import redis
from celery.result import EagerResult
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from .tasks import ping

logger = logging.getLogger(__name__)

OK = "ok"
EAGER = "eager"
ERROR = "error"
TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class HealthReport:
    """The answer of every check by name; healthy when none of them failed."""

    checks: dict[str, str] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return ERROR not in self.checks.values()

    @property
    def failed(self) -> list[str]:
        return [name for name, answer in self.checks.items() if answer == ERROR]


def check_database(connection: BaseDatabaseWrapper | None = None) -> str:
    """Run `SELECT 1` on the database (the default one unless `connection` is given); "ok" or "error"."""
    connection = connection if connection is not None else connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row = cursor.fetchone()
    except Exception:
        logger.exception("Health check: the database is not reachable.")
        return ERROR
    return OK if row is not None and row[0] == 1 else ERROR


def check_cache(alias: str = "default") -> str:
    """Write a fresh value to the cache and read it back; "ok" or "error". The key is this process's own, so
    frequent checks overwrite one entry rather than add new ones."""
    key = f"healthz:{socket.gethostname()}:{os.getpid()}"
    value = uuid.uuid4().hex
    try:
        cache = caches[alias]
        cache.set(key, value, timeout=60)
        read = cache.get(key)
    except Exception:
        logger.exception("Health check: the cache is not reachable.")
        return ERROR
    return OK if read == value else ERROR


@functools.lru_cache(maxsize=4)
def _broker_client(url: str, timeout: float) -> Any:
    """A Redis client for the broker, kept per process so a check reuses its connection."""
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def check_queue(timeout: float = TIMEOUT_SECONDS) -> str:
    """Ping the Celery broker (Redis) within `timeout` seconds; "ok" or "error". Without REDIS_URL tasks run
    eagerly in the web process and there is no broker to reach: "eager"."""
    if not settings.REDIS_URL:
        return EAGER
    try:
        answered = _broker_client(settings.CELERY_BROKER_URL, timeout).ping()
    except Exception:
        logger.exception("Health check: the queue's broker is not reachable.")
        return ERROR
    return OK if answered is True else ERROR


def check_worker(*, timeout: float = 5.0, queue: str | None = None, app: Any = None) -> str:
    """Send the `ping` task and wait up to `timeout` seconds for a worker's "pong"; "ok", "eager" (no broker:
    the task ran in this process) or "error". Not part of `/healthz`: a public page must not wait on workers.
    Run it from a shell (docs/OPERATIONS.md) or a monitoring job."""
    options: dict[str, Any] = {"queue": queue} if queue else {}
    try:
        result = ping.apply_async(**options) if app is None else app.send_task(ping.name, **options)
        answer = result.get(timeout=timeout)
        if not isinstance(result, EagerResult):
            result.forget()
    except Exception:
        logger.exception("Health check: no worker answered the ping task.")
        return ERROR
    if answer != "pong":
        return ERROR
    return EAGER if settings.CELERY_TASK_ALWAYS_EAGER and app is None else OK


def run_checks() -> HealthReport:
    """Check the database, the cache and the queue, in that order."""
    return HealthReport(checks={"database": check_database(), "cache": check_cache(), "queue": check_queue()})
