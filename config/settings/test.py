"""Settings for the test suite: the database comes from DATABASE_URL (PostgreSQL in CI, SQLite by default)."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

from .base import *  # noqa: F403

ALLOW_DEMO_DATA = True  # tests/test_demo.py loads the demo; its refusal is tested with this off
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing in tests only
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in the test process; the worker test (tests/test_worker.py) starts a real worker with this off.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]  # noqa: F405
# The pinned query counts of the pages include the session read from the database, whatever REDIS_URL says
# (with Redis, production reads sessions from it: base.py); the tests of cached sessions set the engine themselves.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
