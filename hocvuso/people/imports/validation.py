"""Checking a roster file row by row, collecting every problem (row as Excel numbers it, column header,
reason in Vietnamese), before anything is written — or, for a file of new residents on PostgreSQL, before what
was written while checking is kept (`on_batch`, running._check_writing).

The pass streams the file once: `headers` finds the header row, `rows.RowChecker` applies the column rules of
`cells` to each row. Rows that pass go, normalised, into a temporary spool file (`spool`) for the commit pass,
so the file is not parsed twice and no per-row Python objects pile up in memory. What must be remembered across
the whole file is kept compact: each ID seen (an int → its first row, for duplicates) and, for residents, each
household code with its village, address and head row. Registry checks (an ID registered outside the
importer's area, a household code used elsewhere) are made in batches by keyed hash, never one query per row.
"""

import datetime
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from hocvuso.core.crypto import lookup_hash
from hocvuso.core.errors import DomainError
from hocvuso.people.models import Organisation
from hocvuso.territory.models import AdministrativeUnit

from ..import_models import ImportKind
from .cells import Bad
from .headers import find_header
from .readers import Table, TableSource
from .registry import RegistryCheck
from .rows import RowChecker
from .spool import (
    R_ADDRESS,
    R_BIRTH,
    R_BIRTH_PRECISION,
    R_ETHNICITY,
    R_HASH,
    R_HEAD,
    R_HOUSEHOLD,
    R_ID,
    R_NAME,
    R_PHONE,
    R_POSITION,
    R_ROW,
    R_SEX,
    R_VILLAGE,
    read_spool,
    write_spool_batch,
)

# commit.py reads the record layout from here.
__all__ = [
    "R_ADDRESS",
    "R_BIRTH",
    "R_BIRTH_PRECISION",
    "R_ETHNICITY",
    "R_HASH",
    "R_HEAD",
    "R_HOUSEHOLD",
    "R_ID",
    "R_NAME",
    "R_PHONE",
    "R_POSITION",
    "R_ROW",
    "R_SEX",
    "R_VILLAGE",
    "FileValidator",
    "HouseholdPlan",
    "Problem",
    "ValidationResult",
    "read_spool",
    "write_spool_batch",
]

BATCH_ROWS = 5_000
MAX_STORED_PROBLEMS = 50_000


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
    code in two villages is two households): its village, address, head row and first row, and the head's place
    among the file's records (0 for the first record kept; -1 without a head): a file that passes is spooled in
    that order, so the writer knows which of the ids it takes in order will be the head's."""

    village_id: int
    address: str
    first_row: int
    head_row: int = 0
    head_index: int = -1


