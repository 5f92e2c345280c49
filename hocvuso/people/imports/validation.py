"""Checking a roster file row by row, collecting every problem (row as Excel numbers it, column header,
reason in Vietnamese), before anything is written.

The pass streams the file once: `headers` finds the header row, `rows.RowChecker` applies the column rules of
`cells` to each row. Rows that pass go, normalised, into a temporary spool file (`spool`) for the commit pass,
so the file is not parsed twice and no per-row Python objects pile up in memory. What must be remembered across
the whole file is kept compact: each ID seen (an int → its first row, for duplicates) and, for residents, each
household code with its village, address and head row. Registry checks (an ID registered outside the
importer's area, a household code used elsewhere) are made in batches by keyed hash, never one query per row.
"""

import tempfile
from collections.abc import Callable, Sequence
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
from .readers import TableSource
from .registry import RegistryCheck
from .rows import RowChecker
from .spool import (
    R_ADDRESS,
    R_BIRTH,
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
