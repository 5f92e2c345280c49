"""The Celery application. Without REDIS_URL (the embedded default) tasks run eagerly in the web process.

A worker: `celery -A config worker -l INFO` (see docs/OPERATIONS.md; locally, with
DJANGO_SETTINGS_MODULE=config.settings.local and REDIS_URL set). It logs through Django's LOGGING
(JSON lines with personal numbers masked), the same as the web processes.
"""

import logging.config
import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging
from django.conf import settings

# Importing the `config` package runs this module first (config/__init__.py), before config/wsgi.py: the default
# must be the production one, so a web process or worker started without DJANGO_SETTINGS_MODULE never runs with
# the local (debug) settings. manage.py picks the local settings itself; a local worker sets the variable.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("hocvuso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs: Any) -> None:
    """Configure the worker's logging from settings.LOGGING instead of Celery's own plain-text format."""
    logging.config.dictConfig(settings.LOGGING)
