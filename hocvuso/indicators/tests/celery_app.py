"""The project's Celery app for the live-refresh test: the beat schedule holds only "refresh-indicators", at the
interval production uses, sent to the test's own queue (INDICATORS_TEST_QUEUE) so the test's worker takes it and
no other worker does. Started by test_live_refresh.py as `celery -A hocvuso.indicators.tests.celery_app worker -B`.
"""

import os

from django.conf import settings

from config.celery import app

PRODUCTION_ENTRY = settings.CELERY_BEAT_SCHEDULE["refresh-indicators"]
app.conf.beat_schedule = {
    "refresh-indicators": {**PRODUCTION_ENTRY, "options": {"queue": os.environ.get("INDICATORS_TEST_QUEUE", "celery")}}
}

__all__ = ["app"]
