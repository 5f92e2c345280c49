"""xAPI delivery to a real LRS: Ralph receives every statement exactly once, through outages and resends.

Ralph runs once per test session (see ralph.py); tests count statements by their own ids, so statements left
by other tests do not matter.
"""

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from hocvuso.learning.models import OutboxStatement
from hocvuso.learning.tests.ralph import PASSWORD, USERNAME, RalphServer
from hocvuso.learning.xapi import ATTEMPTED, COMPLETED, FAILED, PASSED, REGISTERED, deliver_outbox, queue_statement
from hocvuso.learning.xapi.client import HttpLrsClient
from hocvuso.learning.xapi.services import DELIVERY_SCHEDULED_KEY
from hocvuso.learning.xapi.statements import activity_iri
from hocvuso.learning.xapi.tasks import deliver_xapi_statements

pytestmark = pytest.mark.lrs

IMMUTABLE = ("id", "actor", "verb", "object", "result", "context", "timestamp", "version")


@pytest.fixture(scope="session")
def ralph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RalphServer]:
    server = RalphServer(tmp_path_factory.mktemp("ralph"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def lrs(ralph: RalphServer, settings) -> RalphServer:
    """Ralph, running, configured as the project's LRS."""
    ralph.start()
    settings.XAPI_LRS_URL = ralph.endpoint
    settings.XAPI_LRS_USERNAME = USERNAME
    settings.XAPI_LRS_PASSWORD = PASSWORD
    settings.XAPI_LRS_TIMEOUT_SECONDS = 10
    cache.delete(DELIVERY_SCHEDULED_KEY)
    return ralph


def queue(number: int, verb: str = COMPLETED) -> str:
    statement_id = queue_statement(
        actor_key=f"resident:{number}",
        verb=verb,
        object_id=f"lessons/{number}",
        object_name=f"Bài {number}: Thanh toán bằng mã QR",
        result={"completion": True, "score": {"scaled": 0.9, "raw": 9, "min": 0, "max": 10}},
        context={
            "registration": str(uuid.uuid4()),
            "contextActivities": {"parent": [{"id": activity_iri("courses/nguoi-cao-tuoi"), "objectType": "Activity"}]},
        },
    )
    return str(statement_id)


def counts(ralph: RalphServer, ids: list[str]) -> dict[str, int]:
    """How many times Ralph holds each of `ids`: through its API and in its storage file."""
    listed = Counter(ralph.statement_ids())
    written = Counter(line["id"] for line in ralph.stored_lines())
    assert {statement_id: written[statement_id] for statement_id in ids} == {
        statement_id: listed[statement_id] for statement_id in ids
    }
    return {statement_id: listed[statement_id] for statement_id in ids}


def test_ralph_receives_every_statement_once_in_batches(db, lrs):
    ids = [queue(number, verb) for number, verb in enumerate([REGISTERED, ATTEMPTED, FAILED, ATTEMPTED, PASSED] * 2)]

    report = deliver_outbox(batch_size=4)

    assert report.as_dict() == {"delivered": 10, "failed": 0, "batches": 3, "error": "", "configured": True}
    assert counts(lrs, ids) == dict.fromkeys(ids, 1)
    for row in OutboxStatement.objects.all():
        assert row.delivered_at is not None
        assert (row.attempts, row.last_error) == (1, "")
    stored = {statement["id"]: statement for statement in lrs.statements()}
    for row in OutboxStatement.objects.all():
        ours = row.statement
        assert {key: stored[ours["id"]].get(key) for key in IMMUTABLE} == {key: ours.get(key) for key in IMMUTABLE}


def test_stopping_the_lrs_loses_nothing_and_each_statement_arrives_once(db, lrs):
    before = [queue(1), queue(2)]
    assert deliver_outbox(batch_size=10).delivered == 2

    lrs.stop()
    try:
        during = [queue(number) for number in range(3, 8)]
        report = deliver_outbox(batch_size=3)

        # The first batch failed, which ended the run: the other statements were not even tried.
        assert report.as_dict() == {
            "delivered": 0,
            "failed": 3,
            "batches": 1,
            "error": "LRS unreachable (ConnectionRefusedError).",
            "configured": True,
        }
        waiting = OutboxStatement.objects.filter(statement_id__in=during).order_by("next_attempt_at", "id")
        assert waiting.filter(delivered_at__isnull=True).count() == 5
        tried = [row for row in waiting if row.attempts]
        assert len(tried) == 3
        for row in tried:
            assert row.last_error == "LRS unreachable (ConnectionRefusedError)."
            assert row.next_attempt_at == row.last_attempt_at + timedelta(seconds=30)

        report = deliver_outbox(batch_size=3)  # the untried two, which fail in turn
        assert (report.delivered, report.failed) == (0, 2)
        assert sorted(row.attempts for row in waiting.all()) == [1, 1, 1, 1, 1]
    finally:
        lrs.start()  # same storage folder: Ralph keeps what it had

    assert deliver_outbox(batch_size=3).delivered == 0  # still waiting out the back-off
    # Thirty seconds later the back-off has run out.
    OutboxStatement.objects.filter(delivered_at__isnull=True).update(next_attempt_at=timezone.now())

    report = deliver_outbox(batch_size=3)

    assert (report.delivered, report.failed, report.error) == (5, 0, "")
    assert counts(lrs, before + during) == dict.fromkeys(before + during, 1)
    assert sorted(row.attempts for row in OutboxStatement.objects.filter(statement_id__in=during)) == [2] * 5
    assert OutboxStatement.objects.filter(delivered_at__isnull=True).count() == 0


def test_resend_after_a_lost_answer_is_stored_once(db, lrs):
    first = [queue(1), queue(2), queue(3)]
    deliver_outbox(batch_size=10)
    # The LRS stored the batch but its answer was lost: the outbox still thinks two are undelivered.
    OutboxStatement.objects.filter(statement_id__in=first[:2]).update(delivered_at=None)
    fresh = [queue(4), queue(5)]

    report = deliver_outbox(batch_size=10)  # one batch: two already on Ralph, two new

    assert (report.delivered, report.failed, report.batches) == (4, 0, 1)
    assert counts(lrs, first + fresh) == dict.fromkeys(first + fresh, 1)
    assert OutboxStatement.objects.filter(delivered_at__isnull=True).count() == 0

    # A batch made only of statements Ralph already holds (it answers 204) is delivered too.
    OutboxStatement.objects.filter(statement_id__in=first).update(delivered_at=None)
    assert deliver_outbox(batch_size=10).delivered == 3
    assert counts(lrs, first + fresh) == dict.fromkeys(first + fresh, 1)


def test_statement_ralph_holds_with_other_content_counts_as_delivered(db, lrs):
    changed = queue(1)
    deliver_outbox(batch_size=10)
    row = OutboxStatement.objects.get(statement_id=changed)
    row.statement["result"]["score"]["raw"] = 8  # the stored copy differs from the one resent
    row.statement["result"]["score"]["scaled"] = 0.8
    row.delivered_at = None
    row.save()
    fresh = queue(2)

    report = deliver_outbox(batch_size=10)  # Ralph answers 409 for the batch; then one by one

    assert (report.delivered, report.failed) == (2, 0)
    assert counts(lrs, [changed, fresh]) == {changed: 1, fresh: 1}
    row.refresh_from_db()
    assert row.delivered_at is not None
    assert row.last_error == (
        "Already on the LRS: LRS answered HTTP 409, a different statement has the same id: "
        "A different statement already exists with the same ID"
    )
    assert OutboxStatement.objects.get(statement_id=fresh).last_error == ""


def test_statement_ralph_rejects_holds_back_no_other(db, lrs):
    good = [queue(1), queue(2)]
    broken = queue(3)
    OutboxStatement.objects.filter(statement_id=broken).update(
        statement={**OutboxStatement.objects.get(statement_id=broken).statement, "verb": {"display": {"vi": "?"}}}
    )
    later = queue(4)

    report = deliver_outbox(batch_size=10)  # Ralph answers 422 for the batch; then one by one

    assert (report.delivered, report.failed, report.error) == (3, 1, "")
    assert report.errors == ["LRS rejected the statements (HTTP 422): body.verb.id: Field required"]
    assert counts(lrs, [*good, broken, later]) == {good[0]: 1, good[1]: 1, broken: 0, later: 1}
    row = OutboxStatement.objects.get(statement_id=broken)
    assert row.delivered_at is None
    assert (row.attempts, row.last_error) == (1, "LRS rejected the statements (HTTP 422): body.verb.id: Field required")
    assert row.next_attempt_at == row.last_attempt_at + timedelta(seconds=30)


def test_wrong_credentials_keep_statements_queued(db, lrs):
    statement_id = queue(1)
    client = HttpLrsClient(endpoint=lrs.endpoint, username=USERNAME, password="not-the-password")

    report = deliver_outbox(batch_size=10, client=client)

    assert (report.delivered, report.error) == (0, "LRS refused our credentials (HTTP 401).")
    assert counts(lrs, [statement_id]) == {statement_id: 0}
    assert OutboxStatement.objects.get().delivered_at is None


def test_learning_event_commit_starts_delivery(db, lrs, django_capture_on_commit_callbacks):
    # No worker in tests: the task runs in-process once the event commits.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = queue(1)
    # A second event within the debounce window does not start another task; the next run takes it.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        second = queue(2)

    assert counts(lrs, [first, second]) == {first: 1, second: 0}

    assert deliver_xapi_statements() == {
        "delivered": 1,
        "failed": 0,
        "batches": 1,
        "error": "",
        "configured": True,
    }
    assert counts(lrs, [first, second]) == {first: 1, second: 1}


def test_deliver_xapi_command_sends_to_ralph(db, lrs, capsys):
    ids = [queue(1), queue(2)]

    call_command("deliver_xapi", "--batch-size", "1")

    assert capsys.readouterr().out == "Đã gửi 2 câu lệnh, lỗi 0; còn 0 câu lệnh chờ.\n"
    assert counts(lrs, ids) == dict.fromkeys(ids, 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_never_send_a_locked_statement(lrs):
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("Row locks need PostgreSQL; SQLite delivers from one process.")
    cache.add(DELIVERY_SCHEDULED_KEY, True, timeout=60)  # a delivery is under way: committing starts none
    locked, free = queue(1), queue(2)
    holding, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                list(OutboxStatement.objects.select_for_update().filter(statement_id=locked))
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    try:
        assert holding.wait(30)
        report = deliver_outbox(batch_size=10)
    finally:
        release.set()
        worker.join(30)

    assert (report.delivered, report.failed) == (1, 0)
    assert counts(lrs, [locked, free]) == {locked: 0, free: 1}
    assert OutboxStatement.objects.get(statement_id=locked).delivered_at is None
