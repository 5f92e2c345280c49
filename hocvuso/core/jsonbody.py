"""Reading a JSON request body that anyone on the internet may have written.

`json.loads` alone answers some malformed bodies with a RecursionError (nesting thousands deep) or accepts what
no one meant: `1e999` becomes infinity, a key given twice silently keeps the last value, integers larger than any
column. `read_json_body` refuses each of these with `MalformedJSON`, which says what is wrong (a message for the
sender and a code), before any of it reaches a serializer or the database.
"""

import json
import math
import re
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MAX_DEPTH = 32
# The largest integer a PostgreSQL bigint column holds.
MAX_INTEGER = 2**63 - 1
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_BOM = "\ufeff"


class MalformedJSON(ValueError):
    """A body that is not acceptable JSON, with a message for the sender and a short code."""

    def __init__(self, message: str | Promise, code: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


def _depth(text: str) -> int:
    """How deeply arrays and objects nest, counting brackets outside strings (no recursion, any size)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedJSON(_("Khóa “%(key)s” xuất hiện hai lần.") % {"key": key[:50]}, "duplicate_key")
        result[key] = value
    return result


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise MalformedJSON(_("Số %(number)s quá lớn.") % {"number": text[:20]}, "number_out_of_range")
    return value


def _integer(text: str) -> int:
    if len(text) > 20:  # longer than any 64-bit integer: refused before Python converts thousands of digits
        raise MalformedJSON(_("Số %(number)s… quá lớn.") % {"number": text[:20]}, "number_out_of_range")
    value = int(text)
    if abs(value) > MAX_INTEGER:
        raise MalformedJSON(_("Số %(number)s quá lớn.") % {"number": text}, "number_out_of_range")
    return value


def _constant(name: str) -> Any:
    raise MalformedJSON(_("JSON không có giá trị %(name)s.") % {"name": name}, "invalid_number")


def _refuse_surrogates(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise MalformedJSON(
            _("Nội dung có ký tự Unicode không hợp lệ (\\ud800–\\udfff)."), "invalid_unicode"
        ) from error


def read_json_body(data: bytes, *, max_bytes: int) -> Any:
    """The value of a JSON body (UTF-8, an optional byte-order mark ignored).

    Raises MalformedJSON (code in brackets) for a body over `max_bytes` (too_large), bytes that are not UTF-8
    (not_utf8), nesting deeper than MAX_DEPTH (too_deep), text that is not one JSON value (parse_error), a key
    given twice in one object (duplicate_key), NaN or Infinity (invalid_number), a number out of the range of
    a 64-bit integer or a finite float (number_out_of_range), or an escaped lone surrogate (invalid_unicode).
    """
    if len(data) > max_bytes:
        raise MalformedJSON(_("Nội dung quá lớn (tối đa %(limit)d byte).") % {"limit": max_bytes}, "too_large")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedJSON(_("Nội dung không phải văn bản UTF-8."), "not_utf8") from error
    text = text.removeprefix(_BOM)
    if _depth(text) > MAX_DEPTH:
        raise MalformedJSON(_("JSON lồng nhau quá %(depth)d tầng.") % {"depth": MAX_DEPTH}, "too_deep")
    try:
        value = json.loads(
            text, object_pairs_hook=_object, parse_float=_float, parse_int=_integer, parse_constant=_constant
        )
    except MalformedJSON:
        raise
    except (ValueError, RecursionError) as error:
        raise MalformedJSON(_("Nội dung yêu cầu không phải là JSON hợp lệ."), "parse_error") from error
    _refuse_surrogates(json.dumps(value, ensure_ascii=False))
    return value
