"""Reconciliation with VNeID: the national platform's list of people whose literacy confirmation reached VNeID
(CSV or XLSX: ID number, name, date), matched by the keyed hash of the ID into the registry and recorded with
`record_vneid_certification`, which is what the "adults certified on VNeID" indicator counts.

It reads the file with the roster import's safe reader (`people.imports.readers.open_table`: format sniffing, zip
checks before unpacking, defusedxml), and follows the imports' rules: every bad row is reported with its row,
column and reason; a file with any bad row records nothing; a dry run reports what would happen and writes
nothing. A row whose ID is not in the registry, or whose name differs from the registry's, is not recorded but
reported as unmatched (someone the province does not hold, or a mistyped ID: asked about, never guessed).
"""

import datetime
import hashlib
import io
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import require_permission
from hocvuso.accounts.roles import Permission
from hocvuso.core.crypto import lookup_hash
from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit
from hocvuso.core.text import fold_diacritics
from hocvuso.people.imports.readers import HEADER_SEARCH_ROWS, Row, open_table
from hocvuso.people.models import Resident
from hocvuso.people.national_id import normalise_national_id

from .services import record_vneid_certification

MAX_BYTES = 50 * 1024 * 1024
_HEADERS = {
    "national_id": {"so dinh danh", "so dinh danh ca nhan", "so cccd", "cccd", "so can cuoc", "national id", "id"},
    "name": {"ho va ten", "ho ten", "ten", "full name", "name"},
    "date": {"ngay xac nhan", "ngay", "ngay cap", "date", "confirmed on", "ngay dua len vneid"},
}


def _column_of(cell: object) -> str | None:
    text = " ".join(fold_diacritics(str(cell or "")).replace("_", " ").split())
    for column, names in _HEADERS.items():
        if text in names:
            return column
    return None


def _score(row: Row) -> int:
    return len({_column_of(cell) for cell in row} - {None})


def _same_name_key(name: str) -> str:
    """Names compared as written, ignoring case and spacing only: "Bính" is not "Bình"."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _parse_date(raw: object) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str


@dataclass
class ReconciliationResult:
    """What the file held: rows recorded (or that would be, in a dry run), rows already recorded, unmatched rows
    (row, masked ID, reason) and bad rows (row, column, reason). `recorded` is 0 when there are bad rows."""

    dry_run: bool
    rows: int = 0
    matched: int = 0
    recorded: int = 0
    unmatched: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Line:
    row: int
    national_id: str
    name: str
    day: datetime.date


def _read(data: bytes, file_name: str) -> tuple[list[_Line], list[Problem]]:
    source = open_table(io.BytesIO(data), file_name=file_name, size=len(data), score=_score)
    lines: list[_Line] = []
    problems: list[Problem] = []
    columns: dict[str, int] | None = None
    seen: dict[str, int] = {}
    today = timezone.localdate()
    try:
        for number, cells in source.rows:
            if columns is None:
                if _score(cells) == len(_HEADERS):
                    columns = {}
                    for position, cell in enumerate(cells):
                        column = _column_of(cell)
                        if column is not None and column not in columns:
                            columns[column] = position
                elif number >= HEADER_SEARCH_ROWS:
                    raise DomainError(
                        _("Không tìm thấy dòng tiêu đề (cần các cột: Số định danh, Họ và tên, Ngày xác nhận)."),
                        code="no_header",
                    )
                continue
            values = {column: (cells[position] if position < len(cells) else None)
                      for column, position in columns.items()}  # fmt: skip
            if all(str(value or "").strip() == "" for value in values.values()):
                continue
            try:
                national_id = normalise_national_id(values["national_id"])
            except DomainError as error:
                problems.append(Problem(number, _("Số định danh"), str(error.message)))
                continue
            name = " ".join(str(values["name"] or "").split())
            if not name:
                problems.append(Problem(number, _("Họ và tên"), _("Thiếu họ và tên.")))
                continue
            try:
                day = _parse_date(values["date"])
            except ValueError:
                problems.append(Problem(number, _("Ngày xác nhận"), _("Ngày không đúng dạng ngày/tháng/năm.")))
                continue
            if day > today:
                problems.append(Problem(number, _("Ngày xác nhận"), _("Ngày xác nhận ở tương lai.")))
                continue
            if national_id in seen:
                problems.append(Problem(number, _("Số định danh"),
                                        _("Trùng với dòng %(row)s.") % {"row": seen[national_id]}))  # fmt: skip
                continue
            seen[national_id] = number
            lines.append(_Line(number, national_id, name, day))
    finally:
        source.close()
    if columns is None:
        raise DomainError(_("Tệp không có dòng tiêu đề hoặc không có dữ liệu."), code="no_header")
    return lines, problems


def reconcile_vneid_confirmations(*, data: bytes, file_name: str, actor: Any, dry_run: bool) -> ReconciliationResult:
    """Match the national platform's list of people confirmed on VNeID into the registry's confirmations (see
    the module docstring). The province administrator's action (MANAGE_CREDENTIALS; the system when `actor` is
    None). All rows in one transaction, one audit entry for the file. Raises DomainError for a file that cannot
    be read (with what to do), NotFound for an actor without the permission."""
    if actor is not None:
        require_permission(actor, Permission.MANAGE_CREDENTIALS)
    if len(data) > MAX_BYTES:
        raise DomainError(_("Tệp quá lớn (tối đa 50 MB)."), code="too_large")
    lines, problems = _read(data, file_name)
    result = ReconciliationResult(dry_run=dry_run, rows=len(lines) + len(problems), problems=problems)
    hashes = {lookup_hash(line.national_id): line for line in lines}
    residents = {
        resident.national_id_hash: resident
        for resident in Resident.objects.filter(national_id_hash__in=list(hashes)).select_related("village")
    }
    matches: list[tuple[Resident, _Line]] = []
    for digest, line in hashes.items():
        resident = residents.get(digest)
        masked = "*" * 9 + line.national_id[-3:]
        if resident is None:
            result.unmatched.append(Problem(line.row, masked, _("Không có trong sổ dân cư của tỉnh.")))
        elif _same_name_key(resident.full_name) != _same_name_key(line.name):
            result.unmatched.append(Problem(line.row, masked, _("Họ tên khác với sổ dân cư; cần kiểm tra lại.")))
        else:
            matches.append((resident, line))
    result.unmatched.sort(key=lambda problem: problem.row)
    result.matched = len(matches)
    if problems or dry_run:
        return result
    digest = hashlib.sha256(data).hexdigest()[:12]
    with transaction.atomic():
        for resident, line in matches:
            moment = timezone.make_aware(datetime.datetime.combine(line.day, datetime.time(12)))
            record_vneid_certification(resident=resident, pushed_at=min(moment, timezone.now()), actor=actor,
                                       reference=f"doi-soat:{digest}:{line.row}")  # fmt: skip
        result.recorded = len(matches)
        record_audit(
            actor=actor,
            action="indicators.vneid_reconciliation",
            object_type="file",
            object_id=digest,
            object_label=file_name[:200],
            details={"rows": result.rows, "recorded": result.recorded, "unmatched": len(result.unmatched)},
        )
    return result
