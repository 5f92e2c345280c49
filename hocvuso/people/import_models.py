"""Models of roster imports (jobs, stored files, problems found). Loaded by hocvuso.people.models.

An import is a job: the uploaded file is kept in the database in chunks (so any worker can read it and a
crashed worker leaves nothing on a disk), the background task validates every row, then writes everything in
one transaction. The job row carries the progress a page polls, the counts, and the problems found.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import TimeStampedModel

__all__ = [
    "DATE_ORDERS",
    "LIVE_IMPORT_STATUSES",
    "RUNNING_IMPORT_STATUSES",
    "ImportJob",
    "ImportKind",
    "ImportProblem",
    "ImportStatus",
    "RosterUpload",
    "RosterUploadChunk",
]


class ImportKind(models.TextChoices):
    RESIDENTS = "residents", _("Dân cư và hộ gia đình")
    STAFF = "staff", _("Cán bộ, công chức, viên chức, người lao động khu vực công")
    STUDENTS = "students", _("Học sinh, sinh viên")
    WORKERS = "workers", _("Người lao động doanh nghiệp, hợp tác xã")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    VALIDATING = "validating", _("Đang kiểm tra")
    IMPORTING = "importing", _("Đang nhập")
    DONE = "done", _("Hoàn tất")
    REJECTED = "rejected", _("Bị từ chối")
    FAILED = "failed", _("Thất bại")


DATE_ORDERS = [("dmy", _("ngày/tháng/năm")), ("mdy", _("tháng/ngày/năm"))]

# A file with a job in one of these states is being imported or was imported: the same file is not taken again.
LIVE_IMPORT_STATUSES = [ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING, ImportStatus.DONE]
RUNNING_IMPORT_STATUSES = [ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING]


class RosterUpload(models.Model):
    """Tệp danh sách tải lên — the bytes of an uploaded roster, kept in chunks until its import is done."""

    file_name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField(_("kích thước (byte)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("tệp danh sách")
        verbose_name_plural = _("tệp danh sách")

    def __str__(self) -> str:
        return self.file_name


class RosterUploadChunk(models.Model):
    """One piece (at most 1 MiB) of an uploaded file, in order."""

    upload = models.ForeignKey(RosterUpload, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["upload", "index"], name="roster_chunk_unique_index")]

    def __str__(self) -> str:
        return f"{self.upload_id}#{self.index}"


class ImportJob(TimeStampedModel):
    """Lượt nhập danh sách — one submitted roster file and what became of it: queued, validated, imported
    (all rows, in one transaction) or rejected with every problem listed; or failed (nothing written)."""

    kind = models.CharField(_("loại danh sách"), max_length=10, choices=ImportKind.choices)
    unit = models.ForeignKey(
        "territory.AdministrativeUnit", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("cơ quan, tổ chức"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    upload = models.ForeignKey(RosterUpload, on_delete=models.PROTECT, related_name="jobs")
    file_name = models.CharField(_("tên tệp"), max_length=255)
    fingerprint = models.CharField(_("dấu vân tệp"), max_length=64, db_index=True)
    dry_run = models.BooleanField(_("chỉ kiểm tra"), default=False)
    # An organisation's roster is its full list of that kind on this day: new members join from it, members the
    # roster no longer lists leave the day before it (see commit.py). Residents files carry it too (no effect).
    as_of = models.DateField(_("danh sách tính đến ngày"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    message = models.TextField(_("thông báo"), blank=True)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    rows_total = models.PositiveIntegerField(_("số dòng"), null=True, blank=True)
    rows_validated = models.PositiveIntegerField(_("số dòng đã kiểm tra"), default=0)
    rows_imported = models.PositiveIntegerField(_("số dòng đã nhập"), default=0)
    created_count = models.PositiveIntegerField(_("thêm mới"), default=0)
    updated_count = models.PositiveIntegerField(_("cập nhật"), default=0)
    unchanged_count = models.PositiveIntegerField(_("không đổi"), default=0)
    residents_created = models.PositiveIntegerField(_("người dân thêm mới"), default=0)
    households_created = models.PositiveIntegerField(_("hộ thêm mới"), default=0)
    households_updated = models.PositiveIntegerField(_("hộ cập nhật"), default=0)
    residents_moved = models.PositiveIntegerField(_("người chuyển thôn"), default=0)
    heads_cleared = models.PositiveIntegerField(_("hộ không còn chủ hộ"), default=0)
    memberships_ended = models.PositiveIntegerField(_("thành viên thôi"), default=0)
    # What a dry run found that the officer must see before confirming: moves between villages and members
    # who leave (the first rows of each, with names only of people the importer may already see).
    changes = models.JSONField(_("thay đổi cần xác nhận"), default=dict, blank=True)
    problem_count = models.PositiveIntegerField(_("số lỗi"), default=0)
    # The officer's reading of dates like 03/04/1990 when the file cannot tell: "dmy" or "mdy" ("" = not chosen).
    date_order = models.CharField(_("thứ tự ngày tháng"), max_length=3, blank=True, choices=DATE_ORDERS)
    # What the check found besides problems: sheets read and their rows, the date order and how it was decided,
    # notes (an encoding converted, zeros restored, years of birth alone, rows under the table ignored).
    summary = models.JSONField(_("tóm tắt"), default=dict, blank=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)

    # Set (not stored) on the job a submission returns when the same file was already imported or is running.
    duplicate: bool = False

    class Meta:
        verbose_name = _("lượt nhập danh sách")
        verbose_name_plural = _("lượt nhập danh sách")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A file (same bytes, kind, unit and organisation) is imported once: at most one job that is queued,
            # running or done holds its fingerprint. Concurrent submissions race on this index, not on a check.
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=Q(dry_run=False, status__in=LIVE_IMPORT_STATUSES),
                name="import_job_one_live_per_fingerprint",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_job_progress_percent"),
        ]
        indexes = [models.Index(fields=["unit", "created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def status_label(self) -> str:
        """The status as the officer reads it: a finished check says that nothing was written yet."""
        if self.dry_run and self.status == ImportStatus.DONE:
            return str(_("Đã kiểm tra, chưa nhập"))
        return str(self.get_status_display())

    @property
    def needs_date_order(self) -> bool:
        """True when the file has dates readable both ways and nothing in it says which: the officer chooses."""
        return bool(self.summary.get("date_order_needed")) and not self.date_order

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED)


class ImportProblem(models.Model):
    """Lỗi trong tệp — one problem of a rejected file: the row as Excel numbers it, the column header, the
    reason in Vietnamese. A problem of the whole file has no row."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField(_("dòng"), null=True, blank=True)
    column = models.CharField(_("cột"), max_length=100, blank=True)
    message = models.CharField(_("lỗi"), max_length=500)

    class Meta:
        verbose_name = _("lỗi trong tệp")
        verbose_name_plural = _("lỗi trong tệp")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.row}: {self.column}: {self.message}"
