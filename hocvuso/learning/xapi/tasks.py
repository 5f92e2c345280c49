"""Background task of the xAPI outbox: deliver due statements to the LRS.

Started after each learning event (debounced, see ``services.schedule_delivery``) and every minute by Celery
beat (CELERY_BEAT_SCHEDULE); `manage.py deliver_xapi` does the same from cron or by hand. Several may run at
once: on PostgreSQL they share the queue through row locks.
"""

from typing import Any

from celery import shared_task
from django.conf import settings

from .services import deliver_outbox

# One run sends at most this many batches, so a large backlog is worked off by successive runs.
MAX_BATCHES_PER_RUN = 50


@shared_task(name="hocvuso.learning.xapi.tasks.deliver_xapi_statements", ignore_result=True)
def deliver_xapi_statements() -> dict[str, Any]:
    """Deliver due outbox statements in batches of XAPI_BATCH_SIZE; returns the delivery report as a dict."""
    report = deliver_outbox(batch_size=settings.XAPI_BATCH_SIZE, max_batches=MAX_BATCHES_PER_RUN)
    return report.as_dict()
