"""`/healthz` and the checks behind it, against real parts: the test database, the configured cache, and a
broker address where nothing listens for the failures."""

import json

import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler
from django.test import Client, override_settings
from django.urls import resolve

from hocvuso.core.health import check_cache, check_database, check_queue, check_worker, run_checks

# Loopback port 1: nothing listens there, so a connection is refused at once.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
UNREACHABLE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS}
}


def test_database_check_runs_select_one(db: None) -> None:
    assert check_database() == "ok"


def test_database_check_reports_an_unreachable_database() -> None:
    broken = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/nonexistent-folder/hocvuso.sqlite3"}}
    )

    assert check_database(broken["default"]) == "error"


def test_cache_check_writes_and_reads_back() -> None:
    assert check_cache() == "ok"


@override_settings(CACHES=UNREACHABLE_CACHE)
def test_cache_check_reports_an_unreachable_cache() -> None:
    assert check_cache() == "error"


@override_settings(REDIS_URL="")
def test_queue_without_redis_runs_tasks_eagerly() -> None:
    assert check_queue() == "eager"


@override_settings(REDIS_URL=UNREACHABLE_REDIS, CELERY_BROKER_URL=UNREACHABLE_REDIS)
def test_queue_check_reports_an_unreachable_broker() -> None:
    assert check_queue(timeout=1) == "error"


def test_queue_check_reaches_the_broker() -> None:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: there is no broker to reach (CI sets it).")

    assert check_queue() == "ok"


def test_worker_check_in_eager_mode_runs_ping_in_this_process() -> None:
    assert check_worker() == "eager"


def test_run_checks_names_every_part(db: None) -> None:
    report = run_checks()

    assert report.checks == {"database": "ok", "cache": "ok", "queue": "eager" if not settings.REDIS_URL else "ok"}
    assert report.healthy is True
    assert report.failed == []


@override_settings(REDIS_URL="")
def test_healthz_answers_200_when_every_part_is_up(db: None, client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "queue": "eager", "figures": "ok"},
    }


@override_settings(REDIS_URL=UNREACHABLE_REDIS, CELERY_BROKER_URL=UNREACHABLE_REDIS, CACHES=UNREACHABLE_CACHE)
def test_healthz_answers_503_naming_the_failed_parts_and_nothing_else(db: None, client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "error",
        "checks": {"database": "ok", "cache": "error", "queue": "error", "figures": "ok"},
        "failed": ["cache", "queue"],
    }
    assert b"127.0.0.1" not in response.content
    assert b"refused" not in response.content.lower()


def test_healthz_is_public_and_needs_no_session(db: None, client: Client) -> None:
    assert resolve("/healthz").func.access_policy.public is True  # type: ignore[attr-defined]
    assert client.get("/healthz").status_code == 200
