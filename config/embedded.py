"""Periodic jobs for a deployment without Redis (the embedded default): no Celery beat runs there, so each web
process starts one daemon thread (from config/wsgi.py, beside the figures' refresher) that runs them every
EMBEDDED_SCHEDULE_SECONDS. Each job is safe to run from several processes at once.

Today: marking failed the roster imports whose worker died (`expire_stalled_imports`, which Celery beat runs as
"sweep-stalled-imports" where Redis is configured). The thread never runs inside a request.
"""

import logging
import random
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)


def _jobs() -> list[Callable[[], object]]:
    from hocvuso.people.imports.services import expire_stalled_imports

    return [expire_stalled_imports]


def run_once() -> None:
    """Run every periodic job once, each in its own try (one failing job does not stop the others)."""
    for job in _jobs():
        try:
            job()
        except Exception:
            logger.exception("Embedded periodic job %s failed", getattr(job, "__name__", job))
        finally:
            close_old_connections()


def start(*, interval: float | None = None, stop: threading.Event | None = None) -> threading.Thread | None:
    """Start the thread when Celery runs eagerly (no broker); returns it, or None where beat does the work."""
    if not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return None
    period = interval if interval is not None else float(settings.EMBEDDED_SCHEDULE_SECONDS)
    stopping = stop or threading.Event()

    def loop() -> None:
        # A random first delay, so the web processes started together do not all sweep at the same instant.
        if stopping.wait(random.uniform(0, period)):
            return
        while True:
            run_once()
            if stopping.wait(period):
                connection.close()
                return

    thread = threading.Thread(target=loop, name="hocvuso-embedded-schedule", daemon=True)
    thread.start()
    return thread
