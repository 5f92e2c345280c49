"""The VNeID outbox against a real HTTP server on loopback, started by the test: it accepts, fails, refuses, answers
409 for a key it already has, or does not answer in time."""

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from hocvuso.core.errors import NotFound
from hocvuso.credentials.models import Certificate, DeliveryStatus
from hocvuso.credentials.services import deliver_certificates, issue_certificate, retry_delivery

from .conftest import DAO_ID, make_resident


class Endpoint:
    def __init__(self) -> None:
        self.mode = "accept"
        self.received: list[dict[str, Any]] = []
        self.keys: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.keys.append(self.headers.get("Idempotency-Key", ""))
                if endpoint.mode == "timeout":
                    time.sleep(1.5)
                code = {"accept": 200, "fail": 503, "reject": 400, "duplicate": 409, "timeout": 200}[endpoint.mode]
                if code == 200:
                    endpoint.received.append(json.loads(body))
                answer = json.dumps({"reference": f"VNEID-{len(endpoint.received)}"}).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xac-nhan"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    server = Endpoint()
    with override_settings(VNEID_CONFIRMATION_URL=server.url, VNEID_CONFIRMATION_TIMEOUT_SECONDS=0.5,
                           VNEID_MAX_ATTEMPTS=3):  # fmt: skip
        yield server
    server.stop()


def _issue(capture: Any, status: Any) -> Certificate:
    """Issue, running what the commit queues (the delivery task, eager without Redis) as a real commit would."""
    with capture(execute=True):
        certificate = issue_certificate(literacy_status=status)
    certificate.refresh_from_db()
    return certificate


def _due_now() -> None:
    Certificate.objects.update(next_delivery_at=timezone.now() - timedelta(seconds=1))


def test_an_accepted_certificate_is_delivered_once_with_its_idempotency_key(
    endpoint, signing_key, dao, confirm, django_capture_on_commit_callbacks
):
    certificate = _issue(
        django_capture_on_commit_callbacks, confirm(dao)
    )  # issuing schedules delivery (eager: at once)
    certificate.refresh_from_db()
    assert certificate.delivery_status == DeliveryStatus.DELIVERED
    assert certificate.delivery_reference == "VNEID-1" and certificate.delivery_attempts == 1
    assert endpoint.keys == [str(certificate.pk)]
    sent = endpoint.received[0]
    assert sent["nationalId"] == DAO_ID and sent["certificateId"] == str(certificate.pk)
    assert sent["credential"] == certificate.credential
    _due_now()
    assert deliver_certificates().delivered == 0  # a delivered certificate is not sent again
    assert len(endpoint.keys) == 1


def test_failures_back_off_then_become_a_dead_letter_that_staff_put_back(
    endpoint, signing_key, dao, confirm, province_admin, commune_officer, django_capture_on_commit_callbacks
) -> None:
    endpoint.mode = "fail"
    certificate = _issue(django_capture_on_commit_callbacks, confirm(dao))
    assert certificate.delivery_status == DeliveryStatus.RETRYING and certificate.delivery_error == "HTTP 503"
    assert timedelta(seconds=50) < certificate.next_delivery_at - timezone.now() <= timedelta(seconds=60)
    assert deliver_certificates().retrying == 0  # not due yet
    _due_now()
    deliver_certificates()
    certificate.refresh_from_db()
    assert certificate.delivery_attempts == 2
    assert timedelta(seconds=110) < certificate.next_delivery_at - timezone.now() <= timedelta(seconds=120)
    _due_now()
    assert deliver_certificates().dead == 1
    certificate.refresh_from_db()
    assert certificate.delivery_status == DeliveryStatus.DEAD and certificate.next_delivery_at is None
    with pytest.raises(NotFound):
        retry_delivery(certificate=certificate, actor=commune_officer)
    endpoint.mode = "accept"
    with django_capture_on_commit_callbacks(execute=True):
        retry_delivery(certificate=certificate, actor=province_admin)  # delivered at once after the commit (eager)
    certificate.refresh_from_db()
    assert certificate.delivery_status == DeliveryStatus.DELIVERED
    assert endpoint.keys == [str(certificate.pk)] * 4


def test_a_timeout_is_retried_and_a_refusal_is_set_aside_at_once(
    endpoint, signing_key, territory, confirm, django_capture_on_commit_callbacks
):
    endpoint.mode = "timeout"
    slow = _issue(django_capture_on_commit_callbacks, confirm(make_resident(territory.village, 41)))
    assert slow.delivery_status == DeliveryStatus.RETRYING and slow.delivery_error == "timeout"
    endpoint.mode = "reject"
    refused = _issue(django_capture_on_commit_callbacks, confirm(make_resident(territory.village, 42)))
    assert refused.delivery_status == DeliveryStatus.DEAD and refused.delivery_error == "HTTP 400"
    endpoint.mode = "duplicate"  # the endpoint already had the slow one (its answer was lost): 409 means received
    _due_now()
    deliver_certificates()
    slow.refresh_from_db()
    assert slow.delivery_status == DeliveryStatus.DELIVERED


def test_nothing_is_sent_for_someone_without_a_national_id_and_nothing_without_an_endpoint(
    signing_key, confirm, territory, django_capture_on_commit_callbacks
) -> None:
    certificate = _issue(django_capture_on_commit_callbacks, confirm(None))
    assert deliver_certificates().delivered == 0  # no endpoint configured: waits
    assert Certificate.objects.get().delivery_status == DeliveryStatus.WAITING
    server = Endpoint()
    try:
        with override_settings(VNEID_CONFIRMATION_URL=server.url):
            deliver_certificates()
    finally:
        server.stop()
    certificate.refresh_from_db()
    assert certificate.delivery_status == DeliveryStatus.NOT_SENT and server.keys == []


def test_an_unreachable_endpoint_is_retried(signing_key, dao, confirm, django_capture_on_commit_callbacks) -> None:
    with override_settings(VNEID_CONFIRMATION_URL="http://127.0.0.1:9/closed", VNEID_CONFIRMATION_TIMEOUT_SECONDS=0.5):
        certificate = _issue(django_capture_on_commit_callbacks, confirm(dao))
    assert certificate.delivery_status == DeliveryStatus.RETRYING
    assert certificate.delivery_error.startswith("unreachable") and DAO_ID not in certificate.delivery_error
