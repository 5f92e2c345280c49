"""Monitoring: the plan's indicators and targets as data, pre-aggregated facts, and the queue that keeps them fresh.

Read top to bottom: definitions (Indicator, Target, RankingWeight) · facts (IndicatorFact per village, commune,
province or organisation and day; VillageRollup, where a village's data is counted after mergers; FactState,
"as of") · change capture (DirtyUnit, filled by database triggers, see capture.py) · VneidCertification, the
numerator source of "adults certified on VNeID" until the credentials part exists.

The formulas are code (computations.py); which indicator uses which formula, with which thresholds, groups,
levels, direction and unit of measure, is data here.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import TimeStampedModel


class IndicatorKind(models.TextChoices):
    OUTCOME = "outcome", _("Chỉ tiêu kết quả")
    ACTIVITY = "activity", _("Chỉ số hoạt động")


class Direction(models.TextChoices):
    UP = "up", _("Càng cao càng tốt")
    DOWN = "down", _("Càng thấp càng tốt")


class Measure(models.TextChoices):
    PERCENT = "percent", _("Tỷ lệ (%)")
    COUNT = "count", _("Số lượng")


class FactLevel(models.TextChoices):
    VILLAGE = "village", _("Thôn/tổ dân phố")
    COMMUNE = "commune", _("Xã/phường/đặc khu")
    PROVINCE = "province", _("Tỉnh/thành phố")
    ORGANISATION = "organisation", _("Cơ quan, tổ chức")


UNIT_LEVELS = (FactLevel.VILLAGE, FactLevel.COMMUNE, FactLevel.PROVINCE)


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def active(self) -> "IndicatorQuerySet":
        return self.filter(is_active=True)


class Indicator(TimeStampedModel):
    """Chỉ tiêu — one of the plan's targets (section II, IV.4) or an activity measure, as data.

    `population` (the denominator) and `numerator` are keys of the computations registered in
    computations.py (which knows this model, never the other way: `computations.is_computable`,
    `computations.check_definition`); `parameters` holds what the formulas need (the named age threshold,
    membership kind, the target groups whose literacy confirmation counts, the VNeID level). An indicator whose
    keys are not registered yet (an activity whose source part is not built) shows as "source not built yet",
    never as 0.
    """

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name_vi = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    kind = models.CharField(_("loại"), max_length=10, choices=IndicatorKind.choices, default=IndicatorKind.OUTCOME)
    population = models.CharField(_("mẫu số (khóa công thức)"), max_length=60, blank=True)
    numerator = models.CharField(_("tử số (khóa công thức)"), max_length=60)
    parameters = models.JSONField(_("tham số"), default=dict, blank=True)
    levels = models.JSONField(_("áp dụng cho cấp"), default=list, blank=True)
    direction = models.CharField(_("chiều"), max_length=4, choices=Direction.choices, default=Direction.UP)
    measure = models.CharField(_("đơn vị đo"), max_length=10, choices=Measure.choices, default=Measure.PERCENT)
    source = models.CharField(_("nguồn số liệu"), max_length=255, blank=True)
    plan_reference = models.CharField(_("mục trong kế hoạch"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang theo dõi"), default=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name_vi

    def applies_at(self, level: str) -> bool:
        return level in (self.levels or [])


class Target(TimeStampedModel):
    """Mục tiêu — the value an indicator should reach in a year: the province default (no unit, no
    organisation) or an override for one unit (and the units below it) or one organisation."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("năm"))
    unit = models.ForeignKey(
        "territory.AdministrativeUnit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("cơ quan, tổ chức"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    value = models.DecimalField(_("giá trị mục tiêu"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        ordering = ["indicator", "year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(organisation__isnull=True), name="indicators_target_unit_xor_org"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicators_target_not_negative"),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(unit__isnull=True, organisation__isnull=True),
                name="indicators_one_default_target",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "unit"],
                condition=Q(unit__isnull=False),
                name="indicators_one_target_per_unit",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "organisation"],
                condition=Q(organisation__isnull=False),
                name="indicators_one_target_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"


class RankingLevel(models.TextChoices):
    COMMUNE = "commune", _("Xã/phường/đặc khu")
    ORGANISATION = "organisation", _("Cơ quan, tổ chức")