@dataclass
class ValidationResult:
    """The outcome of the checking pass. `spool` holds the valid rows (None once a problem was found)."""

    rows: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    households: dict[tuple[int, str], HouseholdPlan] = field(default_factory=dict)  # (village id, code) → plan
    spool: IO[bytes] | None = None
    read_as_new: set[str] = field(default_factory=set)  # see registry.RegistryCheck
    registered_rows: int = 0  # rows of residents the registry already holds (registry.RegistryCheck)
    notes: list[str] = field(default_factory=list)  # what the summary tells the officer (Vietnamese)
    sheets: list[dict[str, Any]] = field(default_factory=list)  # each table read: name, rows, header row
    # The order of text dates like 03/04/1990: "dmy", "mdy", or "" when no date could be read both ways.
    date_order: str = ""
    date_order_needed: bool = False  # readable both ways, no date says which, and the officer has not chosen
    date_examples: list[dict[str, str]] = field(default_factory=list)

    @property
    def day_first(self) -> bool:
        return self.date_order != "mdy"

    def batches(self, record: type[Any] = tuple) -> Iterator[list[Any]]:
        """The valid records (as `record`: ResidentRecord or RosterRecord for the writer), their dates read in the
        file's order."""
        assert self.spool is not None
        return read_spool(self.spool, record, day_first=self.day_first)

    @property
    def is_valid(self) -> bool:
        return self.problem_count == 0

    def add(self, row: int | None, column: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_STORED_PROBLEMS:
            self.problems.append(Problem(row, column, message[:500]))


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
        date_order: str = "",
    ) -> None:
        self.kind = kind
        self.date_order = date_order  # the officer's choice ("dmy" or "mdy"), "" when not given
        self.unit = unit
        self.organisation = organisation
        self.job_id = job_id
        self.progress = progress or (lambda rows, fraction: None)
        self.result = ValidationResult()
        self.seen_ids: dict[int, int] = {}
        self.on_batch: Callable[[list[tuple[Any, ...]]], None] | None = None
        self.pending: list[tuple[Any, ...]] = []
        self.planned = 0  # records given a household so far (the place of the next one in the spool)
        self.checker: RowChecker | None = None
        self.tables: list[Table] = []
        # Every village under the unit, in force or not: a resident of a merged village is still inside.
        self.unit_villages = set(AdministrativeUnit.objects.within(unit).values_list("id", flat=True))
        self.registry = RegistryCheck(
            kind=kind, user=user, dry_run=dry_run, unit_villages=self.unit_villages, report=self.problem
        )

    def problem(self, row: int | None, key: str, message: str) -> None:
        """Record a problem of the row with this key (see `where`) in the column with this key."""
        column = self.checker.header(key) if self.checker is not None and key else ""
        table = 0
        if row is not None:
            row, table = row & ((1 << 21) - 1), row >> 21
        if len(self.tables) > 1:
            column = f"{self.tables[table].name}: {column}"[:100]
        self.result.add(row, column, message)

    def run(self, source: TableSource) -> ValidationResult:
        """Check every row of every table of `source`. Raises DomainError for a problem of the whole file."""
        self.check(source)
        return self.finish()

    def check(self, source: TableSource) -> None:
        """The checks of every row (`run` without `finish`); each valid batch, once spooled, also goes to
        `on_batch` when one is set (running.py writes a file of new residents while it is checked)."""
        self.result.spool = tempfile.TemporaryFile(prefix="hocvuso-import-")  # noqa: SIM115 — closed by the caller
        self.result.notes.extend(source.notes)
        self.tables = source.tables
        for index, table in enumerate(source.tables):
            self._run_table(index, table, source)
        self._flush()
        if self.result.rows == 0:
            raise DomainError(
                _("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào. Hãy điền danh sách rồi gửi lại."),
                code="empty",
            )
        if source.sheets_without_header:
            self.result.notes.append(
                _("Không đọc các trang không có dòng tiêu đề danh sách: %(sheets)s.")
                % {"sheets": ", ".join(f"“{name}”" for name in source.sheets_without_header)}
            )
        self._resolve_dates()
        self._summarise()

    def finish(self) -> ValidationResult:
        """After `check`: the registry's last checks (the allowance of look-ups outside the importer's reach, which
        may refuse the whole file: DomainError), then the result."""
        self.registry.finish(job_id=self.job_id)
        self.result.read_as_new = self.registry.read_as_new
        self.result.registered_rows = self.registry.registered_rows
        self.progress(self.result.rows, 1.0)
        if not self.result.is_valid and self.result.spool is not None:
            self.result.spool.close()
            self.result.spool = None
        elif self.result.spool is not None:
            self.result.spool.seek(0)
        return self.result

    def _run_table(self, index: int, table: Table, source: TableSource) -> None:
        header = find_header(self.kind, table.rows, sheet=table.name if len(source.tables) > 1 else "")
        previous = self.checker
        checker = self.checker = RowChecker(
            kind=self.kind,
            unit=self.unit,
            positions=header.positions,
            headers=header.headers,
            header_width=header.width,
            is_csv=source.format == "csv",
            context=previous.context if previous is not None else None,
        )
        self.registry.village_column = "village_code" if "village_code" in header.positions else "village_name"
        if previous is None and self.date_order:
            checker.context.day_first = self.date_order == "dmy"
        checker.context.capitalise_toned_initials = source.legacy_encoding == "tcvn3"
        checker.context.dates.table = index
        limit = max_rows()
        seen_ids = self.seen_ids
        shift = index << 21
        rows_before = self.result.rows
        footer: tuple[int, str] | None = None  # (row, text) where the signature block or totals begin
        ignored = 0
        for number, cells in header.rest:
            if checker.is_blank(cells):
                continue
            if footer is None and checker.is_footer(cells):
                footer = (number, checker.footer_text(cells))
            if footer is not None:
                if checker.has_id(cells):
                    self.problem(
                        shift | number,
                        "national_id",
                        _(
                            "Dòng có số định danh nằm sau phần cuối bảng (dòng %(row)s: “%(text)s”); không rõ dòng "
                            "này có thuộc danh sách không. Hãy đưa dòng lên trên phần tổng cộng, chữ ký."
                        )
                        % {"row": footer[0], "text": footer[1]},
                    )
                else:
                    ignored += 1
                continue
            self.result.rows += 1
            if self.result.rows > limit:
                raise DomainError(
                    _("Tệp có hơn %(limit)s dòng dữ liệu. Hãy chia danh sách thành nhiều tệp nhỏ hơn.")
                    % {"limit": f"{limit:,}".replace(",", ".")},
                    code="too_many_rows",
                )
            key = shift | number
            record, problems = checker.check(key, cells)
            national_id = record[R_ID] if record is not None else self._id_of(checker, cells)
            if national_id is not None:
                number_key = int(national_id)
                first = seen_ids.get(number_key)
                if first is None:
                    seen_ids[number_key] = key
                else:
                    problems.append(
                        (
                            "national_id",
                            _("Trùng số định danh với dòng %(row)s trong cùng tệp.") % {"row": self.where(first)},
                        )
                    )
                    record = None
            if record is not None and self.kind == ImportKind.RESIDENTS:
                household_problem = self._plan_household(record)
                if household_problem:
                    problems.append(household_problem)
                    record = None
            for column, message in problems:
                self.problem(key, column, message)
            if record is not None:
                self.pending.append(record)
                if len(self.pending) >= BATCH_ROWS:
                    self._flush()
            if self.result.rows % BATCH_ROWS == 0:
                self.progress(self.result.rows, source.fraction_read())
        self.result.sheets.append(
            {"name": table.name, "rows": self.result.rows - rows_before, "header_row": header.row}
        )
        if footer is not None:
            where = _(" của trang “%(sheet)s”") % {"sheet": table.name} if len(source.tables) > 1 else ""
            self.result.notes.append(
                _("Bỏ qua %(count)s dòng cuối bảng%(where)s, từ dòng %(row)s (“%(text)s”): tổng cộng, chữ ký, ghi chú.")
                % {"count": ignored, "where": where, "row": footer[0], "text": footer[1]}
            )

    def where(self, key: int) -> str:
        """A row key as the officer reads it: "12", or "12 (trang “Thôn 2”)" in a file of several sheets."""
        row, table = key & ((1 << 21) - 1), key >> 21
        if len(self.tables) > 1:
            return _("%(row)s (trang “%(sheet)s”)") % {"row": row, "sheet": self.tables[table].name}
        return str(row)

    def _resolve_dates(self) -> None:
        """Decide the order of the file's text dates from ALL of them (see cells.DateEvidence): the officer's
        choice, else the only order some date proves; rows that contradict the order become problems; dates
        readable both ways with nothing to decide them leave the choice to the officer (never a guess)."""
        assert self.checker is not None
        evidence = self.checker.context.dates
        day_rows, month_rows = evidence.day_first_rows, evidence.month_first_rows
        result = self.result
        if self.date_order:
            result.date_order = self.date_order
        elif day_rows and month_rows:
            result.date_order = "dmy" if len(day_rows) >= len(month_rows) else "mdy"
        elif day_rows:
            result.date_order = "dmy"
        elif month_rows:
            result.date_order = "mdy"
        elif evidence.ambiguous:
            result.date_order_needed = True
            result.date_examples = [self._readings(text) for text in evidence.ambiguous_examples]
            return
        else:
            return
        day_first = result.date_order == "dmy"
        wrong_rows = month_rows if day_first else day_rows
        wrong_examples = evidence.month_first_examples if day_first else evidence.day_first_examples
        order = _("ngày/tháng/năm") if day_first else _("tháng/ngày/năm")
        for key in wrong_rows:
            self.problem(
                key,
                "birth_date",
                _(
                    "Ngày sinh không đọc được theo thứ tự %(order)s như các ngày khác của tệp (ví dụ “%(example)s”). "
                    "Hãy ghi mọi ngày cùng một thứ tự."
                )
                % {"order": order, "example": (wrong_examples or [""])[0]},
            )
        for key, day_ok, month_ok, text in evidence.range_doubts:
            if (day_ok if day_first else month_ok) or self.date_order:
                continue
            self.problem(
                key,
                "birth_date",
                _("Ngày sinh %(value)s đọc theo thứ tự %(order)s thì ở tương lai hoặc cho tuổi trên 120.")
                % {"value": text, "order": order},
            )
        if evidence.ambiguous and not self.date_order:
            proof = (evidence.day_first_examples if day_first else evidence.month_first_examples)[:2]
            result.notes.append(
                _(
                    "Ngày sinh được đọc theo thứ tự %(order)s: tệp có ngày chỉ đọc được theo thứ tự này (ví dụ "
                    "%(examples)s)."
                )
                % {"order": order, "examples": ", ".join(f"“{text}”" for text in proof)}
            )

    def _readings(self, text: str) -> dict[str, str]:
        match = text.strip()
        first, second, year = (int(part) for part in re.split(r"\s*[/.\-]\s*", match))
        return {
            "value": text,
            "dmy": datetime.date(year, second, first).strftime("%d/%m/%Y"),
            "mdy": datetime.date(year, first, second).strftime("%d/%m/%Y"),
        }

    def _summarise(self) -> None:
        """Notes for the dry run's summary: IDs whose zeros were restored, years of birth alone."""
        assert self.checker is not None
        context = self.checker.context
        if context.zeros_restored:
            shown = ", ".join(self.where(key) for key in context.zeros_restored[:5])
            more = len(context.zeros_restored) - 5
            self.result.notes.append(
                _(
                    "%(count)s số định danh bị Excel xóa số 0 ở đầu (cột ở dạng Số) đã được thêm lại số 0 (dòng "
                    "%(rows)s%(more)s); chữ số tỉnh, thế kỷ và năm sinh đã được đối chiếu. Lần sau hãy định dạng cột "
                    "là Văn bản."
                )
                % {
                    "count": len(context.zeros_restored),
                    "rows": shown,
                    "more": f" và {more} dòng khác" if more > 0 else "",
                }
            )
        if context.year_only:
            self.result.notes.append(
                _(
                    "%(count)s người chỉ có năm sinh (không rõ ngày, tháng): được ghi là “năm …”; tuổi được tính "
                    "theo năm sinh."
                )
                % {"count": context.year_only}
            )
        if context.capitalised:
            self.result.notes.append(
                _(
                    "%(count)s họ tên có chữ đầu mang dấu được viết hoa (bảng mã TCVN3 không có chữ hoa có dấu, "
                    "ví dụ “ánh” thành “Ánh”)."
                )
                % {"count": context.capitalised}
            )
        if context.dates.cell_dates:
            self.result.notes.append(
                _("%(count)s ngày sinh là ô kiểu Ngày của Excel (không phải chọn thứ tự ngày/tháng).")
                % {"count": context.dates.cell_dates}
            )

    @staticmethod
    def _id_of(checker: RowChecker, cells: Sequence[object]) -> str | None:
        try:
            return checker.national_id(checker.cell(cells, "national_id"))
        except Bad:
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
        index = self.planned
        self.planned += 1
        plan = self.result.households.get(key)
        if plan is None:
            self.result.households[key] = (
                HouseholdPlan(village_id, address, row, row, index)
                if is_head
                else HouseholdPlan(village_id, address, row)
            )
            return None
        if is_head:
            if plan.head_row:
                return (
                    "relation",
                    _("Hộ %(code)s đã có chủ hộ ở dòng %(row)s; mỗi hộ chỉ có một chủ hộ.")
                    % {"code": code, "row": self.where(plan.head_row)},
                )
            plan.head_row = row
            plan.head_index = index
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
            if self.on_batch is not None:
                self.on_batch(good)
