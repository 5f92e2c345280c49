"""Emulation ranking (thi đua), the "leave no one behind" list, and the public progress page."""

import math
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import can_reach, require
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.people.models import Organisation
from hocvuso.territory.models import AdministrativeUnit, Level, lies_within

from ..models import FactLevel, IndicatorFact, RankingLevel, RankingWeight
from ._figures import (
    Freshness,
    IndicatorInfo,
    Place,
    Targets,
    ancestor_paths,
    percent,
    read_freshness,
    read_indicators,
)

SUPPRESS_BELOW = 5
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter: "2026-Q3"."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: "str | Quarter") -> "Quarter":
        if isinstance(text, Quarter):
            return text
        match = _QUARTER.match(str(text).strip())
        if not match:
            raise DomainError(_("Quý không hợp lệ (ví dụ: 2026-Q3)."), field="quarter", code="quarter_invalid")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        month = 3 * self.number
        return date(self.year, month, 31 if month in (3, 12) else 30)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


# --- Emulation ranking ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScorePart:
    """One indicator's share of a score: attainment = min(1, value / target); points = weight × attainment."""

    indicator: IndicatorInfo
    numerator: int
    denominator: int
    value: float
    target: float
    attainment: float
    weight: float
    points: float


@dataclass(frozen=True)
class RankingEntry:
    """A commune's or organisation's place: rank (equal scores share a rank), score 0–100 (None without any
    data), and the breakdown the score comes from."""

    rank: int | None
    place: Place
    score: float | None
    breakdown: tuple[ScorePart, ...]


@dataclass(frozen=True)
class EmulationRanking:
    """The ranking as one user may see it: `entries` are the places they follow (ranked among every place of the
    province); `places` and `ranked` count every place of the ranking, and those with a rank."""

    level: str
    quarter: Quarter
    day: date | None
    weights: tuple[IndicatorInfo, ...]
    entries: tuple[RankingEntry, ...]
    places: int = 0
    ranked: int = 0

    @property
    def shows_every_place(self) -> bool:
        return len(self.entries) == self.places


def _province(province: AdministrativeUnit | None) -> AdministrativeUnit:
    if province is not None:
        return province
    found = AdministrativeUnit.objects.filter(code=settings.PROVINCE_CODE, level=Level.PROVINCE).first()
    if found is None:
        raise NotFound()
    return found


