"""Background tasks of credentials (Celery beat "issue-certificates" and "deliver-certificates"). Thin: they call
the services. Without Redis (the embedded default) Celery runs them eagerly in the calling process."""

from typing import Any

from celery import shared_task

from .issuance import issue_pending_certificates as issue_pending
from .outbox import deliver_certificates as deliver


@shared_task(name="hocvuso.credentials.tasks.issue_pending_certificates", ignore_result=True)
def issue_pending_certificates() -> int:
    """Issue a certificate for every literacy confirmation still without one; returns how many."""
    return issue_pending()


@shared_task(name="hocvuso.credentials.tasks.deliver_certificates", ignore_result=True)
def deliver_certificates() -> dict[str, Any]:
    """Send due certificates to the national confirmation endpoint; returns the counts."""
    report = deliver()
    return {"delivered": report.delivered, "retrying": report.retrying, "dead": report.dead}
