"""What a member of staff's home page puts first: the work waiting for them, from live data.

Every figure comes from a domain selector (monitoring facts, roster imports, supervised classes), scoped by the
access module there; this module only picks which cards a user's roles call for and shapes them for the page:
- a commune's officer: the people (or households) not reached yet per indicator, with the list of them, and the
  indicators behind target;
- whoever imports rosters: the checks waiting for confirmation;
- an agency officer: their last rosters and, per organisation, the members who have not passed;
- the province: the communes furthest behind target;
- an instructor (whoever runs classes): their supervised sessions and learners;
- a team leader: per team they lead, the households assigned that no one has visited yet.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from hocvuso.accounts.access import active_assignments, has_permission, home_unit
from hocvuso.accounts.roles import Permission, Role
from hocvuso.indicators.selectors import (
    STATUS_LABELS,
    Status,
    furthest_from_target,
    organisation_dashboard,
    unit_dashboard,
)
from hocvuso.learning.selectors import InstructorClasses, instructor_classes
from hocvuso.outreach.activity import TeamNotVisited, led_teams_not_visited
from hocvuso.people.import_models import ImportJob
from hocvuso.people.imports.selectors import imports_awaiting_confirmation, recent_imports
from hocvuso.territory.models import AdministrativeUnit, Level

from .monitoring.display import indicator_name

BEHIND = (Status.AT_RISK, Status.OFF_TRACK)
FURTHEST_COMMUNES = 5


@dataclass(frozen=True)
class NotReachedLine:
    """One indicator of a place: how many people (or households) of how many it does not count yet, with the
    list of them (empty when the user may not see people)."""

    name: str
    not_reached: int
    total: int
    households: bool
    people_url: str


@dataclass(frozen=True)
class BehindLine:
    """An indicator of the unit behind its target: value and target (%), status in words, its dashboard."""

    name: str
    value: float | None
    target: float | None
    status: str
    dashboard_url: str


@dataclass(frozen=True)
class CommuneWork:
    unit: AdministrativeUnit
    not_reached: list[NotReachedLine]
    behind: list[BehindLine]
    gaps_url: str
    dashboard_url: str


@dataclass(frozen=True)
class FurthestLine:
    """A commune and an indicator far from target: people (or households) still to reach the target."""

    name: str
    code: str
    indicator: str
    value: float
    target: float | None
    to_reach: int
    households: bool
    dashboard_url: str


@dataclass(frozen=True)
class OrganisationWork:
    name: str
    code: str
    not_passed: list[NotReachedLine]
    dashboard_url: str


@dataclass
class WorkHome:
    """The cards of work; a card the user's roles do not call for is None or empty."""

    commune: CommuneWork | None = None
    awaiting: list[ImportJob] | None = None
    rosters: list[ImportJob] | None = None
    organisations: list[OrganisationWork] | None = None
    furthest: list[FurthestLine] | None = None
    furthest_unit: AdministrativeUnit | None = None
    classes: InstructorClasses | None = None
    teams: list[TeamNotVisited] | None = None


def _people_url(code: str, *, unit: str = "", organisation: str = "") -> str:
    where = {"don_vi": unit} if unit else {"to_chuc": organisation}
    return reverse("web:people_search") + "?" + urlencode({"chua_dat": code, **where})


def _commune_work(user: Any, unit: AdministrativeUnit) -> CommuneWork:
    dashboard = unit_dashboard(user=user, unit=unit)
    sees_people = has_permission(user, Permission.VIEW_PEOPLE)
    unit_url = reverse("web:monitoring_unit", kwargs={"code": unit.code})
    not_reached, behind = [], []
    for figure in dashboard.unit.figures:
        info = figure.indicator
        if figure.not_reached and figure.denominator and info.computable and info.direction == "up":
            url = _people_url(info.code, unit=unit.code) if sees_people else ""
            not_reached.append(
                NotReachedLine(
                    indicator_name(info), figure.not_reached, figure.denominator, info.counts_households, url
                )
            )
        if figure.status in BEHIND:
            label = str(STATUS_LABELS[figure.status])
            behind.append(BehindLine(indicator_name(info), figure.value, figure.target, label, unit_url))
    return CommuneWork(
        unit=unit,
        not_reached=not_reached,
        behind=behind,
        gaps_url=reverse("web:monitoring_gaps_unit", kwargs={"code": unit.code}),
        dashboard_url=unit_url,
    )


def _furthest(user: Any, unit: AdministrativeUnit) -> list[FurthestLine]:
    result = furthest_from_target(user=user, unit=unit, level=Level.COMMUNE, limit=FURTHEST_COMMUNES)
    return [
        FurthestLine(
            gap.place.name,
            gap.place.code,
            indicator_name(gap.indicator),
            gap.value,
            gap.target,
            gap.to_reach,
            gap.indicator.counts_households,
            reverse("web:monitoring_unit", kwargs={"code": gap.place.code}),
        )
        for gap in result.units
    ]


def _organisations(user: Any) -> list[OrganisationWork]:
    dashboard = organisation_dashboard(user=user)
    sees_people = has_permission(user, Permission.VIEW_PEOPLE)
    works = []
    for row in dashboard.rows:
        lines = [
            NotReachedLine(
                indicator_name(figure.indicator),
                figure.not_reached,
                figure.denominator,
                False,
                _people_url(figure.indicator.code, organisation=row.place.code) if sees_people else "",
            )
            for figure in row.figures
            if figure.not_reached and figure.denominator and figure.indicator.computable
        ]
        url = reverse("web:monitoring_organisation", kwargs={"org_code": row.place.code})
        works.append(OrganisationWork(row.place.name, row.place.code, lines, url))
    return works


def work_home(user: Any) -> WorkHome:
    """The work cards for the user's roles (see the module's docstring)."""
    roles = {assignment.role for assignment in active_assignments(user)}
    work = WorkHome()
    progress_unit = home_unit(user, Permission.VIEW_PROGRESS)
    if progress_unit is not None and progress_unit.level == Level.COMMUNE and Role.COMMUNE_OFFICER in roles:
        work.commune = _commune_work(user, progress_unit)
    if progress_unit is not None and progress_unit.level == Level.PROVINCE:
        work.furthest, work.furthest_unit = _furthest(user, progress_unit), progress_unit
    if has_permission(user, Permission.IMPORT_ROSTER):
        work.awaiting = imports_awaiting_confirmation(user)
    if Role.AGENCY_OFFICER in roles:
        work.rosters = recent_imports(user)
        work.organisations = _organisations(user)
    if Role.INSTRUCTOR in roles:
        work.classes = instructor_classes(user=user)
    if Role.TEAM_LEADER in roles:
        work.teams = led_teams_not_visited(user)
    return work
