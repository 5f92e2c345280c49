"""Checking a roster file row by row, collecting every problem (row as Excel numbers it, column header,
reason in Vietnamese), before anything is written.

The pass streams the file once. Rows that pass go, normalised, into a temporary spool file (marshalled batches)
for the commit pass, so the file is not parsed twice and no per-row Python objects pile up in memory. What
must be remembered across the whole file is kept compact: each ID seen (an int → its first row, for
duplicates) and, for residents, each household code with its village, address and head row.
Registry checks (an ID registered outside the importer's area, a household code used elsewhere) are made in
batches by keyed hash, never one query per row.
"""

import datetime
import marshal
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hocvuso.core.crypto import lookup_hash
from hocvuso.core.errors import DomainError
from hocvuso.core.text import fold_diacritics
from hocvuso.people.ethnicity import ethnicity_code
from hocvuso.people.models import Organisation
from hocvuso.people.national_id import check_national_id, normalise_national_id
from hocvuso.territory.models import AdministrativeUnit

from ..import_models import ImportKind
from .columns import COLUMNS, Column, duplicate_headers, match_header
from .readers import HEADER_SEARCH_ROWS, TableSource
from .records import R_ADDRESS, R_BIRTH, R_HEAD, R_HOUSEHOLD, R_ID, R_ROW, R_VILLAGE
from .registry import RegistryCheck

BATCH_ROWS = 5_000
MAX_STORED_PROBLEMS = 50_000
MAX_AGE_YEARS = 120
MAX_NAME_LENGTH = 150
MAX_ADDRESS_LENGTH = 255
MAX_POSITION_LENGTH = 100
MAX_RELATION_LENGTH = 50


def max_rows() -> int:
    """Most data rows one file may hold (setting ROSTER_IMPORT_MAX_ROWS; default Excel's sheet limit)."""
    return int(getattr(settings, "ROSTER_IMPORT_MAX_ROWS", 1_048_575))


@dataclass
class Problem:
    row: int | None
    column: str
    message: str


@dataclass(slots=True)
class HouseholdPlan:
    """What the file says about one household (a code in a village: codes are unique per village, so the same
    code in two villages is two households): its village, address, head row and first row."""

    village_id: int
    address: str
    first_row: int
    head_row: int = 0


@dataclass
class ValidationResult:
    """The outcome of the checking pass. `spool` holds the valid rows (None once a problem was found)."""

    rows: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    households: dict[tuple[int, str], HouseholdPlan] = field(default_factory=dict)  # (village id, code) → plan
    spool: IO[bytes] | None = None
    read_as_new: set[str] = field(default_factory=set)  # see registry.RegistryCheck

    @property
    def is_valid(self) -> bool:
        return self.problem_count == 0

    def add(self, row: int | None, column: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_STORED_PROBLEMS:
            self.problems.append(Problem(row, column, message[:500]))


class _Bad(Exception):
    """One cell's problem (internal: collected into the row's problems)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_SCIENTIFIC = re.compile(r"^\s*'?[+-]?\d+(?:[.,]\d+)?\s*[eE]\s*[+-]?\d+\s*$")
_DATE_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NAME_CHARS = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '’ʼ.\-])*$")
_HOUSEHOLD_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._/\-]{0,39}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]+")
_PHONE = re.compile(r"^0[35789]\d{8}$")  # mobile numbers only, as the registry (people.services.normalise_phone)
_FORMULA_START = ("=", "+", "-", "@")
_FORMULA_FIRST = frozenset("=+-@")
_FIELD_ORDER = (
    "national_id",
    "full_name",
    "birth_date",
    "sex",
    "ethnicity",
    "phone",
    "village_code",
    "village_name",
    "household_code",
    "address",
    "relation",
    "is_head",
    "position",
)
ADDRESS_LABEL = gettext_lazy("Địa chỉ")
POSITION_LABEL = gettext_lazy("Chức vụ, lớp")
RELATION_LABEL = gettext_lazy("Quan hệ")
_SEX = {"nam": "M", "nu": "F", "m": "M", "f": "F", "male": "M", "female": "F", "trai": "M", "gai": "F"}
_TRUE = {"x", "co", "1", "true", "yes", "v", "chu ho", "la chu ho"}
_HEAD_RELATIONS = {"chu ho", "chuho", "ch"}


def _plain(value: object) -> str:
    """A cell as stripped text (numbers without a trailing '.0'; dates dd/mm/yyyy)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value).strip()


