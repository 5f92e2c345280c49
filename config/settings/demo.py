"""`make run`: the product as people will meet it, on this machine — DEBUG off, static files served by WhiteNoise
(from `collectstatic`), the product's own 404 and 500 pages, SQLite and no Redis unless told otherwise.

The console shows what a person reads: runserver's request lines and warnings as plain text. The JSON log lines
that production ships to its log store go to `var/log/hocvuso.jsonl` instead. Developers who want Django's debug
pages use `config.settings.local` (`make dev`). Never for production: the secret key has a fixed default here.
"""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "demo-only-not-secret")

from .base import *  # noqa: F403

DEBUG = False
ALLOW_DEMO_DATA = True
OIDC_ALLOW_HTTP = env_bool("OIDC_ALLOW_HTTP", True)  # noqa: F405 — a provider on this machine, for trying sign-in out

LOG_FILE = Path(env("LOG_FILE", str(BASE_DIR / "var" / "log" / "hocvuso.jsonl")))  # noqa: F405
LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "hocvuso.core.logging.RedactPersonalNumbers"}},
    "formatters": {
        "json": {"()": "hocvuso.core.logging.JsonFormatter"},
        "human": {"format": "%(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "file": {"class": "logging.FileHandler", "filename": str(LOG_FILE), "formatter": "json", "filters": ["redact"]},
        "console": {"class": "logging.StreamHandler", "formatter": "human", "filters": ["redact"], "level": "WARNING"},
    },
    "root": {"handlers": ["file", "console"], "level": LOG_LEVEL},  # noqa: F405
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # runserver's own request lines ("GET /khoa-hoc/ 200") are not named here: Django's default logging prints
        # them on the console as plain text.
    },
}
