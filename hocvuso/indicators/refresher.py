"""The figures' refresh when there is no worker: a thread of its own in each web process, never a request.

With Redis, Celery beat sends "refresh-indicators" every few seconds to a worker. A small deployment without
Redis (`make run`, one server) runs tasks eagerly and has no beat: there the web process starts one
`Refresher` (config/wsgi.py calls `start_embedded_refresher`), a daemon thread that calls
`services.refresh_facts` every FIGURES_REFRESH_SECONDS with its own database connection. Pages, the public
`/tien-do/` included, only read facts: a visitor never waits for a refresh, never takes its lock, and never
triggers a rebuild of every fact on a new day. Several web processes each run one; `refresh_facts` lets one
work at a time (row lock on PostgreSQL; on SQLite the database's write lock).
"""

import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections, connection

from .services import refresh_facts

logger = logging.getLogger(__name__)


class Refresher:
    """A daemon thread that refreshes the facts every `interval` seconds until `stop()`."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.rounds = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hocvuso-figures-refresher", daemon=True)

    def start(self) -> "Refresher":
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopped.is_set():
            close_old_connections()
            try:
                refresh_facts()
            except Exception:
                # a failed round (the database away for a moment) is logged and tried again; /healthz says
                # "figures stale" when it keeps failing
                logger.exception("The in-process refresh of the figures failed.")
            finally:
                connection.close()
            self.rounds += 1
            self._stopped.wait(self.interval)


_started: dict[int, Refresher] = {}
_lock = threading.Lock()


def start_embedded_refresher() -> Refresher | None:
    """Start this process's refresher when tasks run eagerly (no Redis, so no worker and no beat) and
    FIGURES_REFRESH_IN_PROCESS allows it; once per process (a forked process starts its own). Returns the
    refresher, or None where a worker refreshes."""
    if not (settings.CELERY_TASK_ALWAYS_EAGER and settings.FIGURES_REFRESH_IN_PROCESS):
        return None
    with _lock:
        refresher = _started.get(os.getpid())
        if refresher is None or not refresher.running:
            refresher = _started[os.getpid()] = Refresher(settings.FIGURES_REFRESH_SECONDS).start()
        return refresher
