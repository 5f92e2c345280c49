"""The rules for one cell of a roster row, one small function per column.

Each rule takes the file's `CellContext` (villages of the importer's area, today's date, caches) and the raw
cell as the reader gave it (text, int, float, date…), and returns the normalised value or raises `Bad` with a
Vietnamese message that says what is wrong and how to fix it. The common, valid case of each rule is a cache hit
or one regular expression (a million rows go through them); the slower checks only run to explain a problem.
"""

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hocvuso.core.errors import DomainError
from hocvuso.core.text import fold_diacritics
from hocvuso.people import rules
from hocvuso.people.ethnicity import ethnicity_code
from hocvuso.people.national_id import normalise_national_id
from hocvuso.people.rules import MAX_NAME_LENGTH, NAME_CHARS
from hocvuso.people.rules import MOBILE as PHONE

from .encodings import TCVN3_TONED_LOWER

MAX_ADDRESS_LENGTH = 255
MAX_POSITION_LENGTH = 100
MAX_RELATION_LENGTH = 50

ADDRESS_LABEL = gettext_lazy("Địa chỉ")
POSITION_LABEL = gettext_lazy("Chức vụ, lớp")
RELATION_LABEL = gettext_lazy("Quan hệ")

_SCIENTIFIC = re.compile(r"^\s*'?[+-]?\d+(?:[.,]\d+)?\s*[eE]\s*[+-]?\d+\s*$")
_DATE_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
HOUSEHOLD_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._/\-]{0,39}$")
_FORMULA_START = ("=", "+", "-", "@")
FORMULA_FIRST = frozenset("=+-@")
_SEX = {"nam": "M", "nu": "F", "m": "M", "f": "F", "male": "M", "female": "F", "trai": "M", "gai": "F"}
_TRUE = {"x", "co", "1", "true", "yes", "v", "chu ho", "la chu ho"}
_HEAD_RELATIONS = {"chu ho", "chuho", "ch"}


