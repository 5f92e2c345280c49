"""Checking validated rows against the registry before anything is written: who the IDs belong to.

A batch of rows (5,000) costs one or two queries, never one per row. The rules (issues 8 and 9):

- An import reaches only the residents its importer may reach (`access.reached_by_import`): living in the
  importer's area, or members in force of an organisation they import for. A row whose ID is registered to
  anyone else is refused, with one message whatever that person's name or birth date, pointing to the transfer
  request page (hocvuso.people.transfers): the file can never attach, move, update or reveal that person.
- The dry run looks IDs up only inside the importer's reach, so it says nothing about who exists elsewhere: a row
  with an ID unknown there is "new" in the dry run. The import itself looks further (the database would refuse
  a second resident with the same ID) and refuses such rows then. Those look-ups are the only answer the import
  gives about people outside the importer's reach: each import that meets any is audited
  (`OUTSIDE_SCOPE`, with the rows and the count, never the numbers) and a user meets at most
  IMPORT_OUTSIDE_SCOPE_LIMIT of them per IMPORT_OUTSIDE_SCOPE_WINDOW_SECONDS; past that, a file with any ID
  outside their reach is refused as a whole without saying which rows or why they are outside (`THROTTLED`).
  See docs/ARCHITECTURE.md, "Roster imports and people outside the importer's area".
- An organisation roster row whose ID is registered (inside the reach) must be the same person: the name
  (diacritics, case and spacing aside) and, when the row gives them, the birth date and sex must agree with the
  registry; otherwise the row is refused, naming both — a mistyped ID never gives someone else a membership.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import reached_by_import
from hocvuso.core.errors import DomainError
from hocvuso.core.models import AuditEntry
from hocvuso.core.services import record_audit
from hocvuso.core.text import fold_diacritics
from hocvuso.people.models import Resident

from ..import_models import ImportKind
from .lookups import select_any
from .spool import R_BIRTH, R_BIRTH_PRECISION, R_ETHNICITY, R_NAME, R_ROW, R_SEX, R_VILLAGE

OUTSIDE_SCOPE = "people.import_roster.outside_scope"
THROTTLED = "people.import_roster.outside_scope_throttled"

Report = Callable[[int, str, str], None]  # (row, column key, message)


def outside_scope_limit() -> int:
    return int(settings.IMPORT_OUTSIDE_SCOPE_LIMIT)


def outside_scope_window() -> timedelta:
    return timedelta(seconds=int(settings.IMPORT_OUTSIDE_SCOPE_WINDOW_SECONDS))


def transfer_request_url() -> str:
    try:
        return reverse("web:transfer_request_new")
    except NoReverseMatch:  # a deployment without the web pages (the API alone)
        return ""


def outside_scope_message() -> str:
    """The one answer for a row whose ID belongs to someone the importer may not reach."""
    return _(
        "Số định danh này không thuộc những người bạn quản lý, nên tệp không thể gắn, chuyển hay cập nhật người "
        "này. Nếu người này đã chuyển đến địa bàn hoặc làm việc, học tập ở đơn vị của bạn, hãy gửi yêu cầu chuyển "
        "tại trang “Yêu cầu chuyển” (%(url)s): cấp xã nơi người đó đang cư trú hoặc cấp tỉnh sẽ duyệt."
    ) % {"url": transfer_request_url()}


def throttled_message() -> str:
    return _(
        "Tệp có số định danh của người ngoài phạm vi bạn quản lý, và bạn đã dùng hết %(limit)s lượt tra cứu như vậy "
        "trong %(hours)s giờ. Tệp chưa được nhập, chưa có dữ liệu nào được ghi. Hãy bỏ những người không thuộc địa "
        "bàn, đơn vị của bạn (gửi yêu cầu chuyển cho họ) hoặc thử lại sau."
    ) % {"limit": outside_scope_limit(), "hours": int(outside_scope_window().total_seconds() // 3600)}


def same_name(a: str, b: str) -> bool:
    """Whether two full names are the same name, diacritics, case and spacing aside (“Nguyễn  Văn An” = “NGUYEN
    van an”). Đ folds to D."""
    return fold_diacritics(" ".join(a.split())).casefold() == fold_diacritics(" ".join(b.split())).casefold()


@dataclass
class RegistryCheck:
    """The registry checks of one file (see the module docstring). `report` records a row's problem; rows that
    pass are returned with their ID's hash put in the record."""

    kind: str
    user: Any
    dry_run: bool
    unit_villages: set[int]
    report: Report
    village_column: str = "village_code"
    outside_rows: list[int] = field(default_factory=list)
    unreached_rows: int = 0
    # In a dry run, the hashes of IDs registered outside the reach, which the dry run reads as new people: the
    # writer's counts must not tell them apart either.
    read_as_new: set[str] = field(default_factory=set)
    # Rows of a residents file whose resident the registry already holds (within the reach): when there are none,
    # the writer need not look them up again (`StreamingResidentsWriter.run`).
    registered_rows: int = 0
    # The connection the look-ups by ID use (PostgreSQL): the default one, or a second one while the default one
    # writes the file as it is checked (running.py).
    using: Any = None

    def check(self, hashed: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
        """The batch's records that pass, each as (row, national_id, hash, …the rest of the record)."""
        if self.kind == ImportKind.RESIDENTS:
            return self._residents(hashed)
        return self._roster(hashed)

    def _registered(self, hashes: list[str], columns: list[str]) -> dict[str, tuple[Any, ...]]:
        rows = select_any(Resident, ["national_id_hash", *columns], "national_id_hash", hashes, using=self.using)
        return {row[0]: row for row in rows}

    def _residents(self, hashed: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
        # A residents file is the commune's own registry: the residents it reaches are those living in the
        # import's unit, which lies in the importer's IMPORT_ROSTER scope (services.check_import_scope).
        where = self._registered([digest for digest, _ in hashed], ["village_id"])
        good = []
        for digest, record in hashed:
            found = where.get(digest)
            if found is None:
                self.unreached_rows += 1
            elif found[1] not in self.unit_villages:
                self.unreached_rows += 1
                if not self.dry_run:
                    self.outside_rows.append(record[R_ROW])
                    continue
                self.read_as_new.add(digest)
            else:
                self.registered_rows += 1
            good.append((record[R_ROW], record[1], digest, *record[R_NAME:]))
        return good

    def _roster(self, hashed: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
        registered = self._registered(
            [digest for digest, _ in hashed],
            ["id", "full_name", "birth_date", "sex", "village_id", "birth_date_precision"],
        )
        reached = self._reached([row[1] for row in registered.values()])
        good = []
        for digest, record in hashed:
            found = registered.get(digest)
            if found is not None and found[1] not in reached:
                self.unreached_rows += 1
                if not self.dry_run:
                    self.outside_rows.append(record[R_ROW])
                    continue
                self.read_as_new.add(digest)
                found = None  # the dry run does not look outside the reach: this row reads as a new person
            elif found is None:
                self.unreached_rows += 1
            if found is None:
                if not self._new_person_complete(record):
                    continue
            elif not self._same_person(record, found):
                continue
            good.append((record[R_ROW], record[1], digest, *record[R_NAME:]))
        return good

    def _reached(self, resident_ids: list[int]) -> set[int]:
        if not resident_ids:
            return set()
        if self.user is None:
            return set(resident_ids)
        queryset = Resident.objects.filter(pk__in=resident_ids).filter(reached_by_import(self.user, Resident))
        return set(queryset.values_list("pk", flat=True))

    def _new_person_complete(self, record: tuple[Any, ...]) -> bool:
        complete = True
        if record[R_VILLAGE] is None:
            complete = False
            self.report(
                record[R_ROW],
                self.village_column,
                _("Người này chưa có trong sổ dân cư: hãy ghi mã thôn (hoặc tên thôn) nơi người đó sống."),
            )
        if record[R_ETHNICITY] is None:
            complete = False
            self.report(record[R_ROW], "ethnicity", _("Người này chưa có trong sổ dân cư: hãy ghi dân tộc."))
        return complete

    def _same_person(self, record: tuple[Any, ...], found: tuple[Any, ...]) -> bool:
        """Whether the row describes the registered person (found: hash, id, name, birth date, sex, village,
        precision). A birth date the file leaves readable both ways (day/month) agrees when either reading does;
        a year of birth alone, in the row or the registry, is compared by its year."""
        _digest, _id, name, birth_date, sex, _village, precision = found
        differences = []
        if not same_name(record[R_NAME], name):
            differences.append("full_name")
        if record[R_BIRTH] is not None and not _same_birth(
            record[R_BIRTH], record[R_BIRTH_PRECISION], birth_date, precision
        ):
            differences.append("birth_date")
        if record[R_SEX] is not None and record[R_SEX] != sex:
            differences.append("sex")
        if not differences:
            return True
        self.report(
            record[R_ROW],
            differences[0],
            _(
                "Số định danh này đã đăng ký cho “%(registered)s” (sinh %(registered_birth)s, %(registered_sex)s), "
                "không phải “%(row)s” (sinh %(row_birth)s, %(row_sex)s) như ghi trong tệp. Hãy kiểm tra lại số "
                "định danh; nếu thông tin trong sổ dân cư sai, hãy đề nghị nơi người đó cư trú sửa."
            )
            % {
                "registered": name,
                "registered_birth": _shown_birth(birth_date, precision),
                "registered_sex": _sex_label(sex),
                "row": record[R_NAME],
                "row_birth": _shown_birth(record[R_BIRTH], record[R_BIRTH_PRECISION]),
                "row_sex": _sex_label(record[R_SEX]),
            },
        )
        return False

    def finish(self, *, job_id: int | None) -> None:
        """At the end of the pass: spend the user's allowance of look-ups outside their reach and report those rows,
        or raise DomainError (the whole file refused, nothing said about which rows) when it is spent."""
        if self.dry_run or (not self.outside_rows and not self.unreached_rows):
            return
        if self.user is None:  # the system (command line): no allowance to spend
            self._report_outside()
            return
        with transaction.atomic():
            get_user_model().objects.select_for_update().filter(pk=self.user.pk).first()
            since = timezone.now() - outside_scope_window()
            spent = sum(
                int((details or {}).get("count", 0))
                for details in AuditEntry.objects.filter(
                    actor=self.user, action=OUTSIDE_SCOPE, at__gte=since
                ).values_list("details", flat=True)
            )
            left = max(outside_scope_limit() - spent, 0)
            over = len(self.outside_rows) > left or (left == 0 and self.unreached_rows > 0)
            if over:
                record_audit(
                    actor=self.user,
                    action=THROTTLED,
                    object_type="people.importjob",
                    object_id=job_id or "",
                    details={"count": left},
                )
                # What was left is spent: the next file learns nothing either.
                if left:
                    record_audit(
                        actor=self.user,
                        action=OUTSIDE_SCOPE,
                        object_type="people.importjob",
                        object_id=job_id or "",
                        details={"count": left, "rows": []},
                    )
            elif self.outside_rows:
                record_audit(
                    actor=self.user,
                    action=OUTSIDE_SCOPE,
                    object_type="people.importjob",
                    object_id=job_id or "",
                    details={
                        "count": len(self.outside_rows),
                        "rows": [row & ((1 << 21) - 1) for row in self.outside_rows[:1000]],
                    },
                )
        if over:
            raise DomainError(throttled_message(), code="outside_scope_throttled")
        self._report_outside()

    def _report_outside(self) -> None:
        if not self.outside_rows:
            return
        message = outside_scope_message()
        for row in self.outside_rows:
            self.report(row, "national_id", message)


def _same_birth(row_birth: Any, row_precision: str, birth_date: Any, precision: str) -> bool:
    readings = row_birth if isinstance(row_birth, tuple) else (row_birth,)
    if row_precision == "year" or precision == "year":
        return any(reading.year == birth_date.year for reading in readings)
    return birth_date in readings


def _shown_birth(birth: Any, precision: str) -> str:
    if birth is None:
        return "—"
    if isinstance(birth, tuple):
        return _("%(first)s hoặc %(second)s") % {"first": f"{birth[0]:%d/%m/%Y}", "second": f"{birth[1]:%d/%m/%Y}"}
    if precision == "year":
        return str(birth.year)
    return f"{birth:%d/%m/%Y}"


def _sex_label(sex: str | None) -> str:
    if sex == "M":
        return _("nam")
    if sex == "F":
        return _("nữ")
    return "—"
