"""Logs are JSON lines and never carry a national ID or a phone number (in the message, its arguments, the
exception or the stack)."""

import io
import json
import logging
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hocvuso.core.context import RequestContext, reset_request_context, set_request_context
from hocvuso.core.logging import JsonFormatter, RedactPersonalNumbers, redact


@pytest.fixture
def log_lines() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger writing JSON through the redaction filter to a buffer, as settings.LOGGING configures it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactPersonalNumbers())
    logger = logging.getLogger("hocvuso.tests.logging")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    logger.propagate = True


def entries(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CCCD 079203001234 đã được xác minh", "CCCD [redacted] đã được xác minh"),
        ("ID 123456789012 (no leading zero)", "ID [redacted] (no leading zero)"),
        ("CMND cũ 123456789", "CMND cũ [redacted]"),
        ("gọi 0912345678 để hẹn", "gọi [redacted] để hẹn"),
        ("gọi +84912345678 để hẹn", "gọi [redacted] để hẹn"),
        ("gọi 84912345678 để hẹn", "gọi [redacted] để hẹn"),
        ("số 0912 345 678 hoặc 091.234.5678", "số [redacted] hoặc [redacted]"),
        ("số 0912-345-678, +84 912 345 678", "số [redacted], [redacted]"),
        ("resident_id=079203001234&phone=0912345678", "resident_id=[redacted]&phone=[redacted]"),
        ("cccd:079203001234.", "cccd:[redacted]."),
        ("cccd079203001234 sdt0912345678", "cccd[redacted] sdt[redacted]"),
        ("điểm 9.5, số 079203001234", "điểm 9.5, số [redacted]"),
    ],
)
def test_redact_masks_ids_and_phone_numbers(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Năm 2025, 124 xã, 3 lớp học",
        "Imported 150000 rows in 12.5 s",
        "Dân số 3.800.000 người, 1,000,000 hộ",
        "Report for 2025-07-01 10:30:00, commune 24631, village 24631.001",
        "Request took 87654321 ns",
        "Version 5.2.7, port 5432, status 503",
        "Task hocvuso.core.tasks.ping[8fd79492-18cf-48ed-890c-228189137982] succeeded in 0.0017234512s",
        "request 6f1c0a52e3b94d07a1c2d3e4f5061728",
        "hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    ],
)
def test_redact_keeps_ordinary_numbers(text: str) -> None:
    assert redact(text) == text


def test_message_arguments_are_masked(log_lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log_lines

    logger.info("Resident %s with phone %s in commune %s", "079203001234", "+84912345678", "24631")

    [entry] = entries(stream)
    assert entry["message"] == "Resident [redacted] with phone [redacted] in commune 24631"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "hocvuso.tests.logging"
    assert "079203001234" not in stream.getvalue()
    assert "912345678" not in stream.getvalue()


def test_dict_arguments_are_masked(log_lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log_lines

    logger.warning("Lookup %(id)s failed %(count)d times", {"id": "123456789", "count": 3})

    [entry] = entries(stream)
    assert entry["message"] == "Lookup [redacted] failed 3 times"


def test_exception_text_is_masked(log_lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log_lines

    try:
        raise ValueError("duplicate national ID 079203001234 for phone 0912 345 678")
    except ValueError:
        logger.exception("Import of row %d failed", 17)

    [entry] = entries(stream)
    assert entry["message"] == "Import of row 17 failed"
    assert entry["level"] == "ERROR"
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].endswith("ValueError: duplicate national ID [redacted] for phone [redacted]")
    assert "079203001234" not in stream.getvalue()
    assert "345 678" not in stream.getvalue()


def test_stack_info_is_masked(log_lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log_lines

    logger.info("Checking", stack_info=True)  # the stack shows this line: resident 079203001234

    [entry] = entries(stream)
    assert entry["stack"].startswith("Stack (most recent call last):")
    assert entry["stack"].endswith("# the stack shows this line: resident [redacted]")
    assert "079203001234" not in stream.getvalue()


def test_formatter_masks_even_without_the_filter() -> None:
    record = logging.LogRecord("hocvuso", logging.INFO, __file__, 1, "phone %s", ("0912345678",), None)

    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "phone [redacted]"


def test_request_id_is_included() -> None:
    record = logging.LogRecord("hocvuso", logging.INFO, __file__, 1, "served", None, None)
    token = set_request_context(RequestContext(request_id="abc123"))
    try:
        entry = json.loads(JsonFormatter().format(record))
    finally:
        reset_request_context(token)

    assert entry["request_id"] == "abc123"
    assert entry["message"] == "served"
    assert "task_id" not in entry


def test_django_logging_setting_uses_the_filter_and_the_formatter() -> None:
    from django.conf import settings

    assert settings.LOGGING["handlers"]["console"]["filters"] == ["redact"]
    assert settings.LOGGING["filters"]["redact"]["()"] == "hocvuso.core.logging.RedactPersonalNumbers"
    assert settings.LOGGING["formatters"]["json"]["()"] == "hocvuso.core.logging.JsonFormatter"
    assert settings.LOGGING["root"]["handlers"] == ["console"]


@given(
    number=st.one_of(
        st.from_regex(r"\A0\d{11}\Z"),  # personal ID
        st.from_regex(r"\A\d{9}\Z"),  # old ID card
        st.from_regex(r"\A(?:0|\+84)[35789]\d{8}\Z"),  # mobile phone
    ),
    before=st.text(alphabet=" ,;:=()[]/ăâđêôơưghiklmnopqrstuvxyĐ", max_size=20),
    after=st.text(alphabet=" ,;:=()[]/ăâđêôơưghiklmnopqrstuvxyĐ.", max_size=20),
)
def test_any_id_or_phone_inside_text_is_masked(number: str, before: str, after: str) -> None:
    masked = redact(before + number + after)

    assert masked == before + "[redacted]" + after
