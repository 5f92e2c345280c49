"""Background tasks of the monitoring: keep the facts fresh.

Celery beat runs `refresh_indicators` every few seconds (CELERY_BEAT_SCHEDULE "refresh-indicators"): it
recomputes the queued villages and organisations, or everything once a day. Thin: calls the service.
"""

from typing import Any

from celery import shared_task

from .services import rebuild_facts, refresh_facts


@shared_task(name="hocvuso.indicators.tasks.refresh_indicators", ignore_result=True)
def refresh_indicators() -> dict[str, Any]:
    """Bring the facts up to date (see services.refresh_facts); returns what was done."""
    result = refresh_facts()
    return {"kind": result.kind, "villages": result.villages, "organisations": result.organisations}


@shared_task(name="hocvuso.indicators.tasks.rebuild_indicators")
def rebuild_indicators() -> dict[str, Any]:
    """Recompute every fact of today (see services.rebuild_facts)."""
    result = rebuild_facts()
    return {"kind": result.kind, "villages": result.villages, "seconds": round(result.seconds, 2)}
