"""The dashboards: a unit with each of its children (province → communes → villages), and organisations (the
agency view). Each reads facts only, in a fixed number of queries whatever the number of children."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar, cast

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from hocvuso.accounts.access import require
from hocvuso.accounts.roles import Permission
from hocvuso.people.models import Organisation
from hocvuso.territory.models import CHILD_LEVEL, AdministrativeUnit
from hocvuso.territory.selectors import effective_unit

from ..models import FactLevel, IndicatorFact
from ._figures import (
    TREND_WEEKS,
    Figure,
    Freshness,
    IndicatorInfo,
    LazyFigures,
    Place,
    Row,
    Targets,
    ancestor_paths,
    group_history,
    make_figure,
    read_freshness,
    read_indicators,
    trend_days,
    trend_history,
)

T = TypeVar("T")


@dataclass(frozen=True)
class UnitDashboard:
    """Every indicator for a unit and for each unit directly below it (as counted: mergers followed)."""

    day: date
    unit: Row
    children: tuple[Row, ...]
    child_level: str | None
    indicators: tuple[IndicatorInfo, ...]
    freshness: Freshness


@dataclass(frozen=True)
class OrganisationDashboard:
    """Every indicator that applies to organisations, for each organisation the user may follow."""

    day: date
    rows: tuple[Row, ...]
    indicators: tuple[IndicatorInfo, ...]
    freshness: Freshness


def _facts_by_unit(
    *, unit: int, child_level: str | None, indicator_ids: list[int], days: list[date]
) -> list[tuple[Any, ...]]:
    """(unit id, code, name, level, path, kind, indicator id, n0, d0, n1, d1, …) for the unit and the units
    whose facts are summed into it: each one's facts for an indicator on one row, numerator and denominator of
    each trend day side by side (NULL when there is no fact that day). One query: grouped by numbers only,
    the units joined after the grouping (grouping by their names and paths too would sort every fact of the
    page by text). A province page reads ~900 rows instead of one per child, indicator and week (~7,000)."""
    quote = connection.ops.quote_name
    day, numerator, denominator = quote("day"), quote("numerator"), quote("denominator")
    unit_id, indicator_id, unit_pk = quote("unit_id"), quote("indicator_id"), quote("id")
    pivot, names, params = [], [], list[Any]()
    for index, point_day in enumerate(days):
        pivot.append(f"MAX(CASE WHEN f.{day} = %s THEN f.{numerator} END) AS n{index}")
        pivot.append(f"MAX(CASE WHEN f.{day} = %s THEN f.{denominator} END) AS d{index}")
        names += [f"p.n{index}", f"p.d{index}"]
        params += [point_day, point_day]
    on_days = ", ".join(["%s"] * len(days))
    params += days
    of_indicators = "1 = 0"  # no computable indicator: no facts, the same single query
    if indicator_ids:
        of_indicators = f"f.{indicator_id} IN ({', '.join(['%s'] * len(indicator_ids))})"
        params += indicator_ids
    params += [unit, unit, child_level or "-"]
    places = ", ".join(f"u.{quote(name)}" for name in ("code", "name", "level", "path", "kind"))
    # table and column names come from code; every value is a bound parameter
    sql = f"""
        SELECT p.{unit_id}, {places}, p.{indicator_id}, {", ".join(names)}
        FROM (
            SELECT f.{unit_id}, f.{indicator_id}, {", ".join(pivot)}
            FROM {quote(IndicatorFact._meta.db_table)} f
            WHERE f.{day} IN ({on_days}) AND {of_indicators}
              AND (f.{unit_id} = %s OR (f.{quote("parent_id")} = %s AND f.{quote("level")} = %s))
            GROUP BY f.{unit_id}, f.{indicator_id}
        ) p
        JOIN {quote(AdministrativeUnit._meta.db_table)} u ON u.{unit_pk} = p.{unit_id}
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


