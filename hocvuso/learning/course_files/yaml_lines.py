"""YAML read safely with line numbers, and the error that lists every problem of a course folder."""

import hashlib
import json
import unicodedata
from typing import Any

import yaml
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError

MAX_PROBLEMS = 200


class CourseFormatError(DomainError):
    """A course folder (or framework or self-assessment file) that cannot be imported; ``problems`` lists
    every problem found, each naming its file and line or field."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:MAX_PROBLEMS]
        message = _("Không nhập được: %(count)s lỗi.") % {"count": len(problems)} + "\n" + "\n".join(shown)
        super().__init__(message, code="invalid_course")
        self.problems = problems


# --- YAML with line numbers -------------------------------------------------------------------------------


class LineDict(dict[str, Any]):
    """A YAML mapping that remembers the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted in course files", event.start_mark
            )
        return super().compose_node(parent, index)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) or key is None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text", key_node.start_mark
            )  # pragma: no cover - YAML keys are scalars in practice
        if str(key) in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"the key {key!r} appears twice", key_node.start_mark)
        mapping[str(key)] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[str(key)] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str, where: str, *, first_line: int = 1) -> Any:
    """Parse YAML text safely; raises CourseFormatError naming ``where`` and the line of a syntax error
    (counted from ``first_line``, the line of the file the text starts on)."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 — a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = ", " + _("dòng") + f" {mark.line + first_line}" if mark else ""
        raise CourseFormatError(
            [f"{where}{line}: " + _("YAML không hợp lệ") + f" — {error.problem or error}"]
        ) from error
    except yaml.YAMLError as error:
        raise CourseFormatError([f"{where}: " + _("YAML không hợp lệ") + f" — {error}"]) from error


def _line(value: Any) -> int:
    return getattr(value, "line", 0)


def at(where: str, value: Any = None, field_name: str = "") -> str:
    """Name a place in a file for a message: "questions.yaml, dòng 12, trường «prompt»"."""
    parts = [where]
    line = getattr(value, "key_lines", {}).get(field_name) or _line(value)
    if line:
        parts.append(_("dòng") + f" {line}")
    if field_name:
        parts.append(_("trường") + f" «{field_name}»")
    return ", ".join(parts)


def to_json(value: Any) -> Any:
    """Plain JSON values from YAML values (dates become ISO text)."""
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def clean_text(value: str) -> str:
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()


def content_hash(data: Any) -> str:
    """SHA-256 of canonical data: the same content always gives the same hash."""
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()
