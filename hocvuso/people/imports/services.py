"""Roster imports: submit a file, run the import (validate every row, then write all or nothing), confirm a dry run.

The flow a page or the command line sees:
1. `submit_roster_import` checks the importer's scope and the file's size, stores the bytes (in chunks, in the
   database) and creates a queued `ImportJob` — or returns the job that already imported the same file.
   A database unique index on the fingerprint of live jobs makes five simultaneous submissions one import.
2. `run_roster_import` (a Celery task; eager without Redis) validates the whole file — the job moves
   queued → validating → importing → done, or to rejected with every problem stored — and writes every row in
   ONE transaction, which also marks the job done: a crash leaves either everything or nothing, and a
   re-delivered task finds the job done, or starts again from a clean registry (at most `MAX_ATTEMPTS`).
3. The page polls the job (`status`, `progress` 0–100, row counters) and offers `build_error_report_xlsx`.
"""

import datetime
import hashlib
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    reset_queries,
    transaction,
)
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import require
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit
from hocvuso.people.models import Organisation, OrganisationKind
from hocvuso.territory.models import AdministrativeUnit

from ..import_models import (
    LIVE_IMPORT_STATUSES,
    ImportJob,
    ImportKind,
    ImportProblem,
    ImportStatus,
    RosterUpload,
    RosterUploadChunk,
)
from .commit import RegistryWriter, StreamingResidentsWriter
from .readers import open_table, sniff_format
from .spool import ResidentRecord, record_type
from .validation import FileValidator, ValidationResult

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
STALE_AFTER = datetime.timedelta(minutes=30)
CHUNK_BYTES = 1024 * 1024
_ADVISORY_LOCK_BASE = 0x68_1000 << 32

# Which organisations may send which roster (public schools and universities have public-sector staff too).
ORGANISATION_KINDS_FOR = {
    ImportKind.STAFF: {OrganisationKind.STATE_AGENCY, OrganisationKind.SCHOOL, OrganisationKind.UNIVERSITY},
    ImportKind.STUDENTS: {OrganisationKind.SCHOOL, OrganisationKind.UNIVERSITY},
    ImportKind.WORKERS: {OrganisationKind.ENTERPRISE, OrganisationKind.COOPERATIVE},
}


def upload_limit(file_format: str) -> int:
    """The largest roster file accepted, in bytes, for "xlsx" or "csv" (settings ROSTER_IMPORT_MAX_XLSX_BYTES and
    ROSTER_IMPORT_MAX_CSV_BYTES): the one limit the upload form and `submit_roster_import` both apply."""
    if file_format == "xlsx":
        return int(settings.ROSTER_IMPORT_MAX_XLSX_BYTES)
    return int(settings.ROSTER_IMPORT_MAX_CSV_BYTES)


def max_file_bytes(data: bytes) -> int:
    """The size limit for this file's format, told by its first bytes (an XLSX is a zip)."""
    return upload_limit("xlsx" if data[:4] == b"PK\x03\x04" else "csv")


def fingerprint_of(
    *,
    data_sha256: str,
    kind: str,
    unit: AdministrativeUnit,
    organisation: Organisation | None,
    as_of: datetime.date | None = None,
) -> str:
    """SHA-256 over the file's SHA-256, the kind, the unit, the organisation and (for an organisation's roster) the
    day it is the full list of: the identity of an import."""
    material = f"{data_sha256}|{kind}|{unit.code}|{organisation.code if organisation else ''}"
    if organisation is not None and as_of is not None:
        material += f"|{as_of.isoformat()}"
    return hashlib.sha256(material.encode()).hexdigest()


def check_as_of(*, kind: str, as_of: datetime.date | None) -> datetime.date | None:
    """The day an organisation's roster is the full list of (today when not given); None for a residents file.
    Raises DomainError for a day in the future."""
    if kind == ImportKind.RESIDENTS:
        return None
    today = timezone.localdate()
    if as_of is None:
        return today
    if as_of > today:
        raise DomainError(
            _("Ngày của danh sách (%(day)s) chưa tới. Hãy ghi ngày danh sách được lập, không muộn hơn hôm nay.")
            % {"day": f"{as_of:%d/%m/%Y}"},
            field="as_of",
            code="as_of_future",
        )
    return as_of


