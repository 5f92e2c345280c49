"""Pages of the emulation ranking (thi đua) and the "leave no one behind" list (the public page: public.py).

Every figure comes from `hocvuso.indicators.selectors` (pre-aggregated facts: no page scans the registry).
The domain ranks the whole province and gives each user the entries in their VIEW_PROGRESS scope — the
province administrator every commune or organisation, a commune officer their own commune's place among
all of them.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import can_reach, has_permission, home_unit, requires
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError
from hocvuso.indicators.models import FactLevel, RankingLevel
from hocvuso.indicators.selectors import (
    EmulationRanking,
    Gap,
    Place,
    Quarter,
    RankingEntry,
    emulation_ranking,
    furthest_from_target,
)
from hocvuso.territory.models import AdministrativeUnit, Level

from .display import indicator_name

# ?cap= on the ranking page: communes (default) or agencies and other organisations.
RANKING_LEVELS = {"xa": RankingLevel.COMMUNE, "co-quan": RankingLevel.ORGANISATION}
# ?cap= on the "leave no one behind" page: villages (default) or, from the province, communes.
GAP_LEVELS = {"thon": Level.VILLAGE, "xa": Level.COMMUNE}
# The quarters the ranking page offers: the current one and the ones before it.
QUARTERS_OFFERED = 8
# A quarter outside these years is refused like a malformed one (dates before year 1 do not exist).
FIRST_YEAR = 2000
MAX_QUARTER_TEXT = 12


def dashboard_url(place: Place) -> str:
    """The dashboard of a unit or of an organisation."""
    if place.level == FactLevel.ORGANISATION:
        return reverse("web:monitoring_organisation", kwargs={"org_code": place.code})
    return reverse("web:monitoring_unit", kwargs={"code": place.code})


def quarter_label(quarter: Quarter) -> str:
    return _("Quý %(number)s/%(year)s") % {"number": quarter.number, "year": quarter.year}


def parse_quarter(text: str | None, *, today: date) -> Quarter:
    """The quarter named by ?quy= ("2026-Q3"), the current one when absent or empty. Raises DomainError for a
    malformed value or a year outside FIRST_YEAR … next year."""
    if text is None or not text.strip():
        return Quarter.of(today)
    if len(text) > MAX_QUARTER_TEXT:
        raise DomainError(_("Quý không hợp lệ (ví dụ: 2026-Q3)."), field="quarter", code="quarter_invalid")
    quarter = Quarter.parse(text)
    if not FIRST_YEAR <= quarter.year <= today.year + 1:
        raise DomainError(_("Quý không hợp lệ (ví dụ: 2026-Q3)."), field="quarter", code="quarter_invalid")
    return quarter


def quarters_offered(chosen: Quarter, *, today: date) -> list[Quarter]:
    """The current quarter and the QUARTERS_OFFERED − 1 before it, newest first (and the chosen one, if older)."""
    current = Quarter.of(today)
    quarters = []
    year, number = current.year, current.number
    for _step in range(QUARTERS_OFFERED):
        quarters.append(Quarter(year, number))
        year, number = (year, number - 1) if number > 1 else (year - 1, 4)
    if chosen not in quarters:
        quarters.append(chosen)
        quarters.sort(key=lambda quarter: (quarter.year, quarter.number), reverse=True)
    return quarters


# --- Emulation ranking --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartLine:
    """One line of a score's breakdown: the indicator's value against its target, the share of the target
    reached (at most 100%), its weight, and the points of the 0–100 score it gives (the lines add up to the
    score)."""

    name: str
    numerator: int
    denominator: int
    value: float
    target: float
    attainment: float
    weight: float
    contribution: float


@dataclass(frozen=True)
class EntryLine:
    rank: int | None
    place: Place
    score: float | None
    parts: tuple[PartLine, ...]
    dashboard_url: str


def _entry_line(entry: RankingEntry) -> EntryLine:
    total_weight = sum(part.weight for part in entry.breakdown)
    parts = tuple(
        PartLine(
            name=indicator_name(part.indicator),
            numerator=part.numerator,
            denominator=part.denominator,
            value=part.value,
            target=part.target,
            attainment=100.0 * part.attainment,
            weight=part.weight,
            contribution=100.0 * part.points / total_weight if total_weight else 0.0,
        )
        for part in entry.breakdown
    )
    return EntryLine(entry.rank, entry.place, entry.score, parts, dashboard_url(entry.place))


@requires(Permission.VIEW_PROGRESS)
def ranking(request: HttpRequest) -> HttpResponse:
    """The quarter's emulation ranking of the province's communes (?cap=xa) or organisations (?cap=co-quan),
    for the quarter ?quy=2026-Q3 (the current one by default), each entry with its score and its breakdown.
    A malformed quarter shows the message on the page (status 400)."""
    today = timezone.localdate()
    level_key = request.GET.get("cap", "xa")
    if level_key not in RANKING_LEVELS:
        level_key = "xa"
    level = RANKING_LEVELS[level_key]
    error = ""
    result: EmulationRanking | None = None
    try:
        quarter = parse_quarter(request.GET.get("quy"), today=today)
    except DomainError as refused:
        error, quarter = str(refused.message), Quarter.of(today)
    else:
        result = emulation_ranking(user=request.user, level=level, quarter=quarter)
    entries = [_entry_line(entry) for entry in result.entries] if result is not None else []
    context = {
        "level_key": level_key,
        "levels": [("xa", _("Xã, phường, đặc khu")), ("co-quan", _("Cơ quan, tổ chức"))],
        "quarter": quarter,
        "quarter_label": quarter_label(quarter),
        "quarters": [(str(option), quarter_label(option)) for option in quarters_offered(quarter, today=today)],
        "error": error,
        "ranking": result,
        "weights": [(indicator_name(info), info.weight) for info in result.weights] if result else [],
        "entries": entries,
        "ranked": result.ranked if result else 0,
        "everything": result is not None and result.shows_every_place,
    }
    return render(request, "web/monitoring/ranking_page.html", context, status=400 if error else 200)


# --- Leave no one behind ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapLine:
    """One place and indicator far from target, with the links to its dashboard and to its people."""

    gap: Gap
    name: str
    dashboard_url: str
    people_url: str
    worklist_url: str = ""  # a village's worklist to print for the team (commune officers)


def _people_url(gap: Gap) -> str:
    where = "to_chuc" if gap.place.level == FactLevel.ORGANISATION else "don_vi"
    return reverse("web:people_search") + "?" + urlencode({"chua_dat": gap.indicator.code, where: gap.place.code})


def _worklist_urls(user: Any, gaps: tuple[Gap, ...]) -> dict[str, str]:
    """For the villages among the gaps whose people the user manages: the village's worklist page. No query: a
    unit's path is the codes of its ancestors and its own ("/68/24631/24631.001/"), the commune's is the one before
    the village's."""
    urls = {}
    for gap in gaps:
        place = gap.place
        codes = [part for part in place.path.split("/") if part]
        if place.level != FactLevel.VILLAGE or len(codes) < 2:
            continue
        if can_reach(user, Permission.MANAGE_PEOPLE, path=place.path):
            commune = reverse("web:outreach_worklist", kwargs={"code": codes[-2]})
            urls[place.code] = commune + "?" + urlencode({"thon": place.code})
    return urls


