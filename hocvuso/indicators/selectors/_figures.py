"""The arithmetic of a figure: targets (which one applies where), value, gap, people still to reach, the
weekly trend, the forecast at the current pace and the status band. Pure functions over rows already read."""

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any, cast, overload

from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.fields import DateTimeField, IntegerField
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hocvuso.territory.models import path_within

from ..computations import HOUSEHOLD, POPULATIONS, is_computable
from ..models import DirtyUnit, FactState, Indicator, IndicatorKind, Measure, Target

TREND_WEEKS = 13  # a quarter of weekly points
# Beyond this many weeks a "forecast" says nothing useful: it is reported as none.
FORECAST_HORIZON_WEEKS = 52 * 30


class Status(StrEnum):
    """Where a figure stands against its target, for the status colours."""

    MET = "met"  # the target is reached
    ON_TRACK = "on_track"  # at the current pace, reached by the end of the year
    AT_RISK = "at_risk"  # progressing, but the forecast date is after the end of the year
    OFF_TRACK = "off_track"  # flat or going back (no forecast)
    NO_TARGET = "no_target"
    NO_DATA = "no_data"  # nobody to count (denominator 0) or no facts for the day
    NO_SOURCE = "no_source"  # the indicator's source part is not built yet
    NOT_APPLICABLE = "not_applicable"  # the indicator does not apply at this level


# The statuses' names, one list for the pages, the exports and the reports.
STATUS_LABELS: Mapping[str, str | Promise] = {
    Status.MET: _("Đạt mục tiêu"),
    Status.ON_TRACK: _("Đúng tiến độ"),
    Status.AT_RISK: _("Có nguy cơ chậm"),
    Status.OFF_TRACK: _("Chậm tiến độ"),
    Status.NO_TARGET: _("Chưa có mục tiêu"),
    Status.NO_DATA: _("Chưa có số liệu"),
    Status.NO_SOURCE: _("Chưa có nguồn số liệu"),
    Status.NOT_APPLICABLE: _("Không áp dụng"),
}

BANDS: Mapping[str, str] = {
    Status.MET: "green",
    Status.ON_TRACK: "green",
    Status.AT_RISK: "amber",
    Status.OFF_TRACK: "red",
    Status.NO_TARGET: "grey",
    Status.NO_DATA: "grey",
    Status.NO_SOURCE: "grey",
    Status.NOT_APPLICABLE: "grey",
}


@dataclass(frozen=True)
class IndicatorInfo:
    """What a page shows about an indicator (no query behind it)."""

    pk: int
    code: str
    name: str
    name_en: str
    kind: str
    measure: str
    direction: str
    source: str
    levels: tuple[str, ...]
    computable: bool
    weight: Decimal | None = None
    counts_households: bool = False  # the indicator counts households ("hộ"), not people

    @classmethod
    def of(cls, indicator: Indicator) -> "IndicatorInfo":
        return cls(
            pk=indicator.pk,
            code=indicator.code,
            name=indicator.name_vi,
            name_en=indicator.name_en,
            kind=indicator.kind,
            measure=indicator.measure,
            direction=indicator.direction,
            source=indicator.source,
            levels=tuple(indicator.levels or ()),
            computable=is_computable(indicator),
            counts_households=getattr(POPULATIONS.get(indicator.population), "entity", "") == HOUSEHOLD,
        )

    def applies_at(self, level: str) -> bool:
        return level in self.levels


@dataclass(frozen=True)
class Place:
    """A unit or an organisation a row of figures is about."""

    pk: int
    code: str
    name: str
    level: str
    path: str = ""
    kind: str = ""


@dataclass(frozen=True)
class TrendPoint:
    day: date
    value: float | None


@dataclass(frozen=True)
class Figure:
    """One indicator at one place on one day: value (%) = numerator / denominator, the target that applies,
    the gap in points, the people still to reach to meet the target, the people not reached at all, the
    weekly trend, the pace (points per week), the forecast date at that pace, and the status band."""

    indicator: IndicatorInfo
    status: str
    numerator: int | None = None
    denominator: int | None = None
    value: float | None = None
    target: float | None = None
    gap: float | None = None
    to_reach: int | None = None
    not_reached: int | None = None
    trend: tuple[TrendPoint, ...] = ()
    pace: float | None = None
    forecast: date | None = None

    @property
    def band(self) -> str:
        return BANDS[self.status]


