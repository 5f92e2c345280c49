"""Background tasks of credentials (Celery beat "issue-certificates" and "deliver-certificates"). Thin: they call
the services. Without Redis (the embedded default) Celery runs them eagerly in the calling process."""

import logging
from typing import Any

from celery import shared_task

from hocvuso.core.errors import DomainError
from hocvuso.learning.models import LiteracyStatus

from .issuance import issue_certificates
from .issuance import issue_pending_certificates as issue_pending
from .outbox import deliver_certificates as deliver


@shared_task(name="hocvuso.credentials.tasks.issue_pending_certificates", ignore_result=True)
def issue_pending_certificates() -> int:
    """Issue a certificate for every literacy confirmation still without one; returns how many. Without a signing
    key nothing is issued (logged): the confirmations wait, and are issued once an operator creates the key."""
    try:
        return issue_pending()
    except DomainError as error:
        logging.getLogger(__name__).warning("certificates not issued: %s", error.code)
        return 0


@shared_task(name="hocvuso.credentials.tasks.issue_certificates_of_user", ignore_result=True)
def issue_certificates_of_user(user_id: int) -> int:
    """Issue the certificates of one learner's new literacy confirmations (queued when their assessment confirms
    them; without Redis it runs in the request, so it issues only theirs, never a province's backlog)."""
    try:
        return issue_certificates(statuses=LiteracyStatus.objects.filter(user_id=user_id), actor=None)
    except DomainError as error:
        logging.getLogger(__name__).warning("certificates not issued: %s", error.code)
        return 0


@shared_task(name="hocvuso.credentials.tasks.deliver_certificates", ignore_result=True)
def deliver_certificates() -> dict[str, Any]:
    """Send due certificates to the national confirmation endpoint; returns the counts."""
    report = deliver()
    return {"delivered": report.delivered, "retrying": report.retrying, "dead": report.dead}
