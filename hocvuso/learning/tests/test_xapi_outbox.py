"""The xAPI outbox without a real LRS: transaction semantics, back-off, and an LRS that answers nonsense.

The misbehaving LRS is a real HTTP server on loopback that answers what each test tells it to; the behaviour of
a real LRS (Ralph) is tested in test_xapi_ralph.py.
"""

import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from hocvuso.learning.models import OutboxStatement
from hocvuso.learning.xapi import COMPLETED, deliver_outbox, queue_statement
from hocvuso.learning.xapi.client import HttpLrsClient
from hocvuso.learning.xapi.services import backoff_delay


class Boom(Exception):
    pass


def queue(number: int = 1) -> object:
    return queue_statement(
        actor_key=f"resident:{number}", verb=COMPLETED, object_id=f"lessons/{number}", object_name=f"Bài {number}"
    )


class ScriptedLrs:
    """An HTTP server that answers every request with `status` and `body`, and records what it received."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b"[]"
        self.requests: list[tuple[str, str, Message, bytes]] = []
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                lrs.requests.append((self.command, self.path, self.headers, self.rfile.read(length)))
                self.send_response(lrs.status)
                self.send_header("Content-Length", str(len(lrs.body)))
                self.end_headers()
                self.wfile.write(lrs.body)

            do_POST = do_PUT = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}/xAPI/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def client(self) -> HttpLrsClient:
        return HttpLrsClient(endpoint=self.endpoint, username="lrs-user", password="lrs-password", timeout=5)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted_lrs() -> Iterator[ScriptedLrs]:
    lrs = ScriptedLrs()
    yield lrs
    lrs.close()


def test_outbox_row_exists_only_when_the_transaction_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as rolled_back_callbacks, pytest.raises(Boom), transaction.atomic():
        queue(1)
        raise Boom

    assert OutboxStatement.objects.count() == 0
    assert rolled_back_callbacks == []

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        statement_id = queue(2)

    row = OutboxStatement.objects.get()
    assert row.statement_id == statement_id
    assert row.statement["id"] == str(statement_id)
    assert (row.delivered_at, row.attempts, row.last_attempt_at, row.last_error) == (None, 0, None, "")
    assert len(callbacks) == 1


def test_without_an_lrs_statements_wait_in_the_outbox(db, settings, django_capture_on_commit_callbacks):
    settings.XAPI_LRS_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        queue(1)

    report = deliver_outbox(batch_size=10)

    assert report.as_dict() == {"delivered": 0, "failed": 0, "batches": 0, "error": "", "configured": False}
    row = OutboxStatement.objects.get()
    assert (row.delivered_at, row.attempts, row.last_error) == (None, 0, "")


def test_deliver_xapi_command_without_an_lrs(db, settings, capsys):
    settings.XAPI_LRS_URL = ""
    queue(1)

    call_command("deliver_xapi")

    assert capsys.readouterr().out == "Chưa cấu hình LRS (XAPI_LRS_URL); 1 câu lệnh đang chờ.\n"


def test_backoff_doubles_from_30_seconds_up_to_an_hour():
    assert [backoff_delay(attempts).total_seconds() for attempts in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
    assert backoff_delay(1000) == timedelta(hours=1)


def test_batch_is_posted_with_version_header_and_basic_auth(db, scripted_lrs):
    ids = [queue(number) for number in range(3)]
    scripted_lrs.body = json.dumps([str(statement_id) for statement_id in ids]).encode()

    report = deliver_outbox(batch_size=10, client=scripted_lrs.client())

    assert (report.delivered, report.failed, report.batches) == (3, 0, 1)
    [(method, path, headers, body)] = scripted_lrs.requests
    assert (method, path) == ("POST", "/xAPI/statements")
    assert headers["X-Experience-API-Version"] == "1.0.3"  # header names are case-insensitive
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Authorization"] == "Basic bHJzLXVzZXI6bHJzLXBhc3N3b3Jk"  # lrs-user:lrs-password
    assert [statement["id"] for statement in json.loads(body)] == [str(statement_id) for statement_id in ids]


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (200, b"<html>OK</html>", "LRS answered HTTP 200 with a body that is not JSON."),
        (200, b'{"stored": true}', "LRS answered HTTP 200 with a body that is not a list of statement ids."),
        (
            200,
            b'["00000000-0000-4000-8000-000000000000"]',
            "LRS answered HTTP 200 with statement ids that were not sent.",
        ),
        (202, b"", "LRS answered HTTP 202 to a batch of statements (expected 200 or 204)."),
        (502, b"<html>Bad gateway</html>", "LRS answered HTTP 502"),
        (
            503,
            b'{"detail": "Statements bulk indexation failed"}',
            "LRS answered HTTP 503: Statements bulk indexation failed",
        ),
        (401, b'{"detail": "Invalid authentication credentials"}', "LRS refused our credentials (HTTP 401)."),
    ],
)
def test_malformed_or_failed_answer_keeps_statements_queued(db, scripted_lrs, status, body, error):
    queue(1)
    queue(2)
    scripted_lrs.status, scripted_lrs.body = status, body

    report = deliver_outbox(batch_size=10, client=scripted_lrs.client())

    assert (report.delivered, report.failed, report.error) == (0, 2, error)
    for row in OutboxStatement.objects.all():
        assert row.delivered_at is None
        assert row.attempts == 1
        assert row.last_error == error
        assert row.next_attempt_at == row.last_attempt_at + timedelta(seconds=30)


def test_statements_waiting_out_their_backoff_are_not_sent(db, scripted_lrs):
    queue(1)
    scripted_lrs.status, scripted_lrs.body = 500, b""
    deliver_outbox(batch_size=10, client=scripted_lrs.client())
    scripted_lrs.status, scripted_lrs.body = 204, b""

    report = deliver_outbox(batch_size=10, client=scripted_lrs.client())

    assert (report.delivered, report.failed, report.batches) == (0, 0, 0)
    assert len(scripted_lrs.requests) == 1
    row = OutboxStatement.objects.get()
    assert (row.delivered_at, row.attempts) == (None, 1)

    report = deliver_outbox(batch_size=10, client=scripted_lrs.client(), ignore_backoff=True)

    assert (report.delivered, report.failed, report.batches) == (1, 0, 1)
    row.refresh_from_db()
    assert row.delivered_at is not None
    assert (row.attempts, row.last_error) == (2, "")


def test_unreachable_lrs_keeps_statements_queued(db):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # nothing listens here once the socket is closed
    queue(1)

    report = deliver_outbox(
        batch_size=10, client=HttpLrsClient(endpoint=f"http://127.0.0.1:{port}/xAPI/", username="u", password="p")
    )

    assert (report.delivered, report.failed, report.error) == (0, 1, "LRS unreachable (ConnectionRefusedError).")
    row = OutboxStatement.objects.get()
    assert (row.delivered_at, row.attempts, row.last_error) == (None, 1, "LRS unreachable (ConnectionRefusedError).")


def test_slow_lrs_times_out_and_keeps_statements_queued(db):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts the connection, never answers
        port = silent.getsockname()[1]
        queue(1)

        report = deliver_outbox(
            batch_size=10,
            client=HttpLrsClient(endpoint=f"http://127.0.0.1:{port}/xAPI/", username="u", password="p", timeout=0.5),
        )

    assert report.error == "LRS did not answer within 0.5 s."
    assert OutboxStatement.objects.get().delivered_at is None


def test_endpoint_must_be_http():
    with pytest.raises(ValueError, match="http"):
        HttpLrsClient(endpoint="file:///etc/passwd", username="u", password="p")


def test_deliver_xapi_command_reports_a_failure(db, settings, scripted_lrs, capsys):
    settings.XAPI_LRS_URL = scripted_lrs.endpoint
    queue(1)
    scripted_lrs.status, scripted_lrs.body = 500, b""

    with pytest.raises(CommandError, match=r"^LRS answered HTTP 500$"):
        call_command("deliver_xapi")

    assert capsys.readouterr().out == "Đã gửi 0 câu lệnh, lỗi 1; còn 1 câu lệnh chờ.\n"