def emulation_ranking(
    *, user: Any, level: str, quarter: "str | Quarter", province: AdministrativeUnit | None = None
) -> EmulationRanking:
    """The quarter's emulation ranking of the province's communes (`level` "commune") or of the organisations
    located in it ("organisation"): for each, a score 0–100 = Σ weight × min(1, value / target) / Σ weight
    over the weighted indicators (RankingWeight rows, data) that have people to count, with its breakdown.
    Uses the facts of the quarter's last day, or of the latest day within the quarter that has facts (the
    current quarter: today). Places without any data come last, unranked. Every place is ranked among all of
    the province's; the entries are those the user follows with VIEW_PROGRESS (a commune officer sees their
    commune's place among all). The province defaults to settings.PROVINCE_CODE. Five queries (four with
    `province`; the user's roles once cached). Raises DomainError for an unknown level or quarter."""
    if level not in RankingLevel.values:
        raise DomainError(_("Cấp xếp hạng không hợp lệ."), field="level", code="level_invalid")
    period = Quarter.parse(quarter)
    unit = _province(province)
    weights = list(RankingWeight.objects.filter(level=level, indicator__is_active=True).select_related("indicator"))
    infos = [replace(IndicatorInfo.of(weight.indicator), weight=weight.weight) for weight in weights]
    infos = [info for info in infos if info.computable]
    fact_level = FactLevel.COMMUNE if level == RankingLevel.COMMUNE else FactLevel.ORGANISATION
    facts = IndicatorFact.objects.filter(level=fact_level, indicator_id__in=[info.pk for info in infos])
    if fact_level == FactLevel.COMMUNE:
        facts = facts.filter(parent_id=unit.pk)
    else:
        facts = facts.filter(lies_within(unit, through="organisation__unit"))
    day = facts.filter(day__range=(period.first_day, period.last_day)).aggregate(day=Max("day"))["day"]
    if day is None:
        return EmulationRanking(level, period, None, tuple(infos), ())
    targets = Targets.read(
        indicator_ids=[info.pk for info in infos],
        year=day.year,
        scope=lies_within(unit, through="unit") | Q(organisation__isnull=False),
    )
    names: tuple[str, ...] = ("unit_id", "unit__code", "unit__name", "unit__path", "unit__kind")
    if fact_level == FactLevel.ORGANISATION:
        names = ("organisation_id", "organisation__code", "organisation__name", "organisation__unit__path")
    rows = facts.filter(day=day).values_list(*names, "indicator_id", "numerator", "denominator")
    places: dict[int, Place] = {}
    counts: dict[tuple[int, int], tuple[int, int]] = {}
    for row in rows:
        pk, code, name, path = row[0], row[1], row[2], row[3] or ""
        kind = row[4] if fact_level == FactLevel.COMMUNE else ""
        indicator_id, numerator, denominator = row[-3], row[-2], row[-1]
        places.setdefault(pk, Place(pk, code, name, fact_level, path, kind))
        counts[(pk, indicator_id)] = (int(numerator), int(denominator))
    scored: list[tuple[Place, float | None, tuple[ScorePart, ...]]] = []
    for place in places.values():
        parts = []
        for info in infos:
            numerator, denominator = counts.get((place.pk, info.pk), (0, 0))
            target = targets.value(
                info.pk, path=place.path, organisation_id=place.pk if fact_level == FactLevel.ORGANISATION else None
            )
            value = percent(numerator, denominator)
            if value is None or not target:
                continue
            attainment = min(1.0, value / target)
            weight = float(info.weight or 0)
            parts.append(
                ScorePart(info, numerator, denominator, value, target, attainment, weight, weight * attainment)
            )
        total_weight = sum(part.weight for part in parts)
        score = 100.0 * sum(part.points for part in parts) / total_weight if total_weight else None
        scored.append((place, score, tuple(parts)))
    scored.sort(key=lambda item: (item[1] is None, -(item[1] or 0.0), item[0].code))
    entries = []
    previous: float | None = None
    rank = 0
    for position, (place, score, breakdown) in enumerate(scored, start=1):
        if score is None:
            entries.append(RankingEntry(None, place, None, breakdown))
            continue
        if previous is None or round(score, 6) != round(previous, 6):
            rank = position
        previous = score
        entries.append(RankingEntry(rank, place, score, breakdown))
    organisations = fact_level == FactLevel.ORGANISATION
    followed = tuple(
        entry
        for entry in entries
        if can_reach(
            user,
            Permission.VIEW_PROGRESS,
            path=entry.place.path,
            organisation_id=entry.place.pk if organisations else None,
        )
    )
    ranked = sum(1 for entry in entries if entry.rank is not None)
    return EmulationRanking(level, period, day, tuple(infos), followed, places=len(entries), ranked=ranked)


