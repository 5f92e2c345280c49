"""Chợ số – Nông thôn số, the 4T model (plan IV.4.2): a commune's markets and trading places, their traders (registry
residents with their stall) and each T a trader reached, with its evidence and day; and the digital-market rule (data,
rules.py) compiled to queries. The `traders-trained` and `digital-markets` indicators count with `trader_complete` and
`market_is_digital`; the commune's page reads `market_rows`.

Writes are keyword-only services in one transaction; they check access (MANAGE_PEOPLE over the commune: its
officers) and audit. `actor` None is the system (the demo).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import require
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit
from hocvuso.people.models import Resident
from hocvuso.territory.models import AdministrativeUnit, Level, path_within

from .activity_models import FourT, Market, MarketKind, Trader, TraderStep
from .rules import MarketRule, rules

MAX_EVIDENCE = 300


def _check_commune(commune: AdministrativeUnit, actor: Any) -> None:
    if commune.level != Level.COMMUNE:
        raise DomainError(_("Chợ phải thuộc một xã, phường."), field="commune", code="not_a_commune")
    if actor is not None:
        require(actor, Permission.MANAGE_PEOPLE, commune)


def create_market(
    *, commune: AdministrativeUnit, name: str, kind: str, actor: Any, village: AdministrativeUnit | None = None
) -> Market:
    """Register a market or trading place of a commune (optionally in one of its villages). Returns it. Raises
    NotFound outside the actor's scope; DomainError for a unit that is not a commune, a village outside it, an unknown
    kind, an empty name or a name the commune already uses."""
    _check_commune(commune, actor)
    if village is not None and (village.level != Level.VILLAGE or not path_within(village.path, commune.path)):
        raise DomainError(_("Thôn không thuộc xã, phường này."), field="village", code="village_outside")
    if kind not in MarketKind.values:
        raise DomainError(_("Loại chợ không hợp lệ."), field="kind", code="kind_invalid")
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Chợ cần có tên."), field="name", code="required")
    with transaction.atomic():
        if Market.objects.filter(commune=commune, name=name).exists():
            raise DomainError(_("Xã đã có chợ mang tên này."), field="name", code="duplicate_name")
        market = Market.objects.create(commune=commune, village=village, name=name, kind=kind, created_by=actor)
        record_audit(actor=actor, action="outreach.create_market", target=market, details={"kind": kind})
    return market


def register_trader(
    *, market: Market, resident: Resident, stall: str, actor: Any, on: datetime.date | None = None
) -> Trader:
    """Register a resident as a trader of the market (a 4T learner) with their stall. Returns the trader. Raises
    NotFound outside the actor's scope; DomainError when the resident does not live in the market's commune or is
    already a trader there."""
    _check_commune(market.commune, actor)
    if not path_within(resident.village.path, market.commune.path):
        raise DomainError(_("Người này không sống tại xã, phường của chợ."), field="resident", code="resident_outside")
    stall = " ".join(stall.split())[:60]
    try:
        with transaction.atomic():
            trader = Trader.objects.create(
                market=market, resident=resident, stall=stall, registered_on=on or timezone.localdate()
            )
            record_audit(actor=actor, action="outreach.register_trader", target=trader, details={"market": market.pk})
    except IntegrityError:
        raise DomainError(
            _("Người này đã là tiểu thương của chợ."), field="resident", code="duplicate_trader"
        ) from None
    return trader


def record_trader_step(
    *, trader: Trader, step: str, evidence: str, achieved_on: datetime.date, actor: Any
) -> TraderStep:
    """Record that a trader reached one T of the 4T model, with what shows it and the day. Returns the record. Raises
    NotFound outside the actor's scope; DomainError for an unknown T, empty or too long evidence, a day in the future
    or before the trader was registered, or a T already recorded (recorded once; a resend changes nothing)."""
    _check_commune(trader.market.commune, actor)
    if step not in FourT.values:
        raise DomainError(_("Tiêu chí 4T không hợp lệ."), field="step", code="step_invalid")
    evidence = " ".join(evidence.split())
    if not evidence:
        raise DomainError(_("Cần ghi minh chứng."), field="evidence", code="required")
    if len(evidence) > MAX_EVIDENCE:
        raise DomainError(_("Minh chứng quá dài."), field="evidence", code="too_long")
    if achieved_on > timezone.localdate():
        raise DomainError(_("Ngày đạt không thể ở tương lai."), field="achieved_on", code="future")
    if achieved_on < trader.registered_on:
        raise DomainError(_("Ngày đạt trước ngày đăng ký tiểu thương."), field="achieved_on", code="before_trader")
    try:
        with transaction.atomic():
            made = TraderStep.objects.create(
                trader=trader, step=step, evidence=evidence, achieved_on=achieved_on, recorded_by=actor
            )
            record_audit(
                actor=actor,
                action="outreach.record_trader_step",
                target=trader,
                details={"step": step, "achieved_on": achieved_on.isoformat()},
            )
    except IntegrityError:
        raise DomainError(_("Tiêu chí này đã được ghi nhận."), field="step", code="duplicate_step") from None
    return made


# --- The rules as queries -------------------------------------------------------------------------------------


def _reached(trader: Any, steps: tuple[str, ...], day: datetime.date) -> Q:
    reached = Q()
    for step in steps:
        reached &= Q(Exists(TraderStep.objects.filter(trader=trader, step=step, achieved_on__lte=day)))
    return reached


def trader_complete(trader: Any, day: datetime.date) -> Q:
    """The trader (an expression naming their id) reached all four Ts by the day."""
    return _reached(trader, tuple(FourT.values), day)


def market_is_digital(market: Any, day: datetime.date, rule: MarketRule | None = None) -> Exists:
    """The market (an expression naming its id) is a digital market on the day by the rule (the one in force unless
    given): at least `min_traders` traders registered by then, and at least `min_share_percent` % of them reached
    every T of the rule."""
    rule = rule or rules().digital_market
    registered = Trader.objects.filter(market=OuterRef("pk"), registered_on__lte=day).order_by()
    total = registered.values("market").annotate(n=Count("pk")).values("n")[:1]
    reached = (
        registered.filter(_reached(OuterRef("pk"), rule.steps, day)).values("market").annotate(n=Count("pk"))
    ).values("n")[:1]
    candidates = Market.objects.filter(pk=market).annotate(
        total=Coalesce(Subquery(total), 0), reached=Coalesce(Subquery(reached), 0)
    )
    return Exists(
        candidates.filter(total__gte=rule.min_traders).filter(
            GreaterThanOrEqual(F("reached") * 100, F("total") * rule.min_share_percent)
        )
    )


# --- Reads for the commune's page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TraderRow:
    trader: Trader
    steps: dict[str, TraderStep]

    @property
    def complete(self) -> bool:
        return len(self.steps) == len(FourT.values)


@dataclass(frozen=True)
class MarketRow:
    market: Market
    traders: list[TraderRow]
    is_digital: bool

    @property
    def complete_count(self) -> int:
        return sum(row.complete for row in self.traders)


def market_rows(commune: AdministrativeUnit, *, day: datetime.date | None = None) -> list[MarketRow]:
    """The commune's markets with their traders, the Ts each reached and whether the market is a digital market
    today (three queries). The caller has checked the user may see the commune's people."""
    day = day or timezone.localdate()
    markets = list(
        Market.objects.filter(commune=commune)
        .select_related("village")
        .annotate(digital=market_is_digital(OuterRef("pk"), day))
        .order_by("name")
    )
    traders = list(
        Trader.objects.filter(market__in=markets).select_related("resident__village").order_by("resident__full_name")
    )
    steps: dict[int, dict[str, TraderStep]] = {}
    for step in TraderStep.objects.filter(trader__in=traders):
        steps.setdefault(step.trader_id, {})[step.step] = step
    by_market: dict[int, list[TraderRow]] = {}
    for trader in traders:
        by_market.setdefault(trader.market_id, []).append(TraderRow(trader=trader, steps=steps.get(trader.pk, {})))
    return [
        MarketRow(market=market, traders=by_market.get(market.pk, []), is_digital=bool(market.digital))
        for market in markets
    ]
