"""For tests that start a real Celery worker as a subprocess: the Redis and database URLs it must use, and
stopping it. A worker shares the test database only on PostgreSQL (an in-memory SQLite database cannot be
shared with another process), and each test uses its own Redis database number so that it never takes work
from, or leaves work for, another worker."""

import os
import subprocess
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import pytest
from django.conf import settings


def redis_url_for_worker(database: int, what: str) -> str:
    """REDIS_URL with its own database number; skips the test (saying `what` needs it) when REDIS_URL is unset."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip(f"REDIS_URL is not set: {what} needs a real Redis (CI sets redis://127.0.0.1:6379/0).")
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def database_url_for_worker() -> str | None:
    """A DATABASE_URL naming the database pytest made for this run (PostgreSQL), or None on SQLite."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return None
    credentials = quote(database["USER"], safe="")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"], safe="")
    host = database["HOST"] + (f":{database['PORT']}" if database["PORT"] else "")
    query = urlencode(database.get("OPTIONS") or {})
    return urlunsplit(("postgres", f"{credentials}@{host}", "/" + quote(database["NAME"], safe=""), query, ""))


def shared_database_url(what: str) -> str:
    """database_url_for_worker(), skipping the test (saying `what` needs it) on SQLite."""
    url = database_url_for_worker()
    if url is None:
        pytest.skip(f"{what} needs PostgreSQL (DATABASE_URL): SQLite in memory cannot be shared with a worker.")
    return url


def stop_process(process: "subprocess.Popen[bytes]") -> None:
    """Terminate, then kill if it has not exited within 30 seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