# --- Leave no one behind ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """A place and an indicator far from target: `to_reach` people still to reach the target, `not_reached`
    people not reached at all (numerator's complement)."""

    place: Place
    indicator: IndicatorInfo
    numerator: int
    denominator: int
    value: float
    target: float | None
    to_reach: int
    not_reached: int


@dataclass(frozen=True)
class FurthestFromTarget:
    day: date
    units: tuple[Gap, ...]
    organisations: tuple[Gap, ...]
    freshness: Freshness


def _gap(place: Place, info: IndicatorInfo, numerator: int, denominator: int, target: float | None) -> Gap:
    value = percent(numerator, denominator) or 0.0
    required = math.ceil(target * denominator / 100 - 1e-9) if target is not None else denominator
    return Gap(
        place, info, numerator, denominator, value, target, max(0, required - numerator), denominator - numerator
    )


def furthest_from_target(
    *, user: Any, unit: AdministrativeUnit, limit: int = 20, on: date | None = None, level: str = Level.VILLAGE
) -> FurthestFromTarget:
    """ "Leave no one behind": within the unit, the places (units at `level`, villages by default) and the
    organisations located there, each with an indicator, that have the most people still to reach to meet
    the target (then the most people not reached), at most `limit` of each. Only indicators with a target
    direction "up" that apply at that level (organisations: at the organisation level). Needs VIEW_PROGRESS
    on the unit (NotFound otherwise); organisations are those the user may follow. Six queries: roles,
    freshness, indicators, targets, unit facts, organisation facts."""
    require(user, Permission.VIEW_PROGRESS, unit)
    freshness = read_freshness()
    day = on or freshness.day or timezone.localdate()
    indicators = [info for info in read_indicators(outcome_only=True) if info.computable and info.direction == "up"]
    by_pk = {info.pk: info for info in indicators}
    at_level = [info.pk for info in indicators if info.applies_at(level)]
    at_organisation = [info.pk for info in indicators if info.applies_at(FactLevel.ORGANISATION)]
    targets = Targets.read(
        indicator_ids=list(by_pk),
        year=day.year,
        scope=Q(unit__path__in=ancestor_paths(unit.path))
        | lies_within(unit, through="unit")
        | Q(organisation__isnull=False),
    )
    unit_rows = IndicatorFact.objects.filter(
        lies_within(unit, through="unit"),
        day=day,
        level=level,
        indicator_id__in=at_level,
        numerator__lt=F("denominator"),
    ).values_list(
        "unit_id", "unit__code", "unit__name", "unit__path", "unit__kind", "indicator_id", "numerator", "denominator"
    )
    units = []
    for pk, code, name, path, kind, indicator_id, numerator, denominator in unit_rows:
        info = by_pk[indicator_id]
        place = Place(pk, code, name, level, path, kind)
        units.append(_gap(place, info, int(numerator), int(denominator), targets.value(info.pk, path=path)))
    visible = Organisation.objects.visible_to(user, Permission.VIEW_PROGRESS).filter(lies_within(unit, through="unit"))
    organisation_rows = IndicatorFact.objects.filter(
        day=day,
        level=FactLevel.ORGANISATION,
        indicator_id__in=at_organisation,
        organisation__in=visible.values("pk"),
        numerator__lt=F("denominator"),
    ).values_list(
        "organisation_id",
        "organisation__code",
        "organisation__name",
        "organisation__unit__path",
        "organisation__kind",
        "indicator_id",
        "numerator",
        "denominator",
    )
    organisations = []
    for pk, code, name, path, kind, indicator_id, numerator, denominator in organisation_rows:
        info = by_pk[indicator_id]
        place = Place(pk, code, name, FactLevel.ORGANISATION, path or "", kind)
        target = targets.value(info.pk, path=path or "", organisation_id=pk)
        organisations.append(_gap(place, info, int(numerator), int(denominator), target))

    def worst(gaps: list[Gap]) -> tuple[Gap, ...]:
        gaps.sort(key=lambda gap: (-gap.to_reach, -gap.not_reached, gap.place.code, gap.indicator.pk))
        return tuple(gap for gap in gaps if gap.to_reach > 0 or gap.target is None)[:limit]

    return FurthestFromTarget(day, worst(units), worst(organisations), freshness)


# --- Public page ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicFigure:
    """An indicator's aggregate for the public: counts between 1 and SUPPRESS_BELOW − 1 (and the people not
    reached, when that few) are withheld, with the percentage, so no person can be singled out; so are the
    figures withheld to protect them (`_withheld`, `_province_withheld`)."""

    indicator: IndicatorInfo
    numerator: int | None
    denominator: int | None
    value: float | None
    target: float | None
    suppressed: bool


@dataclass(frozen=True)
class PublicRow:
    place: Place
    figures: tuple[PublicFigure, ...]


@dataclass(frozen=True)
class PublicProgress:
    day: date
    province: PublicRow
    communes: tuple[PublicRow, ...]
    indicators: tuple[IndicatorInfo, ...]
    freshness: Freshness


def _small(count: int) -> bool:
    return 0 < count < SUPPRESS_BELOW


def _singles_out(numerator: int, denominator: int) -> bool:
    """A commune's own figure is withheld when it counts 1–4 people (reached, in the group, or not reached)."""
    return _small(numerator) or _small(denominator) or _small(denominator - numerator)


def _discloses(numerator: int, denominator: int) -> bool:
    """What an attacker could work out for the withheld communes together gives something away: fewer than
    SUPPRESS_BELOW people reached, in the group or not reached — 0 included: "none of them" (0) and "all of
    them" (100%) tell each person's status as surely as a count of 1."""
    return numerator < SUPPRESS_BELOW or denominator < SUPPRESS_BELOW or denominator - numerator < SUPPRESS_BELOW


def _withheld(counts: dict[int, tuple[int, int]]) -> set[int]:
    """The communes whose figure of one indicator is withheld: those whose counts single people out, and then,
    because the province total is shown, the next smallest communes until the withheld ones together disclose
    nothing either (`_discloses`: else the total minus the communes shown would give them away)."""
    withheld = {pk for pk, (numerator, denominator) in counts.items() if _singles_out(numerator, denominator)}
    if not withheld:
        return withheld
    others = sorted((pk for pk in counts if pk not in withheld), key=lambda pk: (counts[pk][1], pk))

    def recoverable() -> bool:
        numerator = sum(counts[pk][0] for pk in withheld)
        denominator = sum(counts[pk][1] for pk in withheld)
        return len(withheld) == 1 or _discloses(numerator, denominator)

    while others and recoverable():
        withheld.add(others.pop(0))
    return withheld


def _province_withheld(total: tuple[int, int] | None, counts: dict[int, tuple[int, int]], withheld: set[int]) -> bool:
    """True when the province total must be withheld too: communes are withheld and the total minus the communes
    shown — the attacker's subtraction — would still disclose them (no commune was left to add to them)."""
    if total is None or not withheld:
        return False
    shown = [counts[pk] for pk in counts if pk not in withheld]
    numerator = total[0] - sum(pair[0] for pair in shown)
    denominator = total[1] - sum(pair[1] for pair in shown)
    return _discloses(numerator, denominator)


def _public_figure(
    info: IndicatorInfo, counts: tuple[int, int] | None, target: float | None, withheld: bool = False
) -> PublicFigure:
    if counts is None:
        return PublicFigure(info, None, None, None, target, False)
    numerator, denominator = counts
    if withheld or _singles_out(numerator, denominator):
        return PublicFigure(info, None, None, None, target, True)
    return PublicFigure(info, numerator, denominator, percent(numerator, denominator), target, False)


def public_progress(*, province: AdministrativeUnit | None = None, on: date | None = None) -> PublicProgress:
    """Aggregate progress of the province and of each commune on the outcome indicators that apply to
    communes — no personal data; counts below SUPPRESS_BELOW are withheld (see PublicFigure). The province
    defaults to settings.PROVINCE_CODE. Five queries (four with `province`): province, freshness,
    indicators, targets, facts."""
    unit = _province(province)
    freshness = read_freshness()
    day = on or freshness.day or timezone.localdate()
    indicators = [info for info in read_indicators(level=FactLevel.COMMUNE, outcome_only=True) if info.computable]
    ids = [info.pk for info in indicators]
    targets = Targets.read(indicator_ids=ids, year=day.year, scope=Q(pk__in=[]))
    rows = (
        IndicatorFact.objects.filter(day=day, indicator_id__in=ids)
        .filter(Q(unit_id=unit.pk) | Q(parent_id=unit.pk, level=FactLevel.COMMUNE))
        .values_list(
            "unit_id",
            "unit__code",
            "unit__name",
            "unit__level",
            "unit__path",
            "unit__kind",
            "indicator_id",
            "numerator",
            "denominator",
        )
    )
    places: dict[int, Place] = {unit.pk: Place(unit.pk, unit.code, unit.name, unit.level, unit.path, unit.kind)}
    counts: dict[tuple[int, int], tuple[int, int]] = {}
    for pk, code, name, level, path, kind, indicator_id, numerator, denominator in rows:
        places.setdefault(pk, Place(pk, code, name, level, path, kind))
        counts[(pk, indicator_id)] = (int(numerator), int(denominator))

    communes = sorted((place for pk, place in places.items() if pk != unit.pk), key=lambda place: place.name)
    withheld: dict[int, set[int]] = {}
    for info in indicators:
        by_commune = {place.pk: counts[(place.pk, info.pk)] for place in communes if (place.pk, info.pk) in counts}
        withheld[info.pk] = _withheld(by_commune)
        if _province_withheld(counts.get((unit.pk, info.pk)), by_commune, withheld[info.pk]):
            withheld[info.pk].add(unit.pk)

    def row(place: Place) -> PublicRow:
        return PublicRow(
            place,
            tuple(
                _public_figure(
                    info, counts.get((place.pk, info.pk)), targets.value(info.pk), place.pk in withheld[info.pk]
                )
                for info in indicators
            ),
        )

    return PublicProgress(
        day=day,
        province=row(places[unit.pk]),
        communes=tuple(row(place) for place in communes),
        indicators=tuple(indicators),
        freshness=freshness,
    )


__all__ = [
    "SUPPRESS_BELOW",
    "EmulationRanking",
    "FurthestFromTarget",
    "Gap",
    "PublicFigure",
    "PublicProgress",
    "PublicRow",
    "Quarter",
    "RankingEntry",
    "ScorePart",
    "emulation_ranking",
    "furthest_from_target",
    "public_progress",
]
