"""Writes of the xAPI outbox: queue a statement with the learning event, deliver queued statements to the LRS.

The outbox makes delivery exactly-once from the LRS's point of view: a statement is written in the same
transaction as the event that caused it, kept until the LRS confirms it, and always sent with its own id, so a
resend after a lost answer is recognised by the LRS instead of stored twice.

Delivery claims rows with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share the queue
without sending the same statement twice. SQLite (single process, the embedded default) has no row locks:
there the rows are read without a transaction, sent, and their outcome written in a short transaction, so a
slow LRS never holds SQLite's database-wide write lock.
"""

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from hocvuso.learning.models import OutboxStatement

from .client import LrsClient, LrsConflict, LrsError, LrsRejected, configured_client
from .statements import LESSON, build_statement

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 60 * 60
# Events arriving within this window share one delivery task (a batch), instead of one task per answer.
DELIVERY_DEBOUNCE_SECONDS = 5
DELIVERY_SCHEDULED_KEY = "learning:xapi:delivery-scheduled"


def queue_statement(
    *,
    actor_key: str,
    verb: str,
    object_id: str,
    object_name: str,
    object_type: str = LESSON,
    result: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: datetime | None = None,
) -> uuid.UUID:
    """Write an xAPI statement about a learning event to the outbox, in the caller's transaction.

    Call it inside the service that records the event: the statement exists if and only if the event commits,
    and delivery is scheduled once it has. `actor_key` is an internal key of the learner (never shown to the
    LRS: the actor is an account named by its keyed hash); `verb` is a verb constant; `object_id` a path under
    XAPI_ACTIVITY_BASE. Returns the statement id. Raises ValueError when the statement would not be valid xAPI.
    """
    statement_id = uuid.uuid4()
    statement = build_statement(
        statement_id=statement_id,
        actor_key=actor_key,
        verb=verb,
        object_id=object_id,
        object_name=object_name,
        object_type=object_type,
        result=result,
        context=context,
        timestamp=timestamp,
    )
    OutboxStatement.objects.create(statement_id=statement_id, statement=statement)
    transaction.on_commit(schedule_delivery, robust=True)
    return statement_id


def schedule_delivery() -> None:
    """Start a delivery task unless one was started in the last DELIVERY_DEBOUNCE_SECONDS.

    Runs after the commit of a learning event. With a worker the task starts after the debounce window, so
    the events of those seconds travel in one batch; without one (no REDIS_URL) it runs at once, in-process.
    Without an LRS (XAPI_LRS_URL empty) nothing is scheduled and statements wait in the outbox.
    """
    if configured_client() is None:
        return
    if not cache.add(DELIVERY_SCHEDULED_KEY, True, timeout=DELIVERY_DEBOUNCE_SECONDS):
        return
    from .tasks import deliver_xapi_statements  # the task module imports this one

    deliver_xapi_statements.apply_async(countdown=DELIVERY_DEBOUNCE_SECONDS)


def backoff_delay(attempts: int) -> timedelta:
    """How long to wait before trying a statement again after `attempts` failed or rejected sends."""
    exponent = min(max(attempts - 1, 0), 20)
    return timedelta(seconds=min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**exponent))


@dataclass
class DeliveryReport:
    """The outcome of one delivery run: counts of statements, and the error that stopped the run, if any."""

    delivered: int = 0
    failed: int = 0
    batches: int = 0
    error: str = ""
    configured: bool = True
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "delivered": self.delivered,
            "failed": self.failed,
            "batches": self.batches,
            "error": self.error,
            "configured": self.configured,
        }


@dataclass
class _BatchOutcome:
    delivered: dict[int, str] = field(default_factory=dict)  # row id → note kept in last_error ("" when none)
    failed: dict[int, str] = field(default_factory=dict)  # row id → error
    stop: str = ""  # the LRS is unusable: end the run