def _reject_formula(text: str) -> None:
    if text.startswith("="):
        raise _Bad(_("Ô chứa công thức (bắt đầu bằng “=”). Hãy thay bằng giá trị (Dán đặc biệt → Giá trị)."))


def _free_text(value: object, *, limit: int, label: str) -> str:
    """Free text (address, relation, position): NFC, single spaces, no formula-like start, bounded length."""
    text = " ".join(_plain(value).split())
    if text in ("-", "--"):
        return ""
    _reject_formula(text)
    if text.startswith(_FORMULA_START):
        raise _Bad(
            _("Ô bắt đầu bằng “%(char)s” (có thể bị bảng tính hiểu là công thức). Hãy bỏ ký tự đó.") % {"char": text[0]}
        )
    if len(text) > limit:
        raise _Bad(_("%(label)s dài quá %(limit)s ký tự.") % {"label": label, "limit": limit})
    return text


class RowChecker:
    """Checks the cells of one row of one roster kind and returns the normalised record or the problems.

    Built once per file: it holds the header positions, the villages of the importer's area and small
    caches (ethnicity names), so the per-row work is a few dictionary look-ups and regular expressions.
    """

    def __init__(
        self,
        *,
        kind: str,
        unit: AdministrativeUnit,
        positions: dict[str, int],
        headers: dict[str, str],
        header_width: int,
        is_csv: bool = False,
    ) -> None:
        self.kind = kind
        self.is_csv = is_csv
        self.is_residents = kind == ImportKind.RESIDENTS
        self.positions = positions
        self.headers = headers
        self.header_width = header_width
        self.today = timezone.localdate()
        self.oldest = datetime.date(self.today.year - MAX_AGE_YEARS, self.today.month, min(self.today.day, 28))
        villages = AdministrativeUnit.objects.in_force().villages().within(unit).values_list("id", "code", "name")
        self.village_by_code: dict[str, int] = {}
        self.village_by_name: dict[str, list[int]] = {}
        for village_id, code, name in villages:
            self.village_by_code[code] = village_id
            self.village_by_name.setdefault(fold_diacritics(" ".join(name.split())), []).append(village_id)
        self.unit_name = unit.name
        self.ethnicity_cache: dict[object, int | None] = {}
        self.sex_cache: dict[object, str | None] = {}
        self.date_cache: dict[object, datetime.date] = {}
        self.head_cache: dict[tuple[object, object], bool] = {}
        self.indexes = [positions.get(key, -1) for key in _FIELD_ORDER]
        self.first_index = positions["national_id"]
        self.id_checks: dict[tuple[str, int, str], list[str]] = {}

    def header(self, key: str) -> str:
        return self.headers.get(key) or next(c.header for c in COLUMNS[self.kind] if c.key == key)

    def cell(self, cells: Sequence[object], key: str) -> object:
        index = self.positions.get(key)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def is_blank(self, cells: Sequence[object]) -> bool:
        first = self.first_index
        if first < len(cells) and cells[first]:  # the usual row: its ID cell is filled
            return False
        for index in self.positions.values():
            if index < len(cells):
                value = cells[index]
                if value is not None and (not isinstance(value, str) or value.strip()):
                    return False
        return True

    # --- fields -----------------------------------------------------------------------------------------

    def national_id(self, value: object) -> str:
        if isinstance(value, str):
            _reject_formula(value.strip())
            if _SCIENTIFIC.match(value):
                raise _Bad(
                    _(
                        "Số định danh đã bị Excel đổi sang dạng số mũ (“%(value)s”) nên mất chữ số. Hãy định dạng "
                        "cột là Văn bản (Text), nhập lại đủ 12 chữ số rồi lưu lại."
                    )
                    % {"value": value.strip()[:20]}
                )
        elif isinstance(value, float) and (not value.is_integer() or value >= 1e12):
            raise _Bad(
                _(
                    "Số định danh là một số thập phân hoặc quá lớn: Excel đã làm mất chữ số. Hãy định dạng cột là "
                    "Văn bản (Text) và nhập lại đủ 12 chữ số."
                )
            )
        elif isinstance(value, datetime.date):
            raise _Bad(_("Số định danh đang ở dạng ngày tháng; hãy định dạng cột là Văn bản và nhập lại."))
        try:
            return normalise_national_id(value)
        except DomainError as error:
            raise _Bad(str(error.message)) from error

    def full_name(self, value: object) -> str:
        text = " ".join(_plain(value).split())
        if not text:
            raise _Bad(_("Thiếu họ và tên."))
        _reject_formula(text)
        if len(text) > MAX_NAME_LENGTH:
            raise _Bad(_("Họ và tên dài quá %(limit)s ký tự.") % {"limit": MAX_NAME_LENGTH})
        if not _NAME_CHARS.fullmatch(text):
            raise _Bad(
                _("Họ và tên chỉ gồm chữ cái, khoảng trắng, dấu nháy (K'Brơi) hoặc gạch nối; có ký tự không hợp lệ.")
            )
        return text

    def birth_date(self, value: object) -> datetime.date:
        if isinstance(value, datetime.datetime):
            day = value.date()
        elif isinstance(value, datetime.date):
            day = value
        elif value is None or (isinstance(value, str) and not value.strip()):
            raise _Bad(_("Thiếu ngày sinh."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            raise _Bad(
                _(
                    "Ngày sinh là một con số (%(value)s), không phải ngày. Hãy ghi dạng ngày/tháng/năm, ví dụ "
                    "05/09/1990, hoặc định dạng ô là Ngày."
                )
                % {"value": _plain(value)}
            )
        else:
            text = str(value).strip()
            _reject_formula(text)
            match = _DATE_DMY.fullmatch(text)
            if match:
                day_number, month, year = (int(part) for part in match.groups())
            else:
                match = _DATE_ISO.fullmatch(text)
                if not match:
                    raise _Bad(
                        _("Ngày sinh “%(value)s” không đúng dạng ngày/tháng/năm (ví dụ 05/09/1990).")
                        % {"value": text[:20]}
                    )
                year, month, day_number = (int(part) for part in match.groups())
            try:
                day = datetime.date(year, month, day_number)
            except ValueError as error:
                raise _Bad(
                    _("Ngày sinh %(value)s không tồn tại (ngày hoặc tháng sai).") % {"value": text[:20]}
                ) from error
        if day > self.today:
            raise _Bad(_("Ngày sinh %(day)s ở tương lai.") % {"day": f"{day:%d/%m/%Y}"})
        if day < self.oldest:
            raise _Bad(
                _("Ngày sinh %(day)s cho tuổi trên %(age)s — hãy kiểm tra lại năm sinh.")
                % {"day": f"{day:%d/%m/%Y}", "age": MAX_AGE_YEARS}
            )
        return day

    def sex(self, value: object) -> str:
        text = _plain(value)
        if text not in self.sex_cache:
            self.sex_cache[text] = _SEX.get(fold_diacritics(text).strip())
        sex = self.sex_cache[text]
        if sex is None:
            if not text:
                raise _Bad(_("Thiếu giới tính."))
            raise _Bad(_("Giới tính “%(value)s” không hợp lệ; ghi Nam hoặc Nữ.") % {"value": text[:20]})
        return sex

    def ethnicity(self, value: object, *, required: bool) -> int | None:
        text = _plain(value)
        if not text:
            if required:
                raise _Bad(_("Thiếu dân tộc."))
            return None
        if text not in self.ethnicity_cache:
            self.ethnicity_cache[text] = ethnicity_code(text)
        code = self.ethnicity_cache[text]
        if code is None:
            raise _Bad(_("Dân tộc “%(value)s” không có trong danh mục 54 dân tộc Việt Nam.") % {"value": text[:40]})
        return code

    def phone(self, value: object) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            text = _plain(value)
        else:
            text = _plain(value)
            if not text:
                return ""
            _reject_formula(text)
            text = _PHONE_SEPARATORS.sub("", text.lstrip("'"))
        if text.startswith("+84"):
            text = "0" + text[3:]
        elif text.startswith("84") and len(text) in (11, 12):
            text = "0" + text[2:]
        elif text.isdigit() and len(text) == 9 and text[0] in "35789":
            text = "0" + text  # Excel dropped the leading zero of a number typed as a number
        if not _PHONE.fullmatch(text):
            raise _Bad(
                _(
                    "Số điện thoại “%(value)s” không hợp lệ: cần số di động 10 chữ số, bắt đầu bằng 03, 05, 07, 08 "
                    "hoặc 09 (có thể ghi +84)."
                )
                % {"value": _plain(value)[:20]}
            )
        return text

    def village(self, code_value: object, name_value: object, *, required: bool) -> int | None:
        code = f"{code_value:.3f}" if isinstance(code_value, float) else _plain(code_value)
        name = " ".join(_plain(name_value).split())
        if code:
            _reject_formula(code)
            village_id = self.village_by_code.get(code)
            if village_id is None:
                raise _Bad(
                    _("Không có thôn mã “%(code)s” trong %(unit)s. Hãy xem danh mục thôn của xã.")
                    % {"code": code[:20], "unit": self.unit_name}
                )
            return village_id
        if name:
            _reject_formula(name)
            candidates = self.village_by_name.get(fold_diacritics(name))
            if not candidates:
                raise _Bad(
                    _("Không có thôn “%(name)s” trong %(unit)s. Hãy ghi đúng tên hoặc mã thôn.")
                    % {"name": name[:60], "unit": self.unit_name}
                )
            if len(candidates) > 1:
                raise _Bad(_("Có nhiều thôn tên “%(name)s”; hãy ghi mã thôn.") % {"name": name[:60]})
            return candidates[0]
        if required:
            raise _Bad(_("Thiếu thôn: ghi mã thôn hoặc tên thôn, tổ dân phố."))
        return None

    def household_code(self, value: object) -> str:
        text = _plain(value)
        if not text:
            raise _Bad(_("Thiếu mã hộ."))
        _reject_formula(text)
        if not _HOUSEHOLD_CODE.fullmatch(text):
            raise _Bad(
                _("Mã hộ “%(value)s” không hợp lệ: tối đa 40 ký tự gồm chữ, số, dấu chấm, gạch ngang, gạch chéo.")
                % {"value": text[:40]}
            )
        return text

    def is_head(self, relation_value: object, head_value: object) -> bool:
        key = (relation_value, head_value)
        cached = self.head_cache.get(key) if type(relation_value) is str or relation_value is None else None
        if cached is not None:
            return cached
        relation = fold_diacritics(_free_text(relation_value, limit=MAX_RELATION_LENGTH, label=str(RELATION_LABEL)))
        answer = relation in _HEAD_RELATIONS or fold_diacritics(_plain(head_value)) in _TRUE
        if len(self.head_cache) < 10_000:
            self.head_cache[key] = answer
        return answer

    # --- a row ------------------------------------------------------------------------------------------

    def check(self, row: int, cells: Sequence[object]) -> tuple[tuple[Any, ...] | None, list[tuple[str, str]]]:
        """The normalised record of a row, or None and its problems as (column key, message).

        Written for speed (a million rows): each field has a fast path for the common, valid case (a cache hit
        or one regular expression) and falls back to the checking method, which explains what is wrong.
        """
        if self.is_csv and len(cells) > self.header_width and any(_plain(v) for v in cells[self.header_width :]):
            # The cells are shifted: every other problem of the row would be a consequence of this one.
            message = _(
                "Dòng có nhiều ô hơn dòng tiêu đề — thường do dấu phẩy trong một ô không được đặt trong ngoặc "
                "kép. Hãy lưu lại tệp từ Excel."
            )
            return None, [("full_name", message)]
        count = len(cells)
        (
            raw_id,
            raw_name,
            raw_birth,
            raw_sex,
            raw_ethnicity,
            raw_phone,
            raw_village_code,
            raw_village_name,
            raw_household,
            raw_address,
            raw_relation,
            raw_head,
            raw_position,
        ) = [cells[index] if 0 <= index < count else None for index in self.indexes]
        problems: list[tuple[str, str]] = []

        national_id: str | None
        if type(raw_id) is str and len(raw_id) == 12 and raw_id.isdigit() and raw_id.isascii():
            national_id = raw_id
        else:
            try:
                national_id = self.national_id(raw_id)
            except _Bad as bad:
                problems.append(("national_id", bad.message))
                national_id = None

        full_name: str | None = None
        if type(raw_name) is str:
            full_name = " ".join(raw_name.split())
            if not (full_name and len(full_name) <= MAX_NAME_LENGTH and _NAME_CHARS.fullmatch(full_name)):
                full_name = None
        if full_name is None:
            try:
                full_name = self.full_name(raw_name)
            except _Bad as bad:
                problems.append(("full_name", bad.message))

        birth_date = self.date_cache.get(raw_birth) if type(raw_birth) is str else None
        if birth_date is None:
            try:
                birth_date = self.birth_date(raw_birth)
                if type(raw_birth) is str and len(self.date_cache) < 100_000:
                    self.date_cache[raw_birth] = birth_date
            except _Bad as bad:
                problems.append(("birth_date", bad.message))

        sex = self.sex_cache.get(raw_sex) if type(raw_sex) is str else None
        if sex is None:
            try:
                sex = self.sex(raw_sex)
            except _Bad as bad:
                problems.append(("sex", bad.message))

        ethnicity = self.ethnicity_cache.get(raw_ethnicity) if type(raw_ethnicity) is str else None
        if ethnicity is None:
            try:
                ethnicity = self.ethnicity(raw_ethnicity, required=self.is_residents)
            except _Bad as bad:
                problems.append(("ethnicity", bad.message))

        phone = ""
        if raw_phone is not None and raw_phone != "":
            if type(raw_phone) is str and _PHONE.fullmatch(raw_phone):
                phone = raw_phone
            else:
                try:
                    phone = self.phone(raw_phone)
                except _Bad as bad:
                    problems.append(("phone", bad.message))

        village_id = self.village_by_code.get(raw_village_code) if type(raw_village_code) is str else None
        if village_id is None:
            try:
                village_id = self.village(raw_village_code, raw_village_name, required=self.is_residents)
            except _Bad as bad:
                problems.append(("village_code" if "village_code" in self.positions else "village_name", bad.message))

        if national_id is not None and birth_date is not None and sex is not None:
            # The check reads only the first six digits, the birth year and the sex: cache on those.
            key = (national_id[:6], birth_date.year, sex)
            messages = self.id_checks.get(key)
            if messages is None:
                messages = check_national_id(national_id, birth_date=birth_date, sex=sex)
                if len(self.id_checks) < 50_000:
                    self.id_checks[key] = messages
            for message in messages:
                problems.append(("national_id", message))

        if self.is_residents:
            household_code = None
            if type(raw_household) is str and _HOUSEHOLD_CODE.fullmatch(raw_household):
                household_code = raw_household
            else:
                try:
                    household_code = self.household_code(raw_household)
                except _Bad as bad:
                    problems.append(("household_code", bad.message))
            address = ""
            try:
                address = self.free_text(raw_address, limit=MAX_ADDRESS_LENGTH, label=ADDRESS_LABEL)
            except _Bad as bad:
                problems.append(("address", bad.message))
            is_head = False
            try:
                is_head = self.is_head(raw_relation, raw_head)
            except _Bad as bad:
                problems.append(("relation" if "relation" in self.positions else "is_head", bad.message))
            if problems:
                return None, problems
            record: tuple[Any, ...] = (
                row,
                national_id,
                "",
                full_name,
                birth_date,
                sex,
                ethnicity,
                phone,
                village_id,
                household_code,
                address,
                is_head,
            )
            return record, problems
        position = ""
        try:
            position = self.free_text(raw_position, limit=MAX_POSITION_LENGTH, label=POSITION_LABEL)
        except _Bad as bad:
            problems.append(("position", bad.message))
        if problems:
            return None, problems
        return (row, national_id, "", full_name, birth_date, sex, ethnicity, phone, village_id, position), problems

    def free_text(self, value: object, *, limit: int, label: Any) -> str:
        if value is None or value == "":
            return ""
        if type(value) is str and len(value) <= limit and value[0] not in _FORMULA_FIRST:
            text = " ".join(value.split())
            if text and text[0] not in _FORMULA_FIRST:
                return text
        return _free_text(value, limit=limit, label=str(label))


def find_header(kind: str, source: TableSource) -> tuple[int, dict[str, int], dict[str, str], int]:
    """Read rows until the header row (within the first rows: files often start with a title) and return its
    row number, column positions and the header texts as written. Raises DomainError (missing, duplicated or
    unrecognisable columns)."""
    best: tuple[int, dict[str, int], Sequence[object]] | None = None
    for number, cells in source.rows:
        positions = match_header(kind, cells)
        if best is None or len(positions) > len(best[1]):
            best = (number, positions, cells)
        required = [column for column in COLUMNS[kind] if column.required]
        if all(column.key in positions for column in required):
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if best is None:
        raise DomainError(_("Tệp không có dòng nào. Hãy điền danh sách vào tệp mẫu rồi gửi lại."), code="empty")
    number, positions, cells = best
    expected = ", ".join(f"“{column.header}”" for column in COLUMNS[kind] if column.required)
    if len(positions) < 2:
        raise DomainError(
            _(
                "Không tìm thấy dòng tiêu đề trong %(rows)s dòng đầu. Dòng tiêu đề cần có các cột: %(columns)s. "
                "Hãy tải tệp mẫu và giữ nguyên tiêu đề cột."
            )
            % {"rows": HEADER_SEARCH_ROWS, "columns": expected},
            code="header",
        )
    duplicates = duplicate_headers(kind, cells)
    if duplicates:
        raise DomainError(
            _("Cột %(columns)s xuất hiện hai lần ở dòng tiêu đề (dòng %(row)s). Hãy xóa cột thừa.")
            % {"columns": ", ".join(f"“{name}”" for name in duplicates), "row": number},
            code="header",
        )
    missing: list[Column] = [column for column in COLUMNS[kind] if column.required and column.key not in positions]
    problems = [f"“{column.header}”" for column in missing]
    if kind == ImportKind.RESIDENTS and "village_code" not in positions and "village_name" not in positions:
        problems.append(_("“Mã thôn” hoặc “Thôn, tổ dân phố”"))
    if problems:
        raise DomainError(
            _("Thiếu cột bắt buộc: %(columns)s (dòng tiêu đề là dòng %(row)s). Hãy dùng tệp mẫu.")
            % {"columns": ", ".join(problems), "row": number},
            code="missing_columns",
        )
    headers = {key: " ".join(str(cells[index]).split()) for key, index in positions.items()}
    width = max((index + 1 for index, cell in enumerate(cells) if _plain(cell)), default=0)
    return number, positions, headers, width


class FileValidator:
    """Runs the checking pass over a whole file (see the module docstring)."""

    def __init__(
        self,
        *,
        kind: str,
        unit: AdministrativeUnit,
        organisation: Organisation | None,
        progress: Callable[[int, float], None] | None = None,
        user: Any = None,
        dry_run: bool = False,
        job_id: int | None = None,
    ) -> None:
        self.kind = kind
        self.unit = unit
        self.organisation = organisation
        self.job_id = job_id
        self.progress = progress or (lambda rows, fraction: None)
        self.result = ValidationResult()
        self.seen_ids: dict[int, int] = {}
        self.pending: list[tuple[Any, ...]] = []
        self.checker: RowChecker | None = None
        # Every village under the unit, in force or not: a resident of a merged village is still inside.
        self.unit_villages = set(AdministrativeUnit.objects.within(unit).values_list("id", flat=True))
        self.registry = RegistryCheck(
            kind=kind, user=user, dry_run=dry_run, unit_villages=self.unit_villages, report=self.problem
        )

    def problem(self, row: int | None, key: str, message: str) -> None:
        column = self.checker.header(key) if self.checker is not None and key else ""
        self.result.add(row, column, message)

    def run(self, source: TableSource) -> ValidationResult:
        """Check every row of `source`. Raises DomainError for a problem of the whole file."""
        _header_row, positions, headers, width = find_header(self.kind, source)
        checker = self.checker = RowChecker(
            kind=self.kind,
            unit=self.unit,
            positions=positions,
            headers=headers,
            header_width=width,
            is_csv=source.format == "csv",
        )
        self.registry.village_column = "village_code" if "village_code" in positions else "village_name"
        self.result.spool = tempfile.TemporaryFile(prefix="hocvuso-import-")  # noqa: SIM115 — closed by the caller
        limit = max_rows()
        seen_ids = self.seen_ids
        for number, cells in source.rows:
            if checker.is_blank(cells):
                continue
            self.result.rows += 1
            if self.result.rows > limit:
                raise DomainError(
                    _("Tệp có hơn %(limit)s dòng dữ liệu. Hãy chia danh sách thành nhiều tệp nhỏ hơn.")
                    % {"limit": f"{limit:,}".replace(",", ".")},
                    code="too_many_rows",
                )
            record, problems = checker.check(number, cells)
            national_id = record[R_ID] if record is not None else self._id_of(checker, cells)
            if national_id is not None:
                number_key = int(national_id)
                first = seen_ids.get(number_key)
                if first is None:
                    seen_ids[number_key] = number
                else:
                    problems.append(
                        ("national_id", _("Trùng số định danh với dòng %(row)s trong cùng tệp.") % {"row": first})
                    )
                    record = None
            if record is not None and self.kind == ImportKind.RESIDENTS:
                household_problem = self._plan_household(record)
                if household_problem:
                    problems.append(household_problem)
                    record = None
            for key, message in problems:
                self.problem(number, key, message)
            if record is not None:
                self.pending.append(record)
                if len(self.pending) >= BATCH_ROWS:
                    self._flush()
            if self.result.rows % BATCH_ROWS == 0:
                self.progress(self.result.rows, source.fraction_read())
        self._flush()
        if self.result.rows == 0:
            raise DomainError(
                _("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào. Hãy điền danh sách rồi gửi lại."),
                code="empty",
            )
        self.registry.finish(job_id=self.job_id)
        self.result.read_as_new = self.registry.read_as_new
        self.progress(self.result.rows, 1.0)
        if not self.result.is_valid and self.result.spool is not None:
            self.result.spool.close()
            self.result.spool = None
        elif self.result.spool is not None:
            self.result.spool.seek(0)
        return self.result

    @staticmethod
    def _id_of(checker: RowChecker, cells: Sequence[object]) -> str | None:
        try:
            return checker.national_id(checker.cell(cells, "national_id"))
        except _Bad:
            return None

    def _plan_household(self, record: tuple[Any, ...]) -> tuple[str, str] | None:
        code, village_id, address, is_head, row = (
            record[R_HOUSEHOLD],
            record[R_VILLAGE],
            record[R_ADDRESS],
            record[R_HEAD],
            record[R_ROW],
        )
        key = (village_id, code)
        plan = self.result.households.get(key)
        if plan is None:
            self.result.households[key] = HouseholdPlan(village_id, address, row, row if is_head else 0)
            return None
        if is_head:
            if plan.head_row:
                return (
                    "relation",
                    _("Hộ %(code)s đã có chủ hộ ở dòng %(row)s; mỗi hộ chỉ có một chủ hộ.")
                    % {"code": code, "row": plan.head_row},
                )
            plan.head_row = row
            if address:
                plan.address = address
        elif address and not plan.address:
            plan.address = address
        return None

    def _flush(self) -> None:
        """Check a batch of rows against the registry (registry.py), then spool the rows that passed."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        good = self.registry.check([(lookup_hash(record[R_ID]), record) for record in batch])
        if self.result.spool is not None and self.result.is_valid and good:
            write_spool_batch(self.result.spool, good)


def write_spool_batch(spool: IO[bytes], batch: list[tuple[Any, ...]]) -> None:
    """Append a batch of records to a spool (marshal: the fastest serialiser for ints, strings and tuples;
    the birth date travels as its ordinal)."""
    blob = marshal.dumps([(*record[:R_BIRTH], record[R_BIRTH].toordinal(), *record[R_BIRTH + 1 :]) for record in batch])
    spool.write(len(blob).to_bytes(8, "little"))
    spool.write(blob)


def read_spool(spool: IO[bytes]) -> Iterator[list[tuple[Any, ...]]]:
    """The batches of records written by `write_spool_batch`, in order."""
    spool.seek(0)
    from_ordinal = datetime.date.fromordinal
    while True:
        size = spool.read(8)
        if len(size) < 8:
            return
        batch = marshal.loads(spool.read(int.from_bytes(size, "little")))  # noqa: S302 — our own temporary file
        yield [(*record[:R_BIRTH], from_ordinal(record[R_BIRTH]), *record[R_BIRTH + 1 :]) for record in batch]