def check_import_scope(*, user: Any, kind: str, unit: AdministrativeUnit, organisation: Organisation | None) -> None:
    """Allow the import or raise. A commune officer imports into units of their subtree; an agency officer
    into their own organisation (with `unit` an area containing it, where new members' villages are found);
    `user=None` is the system (command line). A unit or organisation the user may not act on raises NotFound,
    the same as one that does not exist; a request that makes no sense raises DomainError."""
    if kind not in ImportKind.values:
        raise DomainError(_("Loại danh sách không hợp lệ."), field="kind")
    if kind == ImportKind.RESIDENTS:
        if organisation is not None:
            raise DomainError(_("Danh sách dân cư không gắn với cơ quan, tổ chức."), field="organisation")
    else:
        if organisation is None:
            raise DomainError(_("Hãy chọn cơ quan, tổ chức của danh sách."), field="organisation")
        if organisation.kind not in ORGANISATION_KINDS_FOR[ImportKind(kind)]:
            raise DomainError(
                _("“%(organisation)s” không có danh sách loại “%(kind)s”.")
                % {"organisation": organisation.name, "kind": ImportKind(kind).label},
                field="kind",
            )
    if user is not None:
        if organisation is not None:
            require(user, Permission.IMPORT_ROSTER, organisation)
        require(user, Permission.IMPORT_ROSTER, ImportJob(kind=kind, unit=unit, organisation=organisation))
    if organisation is not None and not organisation.unit.is_within(unit):
        raise DomainError(_("Địa bàn phải chứa nơi đặt trụ sở của cơ quan, tổ chức."), field="unit")


