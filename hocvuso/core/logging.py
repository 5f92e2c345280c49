"""Structured (JSON) logs that never carry a national ID or a phone number.

The web processes (Django's LOGGING, gunicorn's config/gunicorn.py) and the Celery workers (config/celery.py)
all log through `JsonFormatter` with the `RedactPersonalNumbers` filter.
"""

import json
import logging
import re
from datetime import UTC, datetime

from celery._state import get_current_task

from .context import current_request_context

REDACTED = "[redacted]"

# Any run of 9 or more digits: 12-digit personal IDs, 9-digit old ID cards, phone numbers written without
# spaces (0912345678, +84912345678, 84912345678). Years, counts and amounts written with separators stay.
_DIGIT_RUN = r"\+?(?<!\d)\d{9,}(?!\d)"
# Vietnamese phone numbers written in groups: 0912 345 678, 091.234.5678, 0912-345-678, +84 912 345 678.
_GROUPED_PHONE = r"(?<![\d+])(?:\+84[ .-]?|84[ .-]|0)\d{2,3}(?:[ .-]\d{3,4}){2}(?!\d)"
# Kept as they are: UUIDs and hex strings of 32 or 40+ characters (task and request ids, hashes), whose digits
# may run long by chance, and the fraction of a decimal number (0.0017234512 s). Tried in this order.
_UUID = r"(?<![0-9A-Za-z])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9A-Za-z])"
_HEX_STRING = r"(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])(?:[0-9a-f]{32}|[0-9a-f]{40,})(?![0-9A-Za-z])"
_DECIMAL = r"\d+\.\d+"
_PERSONAL_NUMBER = re.compile(
    f"(?P<uuid>{_UUID})|(?P<hex>{_HEX_STRING})|(?P<personal>{_GROUPED_PHONE}|{_DIGIT_RUN})|(?P<decimal>{_DECIMAL})"
)


def _mask(match: re.Match[str]) -> str:
    return REDACTED if match.group("personal") else match.group(0)


def redact(text: str) -> str:
    """The text with every personal number (a run of 9 or more digits, or a phone number written in groups)
    replaced by "[redacted]"; UUIDs, hex tokens and decimal fractions are left as they are."""
    return _PERSONAL_NUMBER.sub(_mask, text)


class RedactPersonalNumbers(logging.Filter):
    """Masks personal numbers in the message, its arguments, the exception and the stack before any handler
    sees them (the message is formatted with its arguments first, so a number passed as an argument is masked
    too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _current_task() -> tuple[str, str] | None:
    """The (id, name) of the Celery task this worker is running, if any."""
    task = get_current_task()
    if task is None or task.request.id is None:
        return None
    return str(task.request.id), str(task.name)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id or the Celery task, and the
    exception if any. It masks personal numbers itself too, so a handler without the filter stays safe."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request_id = current_request_context().request_id
        if request_id:
            entry["request_id"] = request_id
        task = _current_task()
        if task is not None:
            entry["task_id"], entry["task"] = task
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = redact(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)
