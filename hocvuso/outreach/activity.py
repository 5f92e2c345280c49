"""Reads for the leaders' and officers' views of the field work: a team's activity per member and week, coverage per
village (households visited / assigned), households not visited for N days, a commune's weekly field summary, a
village's worklist for a team without phones, and a leader's households not visited yet.

These read live visits (a few thousand rows a commune); the dashboard's indicators read the pre-aggregated facts
(hocvuso.indicators). Who may see what is checked by the callers (the web views), with hocvuso.accounts.access.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from hocvuso.accounts.access import team_scope
from hocvuso.people.models import Household
from hocvuso.territory.models import AdministrativeUnit, Level

from .models import (
    HouseholdAssignment,
    Outcome,
    RegistryChangeReport,
    ReportStatus,
    Team,
    TeamMembership,
    Visit,
    VisitOutcome,
)
from .selectors import WorklistHousehold, households_by_need

WEEKS = 8
# Outcomes that are help given (not "refused", "not at home", "moved away", "deceased").
HELP_OUTCOMES = frozenset(
    {
        Outcome.INSTALLED_VNEID,
        Outcome.VNEID_LEVEL_2,
        Outcome.OPENED_BANK_ACCOUNT,
        Outcome.ENROLLED,
        Outcome.LESSON_TOGETHER,
        Outcome.SUPERVISED_ASSESSMENT,
        Outcome.PUBLIC_SERVICES,
        Outcome.E_COMMERCE,
        Outcome.CASHLESS,
        Outcome.ONLINE_SAFETY,
    }
)
# At most this many households are listed on a page of households not visited (the count says how many in all).
LIST_LIMIT = 500


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of the day's week."""
    return day - datetime.timedelta(days=day.weekday())


def _open_assignments(day: datetime.date) -> QuerySet[HouseholdAssignment]:
    return HouseholdAssignment.objects.in_force(day)


def _visited(since: datetime.date | None = None) -> Exists:
    visits = Visit.objects.filter(household_id=OuterRef("pk"))
    if since is not None:
        visits = visits.filter(visited_at__date__gte=since)
    return Exists(visits)


# --- A team's activity ---------------------------------------------------------------------------------------


@dataclass
class MemberActivity:
    """A member's visits per week (oldest week first), and their households: assigned, visited at least once."""

    membership_id: int
    name: str
    sent_by: str
    weeks: list[int]
    assigned: int = 0
    visited: int = 0
    mondays: list[datetime.date] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.weeks)

    @property
    def cells(self) -> list[tuple[datetime.date, int]]:
        """(Monday, visits) of each week, oldest first."""
        return list(zip(self.mondays, self.weeks, strict=True))


@dataclass
class TeamActivity:
    team: Team
    weeks: list[datetime.date]  # the Mondays, oldest first
    members: list[MemberActivity]
    week_totals: list[int] = field(default_factory=list)

    @property
    def assigned(self) -> int:
        return sum(member.assigned for member in self.members)

    @property
    def visited(self) -> int:
        return sum(member.visited for member in self.members)

    @property
    def total(self) -> int:
        return sum(self.week_totals)

    @property
    def total_cells(self) -> list[tuple[datetime.date, int]]:
        return list(zip(self.weeks, self.week_totals, strict=True))


def team_activity(team: Team, *, day: datetime.date | None = None, weeks: int = WEEKS) -> TeamActivity:
    """The team's members in force on the day with their visits in each of the last `weeks` weeks (Monday to
    Sunday, the day's week last) and their households assigned and visited at least once. Three queries."""
    day = day or timezone.localdate()
    mondays = [week_start(day) - datetime.timedelta(days=7 * back) for back in range(weeks - 1, -1, -1)]
    memberships = (
        TeamMembership.objects.filter(team=team)
        .in_force(day)
        .select_related("resident")
        .order_by("resident__full_name")
    )
    members = {
        m.pk: MemberActivity(m.pk, m.resident.full_name, m.get_sent_by_display(), [0] * weeks, mondays=mondays)
        for m in memberships
    }
    loads = (
        _open_assignments(day)
        .filter(team=team, membership_id__in=list(members))
        .annotate(was_visited=Exists(Visit.objects.filter(household_id=OuterRef("household_id"))))
        .values("membership_id")
        .annotate(total=Count("pk"), visited=Count("pk", filter=Q(was_visited=True)))
        .order_by()
    )
    for row in loads:
        members[row["membership_id"]].assigned = row["total"]
        members[row["membership_id"]].visited = row["visited"]
    position = {monday: index for index, monday in enumerate(mondays)}
    totals = [0] * weeks
    visits = Visit.objects.filter(team=team, visited_at__date__gte=mondays[0], visited_at__date__lte=day)
    for membership_id, visited_at in visits.values_list("membership_id", "visited_at"):
        index = position.get(week_start(timezone.localdate(visited_at)))
        if index is None:
            continue
        totals[index] += 1
        if membership_id in members:
            members[membership_id].weeks[index] += 1
    return TeamActivity(team, mondays, list(members.values()), totals)