class RankingWeight(TimeStampedModel):
    """Trọng số thi đua — how much an indicator counts in the emulation score of communes or of agencies."""

    level = models.CharField(_("xếp hạng"), max_length=12, choices=RankingLevel.choices)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="ranking_weights")
    weight = models.DecimalField(_("trọng số"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("trọng số thi đua")
        verbose_name_plural = _("trọng số thi đua")
        ordering = ["level", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["level", "indicator"], name="indicators_one_weight_per_level"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicators_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.indicator_id}: {self.weight}"


# --- Facts ------------------------------------------------------------------------------------------------


class IndicatorFact(models.Model):
    """Số liệu tổng hợp — an indicator's numerator and denominator for one village, commune, province or
    organisation on one day. Village and organisation rows are computed from the registry; commune and
    province rows are their sums. `parent` is the unit the row is summed into (so a unit's children are the
    rows whose parent it is, mergers included). Today's rows follow the data; earlier days keep the values
    they had at the end of that day (the history the trends are drawn from)."""

    day = models.DateField(_("ngày"))
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="facts")
    level = models.CharField(_("cấp"), max_length=12, choices=FactLevel.choices)
    unit = models.ForeignKey(
        "territory.AdministrativeUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        "people.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    parent = models.ForeignKey(
        "territory.AdministrativeUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    numerator = models.BigIntegerField(_("tử số"))
    denominator = models.BigIntegerField(_("mẫu số"))

    class Meta:
        verbose_name = _("số liệu chỉ tiêu")
        verbose_name_plural = _("số liệu chỉ tiêu")
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(organisation__isnull=True) & ~Q(level="organisation"))
                | (Q(unit__isnull=True) & Q(organisation__isnull=False) & Q(level="organisation")),
                name="indicators_fact_unit_xor_organisation",
            ),
            models.CheckConstraint(
                condition=Q(numerator__gte=0) & Q(numerator__lte=models.F("denominator")),
                name="indicators_fact_numerator_within_denominator",
            ),
            models.UniqueConstraint(
                fields=["unit", "indicator", "day"], condition=Q(unit__isnull=False), name="indicators_one_unit_fact"
            ),
            models.UniqueConstraint(
                fields=["organisation", "indicator", "day"],
                condition=Q(organisation__isnull=False),
                name="indicators_one_organisation_fact",
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "day"], name="indicators_fact_parent_day"),
            models.Index(fields=["day", "level"], name="indicators_fact_day_level"),
        ]

    def __str__(self) -> str:
        place = self.unit_id or self.organisation_id
        return f"{self.day} {self.indicator_id} {place}: {self.numerator}/{self.denominator}"


class VillageRollup(models.Model):
    """Where the data recorded against a village is counted on the facts' day: the village in force that
    stands for it (itself, or its successor after a merger), that village's commune and province (each
    following mergers too). Rebuilt with every full rebuild; small (one row per village)."""

    village = models.OneToOneField(
        "territory.AdministrativeUnit", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    counted_village = models.ForeignKey("territory.AdministrativeUnit", on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey("territory.AdministrativeUnit", on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey("territory.AdministrativeUnit", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("quy thôn về đơn vị tổng hợp")
        verbose_name_plural = _("quy thôn về đơn vị tổng hợp")
        indexes = [models.Index(fields=["counted_village"], name="indicators_rollup_counted")]

    def __str__(self) -> str:
        return f"{self.village_id} → {self.counted_village_id}"


class FactState(models.Model):
    """The one row that says which day the facts are for and when they were last brought up to date."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    day = models.DateField(_("ngày của số liệu"), null=True, blank=True)
    built_at = models.DateTimeField(_("tính lại toàn bộ lúc"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("cập nhật lúc"), null=True, blank=True)
    definitions = models.CharField(_("dấu phiên bản định nghĩa"), max_length=80, blank=True)
    build_seconds = models.FloatField(_("thời gian tính lại toàn bộ (giây)"), default=0)

    class Meta:
        verbose_name = _("trạng thái số liệu")
        verbose_name_plural = _("trạng thái số liệu")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="indicators_fact_state_singleton")]

    def __str__(self) -> str:
        return f"{self.day} @ {self.refreshed_at}"


# --- Change capture ---------------------------------------------------------------------------------------


class DirtyKind(models.TextChoices):
    VILLAGE = "village", _("Thôn/tổ dân phố")
    ORGANISATION = "organisation", _("Cơ quan, tổ chức")
    TERRITORY = "territory", _("Danh mục đơn vị hành chính (tính lại toàn bộ)")


class DirtyUnit(models.Model):
    """Đơn vị cần tính lại — a village or organisation whose facts are out of date since `since`. Written by
    database triggers on the registry and learning tables (capture.py) and by `services.mark_dirty`; one
    row per unit (a second change before the refresh adds nothing). `object_id` is a plain number, not a
    foreign key: the trigger must never fail the registry's own write."""

    kind = models.CharField(_("loại"), max_length=12, choices=DirtyKind.choices)
    object_id = models.BigIntegerField(_("mã đối tượng"))
    since = models.DateTimeField(_("từ lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("đơn vị cần tính lại")
        verbose_name_plural = _("đơn vị cần tính lại")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="indicators_dirty_once")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


# --- Who is confirmed on VNeID (filled by the reconciliation with the national platform) --------------------


class VneidCertification(TimeStampedModel):
    """Xác nhận đạt phổ cập trên VNeID — the resident's literacy certificate was pushed to VNeID.

    The numerator of "adults certified on VNeID". The national platform, not the province, writes the
    confirmation into VNeID: the credentials part sends it the certificates, and the list the platform sends
    back is reconciled into this table (`indicators.vneid_reconciliation`), which the capture triggers and the
    computation "vneid_certified" read.
    """

    resident = models.OneToOneField("people.Resident", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(_("nhóm đối tượng"), max_length=20, blank=True)
    pushed_at = models.DateTimeField(_("đưa lên VNeID lúc"))
    reference = models.CharField(_("mã tham chiếu VNeID"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("xác nhận trên VNeID")
        verbose_name_plural = _("xác nhận trên VNeID")

    def __str__(self) -> str:
        return f"{self.resident_id} @ {self.pushed_at:%Y-%m-%d}"
