"""Figures over a period, for reports: every indicator of a unit and of each unit below it (or of organisations)
on a day, with the value at the start of the period — the facts only, never the registry, in a fixed number of
queries whatever the number of places.

Unlike the dashboards these take no user: the caller (the reporting domain) has already decided who may read
the report the figures go into. The figure on a day is the dashboards' own (`make_figure` over the same weekly
trend days), so a report frozen on a day shows what the dashboard showed that day.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max, Min, Q

from hocvuso.people.models import Organisation
from hocvuso.territory.models import CHILD_LEVEL, AdministrativeUnit

from ..models import FactLevel, IndicatorFact
from ._figures import (
    TREND_WEEKS,
    Figure,
    IndicatorInfo,
    Place,
    Row,
    Targets,
    ancestor_paths,
    group_history,
    make_figure,
    percent,
    read_indicators,
    trend_days,
    trend_history,
)
from .dashboards import _facts_by_unit


@dataclass(frozen=True)
class PeriodRow:
    """A place's figures on the day, and each indicator's value and numerator on the period's start day
    (`start`: indicator code → (value %, numerator); missing when there was no fact then)."""

    row: Row
    start: dict[str, tuple[float | None, int]]

    def change(self, figure: Figure) -> float | None:
        """The change in points of the figure's value since the start of the period (None without both)."""
        before = self.start.get(figure.indicator.code)
        if before is None or before[0] is None or figure.value is None:
            return None
        return figure.value - before[0]

    def newly_reached(self, figure: Figure) -> int | None:
        """People counted by the numerator on the day who were not at the start of the period."""
        before = self.start.get(figure.indicator.code)
        if before is None or figure.numerator is None:
            return None
        return figure.numerator - before[1]


@dataclass(frozen=True)
class PeriodFigures:
    """Figures of places on `day` (the latest day up to the asked one that has facts), with their values on
    `start_day` (the last day before the period with facts, else the first day of the period with facts)."""

    day: date | None
    start_day: date | None
    indicators: tuple[IndicatorInfo, ...]
    rows: tuple[PeriodRow, ...]

    def row(self, code: str) -> PeriodRow | None:
        return next((row for row in self.rows if row.row.place.code == code), None)


def _days(facts: Any, *, on: date, period_start: date) -> tuple[date | None, date | None]:
    """The facts' day for `on` and the period's start day, in one query."""
    bounds = facts.aggregate(
        latest=Max("day", filter=Q(day__lte=on)),
        before=Max("day", filter=Q(day__lt=period_start)),
        first=Min("day", filter=Q(day__gte=period_start, day__lte=on)),
    )
    return bounds["latest"], bounds["before"] or bounds["first"]


def _start_values(history: dict[date, tuple[int, int]] | None, start_day: date | None) -> tuple[float | None, int]:
    counts = (history or {}).get(start_day) if start_day else None
    return (percent(counts[0], counts[1]), counts[0]) if counts else (None, 0)


def unit_period_figures(
    *, unit: AdministrativeUnit, on: date, period_start: date, children: bool = True, weeks: int = TREND_WEEKS
) -> PeriodFigures:
    """Every active indicator that applies at the unit's level, for the unit (and, with `children`, each unit
    whose facts are summed into it) on `on`, with the values at the start of the period. Four queries: the
    days, indicators, targets, facts."""
    day, start_day = _days(IndicatorFact.objects.filter(unit=unit), on=on, period_start=period_start)
    indicators = [info for info in read_indicators() if info.applies_at(unit.level)]
    if day is None:
        return PeriodFigures(None, None, tuple(indicators), ())
    ids = [info.pk for info in indicators if info.computable]
    days = trend_days(day, weeks)
    read_days = sorted({*days, *([start_day] if start_day else [])})
    child_level = CHILD_LEVEL.get(unit.level) if children else None  # type: ignore[call-overload]
    targets = Targets.read(
        indicator_ids=ids,
        year=day.year,
        scope=Q(unit__path__in=ancestor_paths(unit.path)) | Q(unit__parent_id=unit.pk),
    )
    places: dict[int, Place] = {unit.pk: Place(unit.pk, unit.code, unit.name, unit.level, unit.path, unit.kind)}
    history: dict[tuple[int, int], dict[date, tuple[int, int]]] = {}
    for pk, code, name, level, path, kind, indicator_id, *counts in _facts_by_unit(
        unit=unit.pk, child_level=child_level, indicator_ids=ids, days=read_days
    ):
        places.setdefault(pk, Place(pk, code, name, level, path, kind))
        history[pk, indicator_id] = trend_history(read_days, counts)
    ordered = [places[unit.pk], *sorted((p for pk, p in places.items() if pk != unit.pk), key=lambda p: p.code)]
    rows = []
    for place in ordered:
        figures = tuple(
            make_figure(
                info,
                level=place.level,
                days=days,
                history=history.get((place.pk, info.pk)),
                target=targets.value(info.pk, path=place.path),
            )
            for info in indicators
        )
        start = {info.code: _start_values(history.get((place.pk, info.pk)), start_day) for info in indicators}
        rows.append(PeriodRow(Row(place, figures), start))
    return PeriodFigures(day, start_day, tuple(indicators), tuple(rows))


def organisation_period_figures(
    *, organisations: Sequence[Organisation], on: date, period_start: date, weeks: int = TREND_WEEKS
) -> PeriodFigures:
    """Every active indicator that applies to organisations, for each of the organisations on `on`, with the
    values at the start of the period; organisations in the order given (read with their `unit`). Four queries:
    the days, indicators, targets, facts."""
    ids_of = [organisation.pk for organisation in organisations]
    indicators = read_indicators(level=FactLevel.ORGANISATION)
    facts = IndicatorFact.objects.filter(level=FactLevel.ORGANISATION, organisation_id__in=ids_of)
    day, start_day = _days(facts, on=on, period_start=period_start)
    if day is None:
        return PeriodFigures(None, None, tuple(indicators), ())
    ids = [info.pk for info in indicators if info.computable]
    days = trend_days(day, weeks)
    read_days = sorted({*days, *([start_day] if start_day else [])})
    targets = Targets.read(
        indicator_ids=ids, year=day.year, scope=Q(organisation_id__in=ids_of) | Q(unit__isnull=False)
    )
    history = group_history(
        facts.filter(day__in=read_days, indicator_id__in=ids).values_list(
            "organisation_id", "indicator_id", "day", "numerator", "denominator"
        )
    )
    rows = []
    for organisation in organisations:
        path = organisation.unit.path if organisation.unit_id else ""
        place = Place(organisation.pk, organisation.code, organisation.name, FactLevel.ORGANISATION, path, "")
        figures = tuple(
            make_figure(
                info,
                level=FactLevel.ORGANISATION,
                days=days,
                history=history.get((organisation.pk, info.pk)),
                target=targets.value(info.pk, path=path, organisation_id=organisation.pk),
            )
            for info in indicators
        )
        start = {info.code: _start_values(history.get((organisation.pk, info.pk)), start_day) for info in indicators}
        rows.append(PeriodRow(Row(place, figures), start))
    return PeriodFigures(day, start_day, tuple(indicators), tuple(rows))