def stalled_job_message() -> str:
    return _(
        "Việc nhập đã dừng: không có tiến triển trong %(minutes)s phút (máy xử lý ngừng hoặc bị tắt). Chưa có dữ "
        "liệu nào được ghi. Hãy gửi lại tệp."
    ) % {"minutes": int(STALE_AFTER.total_seconds() // 60)}


def expire_stalled_imports(*, fingerprint: str | None = None) -> int:
    """Mark failed the running jobs (of this file, or all) that have not moved for STALE_AFTER: their worker and
    every re-delivery are gone, and the job page says so. A running import writes its progress every few
    seconds, so a live one is never taken for stalled; the write is one transaction that also marks the job
    done, so a stalled job wrote nothing. Run on a schedule (`sweep_stalled_imports`: Celery beat with Redis, the
    embedded scheduler thread without) and when the same file is sent again. Returns how many were marked."""
    stalled = ImportJob.objects.filter(
        status__in=[ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING],
        updated_at__lt=timezone.now() - STALE_AFTER,
    )
    if fingerprint is not None:
        stalled = stalled.filter(fingerprint=fingerprint)
    with transaction.atomic():
        ids = list(stalled.select_for_update(skip_locked=True).values_list("pk", flat=True))
        if not ids:
            return 0
        now = timezone.now()
        ImportJob.objects.filter(pk__in=ids).update(
            status=ImportStatus.FAILED, message=stalled_job_message(), finished_at=now, updated_at=now
        )
        for job_id in ids:
            record_audit(
                actor=None, action="people.import_roster.stalled", object_type="people.importjob", object_id=job_id
            )
    return len(ids)


def _live_job(fingerprint: str) -> ImportJob | None:
    return (
        ImportJob.objects.filter(fingerprint=fingerprint, dry_run=False, status__in=LIVE_IMPORT_STATUSES)
        .order_by("-id")
        .first()
    )


def _as_duplicate(job: ImportJob, *, user: Any) -> ImportJob:
    job.duplicate = True
    record_audit(actor=user, action="people.import_roster.duplicate", target=job, details={"kind": job.kind})
    return job


def _store_upload(*, file_name: str, data: bytes, sha256: str) -> RosterUpload:
    upload = RosterUpload.objects.create(file_name=file_name[:255], size=len(data), sha256=sha256)
    view = memoryview(data)
    pending = []
    for index, start in enumerate(range(0, len(data), CHUNK_BYTES)):
        pending.append(RosterUploadChunk(upload=upload, index=index, data=bytes(view[start : start + CHUNK_BYTES])))
        if len(pending) == 8:
            RosterUploadChunk.objects.bulk_create(pending)
            pending = []
    RosterUploadChunk.objects.bulk_create(pending)
    return upload


def _create_job(
    *,
    user: Any,
    kind: str,
    unit: AdministrativeUnit,
    organisation: Organisation | None,
    dry_run: bool,
    fingerprint: str,
    upload_factory: Any,
    file_name: str,
    enqueue: bool,
    as_of: datetime.date | None = None,
    date_order: str = "",
) -> ImportJob:
    try:
        with transaction.atomic():
            upload = upload_factory()
            job = ImportJob.objects.create(
                kind=kind,
                unit=unit,
                organisation=organisation,
                submitted_by=user if getattr(user, "is_authenticated", False) else None,
                upload=upload,
                file_name=file_name[:255],
                fingerprint=fingerprint,
                dry_run=dry_run,
                as_of=as_of,
                date_order=date_order,
            )
            record_audit(
                actor=user,
                action="people.import_roster.submit",
                target=job,
                details={
                    "kind": kind,
                    "unit": unit.code,
                    "organisation": organisation.code if organisation else "",
                    "dry_run": dry_run,
                    "as_of": as_of.isoformat() if as_of else "",
                    "bytes": upload.size,
                    "date_order": date_order,
                },
            )
    except IntegrityError:
        # Another submission of the same file won the race on the unique index while we were storing ours.
        existing = _live_job(fingerprint)
        if existing is None:
            raise
        return _as_duplicate(existing, user=user)
    if enqueue:
        transaction.on_commit(partial(enqueue_roster_import, job.pk))
    return job


def submit_roster_import(
    *,
    user: Any,
    kind: str,
    file_name: str,
    data: bytes,
    unit: AdministrativeUnit,
    organisation: Organisation | None = None,
    dry_run: bool,
    date_order: str = "",
    enqueue: bool = True,
    as_of: datetime.date | None = None,
) -> ImportJob:
    """Queue the import (or, with `dry_run`, the check only) of a roster file and return its job.

    Checks the scope (see `check_import_scope`: NotFound when not allowed) and the size, stores the bytes and
    queues `run_roster_import` when the transaction commits (`enqueue=False` leaves the running to the caller,
    as the command line does). A file already imported, or being imported, with the same fingerprint (content,
    kind, unit, organisation, day) is not imported again: the existing job is returned with `duplicate` set.
    An organisation's roster is its full list of that kind on `as_of` (today by default): see commit.py.
    Raises DomainError for an empty or oversized file, or a day in the future.
    """
    check_import_scope(user=user, kind=kind, unit=unit, organisation=organisation)
    as_of = check_as_of(kind=kind, as_of=as_of)
    if date_order not in ("", "dmy", "mdy"):
        raise DomainError(
            _("Thứ tự ngày tháng phải là “dmy” (ngày/tháng/năm) hoặc “mdy” (tháng/ngày/năm)."), field="date_order"
        )
    if not data or (len(data) <= 4096 and not data.strip()):
        raise DomainError(_("Tệp rỗng. Hãy điền danh sách vào tệp mẫu rồi gửi lại."), code="empty")
    sniff_format(data[:16], file_name)  # an .xls or a PDF is refused before it is stored
    limit = max_file_bytes(data)
    if len(data) > limit:
        raise DomainError(
            _("Tệp quá lớn (%(size)s MB, tối đa %(limit)s MB). Hãy chia danh sách thành nhiều tệp.")
            % {"size": round(len(data) / 1024 / 1024, 1), "limit": limit // (1024 * 1024)},
            code="too_large",
        )
    data_sha256 = hashlib.sha256(data).hexdigest()
    fingerprint = fingerprint_of(data_sha256=data_sha256, kind=kind, unit=unit, organisation=organisation, as_of=as_of)
    expire_stalled_imports(fingerprint=fingerprint)
    existing = _live_job(fingerprint)
    if existing is not None:
        return _as_duplicate(existing, user=user)
    return _create_job(
        user=user,
        kind=kind,
        unit=unit,
        organisation=organisation,
        dry_run=dry_run,
        fingerprint=fingerprint,
        upload_factory=partial(_store_upload, file_name=file_name, data=data, sha256=data_sha256),
        file_name=file_name,
        enqueue=enqueue,
        as_of=as_of,
        date_order=date_order,
    )


def confirm_roster_import(*, user: Any, job: ImportJob, date_order: str = "", enqueue: bool = True) -> ImportJob:
    """Import the file a successful dry run checked (same bytes, kind, unit, organisation and day) — the officer's
    confirmation of what the dry run showed (moves between villages, members who leave); returns the new job, or
    the existing one (`duplicate`) if that file was imported meanwhile. `date_order` ("dmy" or "mdy") is the
    officer's reading of dates the file leaves ambiguous: required when the check asked for it, refused when it
    contradicts what the file proves. Raises NotFound when the user may not import there, DomainError when the
    job is not a successful dry run or the order is missing or wrong."""
    check_import_scope(user=user, kind=job.kind, unit=job.unit, organisation=job.organisation)
    if not job.dry_run or job.status != ImportStatus.DONE:
        raise DomainError(_("Chỉ nhập được tệp đã kiểm tra thử thành công."), code="not_checked")
    date_order = check_date_order(job=job, date_order=date_order)
    existing = _live_job(job.fingerprint)
    if existing is not None:
        return _as_duplicate(existing, user=user)
    if not job.upload.chunks.exists():
        raise DomainError(_("Tệp đã kiểm tra không còn lưu trên máy chủ; hãy gửi lại tệp."), code="gone")
    return _create_job(
        user=user,
        kind=job.kind,
        unit=job.unit,
        organisation=job.organisation,
        dry_run=False,
        fingerprint=job.fingerprint,
        upload_factory=lambda: job.upload,
        file_name=job.file_name,
        enqueue=enqueue,
        as_of=job.as_of,
        date_order=date_order,
    )


def check_date_order(*, job: ImportJob, date_order: str) -> str:
    """The date order a confirmation imports with: the officer's when the check asked for one, else the one
    the check decided. Raises DomainError when a needed choice is missing or a choice is not dmy/mdy."""
    if date_order and date_order not in ("dmy", "mdy"):
        raise DomainError(
            _("Thứ tự ngày tháng phải là “dmy” (ngày/tháng/năm) hoặc “mdy” (tháng/ngày/năm)."), field="date_order"
        )
    decided = str(job.summary.get("date_order", "") or job.date_order)
    if job.needs_date_order and not date_order:
        raise DomainError(
            _("Tệp có ngày sinh đọc được theo hai cách: hãy chọn thứ tự ngày tháng trước khi nhập."),
            field="date_order",
            code="date_order_needed",
        )
    if decided and date_order and date_order != decided:
        raise DomainError(
            _("Tệp đã cho biết thứ tự ngày tháng (%(order)s); không chọn thứ tự khác được.")
            % {"order": _("ngày/tháng/năm") if decided == "dmy" else _("tháng/ngày/năm")},
            field="date_order",
            code="date_order_conflict",
        )
    return date_order or decided


def enqueue_roster_import(job_id: int) -> None:
    """Send the job to the background queue (runs at once, in this process, without Redis)."""
    from .tasks import run_roster_import_task

    run_roster_import_task.delay(job_id)


# --- running -----------------------------------------------------------------------------------------------


class _Progress:
    """Writes the job's progress where a polling page can see it. While the import transaction is open on
    PostgreSQL the writes go through a second connection (autocommit), so they are visible at once and are
    not rolled back with the import; elsewhere (SQLite: one writer at a time) through the main connection."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.side: Any = None

    def open_side_channel(self) -> None:
        if connection.vendor == "postgresql":
            self.side = connections.create_connection("default")

    def write(self, **fields: Any) -> None:
        reset_queries()  # with DEBUG on (make run), Django would keep every batch's SQL in memory
        fields["updated_at"] = timezone.now()
        if self.side is None:
            ImportJob.objects.filter(pk=self.job_id).update(**fields)
            return
        assignments = ", ".join(f"{self.side.ops.quote_name(name)} = %s" for name in fields)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET {assignments} WHERE id = %s",  # noqa: S608 — field names
                [*fields.values(), self.job_id],
            )

    def allocate_ids(self, table: str, count: int) -> list[int]:
        """`count` new ids from the table's sequence, through the second connection (sequences are not
        transactional, so this works while the main connection streams a COPY)."""
        if count == 0:
            return []
        with self.side.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


@contextmanager
def _exclusive(job_id: int) -> Iterator[bool]:
    """Hold a PostgreSQL session advisory lock on the job while running it: a second delivery of the same task
    (a redelivered message while the first worker still lives) sees False and leaves. A killed worker's
    connection ends, which releases the lock. Elsewhere (SQLite: one process) always True."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = _ADVISORY_LOCK_BASE | job_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except DatabaseError:
                pass  # the connection is gone, and the lock with it


@contextmanager
def _uploaded_file(upload: RosterUpload) -> Iterator[IO[bytes]]:
    """The upload's bytes in a temporary file (streamed from the database chunk by chunk)."""
    with tempfile.TemporaryFile(prefix="hocvuso-upload-") as binary:
        chunks = RosterUploadChunk.objects.filter(upload=upload).order_by("index").values_list("data", flat=True)
        for data in chunks.iterator(chunk_size=4):
            binary.write(data)
        binary.seek(0)
        yield binary


def _finish_rejected(job: ImportJob, *, message: str, result: ValidationResult | None) -> None:
    with transaction.atomic():
        problems = result.problems if result is not None else []
        for start in range(0, len(problems), 2_000):
            ImportProblem.objects.bulk_create(
                ImportProblem(job=job, row=problem.row, column=problem.column[:100], message=problem.message)
                for problem in problems[start : start + 2_000]
            )
        if result is None:
            ImportProblem.objects.create(job=job, row=None, column="", message=message[:500])
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.REJECTED,
            message=message,
            problem_count=result.problem_count if result is not None else 1,
            rows_total=result.rows if result is not None else None,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        RosterUploadChunk.objects.filter(upload=job.upload).delete()  # a refused file is not kept
        record_audit(
            actor=job.submitted_by,
            action="people.import_roster.rejected",
            target=job,
            details={"problems": result.problem_count if result is not None else 1},
        )


def _finish_failed(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED, message=message, finished_at=timezone.now(), updated_at=timezone.now()
    )


def run_roster_import(*, job_id: int) -> ImportJob:
    """Run a queued import: validate every row, then (unless a dry run) write all rows in one transaction.

    Idempotent and crash-safe: a finished job is returned untouched; a job a dead worker left half-way is
    started again (the registry holds nothing of it: the write is one transaction that also marks the job
    done), at most MAX_ATTEMPTS times, then marked failed. Returns the job as it ended up.
    """
    with _exclusive(job_id) as acquired:
        if not acquired:
            return ImportJob.objects.get(pk=job_id)
        claimed = ImportJob.objects.filter(
            pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING]
        ).update(
            attempts=F("attempts") + 1,
            status=ImportStatus.VALIDATING,
            started_at=timezone.now(),
            progress=0,
            rows_validated=0,
            rows_imported=0,
            updated_at=timezone.now(),
        )
        job = ImportJob.objects.select_related("unit", "organisation", "organisation__unit", "upload").get(pk=job_id)
        if not claimed:
            return job
        if job.attempts > MAX_ATTEMPTS:
            _finish_failed(
                job_id,
                _("Việc nhập bị dừng sau %(count)s lần chạy không thành công; chưa có dữ liệu nào được ghi.")
                % {"count": MAX_ATTEMPTS},
            )
            job.refresh_from_db()
            return job
        try:
            _run(job)
        except (OperationalError, InterfaceError):
            raise  # the database went away: the task retries (the job stays running, nothing was written)
        except Exception:
            logger.exception("Roster import %s failed", job_id)
            _finish_failed(
                job_id,
                _("Lỗi hệ thống khi nhập; chưa có dữ liệu nào được ghi. Hãy gửi lại tệp hoặc báo quản trị viên."),
            )
        job.refresh_from_db()
        return job


def _run(job: ImportJob) -> None:
    progress = _Progress(job.pk)

    def validated(rows: int, fraction: float) -> None:
        progress.write(rows_validated=rows, progress=min(49, int(fraction * 50)))

    result: ValidationResult | None = None
    with _uploaded_file(job.upload) as binary:
        try:
            source = open_table(binary, file_name=job.file_name, size=job.upload.size, score=_scorer(job.kind))
            try:
                result = FileValidator(
                    kind=job.kind,
                    unit=job.unit,
                    organisation=job.organisation,
                    progress=validated,
                    user=job.submitted_by,
                    dry_run=job.dry_run,
                    job_id=job.pk,
                    date_order=job.date_order,
                ).run(source)
            finally:
                source.close()
        except DomainError as error:
            _finish_rejected(job, message=str(error.message), result=None)
            return
    assert result is not None
    summary = summary_of(result)
    ImportJob.objects.filter(pk=job.pk).update(summary=summary)
    job.summary = summary
    if result.is_valid and result.date_order_needed and not job.dry_run:
        _finish_rejected(
            job,
            message=_(
                "Tệp có ngày sinh đọc được theo hai cách (ngày/tháng/năm hoặc tháng/ngày/năm, ví dụ “%(example)s”) "
                "và không ngày nào cho biết thứ tự. Hãy chọn thứ tự ngày tháng rồi nhập lại; chưa có dữ liệu nào "
                "được ghi."
            )
            % {"example": result.date_examples[0]["value"]},
            result=None,
        )
        return
    if not result.is_valid:
        _finish_rejected(
            job,
            message=_("Tệp có %(count)s lỗi; chưa có dữ liệu nào được ghi. Hãy sửa theo báo cáo lỗi rồi gửi lại.")
            % {"count": result.problem_count},
            result=result,
        )
        return
    assert result.spool is not None
    with result.spool:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.IMPORTING, rows_total=result.rows, rows_validated=result.rows, progress=50
        )
        if job.dry_run and result.date_order_needed:
            _finish_checked_awaiting_date_order(job, result)
        elif job.dry_run:
            _commit(job, result, progress, apply=False)
        else:
            progress.open_side_channel()
            try:
                with transaction.atomic():
                    _commit(job, result, progress, apply=True)
            finally:
                progress.close()


