"""The movement's activities beyond home visits (re-exported by models.py): markets and trading places with their
traders following the 4T model (Chợ số – Nông thôn số, plan IV.4.2), and events (learning festivals, 4T trainings,
youth campaign drives; plan IV.1.3, IV.4.5). Whether a household is a digital family or a market a digital market is
decided by rules that are data (hocvuso/outreach/data/rules.yaml), computed in families.py and markets.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import TimeStampedModel


class MarketKind(models.TextChoices):
    MARKET = "market", _("Chợ")
    TRADING_PLACE = "trading_place", _("Điểm kinh doanh, hợp tác xã")


class Market(TimeStampedModel):
    """Chợ, điểm kinh doanh — a market or trading place of a commune (optionally in one of its villages), whose
    traders learn the 4T model."""

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
    name = models.CharField(_("tên chợ, điểm kinh doanh"), max_length=150)
    kind = models.CharField(_("loại"), max_length=16, choices=MarketKind.choices, default=MarketKind.MARKET)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("chợ, điểm kinh doanh")
        verbose_name_plural = _("chợ, điểm kinh doanh")
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="outreach_market_name_unique"),
            models.CheckConstraint(condition=Q(kind__in=MarketKind.values), name="outreach_market_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Trader(TimeStampedModel):
    """Tiểu thương — a registry resident trading at a market (their stall), a 4T learner."""

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="traders")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    stall = models.CharField(_("quầy, sạp"), max_length=60, blank=True, default="")
    registered_on = models.DateField(_("ngày đăng ký"))

    class Meta:
        verbose_name = _("tiểu thương")
        verbose_name_plural = _("tiểu thương")
        constraints = [models.UniqueConstraint(fields=["market", "resident"], name="outreach_trader_once_per_market")]

    def __str__(self) -> str:
        return f"{self.resident_id} @ {self.market_id}"


class FourT(models.TextChoices):
    """The four Ts of "Chợ số – Nông thôn số" (plan IV.4.2)."""

    TRAINED = "trained", _("Tiểu thương được đào tạo")
    E_COMMERCE = "e_commerce", _("Thương mại điện tử")
    CASHLESS = "cashless", _("Thanh toán không dùng tiền mặt")
    DIGITAL_SAVINGS = "digital_savings", _("Tiết kiệm số")


class TraderStep(TimeStampedModel):
    """One T a trader reached, with its evidence (what was seen: the shop's address online, the QR code at the stall,
    the savings account) and the day it was seen. Once per trader and T."""

    trader = models.ForeignKey(Trader, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("tiêu chí 4T"), max_length=16, choices=FourT.choices)
    evidence = models.CharField(_("minh chứng"), max_length=300)
    achieved_on = models.DateField(_("ngày đạt"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("tiêu chí 4T đã đạt")
        verbose_name_plural = _("tiêu chí 4T đã đạt")
        constraints = [
            models.UniqueConstraint(fields=["trader", "step"], name="outreach_trader_step_once"),
            models.CheckConstraint(condition=Q(step__in=FourT.values), name="outreach_trader_step_valid"),
            models.CheckConstraint(condition=~Q(evidence=""), name="outreach_trader_step_has_evidence"),
        ]

    def __str__(self) -> str:
        return f"{self.trader_id}: {self.step}"


class EventKind(models.TextChoices):
    FESTIVAL = "festival", _("Ngày hội toàn dân học tập số")
    TRAINING_4T = "training_4t", _("Tập huấn mô hình 4T")
    YOUTH_CAMPAIGN = "youth_campaign", _("Đợt ra quân của thanh niên tình nguyện")
    OTHER = "other", _("Sự kiện khác")


class Event(TimeStampedModel):
    """Sự kiện — a learning festival (10/10 and 01/11 each year), a 4T training, a youth campaign drive or another
    event, held in a commune; organised by a unit (the commune, the province) or an organisation (Đoàn Thanh niên,
    Hội Phụ nữ, an enterprise). Participants are those registered, or counted on the day."""

    kind = models.CharField(_("loại sự kiện"), max_length=16, choices=EventKind.choices)
    title = models.CharField(_("tên sự kiện"), max_length=200)
    commune = models.ForeignKey(
        "territory.AdministrativeUnit", verbose_name=_("nơi tổ chức (xã)"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("địa điểm"), max_length=200)
    starts_on = models.DateField(_("ngày bắt đầu"))
    ends_on = models.DateField(_("ngày kết thúc"))
    organiser_unit = models.ForeignKey(
        "territory.AdministrativeUnit",
        verbose_name=_("đơn vị tổ chức"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organiser_organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("tổ chức chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    activities = models.TextField(_("hoạt động"), blank=True, default="", max_length=2000)
    registered = models.PositiveIntegerField(_("số người đăng ký"), default=0)
    participants = models.PositiveIntegerField(_("số người tham gia (đếm tại chỗ)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("sự kiện")
        verbose_name_plural = _("sự kiện")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="outreach_event_kind_valid"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="outreach_event_period_valid"),
            models.CheckConstraint(
                condition=Q(organiser_unit__isnull=False) | Q(organiser_organisation__isnull=False),
                name="outreach_event_has_organiser",
            ),
        ]
        indexes = [models.Index(fields=["commune", "starts_on"]), models.Index(fields=["starts_on"])]

    def __str__(self) -> str:
        return self.title