class _UnitFacts:
    """What a unit dashboard derives from the facts it read, kept with them (`_FactsCache`): the units the rows
    are about, each one's counts for an indicator, and each figure once computed. A figure is a pure function
    of its indicator, the place's level, the trend days, the place's counts and the target that applies, so a
    figure is kept under the indicator as read (its definition), the place, its level and the target; the days
    and the counts are those of this entry. A province page computes ~140 figures from ~2,000 rows: computed
    once per refresh of the facts in each process instead of on every request. Bounded (MAX_FIGURES: emptied
    when full, e.g. after many changes of targets under one refresh)."""

    __slots__ = ("_figures", "counts_of", "days", "places")
    MAX_FIGURES = 20_000

    def __init__(self, rows: Sequence[Sequence[Any]], days: Sequence[date]) -> None:
        self.days = tuple(days)
        self.places: dict[int, Place] = {}
        self.counts_of: dict[tuple[int, int], Sequence[Any]] = {}
        for pk, code, name, level, path, kind, indicator_id, *counts in rows:
            if pk not in self.places:
                self.places[pk] = Place(pk, code, name, level, path, kind)
            self.counts_of[pk, indicator_id] = counts
        self._figures: dict[tuple[Any, ...], Figure] = {}

    def figure(self, place: Place, info: IndicatorInfo, target: float | None) -> Figure:
        key = (place.pk, place.level, info, target)
        figure = self._figures.get(key)
        if figure is None:
            counts = self.counts_of.get((place.pk, info.pk))
            figure = make_figure(
                info,
                level=place.level,
                days=self.days,
                history=trend_history(self.days, counts) if counts is not None else None,
                target=target,
            )
            if len(self._figures) >= self.MAX_FIGURES:
                self._figures.clear()
            self._figures[key] = figure  # two threads computing the same figure store equal values
        return figure


