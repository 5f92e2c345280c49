"""The Learning Record Store behind an interface: `LrsClient`, and `HttpLrsClient` speaking xAPI 1.0.3 over HTTP.

The delivery service only sees `LrsClient` and the `LrsError` family below, whose messages are safe to store in
``OutboxStatement.last_error``: an HTTP status and a short reason, never a statement or personal data.
Uses the standard library's urllib (no extra dependency): one request per batch, so a connection pool buys
nothing.
"""

import base64
import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from django.conf import settings

from .statements import XAPI_VERSION

MAX_REASON_LENGTH = 200


class LrsError(Exception):
    """The LRS did not store the statements. `str(error)` is a short description without personal data."""


class LrsUnavailable(LrsError):
    """The LRS could not be reached, timed out, failed (5xx) or refused our credentials: try everything later."""


class LrsProtocolError(LrsError):
    """The LRS answered something xAPI does not allow (e.g. a body that is not a list of ids): try later."""


class LrsConflict(LrsError):
    """409: a statement with one of these ids is already stored with other content."""


class LrsRejected(LrsError):
    """400 or 422: the LRS refuses the content of (one of) the statements; resending it unchanged will not help."""


class LrsClient(Protocol):
    """What the outbox needs from a Learning Record Store."""

    def store_statements(self, statements: Sequence[Mapping[str, Any]]) -> None:
        """Store a batch of statements, each carrying its id. Returns when the LRS confirmed; raises LrsError.

        Statements the LRS already holds with the same content count as stored (xAPI 1.0.3 lets an LRS answer
        a resend with success); a differing statement with the same id raises LrsConflict and an invalid one
        LrsRejected, for the whole batch.
        """

    def store_statement(self, statement: Mapping[str, Any]) -> None:
        """Store one statement under its own id (PUT); same answers as `store_statements`."""


class HttpLrsClient:
    """An LRS reached at its xAPI endpoint (e.g. ``http://lrs:8100/xAPI/``) with HTTP basic authentication."""

    def __init__(self, *, endpoint: str, username: str, password: str, timeout: float = 10.0) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("The LRS endpoint must be an http(s) URL.")
        self.statements_url = endpoint.rstrip("/") + "/statements"
        self.timeout = timeout
        credentials = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._headers = {
            "Authorization": f"Basic {credentials}",
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
        }

    def store_statements(self, statements: Sequence[Mapping[str, Any]]) -> None:
        if not statements:
            return
        status, body = self._send("POST", self.statements_url, list(statements))
        if status == 204:
            return  # every statement was already stored
        if status != 200:
            raise LrsProtocolError(f"LRS answered HTTP {status} to a batch of statements (expected 200 or 204).")
        try:
            stored_ids = json.loads(body)
        except ValueError:
            raise LrsProtocolError("LRS answered HTTP 200 with a body that is not JSON.") from None
        sent_ids = {str(statement.get("id")) for statement in statements}
        if not isinstance(stored_ids, list) or not all(isinstance(item, str) for item in stored_ids):
            raise LrsProtocolError("LRS answered HTTP 200 with a body that is not a list of statement ids.")
        if not set(stored_ids) <= sent_ids:
            raise LrsProtocolError("LRS answered HTTP 200 with statement ids that were not sent.")
        # Ids that were sent but not listed were already stored (an LRS lists only the statements it added).

    def store_statement(self, statement: Mapping[str, Any]) -> None:
        url = f"{self.statements_url}?statementId={quote(str(statement.get('id', '')))}"
        status, _body = self._send("PUT", url, statement)
        if status not in {200, 204}:
            raise LrsProtocolError(f"LRS answered HTTP {status} to a statement (expected 204).")

    def _send(self, method: str, url: str, payload: Any) -> tuple[int, bytes]:
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        request = urllib.request.Request(url, data=data, method=method, headers=self._headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (scheme checked)
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            raise _error_for(error.code, _read(error)) from None
        except TimeoutError:
            raise LrsUnavailable(f"LRS did not answer within {self.timeout:g} s.") from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError):
                raise LrsUnavailable(f"LRS did not answer within {self.timeout:g} s.") from None
            name = type(reason).__name__ if isinstance(reason, BaseException) else "URLError"
            raise LrsUnavailable(f"LRS unreachable ({name}).") from None
        except (http.client.HTTPException, ConnectionError) as error:
            raise LrsUnavailable(f"LRS connection failed ({type(error).__name__}).") from None


def _read(error: urllib.error.HTTPError) -> bytes:
    try:
        return error.read()
    except (OSError, http.client.HTTPException):
        return b""


def _reason(body: bytes) -> str:
    """A short reason from an error body: a string `detail`, or the location and message of validation errors.

    Never the submitted values: some LRSs echo the statement in their error, and it has no place in a log.
    """
    try:
        detail = json.loads(body).get("detail")
    except (ValueError, AttributeError):
        return ""
    if isinstance(detail, str):
        return detail[:MAX_REASON_LENGTH]
    if isinstance(detail, list):
        messages = []
        for item in detail[:3]:
            if isinstance(item, dict):
                location = ".".join(str(part) for part in item.get("loc", []))
                messages.append(f"{location}: {item.get('msg', '')}".strip(": "))
        return "; ".join(messages)[:MAX_REASON_LENGTH]
    return ""


def _error_for(status: int, body: bytes) -> LrsError:
    reason = _reason(body)
    suffix = f": {reason}" if reason else ""
    if status == 409:
        return LrsConflict(f"LRS answered HTTP 409, a different statement has the same id{suffix}")
    if status in {400, 422}:
        return LrsRejected(f"LRS rejected the statements (HTTP {status}){suffix}")
    if status in {401, 403}:
        return LrsUnavailable(f"LRS refused our credentials (HTTP {status}).")
    return LrsUnavailable(f"LRS answered HTTP {status}{suffix}")


def configured_client() -> LrsClient | None:
    """The LRS from settings (XAPI_LRS_URL, XAPI_LRS_USERNAME, XAPI_LRS_PASSWORD), or None when none is set."""
    if not settings.XAPI_LRS_URL:
        return None
    return HttpLrsClient(
        endpoint=settings.XAPI_LRS_URL,
        username=settings.XAPI_LRS_USERNAME,
        password=settings.XAPI_LRS_PASSWORD,
        timeout=settings.XAPI_LRS_TIMEOUT_SECONDS,
    )