class LazyFigures(Sequence[Figure]):
    """A row's figures, each computed the first time it is read (then kept): a province page shows one
    indicator for each of its ~120 communes, the export shows them all. Reads like a tuple of the figures in
    the order of the indicators (and compares equal to one)."""

    __slots__ = ("_done", "_indicators", "_make", "_positions")

    def __init__(self, indicators: Sequence[IndicatorInfo], make: Callable[[IndicatorInfo], Figure]) -> None:
        self._indicators = tuple(indicators)
        self._make = make
        self._done: list[Figure | None] = [None] * len(self._indicators)
        self._positions = {info.code: index for index, info in enumerate(self._indicators)}

    def __len__(self) -> int:
        return len(self._indicators)

    @overload
    def __getitem__(self, index: int) -> Figure: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Figure, ...]: ...

    def __getitem__(self, index: int | slice) -> Figure | tuple[Figure, ...]:
        if isinstance(index, slice):
            return tuple(self[position] for position in range(*index.indices(len(self))))
        figure = self._done[index]
        if figure is None:
            figure = self._done[index] = self._make(self._indicators[index])
        return figure

    def __iter__(self) -> Iterator[Figure]:
        return (self[position] for position in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def of(self, code: str) -> Figure | None:
        """The figure of the indicator with this code (None when there is none), computing only that one."""
        position = self._positions.get(code)
        return None if position is None else self[position]


@dataclass(frozen=True)
class Row:
    """A place and its figures, in the order of the indicators (a tuple, or LazyFigures)."""

    place: Place
    figures: Sequence[Figure]

    def figure(self, code: str) -> Figure | None:
        if isinstance(self.figures, LazyFigures):
            return self.figures.of(code)
        return next((figure for figure in self.figures if figure.indicator.code == code), None)


@dataclass(frozen=True)
class Freshness:
    """How current the facts are: `day` they are for; `as_of`, the moment before which every committed change
    is counted; `refreshed_at`, the last refresh; `pending`, units waiting to be recomputed."""

    day: date | None
    as_of: datetime | None
    refreshed_at: datetime | None
    pending: int


# --- Reading what every page needs ---------------------------------------------------------------------------


def read_freshness() -> Freshness:
    """The facts' day and "as of" moment, in one query (the state row with the queue's size and oldest mark)."""
    queue = DirtyUnit._meta.db_table
    state = (
        FactState.objects.filter(pk=1)
        .annotate(
            pending=RawSQL(f"SELECT COUNT(*) FROM {queue}", [], output_field=IntegerField()),  # noqa: S608, S611
            oldest=RawSQL(f"SELECT MIN(since) FROM {queue}", [], output_field=DateTimeField()),  # noqa: S608, S611
        )
        .first()
    )
    if state is None:
        return Freshness(day=None, as_of=None, refreshed_at=None, pending=0)
    pending = int(getattr(state, "pending", 0) or 0)
    oldest = getattr(state, "oldest", None)
    if isinstance(oldest, str):  # SQLite hands back text for a raw expression
        oldest = datetime.fromisoformat(oldest).replace(tzinfo=timezone.get_current_timezone())
    today = timezone.localdate()
    if state.day != today:
        as_of = state.refreshed_at
    elif pending == 0:
        as_of = timezone.now()
    else:
        as_of = min(oldest, timezone.now()) if oldest else state.refreshed_at
    return Freshness(day=state.day, as_of=as_of, refreshed_at=state.refreshed_at, pending=pending)


def read_indicators(*, level: str | None = None, outcome_only: bool = False) -> list[IndicatorInfo]:
    """Active indicators (applying at the level, if given), in their order. One query."""
    indicators = Indicator.objects.active()
    if outcome_only:
        indicators = indicators.filter(kind=IndicatorKind.OUTCOME)
    infos = [IndicatorInfo.of(indicator) for indicator in indicators]
    return [info for info in infos if level is None or info.applies_at(level)]


@dataclass(frozen=True)
class TargetRow:
    indicator_id: int
    year: int
    path: str | None  # the unit's path for a unit override
    organisation_id: int | None
    value: float


class Targets:
    """The targets read for a page, and the rule that picks one: among the targets that apply to the place
    (the province default; an override for the place's unit or a unit above it; for an organisation, its
    own override), the latest year up to the day's year wins; within that year, the most specific."""

    def __init__(self, rows: Iterable[TargetRow]) -> None:
        self.by_indicator: dict[int, list[TargetRow]] = {}
        for row in rows:
            self.by_indicator.setdefault(row.indicator_id, []).append(row)

    @classmethod
    def read(cls, *, indicator_ids: Sequence[int], year: int, scope: Q) -> "Targets":
        """One query: the targets of the indicators up to the year, defaults and the overrides in `scope`."""
        rows = (
            Target.objects.filter(indicator_id__in=list(indicator_ids), year__lte=year)
            .filter(Q(unit__isnull=True, organisation__isnull=True) | scope)
            .values_list("indicator_id", "year", "unit__path", "organisation_id", "value")
        )
        return cls(TargetRow(i, y, p, o, float(v)) for i, y, p, o, v in rows)

    def value(self, indicator_id: int, *, path: str = "", organisation_id: int | None = None) -> float | None:
        row = self.chosen(indicator_id, path=path, organisation_id=organisation_id)
        return row.value if row is not None else None

    def chosen(self, indicator_id: int, *, path: str = "", organisation_id: int | None = None) -> TargetRow | None:
        """The target that applies to the place (the unit at `path`, or the organisation), by the rule above;
        None when no target applies. Its row says where the target comes from (the targets page shows it)."""
        best: tuple[int, int] | None = None
        chosen: TargetRow | None = None
        for row in self.by_indicator.get(indicator_id, ()):
            if row.organisation_id is not None:
                if row.organisation_id != organisation_id:
                    continue
                specificity = 1000
            elif row.path is not None:
                if not path_within(path, row.path):
                    continue
                specificity = len(row.path)
            else:
                specificity = 0
            rank = (row.year, specificity)
            if best is None or rank > best:
                best, chosen = rank, row
        return chosen


def ancestor_paths(path: str) -> list[str]:
    """ "/68/24631/24631.001/" → ["/68/", "/68/24631/", "/68/24631/24631.001/"]."""
    parts = [part for part in path.split("/") if part]
    return ["/" + "/".join(parts[: index + 1]) + "/" for index in range(len(parts))]


def trend_history(days: Sequence[date], counts: Sequence[Any]) -> dict[date, tuple[int, int]]:
    """The day → (numerator, denominator) of the counts of the days side by side (n0, d0, n1, d1…; None when
    there is no fact that day)."""
    return {
        point_day: (int(counts[2 * index]), int(counts[2 * index + 1]))
        for index, point_day in enumerate(days)
        if counts[2 * index] is not None
    }


def trend_days(day: date, weeks: int) -> list[date]:
    """The day and the same weekday of each of the `weeks - 1` weeks before it, oldest first."""
    return [day - timedelta(days=7 * back) for back in range(max(1, weeks) - 1, -1, -1)]


# --- One figure -------------------------------------------------------------------------------------------------


def percent(numerator: int, denominator: int) -> float | None:
    return 100.0 * numerator / denominator if denominator else None


def weekly_pace(points: Sequence[TrendPoint], day: date) -> float | None:
    """Least-squares slope of the value in points per week over the trend's known values (None with fewer
    than two)."""
    return _slope([((point.day - day).days / 7.0, point.value) for point in points if point.value is not None])


def _slope(known: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of (x, y) points (None with fewer than two or no spread in x)."""
    if len(known) < 2:
        return None
    mean_x = sum(x for x, _ in known) / len(known)
    mean_y = sum(y for _, y in known) / len(known)
    spread = sum((x - mean_x) ** 2 for x, _ in known)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in known) / spread


@lru_cache(maxsize=64)
def _fit(days: tuple[date, ...]) -> tuple[tuple[float, ...], tuple[float, ...], float]:
    """For a pace over these trend days: each day's distance from the last in weeks (the x of the fit), the
    same minus their mean, and the spread (sum of squares) — computed once per page, not once per figure."""
    last = days[-1]
    weeks = tuple((point_day - last).days / 7.0 for point_day in days)
    mean = sum(weeks) / len(weeks)
    centred = tuple(x - mean for x in weeks)
    return weeks, centred, sum(x**2 for x in centred)


def _pace(days: Sequence[date], values: Sequence[float | None]) -> float | None:
    """weekly_pace over the values of the days, with the same arithmetic; when every day has a value (the
    usual case) the x side of the fit comes from _fit."""
    weeks, centred, spread = _fit(tuple(days))
    if None in values:
        return _slope([(x, y) for x, y in zip(weeks, values, strict=True) if y is not None])
    if len(values) < 2 or spread == 0:
        return None
    known = cast(Sequence[float], values)
    mean = sum(known) / len(known)
    total = 0.0
    for x, y in zip(centred, known, strict=True):
        total += x * (y - mean)
    return total / spread


def make_figure(
    indicator: IndicatorInfo,
    *,
    level: str,
    days: Sequence[date],
    history: Mapping[date, tuple[int, int]] | None,
    target: float | None,
) -> Figure:
    """The figure of an indicator at a place on the last of `days` (the trend's days, oldest first) from its
    facts (`history`: day → (numerator, denominator)); a day without facts is a gap (None) in the trend."""
    day = days[-1]
    if not indicator.computable:
        return Figure(indicator, Status.NO_SOURCE)
    if not indicator.applies_at(level):
        return Figure(indicator, Status.NOT_APPLICABLE)
    today = history.get(day) if history else None
    if history is None or today is None:
        return Figure(indicator, Status.NO_DATA, target=target)
    numerator, denominator = today
    if indicator.measure == Measure.COUNT:
        return _count_figure(indicator, days, history, numerator, denominator)
    value = percent(numerator, denominator)
    # A page computes hundreds of figures: one pass over the days, the x side of the pace once per page.
    values: list[float | None] = []
    for point_day in days:
        counts = history.get(point_day)
        values.append(None if counts is None or not counts[1] else 100.0 * counts[0] / counts[1])
    trend = tuple(map(TrendPoint, days, values))
    if value is None:
        return Figure(indicator, Status.NO_DATA, numerator, denominator, target=target, trend=trend)
    not_reached = denominator - numerator
    pace = _pace(days, values)
    if target is None or indicator.measure != Measure.PERCENT:
        return Figure(
            indicator, Status.NO_TARGET, numerator, denominator, value, None, None, None, not_reached, trend, pace
        )
    sign = 1 if indicator.direction == "up" else -1
    required = math.ceil(target * denominator / 100 - 1e-9)
    to_reach = max(0, sign * (required - numerator))
    gap = max(0.0, sign * (target - value))
    forecast = None
    if sign * (value - target) >= 0:
        status = Status.MET
    elif pace is None or sign * pace <= 1e-9:
        status = Status.OFF_TRACK
    else:
        weeks = (target - value) / pace
        if weeks > FORECAST_HORIZON_WEEKS:
            status = Status.AT_RISK
        else:
            forecast = day + timedelta(days=math.ceil(weeks * 7))
            status = Status.ON_TRACK if forecast <= date(day.year, 12, 31) else Status.AT_RISK
    return Figure(
        indicator, status, numerator, denominator, value, target, gap, to_reach, not_reached, trend, pace, forecast
    )


def _count_figure(
    indicator: IndicatorInfo,
    days: Sequence[date],
    history: Mapping[date, tuple[int, int]],
    numerator: int,
    denominator: int,
) -> Figure:
    """A count (visits in the week, active teams…): its value is the numerator itself — 0 is a figure, not "no
    data" — and its trend the numerators of the days; a count has no percentage target."""
    counts = [history.get(point_day) for point_day in days]
    values = [None if point is None else float(point[0]) for point in counts]
    trend = tuple(map(TrendPoint, days, values))
    return Figure(
        indicator,
        Status.NO_TARGET,
        numerator,
        denominator,
        float(numerator),
        trend=trend,
        pace=_pace(days, values),
    )


def group_history(
    rows: Iterable[tuple[Any, int, date, int, int]],
) -> dict[tuple[Any, int], dict[date, tuple[int, int]]]:
    """(place key, indicator id, day, numerator, denominator) rows → {(place, indicator): {day: (n, d)}}."""
    history: dict[tuple[Any, int], dict[date, tuple[int, int]]] = {}
    for place, indicator_id, day, numerator, denominator in rows:
        counts = history.get((place, indicator_id))
        if counts is None:
            counts = history[place, indicator_id] = {}
        counts[day] = (int(numerator), int(denominator))
    return history
