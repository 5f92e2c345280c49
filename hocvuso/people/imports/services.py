"""Roster imports: submit a file, run the import (validate every row, then write all or nothing), confirm a dry run.

The flow a page or the command line sees:
1. `submit_roster_import` checks the importer's scope and the file's size, stores the bytes (in chunks, in the
   database) and creates a queued `ImportJob` — or returns the job that already imported the same file.
   A database unique index on the fingerprint of live jobs makes five simultaneous submissions one import.
2. `run_roster_import` (running.py; a Celery task; eager without Redis) validates the whole file — the job moves
   queued → validating → importing → done, or to rejected with every problem stored — and writes every row in
   ONE transaction, which also marks the job done: a crash leaves either everything or nothing, and a
   re-delivered task finds the job done, or starts again from a clean registry (at most `MAX_ATTEMPTS`).
3. The page polls the job (`status`, `progress` 0–100, row counters) and offers `build_error_report_xlsx`.
"""

import datetime
import hashlib
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import (
    IntegrityError,
    transaction,
)
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
    ImportStatus,
    RosterUpload,
    RosterUploadChunk,
)
from .readers import sniff_format

# Running a job lives in running.py; the services re-export it, so callers know one module.
from .running import MAX_ATTEMPTS as MAX_ATTEMPTS
from .running import run_roster_import as run_roster_import

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(minutes=30)
CHUNK_BYTES = 1024 * 1024

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