class _FactsCache:
    """The facts a unit dashboard read, kept in this process for as long as the facts stay the same.

    Facts change only through `services.refresh_facts` and `services.rebuild_facts`, and each sets the state
    row's `refreshed_at` in the same transaction as the facts it writes; the dashboards read that row first
    (`read_freshness`, which they need anyway). So the facts read under one `refreshed_at` are those of that
    moment, and a page never shows figures older than the state row it read: the first request after a refresh
    reads the facts afresh (the ≤ 10 s freshness rule is untouched). The facts of a province page are an
    aggregate of ~18,000 rows (124 communes × the indicators × 13 weeks): reading it once per refresh instead
    of once per request is most of the page's database time, and what is derived from it (`_UnitFacts`: the
    figures) is kept with it. Targets, indicators and the user's access are still read on every request; the
    units' names and paths in the rows follow a change of the territory with the rebuild it queues. Bounded:
    the entries of older states are dropped when a new state is seen, all of them when `MAX_ENTRIES` units are
    kept."""

    MAX_ENTRIES = 256

    def __init__(self) -> None:
        self._state: tuple[Any, dict[tuple[Any, ...], Any]] = (None, {})

    def kept(self, version: Any, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """What `make` returns for the facts' `version` under `key` (None: not kept, made every time), made
        when missing."""
        if version is None:
            return make()
        current, entries = self._state
        if current != version:
            entries = {}
            self._state = (version, entries)  # one assignment: a thread sees the old pair or the new one
        value = entries.get(key)
        if value is None:
            value = make()
            if len(entries) >= self.MAX_ENTRIES:
                entries.clear()
            entries[key] = value
        return cast(T, value)

    def rows(
        self, version: Any, key: tuple[Any, ...], read: Callable[[], list[tuple[Any, ...]]]
    ) -> tuple[tuple[Any, ...], ...]:
        """The rows under `key` for the facts' `version` (None: not cached), read with `read` when missing."""
        return self.kept(version, key, lambda: tuple(read()))

    def clear(self) -> None:
        self._state = (None, {})


FACTS_CACHE = _FactsCache()


def _facts_version(freshness: Freshness) -> Any:
    """What identifies the facts as they stand (None when there is no state row to tell): the database and
    the state row's day and last refresh."""
    if freshness.refreshed_at is None:
        return None
    return (connection.alias, connection.settings_dict.get("NAME"), freshness.day, freshness.refreshed_at)


def unit_dashboard(
    *, user: Any, unit: AdministrativeUnit, on: date | None = None, weeks: int = TREND_WEEKS
) -> UnitDashboard:
    """Every active indicator that applies at the unit's level, for the unit and each of its children: value,
    target, gap, people still to reach, weekly trend over `weeks` weeks, pace, forecast date and status.

    The day is `on`, else the day of the latest facts. An ended (merged) unit shows its successor. Children
    are the units whose facts are summed into the unit (so a merged commune's villages appear under the
    commune that absorbed it). Needs VIEW_PROGRESS on the unit (NotFound otherwise). Five queries: the
    user's roles (none once cached), freshness, indicators, targets, facts — the facts only once per refresh
    of the facts in each process (`_FactsCache`), four queries after that.
    """
    require(user, Permission.VIEW_PROGRESS, unit)
    freshness = read_freshness()
    day = on or freshness.day or timezone.localdate()
    unit = effective_unit(unit, on=day)  # no query while the unit stands for itself
    child_level = CHILD_LEVEL.get(unit.level)  # type: ignore[call-overload]
    indicators = [info for info in read_indicators() if info.applies_at(unit.level)]
    ids = [info.pk for info in indicators if info.computable]
    days = trend_days(day, weeks)
    targets = Targets.read(
        indicator_ids=ids,
        year=day.year,
        scope=Q(unit__path__in=ancestor_paths(unit.path)) | Q(unit__parent_id=unit.pk),
    )
    facts = FACTS_CACHE.kept(
        _facts_version(freshness),
        (unit.pk, child_level, tuple(ids), tuple(days)),
        lambda: _UnitFacts(_facts_by_unit(unit=unit.pk, child_level=child_level, indicator_ids=ids, days=days), days),
    )
    # the unit as read now; its children as the facts' rows name them
    places: dict[int, Place] = {
        **facts.places,
        unit.pk: Place(unit.pk, unit.code, unit.name, unit.level, unit.path, unit.kind),
    }

    def figures(place: Place) -> Callable[[IndicatorInfo], Figure]:
        # Computed when read (a province page shows one indicator per commune: ~140 of ~1,400 figures), and
        # kept with the facts (`_UnitFacts.figure`) for the next request under the same facts and targets.
        def figure(info: IndicatorInfo) -> Figure:
            return facts.figure(place, info, targets.value(info.pk, path=place.path))

        return figure

    def row(place: Place) -> Row:
        # Computed when read: a page showing one indicator per child computes only those figures.
        return Row(place, LazyFigures(indicators, figures(place)))

    children = sorted((place for pk, place in places.items() if pk != unit.pk), key=lambda place: place.code)
    return UnitDashboard(
        day=day,
        unit=row(places[unit.pk]),
        children=tuple(row(child) for child in children),
        child_level=child_level,
        indicators=tuple(indicators),
        freshness=freshness,
    )


def organisation_dashboard(
    *, user: Any, organisation: Organisation | None = None, on: date | None = None, weeks: int = TREND_WEEKS
) -> OrganisationDashboard:
    """The agency view: every indicator that applies to organisations (staff, students, workers), for each
    organisation the user may follow with VIEW_PROGRESS (assigned to them, or located in their subtrees),
    or for one `organisation` (NotFound when the user may not follow it). Organisations with no member of
    an indicator's group have no figure for it (no data). Five queries: roles, freshness, indicators, targets,
    facts (and, for one organisation whose unit is not loaded, its unit).
    """
    visible = Organisation.objects.visible_to(user, Permission.VIEW_PROGRESS)
    if organisation is not None:
        require(user, Permission.VIEW_PROGRESS, organisation)
        visible = Organisation.objects.filter(pk=organisation.pk)
    freshness = read_freshness()
    day = on or freshness.day or timezone.localdate()
    indicators = read_indicators(level=FactLevel.ORGANISATION)
    ids = [info.pk for info in indicators if info.computable]
    targets = Targets.read(
        indicator_ids=ids, year=day.year, scope=Q(organisation__in=visible.values("pk")) | Q(unit__isnull=False)
    )
    days = trend_days(day, weeks)
    rows = IndicatorFact.objects.filter(
        day__in=days,
        indicator_id__in=ids,
        level=FactLevel.ORGANISATION,
        organisation__in=visible.values("pk"),
    ).values_list(
        "organisation_id",
        "organisation__code",
        "organisation__name",
        "organisation__kind",
        "organisation__unit__path",
        "indicator_id",
        "day",
        "numerator",
        "denominator",
    )
    places: dict[int, Place] = {}
    facts = []
    for pk, code, name, kind, path, indicator_id, fact_day, numerator, denominator in rows:
        if pk not in places:
            places[pk] = Place(pk, code, name, FactLevel.ORGANISATION, path or "", kind)
        facts.append((pk, indicator_id, fact_day, numerator, denominator))
    history = group_history(facts)
    result = []
    for place in sorted(places.values(), key=lambda place: (place.name, place.code)):
        figures = tuple(
            make_figure(
                info,
                level=FactLevel.ORGANISATION,
                days=days,
                history=history.get((place.pk, info.pk)),
                target=targets.value(info.pk, path=place.path, organisation_id=place.pk),
            )
            for info in indicators
        )
        result.append(Row(place, figures))
    return OrganisationDashboard(day=day, rows=tuple(result), indicators=tuple(indicators), freshness=freshness)
