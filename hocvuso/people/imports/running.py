"""Running a roster import: validate the whole file, then write every row in ONE transaction that also marks
the job done (a crash leaves everything or nothing), with the job's progress kept on a side connection. On
PostgreSQL a file of residents of one table is checked and written at once inside that transaction
(`_check_writing`), and rolled back to the usual order when the check does not confirm the write.
`services.submit_roster_import` queues what `run_roster_import` (a Celery task; eager without Redis) runs."""

import gc
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.db import (
    DatabaseError,
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

from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit

from ..bulk import allocate_ids
from ..import_models import (
    ImportJob,
    ImportKind,
    ImportProblem,
    ImportStatus,
    RosterUpload,
    RosterUploadChunk,
)
from .commit import EarlyResidentsWriter, RegistryWriter, StreamingResidentsWriter
from .readers import open_table
from .spool import ResidentRecord, record_type
from .validation import FileValidator, ValidationResult

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
_ADVISORY_LOCK_BASE = 0x68_1000 << 32


class _Progress:
    """Writes the job's progress where a polling page can see it. While the import transaction is open on
    PostgreSQL the writes go through a second connection (autocommit), so they are visible at once and are
    not rolled back with the import; elsewhere (SQLite: one writer at a time) through the main connection."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.side: Any = None

    def open_side_channel(self) -> None:
        if self.side is None and connection.vendor == "postgresql":
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
        return allocate_ids(table, count, using=self.side)

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
            rows_imported=0,  # a file written while checked and then refused left nothing
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
        status=ImportStatus.FAILED,
        message=message,
        rows_imported=0,  # the transaction that wrote was rolled back
        finished_at=timezone.now(),
        updated_at=timezone.now(),
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
            with _collector_paused():
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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while an import runs. A million rows make millions of small tuples that stay
    alive until the commit (the spool's records, the plans, the ID index); each collection walks them all again
    and found nothing to free, for about 12 % of the import's CPU time (200,000 rows: 8.6 → 7.5 s). The rows make
    no reference cycles; the few made meanwhile are left to the collector's next runs (a full collection here
    would walk the import's objects once more while the officer waits)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _run(job: ImportJob) -> None:
    progress = _Progress(job.pk)
    try:
        _check_and_write(job, progress)
    finally:
        progress.close()


class _Abandoned(Exception):  # a control-flow signal, not an error
    """The write made while checking is rolled back; the checking pass's result goes on the usual way."""


def _check_and_write(job: ImportJob, progress: _Progress) -> None:
    def validated(rows: int, fraction: float) -> None:
        progress.write(rows_validated=rows, progress=min(49, int(fraction * 50)))

    result: ValidationResult | None = None
    with _uploaded_file(job.upload) as binary:
        try:
            source = open_table(binary, file_name=job.file_name, size=job.upload.size, score=_scorer(job.kind))
            try:
                validator = FileValidator(
                    kind=job.kind,
                    unit=job.unit,
                    organisation=job.organisation,
                    progress=validated,
                    user=job.submitted_by,
                    dry_run=job.dry_run,
                    job_id=job.pk,
                    date_order=job.date_order,
                )
                if _writes_while_checking(job, source):
                    result = _check_writing(job, validator, source, progress)
                    if result is None:
                        return  # written and done
                else:
                    result = validator.run(source)
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
            with transaction.atomic():
                _commit(job, result, progress, apply=True)


def _writes_while_checking(job: ImportJob, source: Any) -> bool:
    """Whether to write the file while it is checked (`_check_writing`): a residents import on PostgreSQL, of one
    table (each further sheet's checker reads the villages on the connection that is writing), run outside any
    transaction (as the worker runs it): the look-ups then made on the second connection see what the first
    would."""
    return (
        job.kind == ImportKind.RESIDENTS
        and not job.dry_run
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and len(source.tables) == 1
    )


def _check_and_commit_early(job: ImportJob, validator: FileValidator, source: Any, progress: _Progress) -> bool:
    """Inside the import's transaction: check the file while `EarlyResidentsWriter` writes what is checked;
    finish the job when the whole file passed as written (True), else False (the caller rolls back)."""
    writer = EarlyResidentsWriter(
        result=validator.result,
        registry=validator.registry,
        allocate_ids=progress.allocate_ids,
        using=progress.side,
        progress=lambda done: progress.write(rows_imported=done),
    )
    validator.registry.using = progress.side  # the look-ups by ID, while this connection writes
    validator.on_batch = writer.take
    try:
        validator.check(source)
    finally:
        written = writer.close()
    if not written:
        return False
    try:
        result = validator.finish()  # the allowance of look-ups outside the reach: may refuse the file
    except DomainError:
        return False  # rolled back; the caller's `finish` outside the transaction records and raises it again
    _commit(job, result, progress, apply=True, written=writer)
    return True


def _check_writing(
    job: ImportJob, validator: FileValidator, source: Any, progress: _Progress
) -> ValidationResult | None:
    """Check a file of residents while writing it, in one transaction (see `EarlyResidentsWriter`): None when
    the file passed and is imported; otherwise everything written is rolled back and the checking pass's result
    is returned for the usual way (refused, or imported by `_commit` as for any file)."""
    progress.open_side_channel()
    try:
        with transaction.atomic():
            if _check_and_commit_early(job, validator, source, progress):
                if validator.result.spool is not None:
                    validator.result.spool.close()
                return None
            raise _Abandoned
    except _Abandoned:
        progress.write(rows_imported=0)  # what was written is gone
    validator.registry.using = None
    validator.on_batch = None
    return validator.finish()


def _commit(
    job: ImportJob,
    result: ValidationResult,
    progress: _Progress,
    *,
    apply: bool,
    written: RegistryWriter | None = None,
) -> None:
    """Write the checked file (or, `apply=False`, count what it would do) and mark the job done; `written`: a
    writer that has already written it (`EarlyResidentsWriter`)."""
    spool = result.spool
    assert spool is not None
    rows = max(result.rows, 1)

    def imported(done: int) -> None:
        progress.write(rows_imported=done, progress=min(99, 50 + 50 * done // rows))

    done = 0
    writer: RegistryWriter
    if written is not None:
        writer, done = written, result.rows
    elif apply and job.kind == ImportKind.RESIDENTS and progress.side is not None:
        streaming = StreamingResidentsWriter(
            kind=job.kind,
            organisation=job.organisation,
            households=result.households,
            apply=True,
            read_as_new=result.read_as_new,
        )
        streaming.run(
            lambda: result.batches(ResidentRecord),
            allocate_ids=progress.allocate_ids,
            progress=imported,
            any_registered=result.registered_rows > 0,
            rows=result.rows,
        )
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
        summary=summary_of(result),
        rows_total=result.rows,
        rows_validated=result.rows,
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