class Bad(Exception):
    """One cell's problem (collected into the row's problems)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class CellContext:
    """What the rules of one file share: the importer's villages, today's limits and small caches."""

    unit_name: str
    village_by_code: dict[str, int]
    village_by_name: dict[str, list[int]]
    today: datetime.date = field(default_factory=datetime.date.today)
    ethnicity_cache: dict[object, int | None] = field(default_factory=dict)
    sex_cache: dict[object, str | None] = field(default_factory=dict)
    date_cache: dict[object, datetime.date] = field(default_factory=dict)
    head_cache: dict[tuple[object, object], bool] = field(default_factory=dict)
    # The officer's reading of dates like 03/04/1990 (True day first, False month first), None when not chosen.
    day_first: bool | None = None
    dates: "DateEvidence" = field(default_factory=lambda: DateEvidence())
    row: int = 0  # the row being checked (for the notes that list rows)
    zeros_restored: list[int] = field(default_factory=list)
    year_only: int = 0
    # A TCVN3 file cannot write a capital with a tone (.VnTime shows "ánh"): name words starting so are capitalised.
    capitalise_toned_initials: bool = False
    capitalised: int = 0
    restored_digits: int = 0  # for the row being checked: how many digits its ID had before zeros were restored
    date_kinds: dict[object, str] = field(default_factory=dict)  # text date → "dm", "md", "both" or "year"
    range_doubt: dict[object, tuple[bool, bool]] = field(default_factory=dict)

    oldest_day: datetime.date = field(init=False)

    def __post_init__(self) -> None:
        self.oldest_day = rules.earliest_birth_date(self.today)

    @property
    def oldest(self) -> datetime.date:
        return self.oldest_day


@dataclass
class DateEvidence:
    """What a file's text dates say about their order, gathered over ALL its rows: rows readable only day
    first (a first number above 12), only month first (a second number above 12), and the rows readable both
    ways as different dates, with a few examples of each. Rows are kept as (table index << 21) | row."""

    day_first_rows: list[int] = field(default_factory=list)
    month_first_rows: list[int] = field(default_factory=list)
    ambiguous: int = 0
    ambiguous_examples: list[str] = field(default_factory=list)
    day_first_examples: list[str] = field(default_factory=list)
    month_first_examples: list[str] = field(default_factory=list)
    # Ambiguous rows where only one reading lies in the allowed range: (row key, day-first ok, month-first ok).
    range_doubts: list[tuple[int, bool, bool, str]] = field(default_factory=list)
    table: int = 0
    cell_dates: int = 0


YEAR_PRECISION = "year"
DAY_PRECISION = "day"


def plain(value: object) -> str:
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


def reject_formula(text: str) -> None:
    if text.startswith("="):
        raise Bad(_("Ô chứa công thức (bắt đầu bằng “=”). Hãy thay bằng giá trị (Dán đặc biệt → Giá trị)."))


def _explain_free_text(value: object, *, limit: int, label: str) -> str:
    text = " ".join(plain(value).split())
    if text in ("-", "--"):
        return ""
    reject_formula(text)
    if text.startswith(_FORMULA_START):
        raise Bad(
            _("Ô bắt đầu bằng “%(char)s” (có thể bị bảng tính hiểu là công thức). Hãy bỏ ký tự đó.") % {"char": text[0]}
        )
    if len(text) > limit:
        raise Bad(_("%(label)s dài quá %(limit)s ký tự.") % {"label": label, "limit": limit})
    return text


def free_text(value: object, *, limit: int, label: object) -> str:
    """Free text (address, relation, position): single spaces, no formula-like start, bounded length."""
    if value is None or value == "":
        return ""
    if type(value) is str and len(value) <= limit and value[0] not in FORMULA_FIRST:
        text = " ".join(value.split())
        if text and text[0] not in FORMULA_FIRST:
            return text
    return _explain_free_text(value, limit=limit, label=str(label))


# --- one rule per column -----------------------------------------------------------------------------------


def national_id(context: CellContext, value: object) -> str:
    """Số định danh cá nhân: 12 digits (see people.national_id for what a cell may hold)."""
    if type(value) is str and len(value) == 12 and value.isdigit() and value.isascii():
        return value
    if isinstance(value, str):
        reject_formula(value.strip())
        if _SCIENTIFIC.match(value):
            raise Bad(
                _(
                    "Số định danh đã bị Excel đổi sang dạng số mũ (“%(value)s”) nên mất chữ số. Hãy định dạng "
                    "cột là Văn bản (Text), nhập lại đủ 12 chữ số rồi lưu lại."
                )
                % {"value": value.strip()[:20]}
            )
    elif isinstance(value, float) and (not value.is_integer() or value >= 1e12):
        raise Bad(
            _(
                "Số định danh là một số thập phân hoặc quá lớn: Excel đã làm mất chữ số. Hãy định dạng cột là "
                "Văn bản (Text) và nhập lại đủ 12 chữ số."
            )
        )
    elif isinstance(value, datetime.date):
        raise Bad(_("Số định danh đang ở dạng ngày tháng; hãy định dạng cột là Văn bản và nhập lại."))
    digits = _id_digits(value)
    if digits is not None and len(digits) in (10, 11):
        # Excel stored the ID as a number and dropped its leading zeros: provinces 001–009 lose two, 010–096
        # one. Restored (the province, century and birth-year digits are then checked against the row) and
        # listed in the summary.
        context.zeros_restored.append(context.row)
        context.restored_digits = len(digits)
        return digits.rjust(12, "0")
    if digits is not None and 0 < len(digits) < 10 and isinstance(value, int | float):
        raise Bad(
            _(
                "Số định danh chỉ còn %(count)s chữ số: Excel đã xóa các số 0 ở đầu vì cột đang ở dạng Số, nên "
                "không biết chắc số đúng. Hãy chọn cả cột → Định dạng ô (Format Cells) → Văn bản (Text), nhập lại "
                "đủ 12 chữ số rồi lưu lại."
            )
            % {"count": len(digits)}
        )
    try:
        return normalise_national_id(value)
    except DomainError as error:
        raise Bad(str(error.message)) from error


def _id_digits(value: object) -> str | None:
    """The digits of an ID cell that holds only digits (an Excel number, or text like "68190001234"; spaces
    and a trailing ".0" tolerated), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and value >= 0 else None
    if isinstance(value, str):
        text = value.strip().lstrip("'").replace(" ", "")
        if text.endswith(".0"):
            text = text[:-2]
        return text if text.isdigit() and text.isascii() else None
    return None


def full_name(context: CellContext, value: object) -> str:
    """Họ và tên: letters, spaces, apostrophes, dots and hyphens; at most 150 characters."""
    if context.capitalise_toned_initials and type(value) is str:
        value = _capitalise_toned_initials(context, value)
    if type(value) is str:
        text = " ".join(value.split())
        if text and len(text) <= MAX_NAME_LENGTH and NAME_CHARS.fullmatch(text):
            return text
    text = " ".join(plain(value).split())
    reject_formula(text)
    try:
        return rules.clean_full_name(text)  # the same rule as the correction form
    except DomainError as error:
        raise Bad(str(error.message)) from error