def deliver_outbox(
    *,
    batch_size: int,
    client: LrsClient | None = None,
    max_batches: int | None = None,
    ignore_backoff: bool = False,
) -> DeliveryReport:
    """Send due outbox statements to the LRS in batches of `batch_size`, oldest first; returns a DeliveryReport.

    A statement is marked delivered only once the LRS confirmed it; one the LRS already holds (a resend after
    a lost answer) counts as delivered. When the LRS rejects a batch (invalid or conflicting content) the
    statements of that batch are sent one by one so a single bad statement holds back no other. Failures
    increase `attempts` and push `next_attempt_at` back exponentially (30 s doubling, at most an hour); the
    run ends at the first failure of the LRS itself (unreachable, 5xx, malformed answer) or after
    `max_batches`. `ignore_backoff` also sends statements still waiting out their back-off (an operator's
    "send now"). Uses the configured LRS unless `client` is given; without one, sends nothing.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    lrs = client if client is not None else configured_client()
    report = DeliveryReport()
    if lrs is None:
        report.configured = False
        return report
    started = timezone.now()
    use_row_locks = connection.features.has_select_for_update_skip_locked
    while max_batches is None or report.batches < max_batches:
        due = OutboxStatement.objects.due(started, ignore_backoff=ignore_backoff)
        if use_row_locks:
            with transaction.atomic():
                rows = list(due.select_for_update(skip_locked=True)[:batch_size])
                outcome = _send(lrs, rows)
                _record(rows, outcome)
        else:
            rows = list(due[:batch_size])
            outcome = _send(lrs, rows)
            with transaction.atomic():
                _record(rows, outcome)
        if not rows:
            break
        report.batches += 1
        report.delivered += len(outcome.delivered)
        report.failed += len(outcome.failed)
        report.errors.extend(sorted(set(outcome.failed.values())))
        if outcome.stop:
            report.error = outcome.stop
            logger.warning("xAPI delivery stopped: %s (%d statements not sent)", outcome.stop, len(outcome.failed))
            break
        if len(rows) < batch_size:
            break
    return report


def _send(lrs: LrsClient, rows: list[OutboxStatement]) -> _BatchOutcome:
    outcome = _BatchOutcome()
    if not rows:
        return outcome
    try:
        lrs.store_statements([row.statement for row in rows])
    except (LrsConflict, LrsRejected):
        pass  # find out which statement it was, below
    except LrsError as error:
        outcome.failed = {row.pk: str(error) for row in rows}
        outcome.stop = str(error)
        return outcome
    else:
        outcome.delivered = {row.pk: "" for row in rows}
        return outcome
    for index, row in enumerate(rows):
        try:
            lrs.store_statement(row.statement)
        except LrsConflict as error:
            # Our ids are random UUIDs used once, so the statement under this id is ours, stored by an earlier
            # send: it is there, once. Kept as a note for operators.
            outcome.delivered[row.pk] = f"Already on the LRS: {error}"[:500]
        except LrsRejected as error:
            outcome.failed[row.pk] = str(error)
        except LrsError as error:
            for rest in rows[index:]:
                outcome.failed[rest.pk] = str(error)
            outcome.stop = str(error)
            break
        else:
            outcome.delivered[row.pk] = ""
    return outcome


def _record(rows: list[OutboxStatement], outcome: _BatchOutcome) -> None:
    now = timezone.now()
    sent = [row for row in rows if row.pk in outcome.delivered or row.pk in outcome.failed]
    # Rows read without a lock (SQLite) may have been delivered meanwhile by another process: keep that.
    still_queued = set(
        OutboxStatement.objects.filter(pk__in=[row.pk for row in sent], delivered_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    changed = []
    for row in sent:
        if row.pk not in still_queued:
            continue
        row.attempts += 1
        row.last_attempt_at = now
        if row.pk in outcome.delivered:
            row.delivered_at = now
            row.last_error = outcome.delivered[row.pk]
        else:
            row.last_error = outcome.failed[row.pk][:500]
            row.next_attempt_at = now + backoff_delay(row.attempts)
        changed.append(row)
    OutboxStatement.objects.bulk_update(
        changed, ["attempts", "last_attempt_at", "delivered_at", "last_error", "next_attempt_at"]
    )