def _commit(job: ImportJob, result: ValidationResult, progress: _Progress, *, apply: bool) -> None:
    spool = result.spool
    assert spool is not None
    rows = max(result.rows, 1)

    def imported(done: int) -> None:
        progress.write(rows_imported=done, progress=min(99, 50 + 50 * done // rows))

    done = 0
    writer: RegistryWriter
    if apply and job.kind == ImportKind.RESIDENTS and progress.side is not None:
        streaming = StreamingResidentsWriter(
            kind=job.kind,
            organisation=job.organisation,
            households=result.households,
            apply=True,
            read_as_new=result.read_as_new,
        )
        streaming.run(lambda: result.batches(ResidentRecord), allocate_ids=progress.allocate_ids, progress=imported)
        writer, done = streaming, result.rows
    else:
        writer = RegistryWriter(
            kind=job.kind,
            organisation=job.organisation,
            households=result.households,
            apply=apply,
            as_of=job.as_of,
            read_as_new=result.read_as_new,
        )
        for batch in result.batches(record_type(job.kind)):
            writer.write(batch)
            done += len(batch)
            imported(done)
        writer.finish()
    counts = writer.counts
    ended_ids = writer.changes.pop("ended_ids", [])
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE,
        progress=100,
        rows_imported=done,
        created_count=counts.created,
        updated_count=counts.updated,
        unchanged_count=counts.unchanged,
        residents_created=counts.residents_created,
        households_created=counts.households_created,
        households_updated=counts.households_updated,
        residents_moved=counts.residents_moved,
        heads_cleared=counts.heads_cleared,
        memberships_ended=counts.memberships_ended,
        changes=writer.changes,
        message="",
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if apply:
        RosterUploadChunk.objects.filter(upload=job.upload).delete()  # the personal data is in the registry now
    details: dict[str, Any] = {
        "rows": result.rows,
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "residents_created": counts.residents_created,
        "households_created": counts.households_created,
        "households_updated": counts.households_updated,
    }
    if job.kind == ImportKind.RESIDENTS:
        details.update(residents_moved=counts.residents_moved, heads_cleared=counts.heads_cleared)
    else:
        details.update(
            as_of=job.as_of.isoformat() if job.as_of else "",
            memberships_ended=counts.memberships_ended,
            ended_memberships=ended_ids if apply else [],
        )
    record_audit(
        actor=job.submitted_by,
        action="people.import_roster.checked" if job.dry_run else "people.import_roster.imported",
        target=job,
        details=details,
    )


def summary_of(result: ValidationResult) -> dict[str, Any]:
    """What the job page and the API show of a check besides its problems (JSON)."""
    return {
        "sheets": result.sheets,
        "notes": result.notes,
        "date_order": result.date_order,
        "date_order_needed": result.date_order_needed,
        "date_examples": result.date_examples,
    }


def _finish_checked_awaiting_date_order(job: ImportJob, result: ValidationResult) -> None:
    """A check with no problem but dates readable both ways: done, nothing counted until the officer chooses."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE,
        progress=100,
        message=_("Tệp không có lỗi, nhưng cần chọn thứ tự ngày tháng trước khi nhập."),
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    record_audit(
        actor=job.submitted_by,
        action="people.import_roster.checked",
        target=job,
        details={"rows": result.rows, "date_order_needed": True},
    )


def _scorer(kind: str) -> Any:
    from .columns import match_header

    return lambda cells: len(match_header(kind, cells))