def _capitalise_toned_initials(context: CellContext, value: str) -> str:
    words = value.split(" ")
    changed = [word[:1].upper() + word[1:] if word[:1] in TCVN3_TONED_LOWER else word for word in words]
    if changed != words:
        context.capitalised += 1
    return " ".join(changed)


def full_name_from_parts(context: CellContext, family: object, middle: object, given: object) -> str:
    """Họ | (Tên đệm) | Tên: the parts joined with single spaces; the family and given names are required."""
    family_text = " ".join(plain(family).split())
    given_text = " ".join(plain(given).split())
    if not given_text:
        raise Bad(_("Thiếu tên (cột Tên trống)."))
    if not family_text:
        raise Bad(_("Thiếu họ (cột Họ trống): họ và tên được ghép từ các cột Họ, Tên đệm, Tên."))
    return full_name(context, " ".join(part for part in (family_text, plain(middle), given_text) if part))


# A birth date is (date, precision): precision "day", or "year" when only the year is known (stored as 1 January).
BirthDate = tuple[datetime.date, str]
_YEAR_ONLY = re.compile(
    r"^(?:năm\s*)?(\d{4})$|^(?:0{1,2}|x{1,2}|\.{1,2}|-{1,2})\s*[/.\-]\s*(?:0{1,2}|x{1,2}|\.{1,2}|-{1,2})\s*[/.\-]\s*(\d{4})$",
    re.IGNORECASE,
)


def birth_date(context: CellContext, value: object) -> Any:
    """Ngày sinh: day/month/year text (order decided for the whole file, see `DateEvidence`), ISO text, an
    Excel date cell, or a year alone ("1950", "00/00/1950", a number 1950) for someone whose day and month are
    unknown; not in the future, age at most 120.

    Returns (date, precision), or — for a text date readable both ways while the file's order is not known —
    ((day-first date, precision), (month-first date, precision)), resolved after the whole file is read.
    """
    if type(value) is str:
        cached = context.date_cache.get(value)
        if cached is not None:
            _count_cached(context, value, cached)
            return cached
    result = _birth(context, value)
    if type(value) is str and len(context.date_cache) < 100_000:
        context.date_cache[value] = result
    _count_cached(context, value, result)
    return result


def birth_date_by_sex(context: CellContext, male: object, female: object) -> Any:
    """Ngày sinh split into Nam | Nữ columns: the date written in exactly one of them (see `birth_date`)."""
    if plain(male) and plain(female):
        raise Bad(_("Ngày sinh ghi ở cả cột Nam và cột Nữ; chỉ ghi ở cột đúng giới tính."))
    if not plain(male) and not plain(female):
        raise Bad(_("Thiếu ngày sinh (ghi ở cột Nam hoặc cột Nữ)."))
    return birth_date(context, male if plain(male) else female)


def sex_by_birth_column(context: CellContext, male: object, female: object) -> str:
    """The sex a Nam | Nữ birth-date split says: "M" when the date is under Nam, "F" under Nữ."""
    if bool(plain(male)) == bool(plain(female)):
        raise Bad(_("Không rõ giới tính: ngày sinh phải ghi ở đúng một trong hai cột Nam, Nữ."))
    return "M" if plain(male) else "F"


def _count_cached(context: CellContext, value: object, result: Any) -> None:
    """Record what this row's date says about the file's date order (also for a value read from the cache)."""
    kind = context.date_kinds.get(value) if type(value) is str else None
    evidence = context.dates
    key = (evidence.table << 21) | context.row
    if kind == "dm":
        evidence.day_first_rows.append(key)
        if len(evidence.day_first_examples) < 3:
            evidence.day_first_examples.append(str(value))
    elif kind == "md":
        evidence.month_first_rows.append(key)
        if len(evidence.month_first_examples) < 3:
            evidence.month_first_examples.append(str(value))
    elif kind == "both":
        evidence.ambiguous += 1
        if len(evidence.ambiguous_examples) < 5 and value not in evidence.ambiguous_examples:
            evidence.ambiguous_examples.append(str(value))
        doubt = context.range_doubt.get(value) if type(value) is str else None
        if doubt is not None:
            evidence.range_doubts.append((key, doubt[0], doubt[1], str(value)))
    elif kind == "year":
        context.year_only += 1
    elif isinstance(value, datetime.date):
        evidence.cell_dates += 1


def _in_range(context: CellContext, day: datetime.date) -> bool:
    return context.oldest <= day <= context.today


