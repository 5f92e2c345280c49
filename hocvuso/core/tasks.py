"""Background tasks of the core app: the queue's own health checks.

Tasks are thin: they take plain JSON values, call a service and return plain JSON values. Without REDIS_URL
(the embedded default) they run eagerly in the calling process.
"""

import socket

from celery import shared_task

from .services import record_audit

WORKER_HEARTBEAT_ACTION = "core.worker_heartbeat"


@shared_task(name="hocvuso.core.tasks.ping")
def ping() -> str:
    """Answer "pong": a round trip through the broker to a worker and back through the result backend."""
    return "pong"


@shared_task(name="hocvuso.core.tasks.record_worker_heartbeat")
def record_worker_heartbeat(*, note: str = "") -> int:
    """Write a "core.worker_heartbeat" entry to the audit log from the worker and return its id.

    Proves that a worker reaches the database as well as the broker; `note` is kept in the details (the
    worker test uses it to find its own entry).
    """
    entry = record_audit(
        actor=None,
        action=WORKER_HEARTBEAT_ACTION,
        object_type="core.worker",
        object_id=socket.gethostname()[:64],
        details={"note": note[:200]},
    )
    return entry.pk
