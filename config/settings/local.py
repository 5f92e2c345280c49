"""The embedded default for `make run`: SQLite, no Redis, debug pages. Never for production."""

import os

os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret")

from .base import *  # noqa: F403

DEBUG = True
ALLOW_DEMO_DATA = True
OIDC_ALLOW_HTTP = env_bool("OIDC_ALLOW_HTTP", True)  # noqa: F405 — a provider on this machine, for trying sign-in out