def _gap_lines(gaps: tuple[Gap, ...], *, people: bool, user: Any = None) -> list[GapLine]:
    worklists = _worklist_urls(user, gaps) if user is not None else {}
    return [
        GapLine(
            gap,
            indicator_name(gap.indicator),
            dashboard_url(gap.place),
            _people_url(gap) if people else "",
            worklists.get(gap.place.code, "") if gap.place.level == FactLevel.VILLAGE else "",
        )
        for gap in gaps
    ]


@requires(Permission.VIEW_PROGRESS)
def gaps_home(request: HttpRequest) -> HttpResponse:
    """The "leave no one behind" page of the user's highest unit; a user who follows organisations only is
    told where their figures are."""
    unit = home_unit(request.user, Permission.VIEW_PROGRESS)
    if unit is None:
        return render(request, "web/monitoring/gaps_page.html", {"unit": None})
    url = reverse("web:monitoring_gaps_unit", kwargs={"code": unit.code})
    level_key = request.GET.get("cap", "")
    return redirect(f"{url}?{urlencode({'cap': level_key})}" if level_key in GAP_LEVELS else url)


@requires(Permission.VIEW_PROGRESS, unit_kwarg="code")
def gaps(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """ "Leave no one behind" within the unit: the villages (or, from the province, ?cap=xa, the communes) and
    the organisations with the most people still to reach, each linking to the list of those people."""
    levels = [("thon", _("Thôn, tổ dân phố"))]
    if unit.level == Level.PROVINCE:
        levels.append(("xa", _("Xã, phường, đặc khu")))
    level_key = request.GET.get("cap", "thon")
    if level_key not in dict(levels):
        level_key = "thon"
    result = furthest_from_target(user=request.user, unit=unit, level=GAP_LEVELS[level_key])
    people = has_permission(request.user, Permission.VIEW_PEOPLE)
    context = {
        "unit": unit,
        "levels": levels if len(levels) > 1 else [],
        "level_key": level_key,
        "result": result,
        "units": _gap_lines(result.units, people=people, user=request.user),
        "organisations": _gap_lines(result.organisations, people=people),
    }
    return render(request, "web/monitoring/gaps_page.html", context)
