"""Checking one row of a roster: the column rules of `cells` applied in turn, then the rules that read several
columns (an ID's digits against the birth date and sex), giving the normalised record or the row's problems."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.core.text import fold_diacritics
from hocvuso.people.national_id import check_national_id
from hocvuso.territory.models import AdministrativeUnit

from ..import_models import ImportKind
from . import cells
from .cells import Bad, CellContext, plain
from .columns import COLUMNS

# The raw cells of a row, in this order, are what the rules read (a column the file lacks gives None).
FIELD_ORDER = (
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
    "family_name",
    "middle_name",
    "given_name",
    "birth_date_female",
)
F = {key: index for index, key in enumerate(FIELD_ORDER)}
_ID, _NAME, _BIRTH, _SEX, _ETHNICITY, _PHONE = (
    F[k] for k in ("national_id", "full_name", "birth_date", "sex", "ethnicity", "phone")
)
_VILLAGE_CODE, _VILLAGE_NAME, _HOUSEHOLD, _ADDRESS = (
    F[k] for k in ("village_code", "village_name", "household_code", "address")
)
_RELATION, _HEAD, _POSITION = F["relation"], F["is_head"], F["position"]
_FAMILY, _MIDDLE, _GIVEN = F["family_name"], F["middle_name"], F["given_name"]
_BIRTH_FEMALE = F["birth_date_female"]

Raw = Sequence[object]
_SIGNATURE = re.compile(
    r"nguoi lap|lap bieu|thu truong|xac nhan|ky,? ghi ro|ky ten|ky va ghi|ngay \S* ?thang \S* ?nam|"
    r"\btm\b|chu tich|truong thon|truong ban|can bo tu phap|dong dau"
)
_TOTAL_WORDS = frozenset(["tong", "cong", "so", "nguoi", "ho", "nhan", "khau", "trong", "do", "nam", "nu"])
_NOT_LETTERS = re.compile(r"[^a-z]+")


@dataclass(frozen=True)
class Rule:
    """A rule for one value of the record: its name, the column its problems are reported under, and how it is
    read from the raw cells."""

    name: str
    column: str
    read: Callable[[CellContext, Raw], Any]


def _rules(kind: str, positions: dict[str, int]) -> tuple[Rule, ...]:
    residents = kind == ImportKind.RESIDENTS
    village_column = "village_code" if "village_code" in positions else "village_name"
    if "full_name" in positions:
        name = Rule("full_name", "full_name", lambda c, r: cells.full_name(c, r[_NAME]))
    else:  # split name columns (headers.find_header made sure the family and given names are there)
        name = Rule(
            "full_name", "given_name", lambda c, r: cells.full_name_from_parts(c, r[_FAMILY], r[_MIDDLE], r[_GIVEN])
        )
    birth = Rule("birth_date", "birth_date", lambda c, r: cells.birth_date(c, r[_BIRTH]))
    sex = Rule("sex", "sex", lambda c, r: cells.sex(c, r[_SEX]))
    if "birth_date_female" in positions:  # "Ngày sinh" split into Nam | Nữ
        birth = Rule("birth_date", "birth_date", lambda c, r: cells.birth_date_by_sex(c, r[_BIRTH], r[_BIRTH_FEMALE]))
        if "sex" not in positions:
            sex = Rule("sex", "birth_date", lambda c, r: cells.sex_by_birth_column(c, r[_BIRTH], r[_BIRTH_FEMALE]))
    common = (
        Rule("national_id", "national_id", lambda c, r: cells.national_id(c, r[_ID])),
        name,
        birth,
        sex,
        Rule("ethnicity", "ethnicity", lambda c, r: cells.ethnicity(c, r[_ETHNICITY], required=residents)),
        Rule("phone", "phone", lambda c, r: cells.phone(c, r[_PHONE])),
        Rule(
            "village",
            village_column,
            lambda c, r: cells.village(c, r[_VILLAGE_CODE], r[_VILLAGE_NAME], required=residents),
        ),
    )
    if not residents:
        return (*common, Rule("position", "position", lambda c, r: cells.position(c, r[_POSITION])))
    relation_column = "relation" if "relation" in positions else "is_head"
    return (
        *common,
        Rule("household_code", "household_code", lambda c, r: cells.household_code(c, r[_HOUSEHOLD])),
        Rule("address", "address", lambda c, r: cells.address(c, r[_ADDRESS])),
        Rule("is_head", relation_column, lambda c, r: cells.is_head(c, r[_RELATION], r[_HEAD])),
    )


class RowChecker:
    """Checks the cells of one row of one roster kind and returns the normalised record or the problems.

    Built once per file: it holds the header positions, the rules of the kind and the `CellContext` (villages
    of the importer's area, caches), so the per-row work is a few dictionary look-ups and regular expressions.
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
        context: CellContext | None = None,
    ) -> None:
        self.kind = kind
        self.is_csv = is_csv
        self.is_residents = kind == ImportKind.RESIDENTS
        self.positions = positions
        self.headers = headers
        self.header_width = header_width
        villages = AdministrativeUnit.objects.in_force().villages().within(unit).values_list("id", "code", "name")
        village_by_code: dict[str, int] = {}
        village_by_name: dict[str, list[int]] = {}
        for village_id, code, name in villages:
            village_by_code[code] = village_id
            village_by_name.setdefault(fold_diacritics(" ".join(name.split())), []).append(village_id)
        # One context for the whole file (its caches and its dates' evidence span every sheet).
        self.context = context or CellContext(
            unit_name=unit.name,
            village_by_code=village_by_code,
            village_by_name=village_by_name,
            today=timezone.localdate(),
        )
        self.rules = _rules(kind, positions)
        self.rule_parts = [(rule.name, rule.column, rule.read) for rule in self.rules]  # unpacked once, not per row
        self.split_birth = "birth_date_female" in positions
        self.indexes = [positions.get(key, -1) for key in FIELD_ORDER]
        # The raw values of a row that has every column, in one call: a missing column (-1) reads the None that
        # `check` puts after the row's cells.
        self.take = itemgetter(*self.indexes)
        self.width_needed = max(self.indexes) + 1
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

    def has_id(self, cells: Sequence[object]) -> bool:
        """True when the row's ID cell holds something that looks like an ID (nine digits or more)."""
        text = plain(self.cell(cells, "national_id")).replace(" ", "").replace(".", "")
        return len(text) >= 9 and text.isdigit()

    def is_footer(self, cells: Sequence[object]) -> bool:
        """True for the first row of what offices put under a table: a totals row ("Tổng cộng: 25 người"), the
        signature block ("Người lập biểu", "Thủ trưởng đơn vị", "(Ký, ghi rõ họ tên)"), the place and date
        line ("…, ngày … tháng … năm …"). Only a row without an ID can start it."""
        first = cells[self.first_index] if self.first_index < len(cells) else None
        if type(first) is str and len(first) == 12:  # the usual data row
            return False
        if self.has_id(cells) or plain(self.cell(cells, "birth_date")):
            return False
        filled = [plain(cell) for cell in cells if plain(cell)]
        text = fold_diacritics(" ".join(filled))
        words = _NOT_LETTERS.sub(" ", text).split()
        if words and words[0] in ("tong", "cong") and set(words) <= _TOTAL_WORDS:
            return True  # "Tổng cộng: 25 người", "Cộng 12 hộ, 48 nhân khẩu"
        return bool(_SIGNATURE.search(text)) and (len(filled) <= 3 or not plain(self.cell(cells, "full_name")))

    @staticmethod
    def footer_text(cells: Sequence[object]) -> str:
        return " ".join(plain(cell) for cell in cells if plain(cell))[:60]

    def national_id(self, value: object) -> str:
        """The row's ID alone (for the duplicate check of a row with other problems). Raises Bad."""
        return cells.national_id(self.context, value)

    def check(self, row: int, cells: Sequence[object]) -> tuple[tuple[Any, ...] | None, list[tuple[str, str]]]:
        """The normalised record of a row (layout in `spool`), or None and its problems as (column key, message)."""
        if self.is_csv and len(cells) > self.header_width and any(plain(v) for v in cells[self.header_width :]):
            # The cells are shifted: every other problem of the row would be a consequence of this one.
            message = _(
                "Dòng có nhiều ô hơn dòng tiêu đề — thường do dấu phẩy trong một ô không được đặt trong ngoặc "
                "kép. Hãy lưu lại tệp từ Excel."
            )
            return None, [("full_name", message)]
        count = len(cells)
        if count >= self.width_needed:
            raw = self.take([*cells, None])
        else:
            raw = tuple(cells[index] if 0 <= index < count else None for index in self.indexes)
        context = self.context
        context.row = row
        context.restored_digits = 0
        problems: list[tuple[str, str]] = []
        values: dict[str, Any] = {}
        for name, column, read in self.rule_parts:
            try:
                values[name] = read(context, raw)
            except Bad as bad:
                problems.append((column, bad.message))
        problems.extend(self._check_id_digits(values))
        if self.split_birth and "sex" in self.positions and values.get("sex") and values.get("birth_date"):
            under = "M" if plain(raw[_BIRTH]) else "F"
            if under != values["sex"]:
                problems.append(("sex", _("Giới tính không khớp với cột ghi ngày sinh (Nam hoặc Nữ).")))
        if problems:
            return None, problems
        return self._record(row, values), problems

    def _check_id_digits(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        """The ID's province, century-and-sex and birth-year digits against the row's birth date and sex."""
        national_id, birth_date, sex = values.get("national_id"), values.get("birth_date"), values.get("sex")
        if national_id is None or birth_date is None or sex is None:
            return []
        day = birth_date[0][0] if isinstance(birth_date[0], tuple) else birth_date[0]  # both readings: same year
        # The check reads only the first six digits, the birth year and the sex: cache on those.
        key = (national_id[:6], day.year, sex)
        messages = self.id_checks.get(key)
        if messages is None:
            messages = check_national_id(national_id, birth_date=day, sex=sex)
            if len(self.id_checks) < 50_000:
                self.id_checks[key] = messages
        context = self.context
        if messages and context.restored_digits:
            # Zeros put back in front of a short ID did not give this person's ID: say what was tried.
            context.zeros_restored.pop()
            return [
                (
                    "national_id",
                    _(
                        "Số định danh chỉ có %(count)s chữ số. Thêm số 0 ở đầu (như khi Excel xóa) thành %(id)s thì "
                        "không khớp: %(reason)s Hãy nhập lại đủ 12 chữ số và định dạng cột là Văn bản."
                    )
                    % {"count": context.restored_digits, "id": national_id, "reason": messages[0]},
                )
            ]
        return [("national_id", message) for message in messages]

    def _record(self, row: int, values: dict[str, Any]) -> tuple[Any, ...]:
        birth = values["birth_date"]
        if isinstance(birth[0], tuple):  # readable both ways: (day-first date, month-first date), "day"
            birth_value, precision = (birth[0][0], birth[1][0]), birth[0][1]
        else:
            birth_value, precision = birth
        common = (
            row,
            values["national_id"],
            "",
            values["full_name"],
            birth_value,
            values["sex"],
            values["ethnicity"],
            values["phone"],
            values["village"],
        )
        if self.is_residents:
            return (*common, values["household_code"], values["address"], values["is_head"], precision)
        return (*common, values["position"], precision)


def problem_column(checker: RowChecker | None, key: str) -> str:
    """The header (as the file writes it) of a column key, for a problem's "column"."""
    return checker.header(key) if checker is not None and key else ""