# --- Coverage per village ------------------------------------------------------------------------------------


# The coverage tiles' colours: households visited at least once, of those assigned (%).
COVERAGE_GOOD = 80
COVERAGE_FAIR = 40


@dataclass(frozen=True)
class VillageCoverage:
    """A village's households: in all, assigned to a team member, visited at least once, visited in the last N
    days."""

    code: str
    name: str
    households: int
    assigned: int
    visited: int
    visited_recently: int

    @property
    def visited_percent(self) -> float | None:
        """Households visited at least once of those assigned (%)."""
        return 100.0 * self.visited / self.assigned if self.assigned else None

    @property
    def unassigned(self) -> int:
        return self.households - self.assigned

    @property
    def band(self) -> str:
        """The village's colour on the coverage tiles: "green" when at least COVERAGE_GOOD % of its assigned
        households were visited, "amber" from COVERAGE_FAIR %, else "red"; "grey" when none is assigned."""
        percent = self.visited_percent
        if percent is None:
            return "grey"
        return "green" if percent >= COVERAGE_GOOD else "amber" if percent >= COVERAGE_FAIR else "red"


def coverage_by_village(
    households: QuerySet[Household], *, day: datetime.date, days: int, team: Team | None = None
) -> list[VillageCoverage]:
    """Per village of the households given: how many, assigned (to a member of `team`, or of any team), visited
    at least once, visited in the last `days` days. One query."""
    assignments = _open_assignments(day).filter(household_id=OuterRef("pk"))
    if team is not None:
        assignments = assignments.filter(team=team)
    since = day - datetime.timedelta(days=days)
    rows = (
        households.annotate(
            is_assigned=Exists(assignments), was_visited=_visited(), was_visited_recently=_visited(since)
        )
        .values("village__code", "village__name")
        .annotate(
            total=Count("pk"),
            assigned=Count("pk", filter=Q(is_assigned=True)),
            visited=Count("pk", filter=Q(is_assigned=True, was_visited=True)),
            recent=Count("pk", filter=Q(is_assigned=True, was_visited_recently=True)),
        )
        .order_by("village__code")
    )
    return [
        VillageCoverage(
            row["village__code"], row["village__name"], row["total"], row["assigned"], row["visited"], row["recent"]
        )
        for row in rows
    ]


def commune_households(commune: AdministrativeUnit) -> QuerySet[Household]:
    """The households of the commune's villages."""
    return Household.objects.filter(village__parent=commune, village__level=Level.VILLAGE)


def team_households(team: Team, *, day: datetime.date) -> QuerySet[Household]:
    """The households assigned to the team's members on the day."""
    return Household.objects.filter(pk__in=_open_assignments(day).filter(team=team).values("household_id"))


# --- Not visited for N days ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotVisited:
    code: str
    village: str
    head_name: str
    last_visit: datetime.date | None
    member: str  # who looks after it ("" when nobody does)


def not_visited_since(
    households: QuerySet[Household], *, day: datetime.date, days: int, limit: int = LIST_LIMIT
) -> tuple[list[NotVisited], int]:
    """The households given that had no visit in the last `days` days (never visited first, then the longest
    ago), at most `limit` of them, and how many there are in all. Two queries."""
    since = day - datetime.timedelta(days=days)
    last = Visit.objects.filter(household_id=OuterRef("pk")).order_by().values("household_id")
    member = (
        _open_assignments(day)
        .filter(household_id=OuterRef("pk"))
        .order_by("pk")
        .values("membership__resident__full_name")[:1]
    )
    rows = (
        households.exclude(_visited(since))
        .annotate(last=Subquery(last.annotate(latest=Max("visited_at")).values("latest")[:1]), member=Subquery(member))
        .select_related("village", "head")
    )
    total = rows.count()
    listed = rows.order_by(F("last").asc(nulls_first=True), "village__code", "code")[:limit]
    return (
        [
            NotVisited(
                h.code,
                h.village.name,
                h.head.full_name if h.head else "",
                timezone.localdate(h.last) if h.last else None,
                h.member or "",
            )
            for h in listed
        ],
        total,
    )


