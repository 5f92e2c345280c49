"""Community digital teams, their members, the households each member looks after, and home visits; the movement's
activities (markets and their 4T traders, events) are in activity_models.py and re-exported here.

A visit is made on a phone, often offline: the device gives it a UUID and the form version, and the server keeps
a hash of what the visit says so that a resend of the same visit is recognised (same content: nothing happens)
and a different visit under the same UUID is refused (a conflict the device must show). No photo of an ID card
is ever stored: a visit carries outcomes per person and a note, nothing else.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import EffectiveDated, InForceQuerySet, TimeStampedModel


class Team(TimeStampedModel):
    """Tổ công nghệ số cộng đồng — a community digital team of a commune (optionally of one village), with its
    leader (tổ trưởng)."""

    name = models.CharField(_("tên tổ"), max_length=150)
    commune = models.ForeignKey(
        "territory.AdministrativeUnit", verbose_name=_("xã, phường"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "territory.AdministrativeUnit",
        verbose_name=_("thôn, tổ dân phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tổ trưởng"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("tổ công nghệ số cộng đồng")
        verbose_name_plural = _("tổ công nghệ số cộng đồng")
        constraints = [models.UniqueConstraint(fields=["commune", "name"], name="outreach_team_name_unique")]

    def __str__(self) -> str:
        return self.name


class SendingBody(models.TextChoices):
    """Who sent a member to the team (plan IV.4.4–IV.4.5)."""

    NONE = "", _("Không")
    YOUTH_UNION = "youth_union", _("Đoàn Thanh niên")
    WOMEN_UNION = "women_union", _("Hội Phụ nữ")
    VETERANS = "veterans", _("Hội Cựu chiến binh")
    FARMERS = "farmers", _("Hội Nông dân")
    SCHOOL = "school", _("Trường học")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    OTHER = "other", _("Tổ chức khác")


class TeamMembershipQuerySet(InForceQuerySet["TeamMembership"]):
    """Team memberships; `.in_force(day)` are those that count that day (the end day included)."""


class TeamMembership(EffectiveDated, TimeStampedModel):
    """Thành viên tổ — a user (linked to the registry's resident) is a member of a team for a period, sent by an
    organisation where that is true."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="team_memberships")
    sent_by = models.CharField(_("đơn vị cử"), max_length=20, choices=SendingBody.choices, blank=True, default="")
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("tổ chức cử"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên tổ")
        verbose_name_plural = _("thành viên tổ")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="outreach_membership_period_valid",
            ),
            models.UniqueConstraint(
                fields=["team", "user"], condition=Q(valid_to__isnull=True), name="outreach_membership_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} @ {self.team_id}"


class HouseholdAssignmentQuerySet(InForceQuerySet["HouseholdAssignment"]):
    """Household assignments; `.in_force(day)` are those that count that day."""


class HouseholdAssignment(EffectiveDated, TimeStampedModel):
    """Phân công hộ — a household a team member looks after, for a period. A household has at most one member
    of a team at a time (another team may look after it too: a youth team and the commune's team)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="assignments")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(TeamMembership, on_delete=models.PROTECT, related_name="assignments")
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    objects = HouseholdAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công hộ")
        verbose_name_plural = _("phân công hộ")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="outreach_assignment_period_valid",
            ),
            models.UniqueConstraint(
                fields=["team", "household"],
                condition=Q(valid_to__isnull=True),
                name="outreach_assignment_one_open_per_team",
            ),
        ]
        indexes = [models.Index(fields=["household", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.household_id} → {self.membership_id}"


class FieldDevice(TimeStampedModel):
    """Thiết bị — a phone holding a token: a team member's (`membership`: that member's households, and the classes
    they run in the team's commune), or an instructor's for community classes only (`user`, with no membership: the
    sessions, people search and attendance of the classes they run, never a worklist or a visit). Exactly one of
    the two is set. Only a hash of the secret is stored. A revoked device is told to wipe its data at its next
    contact."""

    membership = models.ForeignKey(
        TeamMembership, null=True, blank=True, on_delete=models.PROTECT, related_name="devices"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="class_devices"
    )
    name = models.CharField(_("tên thiết bị"), max_length=100)
    prefix = models.CharField(max_length=8, unique=True)
    secret_hash = models.CharField(max_length=64)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("thiết bị của thành viên tổ")
        verbose_name_plural = _("thiết bị của thành viên tổ")
        constraints = [
            models.CheckConstraint(
                condition=Q(membership__isnull=False, user__isnull=True)
                | Q(membership__isnull=True, user__isnull=False),
                name="outreach_device_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def class_only(self) -> bool:
        """An instructor's phone for community classes, outside any team."""
        return self.membership_id is None

    @property
    def owner_id(self) -> int | None:
        """The user the phone speaks for."""
        return self.user_id if self.membership is None else self.membership.user_id


class Outcome(models.TextChoices):
    """What was done or found for one person at a visit."""

    INSTALLED_VNEID = "installed_vneid", _("Đã cài đặt VNeID")
    VNEID_LEVEL_2 = "vneid_level_2", _("Đã nâng lên VNeID mức 2")
    OPENED_BANK_ACCOUNT = "opened_bank_account", _("Đã mở tài khoản ngân hàng số")
    ENROLLED = "enrolled", _("Đã đăng ký khóa học")
    LESSON_TOGETHER = "lesson_together", _("Đã học cùng một bài")
    SUPERVISED_ASSESSMENT = "supervised_assessment", _("Đã làm bài đánh giá có giám sát")
    PUBLIC_SERVICES = "public_services", _("Hướng dẫn dịch vụ công trực tuyến")
    E_COMMERCE = "e_commerce", _("Hướng dẫn thương mại điện tử")
    CASHLESS = "cashless", _("Hướng dẫn thanh toán không dùng tiền mặt")
    ONLINE_SAFETY = "online_safety", _("Hướng dẫn an toàn trên mạng")
    # The person guides the others of the household (the last condition of "Gia đình số", plan IV.4.1).
    GUIDES_FAMILY = "guides_family", _("Đã hướng dẫn lại người thân trong gia đình")
    REFUSED = "refused", _("Từ chối")
    NOT_AT_HOME = "not_at_home", _("Không có nhà")
    MOVED_AWAY = "moved_away", _("Đã chuyển đi")
    DECEASED = "deceased", _("Đã mất")


# Outcomes that say a person cannot be helped at this visit: none of the others may stand beside them.
EXCLUSIVE_OUTCOMES = frozenset({Outcome.REFUSED, Outcome.NOT_AT_HOME, Outcome.MOVED_AWAY, Outcome.DECEASED})
# The visit form versions this server understands.
FORM_VERSIONS = frozenset({1})


class VisitQuerySet(models.QuerySet["Visit"]):
    def on_or_after(self, day: date) -> "VisitQuerySet":
        return self.filter(visited_at__date__gte=day)


class Visit(models.Model):
    """Buổi hỗ trợ tại hộ — a team member's visit to a household. The id is the UUID the device made; the
    content hash is that of the visit as it was first received (a resend with the same hash changes nothing)."""

    id = models.UUIDField(primary_key=True)
    form_version = models.PositiveSmallIntegerField(_("phiên bản biểu mẫu"))
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(TeamMembership, on_delete=models.PROTECT, related_name="visits")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="visits")
    # The village of the household, kept on the visit so the monitoring can count visits per village directly.
    village = models.ForeignKey("territory.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(FieldDevice, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits")
    visited_at = models.DateTimeField(_("thời điểm"))
    note = models.TextField(_("ghi chú"), blank=True, default="", max_length=2000)
    content_hash = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("buổi hỗ trợ tại hộ")
        verbose_name_plural = _("buổi hỗ trợ tại hộ")
        constraints = [
            models.CheckConstraint(condition=Q(form_version__gte=1), name="outreach_visit_form_version_valid"),
            models.CheckConstraint(condition=~Q(content_hash=""), name="outreach_visit_has_hash"),
        ]
        indexes = [
            models.Index(fields=["household", "visited_at"]),
            models.Index(fields=["village", "visited_at"]),
        ]

    def __str__(self) -> str:
        return str(self.id)


class VisitOutcome(models.Model):
    """What was done or found for one person of the household at a visit."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="outcomes")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("kết quả"), max_length=24, choices=Outcome.choices)

    class Meta:
        verbose_name = _("kết quả hỗ trợ")
        verbose_name_plural = _("kết quả hỗ trợ")
        constraints = [
            models.UniqueConstraint(fields=["visit", "resident", "outcome"], name="outreach_outcome_once"),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="outreach_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id}: {self.outcome}"


class ReportKind(models.TextChoices):
    MOVED_AWAY = "moved_away", _("Đã chuyển đi")
    DECEASED = "deceased", _("Đã mất")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Chờ xác nhận")
    CONFIRMED = "confirmed", _("Đã xác nhận")
    REJECTED = "rejected", _("Không xác nhận")


class RegistryChangeReport(TimeStampedModel):
    """Báo cáo thay đổi — a visit found that a person moved away or died; a commune officer confirms it before
    the registry changes."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="reports")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("loại"), max_length=12, choices=ReportKind.choices)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("báo cáo thay đổi nhân khẩu")
        verbose_name_plural = _("báo cáo thay đổi nhân khẩu")
        constraints = [
            models.UniqueConstraint(fields=["visit", "resident", "kind"], name="outreach_report_once"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="outreach_report_decision_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id}: {self.kind} ({self.status})"


from .activity_models import (  # noqa: E402  (the activities' models, kept in their own module)
    Event,
    EventKind,
    FourT,
    Market,
    MarketKind,
    Trader,
    TraderStep,
)

__all__ = [
    "Event",
    "EventKind",
    "FourT",
    "Market",
    "MarketKind",
    "Trader",
    "TraderStep",
]
# Weekly community classes live in their own module; importing them here registers them with the app.
from .class_models import (  # noqa: E402, F401
    AttendanceMethod,
    ClassAttendance,
    ClassSession,
    CommunityClass,
    Recurrence,
    WalkIn,
)
