"""Reporting: the plan's tasks and their progress, who must report, quarterly reports and their review, and the
in-app notices that remind officers of what is due.

Read top to bottom: plan tracking (Plan, PlanTask, TaskProgress, TaskUpdate, TaskEvidence) · quarterly reports
(ReportingAssignment, Report, ReportEvent) · Notice. Every write goes through services/ (audited); the pages and
the API only read these rows through selectors.py and the access module.
"""

from datetime import date
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import EffectiveDated, InForceQuerySet, TimeStampedModel

# --- Plan tracking ------------------------------------------------------------------------------------------


class Plan(TimeStampedModel):
    """Kế hoạch — a plan whose tasks are tracked, loaded from one data file (reporting/plans/*.yaml); a new
    plan or a new year is a new file and a new row."""

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    title = models.CharField(_("tên kế hoạch"), max_length=300)
    reference = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"))
    fingerprint = models.CharField(_("dấu nội dung tệp"), max_length=64, blank=True)
    # The agency that consolidates the units' reports for the provincial People's Committee (plan VI.1) and issues
    # the consolidated report; where the units' and the consolidated reports go ("Nơi nhận").
    consolidating_agency = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("cơ quan tổng hợp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    report_recipients = models.JSONField(_("nơi nhận báo cáo của đơn vị"), default=list, blank=True)
    consolidated_recipients = models.JSONField(_("nơi nhận báo cáo tổng hợp"), default=list, blank=True)

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return self.title


class Recurrence(models.TextChoices):
    ONCE = "once", _("Một lần")
    CONTINUOUS = "continuous", _("Thường xuyên")
    WEEKLY = "weekly", _("Hằng tuần")
    QUARTERLY = "quarterly", _("Hằng quý")
    YEARLY = "yearly", _("Hằng năm")


class PlanTask(TimeStampedModel):
    """Nhiệm vụ — one task of the plan (sections III, IV, VI) with what it should produce, when, and who
    coordinates. Who leads it is one TaskProgress row per lead (an agency, or each commune's People's
    Committee for the tasks every unit leads in its own area, plan VI.7)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(_("mã nhiệm vụ"), max_length=20)
    section = models.CharField(_("mục trong kế hoạch"), max_length=40)
    title = models.CharField(_("nhiệm vụ"), max_length=500)
    expected_outputs = models.JSONField(_("sản phẩm dự kiến"), default=list, blank=True)
    recurrence = models.CharField(_("tần suất"), max_length=12, choices=Recurrence.choices, default=Recurrence.ONCE)
    due_date = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    # For a yearly task: the days of the year it falls on, "MM-DD" (the festival on 10/10 and 01/11).
    yearly_on = models.JSONField(_("ngày trong năm"), default=list, blank=True)
    led_by_every_unit = models.BooleanField(_("mỗi đơn vị chủ trì trên địa bàn mình"), default=False)
    coordinating = models.ManyToManyField(
        "people.Organisation", verbose_name=_("cơ quan phối hợp"), blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="reporting_task_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def last_occurrence(self, on: date) -> date | None:
        """The latest day on or before `on` the task fell due: its due date, or for a yearly task the latest of
        its days of the year (None for continuous, weekly and quarterly tasks, which are judged by freshness)."""
        if self.recurrence == Recurrence.YEARLY and self.yearly_on:
            days = []
            for text in self.yearly_on:
                month, day = (int(part) for part in str(text).split("-"))
                for year in (on.year, on.year - 1):
                    candidate = date(year, month, day)
                    if candidate <= on:
                        days.append(candidate)
                        break
            return max(days) if days else None
        if self.recurrence == Recurrence.ONCE and self.due_date is not None and self.due_date <= on:
            return self.due_date
        return None


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa bắt đầu")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")
    SUSPENDED = "suspended", _("Tạm dừng")


class TaskProgressQuerySet(models.QuerySet["TaskProgress"]):
    def of_plan(self, plan: Plan) -> Self:
        return self.filter(task__plan=plan)


class TaskProgress(TimeStampedModel):
    """Tiến độ nhiệm vụ — a task as one lead carries it: the lead agency (an Organisation) or a commune's
    People's Committee (an AdministrativeUnit), with the status, progress and time of the last update that
    the lead's officers gave. The history is in TaskUpdate."""

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="progress")
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("cơ quan chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "territory.AdministrativeUnit",
        verbose_name=_("UBND cấp xã chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("tình trạng"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    last_update_at = models.DateTimeField(_("cập nhật gần nhất"), null=True, blank=True)

    objects = TaskProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("tiến độ nhiệm vụ")
        verbose_name_plural = _("tiến độ nhiệm vụ")
        ordering = ["task__plan", "task__position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organisation__isnull=True) & Q(unit__isnull=False))
                | (Q(organisation__isnull=False) & Q(unit__isnull=True)),
                name="reporting_progress_one_lead",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="reporting_progress_at_most_100"),
            models.UniqueConstraint(
                fields=["task", "organisation"], condition=Q(organisation__isnull=False), name="reporting_one_org_lead"
            ),
            models.UniqueConstraint(
                fields=["task", "unit"], condition=Q(unit__isnull=False), name="reporting_one_unit_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} — {self.lead_name}"

    @property
    def lead_name(self) -> str:
        lead = self.organisation if self.organisation_id else self.unit
        return str(lead) if lead is not None else ""


class TaskUpdate(models.Model):
    """Cập nhật tiến độ — one update of a task by an officer of its lead: status, progress and what was done.
    Rows are never changed."""

    progress_of = models.ForeignKey(TaskProgress, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("lúc"), default=timezone.now)
    status = models.CharField(_("tình trạng"), max_length=12, choices=TaskStatus.choices)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"))
    note = models.TextField(_("nội dung đã thực hiện"), blank=True)

    class Meta:
        verbose_name = _("cập nhật tiến độ")
        verbose_name_plural = _("cập nhật tiến độ")
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="reporting_update_at_most_100")]

    def __str__(self) -> str:
        return f"{self.progress_of_id} @ {self.at:%Y-%m-%d}: {self.progress}%"


class EvidenceKind(models.TextChoices):
    FILE = "file", _("Tệp")
    LINK = "link", _("Đường dẫn")


class TaskEvidence(models.Model):
    """Minh chứng — a file (kept in the database, checked before it is stored) or a link that shows what a
    task's lead did."""

    progress_of = models.ForeignKey(TaskProgress, on_delete=models.CASCADE, related_name="evidence")
    update = models.ForeignKey(TaskUpdate, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    kind = models.CharField(_("loại"), max_length=4, choices=EvidenceKind.choices)
    title = models.CharField(_("tên"), max_length=200)
    url = models.URLField(_("đường dẫn"), max_length=500, blank=True)
    file_name = models.CharField(_("tên tệp"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["-added_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="")) | (Q(kind="file") & ~Q(file_name="")),
                name="reporting_evidence_has_content",
            )
        ]

    def __str__(self) -> str:
        return self.title


# --- Quarterly reports ------------------------------------------------------------------------------------


class AssignmentQuerySet(InForceQuerySet["ReportingAssignment"]):
    """Reporting assignments; `.in_force(day)` are those that report that day."""


class ReportingAssignment(EffectiveDated, TimeStampedModel):
    """Đơn vị phải báo cáo — a commune's People's Committee (a unit) or a lead agency (an organisation) must
    send the quarterly report from `valid_from` to `valid_to` (inclusive). Effective-dated: a merger or a new
    agency changes who reports from a date, and each period's rates count the assignments valid then."""

    unit = models.ForeignKey(
        "territory.AdministrativeUnit",
        verbose_name=_("đơn vị hành chính"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    # How the unit signs its report (Decree 30/2020/NĐ-CP, Appendix I); blank: the defaults of documents/issuer.py
    # (a commune's People's Committee: "ỦY BAN NHÂN DÂN / XÃ …", UBND, "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH").
    governing_body = models.CharField(_("cơ quan chủ quản"), max_length=150, blank=True)
    issuer = models.CharField(_("tên cơ quan ban hành"), max_length=150, blank=True)
    symbol = models.CharField(_("chữ viết tắt tên cơ quan"), max_length=20, blank=True)
    authority = models.CharField(_("thẩm quyền ký"), max_length=60, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=60, blank=True)
    place_name = models.CharField(_("địa danh"), max_length=60, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị phải báo cáo")
        verbose_name_plural = _("đơn vị phải báo cáo")
        ordering = ["valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organisation__isnull=True) & Q(unit__isnull=False))
                | (Q(organisation__isnull=False) & Q(unit__isnull=True)),
                name="reporting_assignment_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="reporting_assignment_valid_to_after_valid_from",
            ),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(valid_to__isnull=True, unit__isnull=False), name="reporting_one_open_unit"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(valid_to__isnull=True, organisation__isnull=False),
                name="reporting_one_open_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.subject_name

    @property
    def subject_name(self) -> str:
        subject = self.unit if self.unit_id else self.organisation
        return str(subject) if subject is not None else ""


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    SUBMITTED = "submitted", _("Đã gửi")
    RETURNED = "returned", _("Bị trả lại")
    ACCEPTED = "accepted", _("Đã chấp nhận")


class ReportKind(models.TextChoices):
    UNIT = "unit", _("Báo cáo của đơn vị")
    CONSOLIDATED = "consolidated", _("Báo cáo tổng hợp của tỉnh")


NARRATIVE_FIELDS = ("results", "strengths", "limitations", "proposals")


class Report(TimeStampedModel):
    """Báo cáo quý — a unit's (or agency's) report for one quarter, or the province's consolidated report.

    `content` holds the figures and sections frozen on `frozen_on` at `frozen_at`; they may be frozen again while
    the report is a draft or returned, and never after it is submitted. The narrative is written by the unit's
    officers; `version` goes up with every change, so a form sent from a stale page is refused, not merged."""

    kind = models.CharField(_("loại"), max_length=12, choices=ReportKind.choices, default=ReportKind.UNIT)
    assignment = models.ForeignKey(
        ReportingAssignment, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    unit = models.ForeignKey(
        "territory.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "people.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    quarter = models.PositiveSmallIntegerField(_("quý"))
    due_date = models.DateField(_("hạn gửi"))
    status = models.CharField(_("tình trạng"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    frozen_on = models.DateField(_("số liệu tính đến ngày"))
    frozen_at = models.DateTimeField(_("chốt số liệu lúc"))
    facts_day = models.DateField(_("ngày của số liệu tổng hợp"), null=True, blank=True)
    content = models.JSONField(_("số liệu và các phần đã chốt"), default=dict)
    results = models.TextField(_("kết quả đạt được"), blank=True)
    strengths = models.TextField(_("ưu điểm"), blank=True)
    limitations = models.TextField(_("hạn chế, nguyên nhân"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    document_number = models.CharField(_("số văn bản"), max_length=20, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=120, blank=True)
    first_submitted_at = models.DateTimeField(_("gửi lần đầu lúc"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("chấp nhận lúc"), null=True, blank=True)
    is_late = models.BooleanField(_("trễ hạn"), default=False)
    review_comment = models.TextField(_("ý kiến khi trả lại"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("báo cáo quý")
        verbose_name_plural = _("báo cáo quý")
        ordering = ["-year", "-quarter", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="reporting_report_quarter"),
            models.CheckConstraint(
                condition=(Q(organisation__isnull=True) & Q(unit__isnull=False))
                | (Q(organisation__isnull=False) & Q(unit__isnull=True)),
                name="reporting_report_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(kind="consolidated") | Q(assignment__isnull=False), name="reporting_unit_report_assigned"
            ),
            models.UniqueConstraint(
                fields=["assignment", "year", "quarter"],
                condition=Q(assignment__isnull=False),
                name="reporting_one_report_per_assignment",
            ),
            models.UniqueConstraint(
                fields=["unit", "year", "quarter"],
                condition=Q(kind="consolidated"),
                name="reporting_one_consolidated_report",
            ),
        ]
        indexes = [models.Index(fields=["year", "quarter", "status"], name="reporting_report_period")]

    def __str__(self) -> str:
        return f"{self.subject_name} — {self.year}-Q{self.quarter}"

    @property
    def subject_name(self) -> str:
        subject = self.unit if self.unit_id else self.organisation
        return str(subject) if subject is not None else ""

    @property
    def period_code(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def is_editable(self) -> bool:
        """Whether the unit's officers may still change it (a draft, or returned to them)."""
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)

    @property
    def figures(self) -> list[dict[str, object]]:
        """The frozen indicator rows of the report's own unit."""
        return list(self.content.get("figures", []))


class ReportEvent(models.Model):
    """A step of a report's workflow (drafted, frozen again, saved, submitted, returned, resubmitted, accepted)
    with who took it and, for a return, the reviewer's comments. Rows are never changed."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("bước"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("bước xử lý báo cáo")
        verbose_name_plural = _("bước xử lý báo cáo")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action} @ {self.at:%Y-%m-%d %H:%M}"


# --- Notices --------------------------------------------------------------------------------------------------


class Notice(models.Model):
    """Thông báo — an in-app reminder to one user (a report due soon, a task without update). `key` makes a
    reminder once per user and occasion, however often the reminder job runs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    message = models.CharField(_("nội dung"), max_length=500)
    link = models.CharField(_("đường dẫn"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    emailed = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="reporting_notice_once")]

    def __str__(self) -> str:
        return self.message