# --- A commune's week ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklySummary:
    """What the commune's teams did in one week (Monday to Sunday)."""

    start: datetime.date
    end: datetime.date
    visits: int
    households: int
    first_visits: int  # households visited for the first time that week
    people_helped: int
    outcomes: list[tuple[str, int]]  # (label, count), in the order of Outcome
    teams: int
    active_teams: int
    active_members: int
    pending_reports: int


def weekly_summary(commune: AdministrativeUnit, *, start: datetime.date) -> WeeklySummary:
    """The commune's field week beginning on `start` (a Monday): visits, households visited (for the first time
    too), people helped, outcomes by kind, teams and members active, registry reports waiting for the commune's
    decision. Seven small queries."""
    end = start + datetime.timedelta(days=6)
    visits = Visit.objects.filter(village__parent=commune, visited_at__date__gte=start, visited_at__date__lte=end)
    totals = visits.aggregate(
        visits=Count("pk"),
        households=Count("household_id", distinct=True),
        teams=Count("team_id", distinct=True),
        members=Count("membership_id", distinct=True),
    )
    earlier = Visit.objects.filter(household_id=OuterRef("household_id"), visited_at__date__lt=start)
    first = visits.exclude(Exists(earlier)).aggregate(n=Count("household_id", distinct=True))["n"]
    outcomes = VisitOutcome.objects.filter(visit__in=visits.values("pk"))
    counts = Counter(dict(outcomes.values_list("outcome").annotate(n=Count("pk")).order_by()))
    helped = outcomes.filter(outcome__in=HELP_OUTCOMES).aggregate(n=Count("resident_id", distinct=True))["n"]
    pending = RegistryChangeReport.objects.filter(visit__village__parent=commune, status=ReportStatus.PENDING).count()
    return WeeklySummary(
        start=start,
        end=end,
        visits=totals["visits"],
        households=totals["households"],
        first_visits=first,
        people_helped=helped,
        outcomes=[(str(label), counts[value]) for value, label in Outcome.choices if counts[value]],
        teams=Team.objects.filter(commune=commune).count(),
        active_teams=totals["teams"],
        active_members=totals["members"],
        pending_reports=pending,
    )


# --- A village's worklist (for print and export) --------------------------------------------------------------------


@dataclass(frozen=True)
class VillageWorklistLine:
    household: WorklistHousehold
    member: str  # who looks after it ("" when nobody does)


def village_worklist(villages: list[AdministrativeUnit], *, day: datetime.date) -> list[VillageWorklistLine]:
    """Every household of the villages as a worklist (people, needs, score; ordered by need — the members'
    worklist's definitions) with the member who looks after it."""
    ids = set(Household.objects.filter(village__in=villages).values_list("pk", flat=True))
    members: dict[int, str] = {}
    for household_id, name in (
        _open_assignments(day)
        .filter(household_id__in=ids)
        .order_by("pk")
        .values_list("household_id", "membership__resident__full_name")
    ):
        members.setdefault(household_id, name)
    return [VillageWorklistLine(h, members.get(h.id, "")) for h in households_by_need(ids, day=day)]


# --- A leader's households not visited yet ------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamNotVisited:
    team: Team
    assigned: int
    never_visited: int
    first: list[NotVisited]


def led_teams_not_visited(user: Any, *, day: datetime.date | None = None, first: int = 5) -> list[TeamNotVisited]:
    """For each team the user leads: households assigned, how many never visited, and the first of them."""
    day = day or timezone.localdate()
    cards = []
    for team in Team.objects.filter(team_scope(user), leader_id=user.pk).order_by("name"):
        households = team_households(team, day=day)
        never = households.exclude(_visited())
        listed = never.select_related("village", "head").order_by("village__code", "code")[:first]
        member = (
            _open_assignments(day)
            .filter(team=team, household_id=OuterRef("pk"))
            .values("membership__resident__full_name")[:1]
        )
        names = dict(
            Household.objects.filter(pk__in=[h.pk for h in listed])
            .annotate(member=Subquery(member))
            .values_list("pk", "member")
        )
        cards.append(
            TeamNotVisited(
                team,
                households.count(),
                never.count(),
                [
                    NotVisited(h.code, h.village.name, h.head.full_name if h.head else "", None, names.get(h.pk) or "")
                    for h in listed
                ],
            )
        )
    return cards
