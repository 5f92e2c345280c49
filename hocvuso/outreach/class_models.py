"""Weekly community classes (buổi học cộng đồng, plan IV.3.4): a commune schedules a class (weekly on a weekday
between two days, or once), its sessions are generated from that, and attendance is taken at each session.

Imported by models.py (the app's import point). A session's id and an attendance's id are UUIDs so that an
instructor's phone can make them offline; an attendance carries the hash of what it says, so a resend is
recognised (nothing happens) and a different record under the same UUID is a conflict. A person attends a session
once (a unique constraint): a double tap or a second phone recording the same person finds the first record.
Someone not in the registry is recorded as a walk-in with the minimum the registry needs; a commune officer
confirms it later (registering the person or naming the resident they already are), as visits' registry reports.
"""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import TimeStampedModel

from .models import FieldDevice, ReportStatus

# The longest a recurring class may run (a year of weeks): the sessions are generated rows.
MAX_CLASS_DAYS = 366
MAX_CAPACITY = 500


class Recurrence(models.TextChoices):
    ONCE = "once", _("Một buổi")
    WEEKLY = "weekly", _("Hằng tuần")


class AttendanceMethod(models.TextChoices):
    """How a person was found when attendance was taken."""

    REGISTRY = "registry", _("Tìm trong sổ dân cư")
    CARD = "card", _("Quét mã QR trên thẻ người học")
    CODE = "code", _("Nhập mã điểm danh của buổi học")
    WALK_IN = "walk_in", _("Người chưa có trong sổ dân cư")


class CommunityClass(TimeStampedModel):
    """Lớp học cộng đồng — a class a commune holds at a place for a target group: once, or every week on a
    weekday between two days. Its topic is a course (optionally some of its lessons) or competences of the
    framework; its instructors are users."""

    commune = models.ForeignKey(
        "territory.AdministrativeUnit", verbose_name=_("xã, phường"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("tên lớp"), max_length=200)
    place = models.CharField(_("địa điểm"), max_length=200)
    course = models.ForeignKey(
        "learning.Course",
        verbose_name=_("khóa học"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lessons = models.ManyToManyField("learning.Lesson", verbose_name=_("bài học"), blank=True, related_name="+")
    competences = models.ManyToManyField(
        "learning.Competence", verbose_name=_("năng lực"), blank=True, related_name="+"
    )
    target_group = models.CharField(_("nhóm đối tượng"), max_length=20)
    capacity = models.PositiveSmallIntegerField(_("số chỗ"))
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("người hướng dẫn"), related_name="community_classes"
    )
    recurrence = models.CharField(_("lặp lại"), max_length=10, choices=Recurrence.choices)
    weekday = models.PositiveSmallIntegerField(_("thứ trong tuần"), null=True, blank=True)
    starts_at = models.TimeField(_("giờ bắt đầu"))
    duration_minutes = models.PositiveSmallIntegerField(_("thời lượng (phút)"), default=90)
    first_day = models.DateField(_("từ ngày"))
    last_day = models.DateField(_("đến ngày"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lớp học cộng đồng")
        verbose_name_plural = _("lớp học cộng đồng")
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="outreach_class_period_valid"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=MAX_CAPACITY), name="outreach_class_capacity_valid"
            ),
            models.CheckConstraint(
                condition=Q(recurrence="once", weekday__isnull=True)
                | Q(recurrence="weekly", weekday__gte=0, weekday__lte=6),
                name="outreach_class_recurrence_valid",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480), name="outreach_class_duration_valid"
            ),
        ]
        indexes = [models.Index(fields=["commune", "first_day"])]

    def __str__(self) -> str:
        return self.title


class ClassSessionQuerySet(models.QuerySet["ClassSession"]):
    def scheduled(self) -> "ClassSessionQuerySet":
        """Sessions not cancelled."""
        return self.filter(cancelled_at__isnull=True)

    def between(self, first_day: date, last_day: date) -> "ClassSessionQuerySet":
        """Sessions from the first day to the last, both included."""
        return self.filter(day__gte=first_day, day__lte=last_day)


class ClassSession(TimeStampedModel):
    """Buổi học — one session of a community class on a day. The commune is kept on the session so that calendars
    and the monitoring count per commune directly. The check-in code is what the room shows: a learner signed in
    on their own phone types it to mark themselves present."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community_class = models.ForeignKey(CommunityClass, on_delete=models.CASCADE, related_name="sessions")
    commune = models.ForeignKey("territory.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("ngày"))
    starts_at = models.TimeField(_("giờ bắt đầu"))
    check_in_code = models.CharField(_("mã điểm danh"), max_length=8)
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancel_reason = models.CharField(_("lý do hủy"), max_length=200, blank=True, default="")

    objects = ClassSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("buổi học cộng đồng")
        verbose_name_plural = _("buổi học cộng đồng")
        constraints = [
            models.UniqueConstraint(fields=["community_class", "day"], name="outreach_session_once_a_day"),
        ]
        indexes = [models.Index(fields=["commune", "day"]), models.Index(fields=["day", "check_in_code"])]

    def __str__(self) -> str:
        return f"{self.community_class_id} @ {self.day}"


class ClassAttendance(models.Model):
    """Điểm danh — one person present at a session: a registry resident, or a walk-in waiting for the commune's
    confirmation (resident empty). The id is the UUID the device made (or the server, online); the content hash
    is that of the record as first received. The commune and the day are the session's, kept for the monitoring."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(ClassSession, on_delete=models.PROTECT, related_name="attendances")
    commune = models.ForeignKey("territory.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("ngày"))
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="class_attendances"
    )
    method = models.CharField(_("cách điểm danh"), max_length=10, choices=AttendanceMethod.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(FieldDevice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("thời điểm"))
    content_hash = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("điểm danh buổi học")
        verbose_name_plural = _("điểm danh buổi học")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "resident"],
                condition=Q(resident__isnull=False),
                name="outreach_attendance_once",
            ),
            models.CheckConstraint(condition=Q(method__in=AttendanceMethod.values), name="outreach_attendance_method"),
            models.CheckConstraint(
                condition=Q(resident__isnull=False) | Q(method="walk_in"), name="outreach_attendance_who"
            ),
        ]
        indexes = [models.Index(fields=["commune", "day"])]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.resident_id or 'walk-in'}"


class WalkIn(TimeStampedModel):
    """Người học chưa có trong sổ — someone present at a session who is not in the registry, recorded with the
    minimum the registry needs (name, birth year, sex, ethnicity, village). A commune officer confirms it — the
    person is registered, or named as the resident they already are — or rejects it; until then the attendance
    counts for the session but not for a resident."""

    attendance = models.OneToOneField(ClassAttendance, on_delete=models.CASCADE, related_name="walk_in")
    full_name = models.CharField(_("họ và tên"), max_length=150)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"))
    sex = models.CharField(_("giới tính"), max_length=1)
    ethnicity = models.PositiveSmallIntegerField(_("dân tộc"))
    village = models.ForeignKey(
        "territory.AdministrativeUnit", verbose_name=_("thôn"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("người học chưa có trong sổ dân cư")
        verbose_name_plural = _("người học chưa có trong sổ dân cư")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="outreach_walk_in_decision_complete",
            ),
            models.CheckConstraint(condition=Q(ethnicity__gte=1, ethnicity__lte=54), name="outreach_walk_in_ethnicity"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.status})"