def _check_range(context: CellContext, day: datetime.date, precision: str) -> None:
    if context.oldest_day <= day <= context.today:  # the common case, without a call
        return
    try:
        rules.check_birth_date(day, precision=precision, today=context.today)  # the same limits as the form
    except DomainError as error:
        raise Bad(str(error.message)) from error


def _birth(context: CellContext, value: object) -> Any:
    if type(value) is str:  # the common case first: a text date
        text = value.strip()
        match = _DATE_DMY.fullmatch(text)
        if match:
            first, second, year = (int(part) for part in match.groups())
            if first == 0 and second == 0:  # 00/00/1950: the day and month are unknown
                return _year_only(context, value, year)
            return _two_numbers(context, value, first, second, year)
        match = _YEAR_ONLY.fullmatch(text)
        if match:
            return _year_only(context, value, int(match.group(1) or match.group(2)))
    if isinstance(value, datetime.datetime | datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        _check_range(context, day, DAY_PRECISION)
        return (day, DAY_PRECISION)
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and float(value).is_integer()
        and 1900 <= value <= context.today.year
    ):  # a year typed in a number cell
        return _year_only(context, value, int(value))
    day = _read_date(value)
    _check_range(context, day, DAY_PRECISION)
    return (day, DAY_PRECISION)


def _year_only(context: CellContext, value: object, year: int) -> BirthDate:
    day = datetime.date(year, 1, 1)
    _check_range(context, day, YEAR_PRECISION)
    if type(value) is str:
        context.date_kinds[value] = "year"
    else:
        context.year_only += 1
    return (day, YEAR_PRECISION)


def _two_numbers(context: CellContext, value: str, first: int, second: int, year: int) -> Any:
    """A date written a/b/yyyy: day first, month first, or both readable (resolved for the whole file)."""
    text = value.strip()
    day_first = _date_or_none(year, second, first)
    month_first = _date_or_none(year, first, second)
    if day_first is None and month_first is None:
        raise Bad(_("Ngày sinh %(value)s không tồn tại (ngày hoặc tháng sai).") % {"value": text[:20]})
    if day_first == month_first or month_first is None or day_first is None:
        day = day_first or month_first
        assert day is not None
        if day_first != month_first:
            context.date_kinds[value] = "dm" if month_first is None else "md"
        _check_range(context, day, DAY_PRECISION)
        return (day, DAY_PRECISION)
    if context.day_first is not None:  # the officer chose the order
        day = day_first if context.day_first else month_first
        _check_range(context, day, DAY_PRECISION)
        return (day, DAY_PRECISION)
    day_ok, month_ok = _in_range(context, day_first), _in_range(context, month_first)
    if not day_ok and not month_ok:
        _check_range(context, day_first, DAY_PRECISION)
    context.date_kinds[value] = "both"
    if day_ok != month_ok:
        context.range_doubt[value] = (day_ok, month_ok)
    return ((day_first, DAY_PRECISION), (month_first, DAY_PRECISION))


def _date_or_none(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _read_date(value: object) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Bad(_("Thiếu ngày sinh."))
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise Bad(
            _(
                "Ngày sinh là một con số (%(value)s), không phải ngày. Hãy ghi dạng ngày/tháng/năm, ví dụ "
                "05/09/1990, hoặc định dạng ô là Ngày."
            )
            % {"value": plain(value)}
        )
    text = str(value).strip()
    reject_formula(text)
    match = _DATE_DMY.fullmatch(text)
    if match:
        day_number, month, year = (int(part) for part in match.groups())
    else:
        match = _DATE_ISO.fullmatch(text)
        if not match:
            raise Bad(
                _("Ngày sinh “%(value)s” không đúng dạng ngày/tháng/năm (ví dụ 05/09/1990).") % {"value": text[:20]}
            )
        year, month, day_number = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day_number)
    except ValueError as error:
        raise Bad(_("Ngày sinh %(value)s không tồn tại (ngày hoặc tháng sai).") % {"value": text[:20]}) from error


def sex(context: CellContext, value: object) -> str:
    """Giới tính: Nam or Nữ (and the usual spellings), as "M" / "F"."""
    cache = context.sex_cache
    if type(value) is str:
        cached = cache.get(value)
        if cached is not None:
            return cached
    text = plain(value)
    if text not in cache:
        cache[text] = _SEX.get(fold_diacritics(text).strip())
    answer = cache[text]
    if answer is None:
        if not text:
            raise Bad(_("Thiếu giới tính."))
        raise Bad(_("Giới tính “%(value)s” không hợp lệ; ghi Nam hoặc Nữ.") % {"value": text[:20]})
    if type(value) is str:
        cache[value] = answer
    return answer


def ethnicity(context: CellContext, value: object, *, required: bool) -> int | None:
    """Dân tộc: one of the 54 ethnic groups, with or without diacritics, as its code."""
    cache = context.ethnicity_cache
    if type(value) is str:
        cached = cache.get(value)
        if cached is not None:
            return cached
    text = plain(value)
    if not text:
        if required:
            raise Bad(_("Thiếu dân tộc."))
        return None
    if text not in cache:
        cache[text] = ethnicity_code(text)
    code = cache[text]
    if code is None:
        raise Bad(_("Dân tộc “%(value)s” không có trong danh mục 54 dân tộc Việt Nam.") % {"value": text[:40]})
    if type(value) is str:
        cache[value] = code
    return code


def phone(context: CellContext, value: object) -> str:
    """Số điện thoại (optional): a 10-digit mobile number; +84 and a zero Excel dropped are restored."""
    if value is None or value == "":
        return ""
    if type(value) is str and PHONE.fullmatch(value):
        return value
    text = plain(value)
    if not text:
        return ""
    reject_formula(text)
    try:
        return rules.normalise_phone(value)  # the same rule as the correction form
    except DomainError as error:
        raise Bad(str(error.message)) from error


def village(context: CellContext, code_value: object, name_value: object, *, required: bool) -> int | None:
    """Mã thôn or Thôn, tổ dân phố: a village of the importer's area, by code or (unique) name."""
    if type(code_value) is str:
        village_id = context.village_by_code.get(code_value)
        if village_id is not None:
            return village_id
    code = f"{code_value:.3f}" if isinstance(code_value, float) else plain(code_value)
    name = " ".join(plain(name_value).split())
    if code:
        reject_formula(code)
        village_id = context.village_by_code.get(code)
        if village_id is None:
            raise Bad(
                _("Không có thôn mã “%(code)s” trong %(unit)s. Hãy xem danh mục thôn của xã.")
                % {"code": code[:20], "unit": context.unit_name}
            )
        return village_id
    if name:
        reject_formula(name)
        candidates = context.village_by_name.get(fold_diacritics(name))
        if not candidates:
            raise Bad(
                _("Không có thôn “%(name)s” trong %(unit)s. Hãy ghi đúng tên hoặc mã thôn.")
                % {"name": name[:60], "unit": context.unit_name}
            )
        if len(candidates) > 1:
            raise Bad(_("Có nhiều thôn tên “%(name)s”; hãy ghi mã thôn.") % {"name": name[:60]})
        return candidates[0]
    if required:
        raise Bad(_("Thiếu thôn: ghi mã thôn hoặc tên thôn, tổ dân phố."))
    return None


def household_code(context: CellContext, value: object) -> str:
    """Mã hộ: up to 40 letters, digits, dots, hyphens, slashes."""
    if type(value) is str and HOUSEHOLD_CODE.fullmatch(value):
        return value
    text = plain(value)
    if not text:
        raise Bad(_("Thiếu mã hộ."))
    reject_formula(text)
    if not HOUSEHOLD_CODE.fullmatch(text):
        raise Bad(
            _("Mã hộ “%(value)s” không hợp lệ: tối đa 40 ký tự gồm chữ, số, dấu chấm, gạch ngang, gạch chéo.")
            % {"value": text[:40]}
        )
    return text


def address(context: CellContext, value: object) -> str:
    """Địa chỉ (optional): free text up to 255 characters."""
    return free_text(value, limit=MAX_ADDRESS_LENGTH, label=ADDRESS_LABEL)


def position(context: CellContext, value: object) -> str:
    """Chức vụ, vị trí / Lớp (optional): free text up to 100 characters."""
    return free_text(value, limit=MAX_POSITION_LENGTH, label=POSITION_LABEL)


def is_head(context: CellContext, relation_value: object, head_value: object) -> bool:
    """Quan hệ với chủ hộ = "Chủ hộ", or an x in Là chủ hộ."""
    key = (relation_value, head_value)
    cacheable = type(relation_value) is str or relation_value is None
    if cacheable:
        cached = context.head_cache.get(key)
        if cached is not None:
            return cached
    relation = fold_diacritics(_explain_free_text(relation_value, limit=MAX_RELATION_LENGTH, label=str(RELATION_LABEL)))
    answer = relation in _HEAD_RELATIONS or fold_diacritics(plain(head_value)) in _TRUE
    if cacheable and len(context.head_cache) < 10_000:
        context.head_cache[key] = answer
    return answer
