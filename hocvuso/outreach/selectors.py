"""Reads of the outreach domain: a member's worklist (their households ordered by need), the teams and devices a user
manages, a team's unassigned households.

The worklist counts people with the monitoring's own definitions (hocvuso.people.conditions and
hocvuso.learning.conditions, which the indicators' formulas call too) and the registry's named age thresholds, so a
person "without VNeID level 2" in a worklist is one the digital-identity indicator counts as not reached.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from hocvuso.accounts.access import assigned_households, team_scope
from hocvuso.learning.conditions import literacy_confirmed
from hocvuso.people.conditions import ethnic_minority, has_digital_bank_account, lives_alone, vneid_level_at_least
from hocvuso.people.models import Household, Resident, VneidLevel
from hocvuso.territory.models import AdministrativeUnit, Level, lies_within

from .models import (
    FieldDevice,
    HouseholdAssignment,
    RegistryChangeReport,
    ReportStatus,
    Team,
    TeamMembership,
    Visit,
)


@dataclass
class WorklistPerson:
    """One person of a worklist household: only what a visit needs (no full ID, no address details)."""

    id: int
    full_name: str
    birth_year: int
    masked_national_id: str
    identity_age: bool
    adult: bool
    elderly: bool
    vneid_level_2: bool
    has_bank_account: bool
    literate: bool
    lives_alone: bool
    ethnic_minority: bool


@dataclass
class WorklistHousehold:
    """A household of a member's worklist, its people, what it needs, and its need score (higher first)."""

    id: int
    code: str
    village_code: str
    head_name: str
    last_visit: datetime.date | None
    people: list[WorklistPerson] = field(default_factory=list)
    needs: dict[str, int] = field(default_factory=dict)
    score: int = 0


# How much each need weighs in the order of the worklist (counts of people, or 1 for a household-wide need): an
# elderly person living alone comes first, as the plan asks ("above all the elderly").
NEED_WEIGHTS = {
    "without_vneid_level_2": 2,
    "adults_not_literate": 2,
    "elderly_alone": 5,
    "without_bank_account": 1,
    "not_visited_recently": 3,
    "ethnic_minority": 1,
}


def _aged(method: str, day: datetime.date) -> Exists:
    return Exists(getattr(Resident.objects, method)(day).filter(pk=OuterRef("pk")))


def worklist_assignments(user: Any, *, day: datetime.date, membership: TeamMembership | None = None) -> QuerySet[Any]:
    """The household assignments the user may work through on the day (optionally only one membership's: a
    device's)."""
    rows = HouseholdAssignment.objects.filter(assigned_households(user, day))
    if membership is not None:
        rows = rows.filter(membership=membership)
    return rows


def worklist(
    user: Any, *, day: datetime.date | None = None, membership: TeamMembership | None = None
) -> list[WorklistHousehold]:
    """The user's worklist on the day: the households assigned to them (see `assigned_households`), each with its
    people and needs — people aged DIGITAL_IDENTITY_AGE+ without VNeID level 2, adults not confirmed literate,
    elderly people living alone, adults without a digital bank account, no visit in OUTREACH_NOT_VISITED_DAYS days,
    ethnic-minority members — ordered by need (score from NEED_WEIGHTS, highest first; then household code).
    Three queries, whatever the number of households."""
    day = day or timezone.localdate()
    household_ids = set(
        worklist_assignments(user, day=day, membership=membership).values_list("household_id", flat=True)
    )
    return households_by_need(household_ids, day=day)


def households_by_need(household_ids: set[int], *, day: datetime.date) -> list[WorklistHousehold]:
    """The households with these ids as worklist households (their people, needs and score), ordered by need as
    `worklist` orders them. Three queries. The caller has checked who may see them."""
    households = {
        h.pk: WorklistHousehold(
            id=h.pk,
            code=h.code,
            village_code=h.village.code,
            head_name=h.head.full_name if h.head else "",
            last_visit=None,
        )
        for h in Household.objects.filter(pk__in=household_ids).select_related("village", "head")
    }
    last_visits = (
        Visit.objects.filter(household_id__in=household_ids)
        .values("household_id")
        .annotate(last=Max("visited_at"))
        .order_by()
    )
    for row in last_visits:
        households[row["household_id"]].last_visit = timezone.localdate(row["last"])
    people = (
        Resident.objects.filter(household_id__in=household_ids)
        .annotate(
            is_identity_age=_aged("identity_age", day),
            is_adult=_aged("adults", day),
            is_elderly=_aged("elderly", day),
            has_level_2=vneid_level_at_least(OuterRef("pk"), VneidLevel.LEVEL_2),
            has_bank=has_digital_bank_account(OuterRef("pk")),
            is_literate=literacy_confirmed(OuterRef("pk")),
            is_alone=lives_alone(),
            is_minority=ethnic_minority(),
        )
        .order_by("birth_date", "pk")
    )
    for person in people:
        households[int(person.household_id)].people.append(  # type: ignore[arg-type]
            WorklistPerson(
                id=person.pk,
                full_name=person.full_name,
                birth_year=person.birth_date.year,
                masked_national_id=person.masked_national_id,
                identity_age=person.is_identity_age,
                adult=person.is_adult,
                elderly=person.is_elderly,
                vneid_level_2=person.has_level_2,
                has_bank_account=person.has_bank,
                literate=person.is_literate,
                lives_alone=person.is_alone,
                ethnic_minority=person.is_minority,
            )
        )
    since = day - datetime.timedelta(days=settings.OUTREACH_NOT_VISITED_DAYS)
    for household in households.values():
        household.needs = household_needs(household, since=since)
        household.score = sum(NEED_WEIGHTS[need] * count for need, count in household.needs.items())
    return sorted(households.values(), key=lambda h: (-h.score, h.code, h.id))


def household_needs(household: WorklistHousehold, *, since: datetime.date) -> dict[str, int]:
    """The needs of a worklist household: how many of its people have each need (1 or 0 for household-wide ones)."""
    people = household.people
    return {
        "without_vneid_level_2": sum(p.identity_age and not p.vneid_level_2 for p in people),
        "adults_not_literate": sum(p.adult and not p.literate for p in people),
        "elderly_alone": sum(p.elderly and p.lives_alone for p in people),
        "without_bank_account": sum(p.adult and not p.has_bank_account for p in people),
        "not_visited_recently": int(household.last_visit is None or household.last_visit < since),
        "ethnic_minority": int(any(p.ethnic_minority for p in people)),
    }


def teams_managed_by(user: Any) -> QuerySet[Team]:
    """The teams the user manages (see accounts.access.team_scope)."""
    return Team.objects.filter(team_scope(user)).select_related("commune", "village")


def memberships_of(user: Any, *, day: datetime.date | None = None) -> QuerySet[TeamMembership]:
    """The user's own team memberships in force on the day (today by default), with their team and its commune: the
    memberships a phone of theirs may be registered for."""
    return (
        TeamMembership.objects.in_force(day or timezone.localdate())
        .filter(user_id=user.pk)
        .select_related("team__commune")
        .order_by("team__name", "pk")
    )


def devices_visible_to(user: Any) -> QuerySet[FieldDevice]:
    """The devices of the members of the teams the user manages, and the user's own (their class devices too),
    newest first."""
    teams = Team.objects.filter(team_scope(user)).values("pk")
    return (
        FieldDevice.objects.filter(Q(membership__user_id=user.pk) | Q(membership__team__in=teams) | Q(user_id=user.pk))
        .select_related("membership__team__commune")
        .order_by("-created_at", "-pk")
    )


def unassigned_households(team: Team, *, village_ids: list[int] | None = None) -> QuerySet[Household]:
    """The households of the team's commune (or of the given villages) that no member of the team looks after."""
    assigned = HouseholdAssignment.objects.filter(team=team, valid_to__isnull=True).values("household_id")
    rows = Household.objects.filter(lies_within(team.commune, through="village")).exclude(pk__in=assigned)
    if village_ids is not None:
        rows = rows.filter(village_id__in=village_ids)
    return rows.order_by("village__code", "code")


# --- A commune's team setup (the officer's page) -------------------------------------------------------------------


def pending_reports(commune: AdministrativeUnit) -> QuerySet[RegistryChangeReport]:
    """The "moved away" / "deceased" reports of visits to people of the commune that no officer has decided yet,
    oldest first, with who reported them and the household."""
    return (
        RegistryChangeReport.objects.filter(lies_within(commune, through="resident__village"))
        .filter(status=ReportStatus.PENDING)
        .select_related("resident", "visit__household", "visit__membership__resident")
        .order_by("created_at", "pk")
    )


def candidate_members(commune: AdministrativeUnit) -> QuerySet[Resident]:
    """The residents of the commune who have an account: the people who may lead or join its teams."""
    return (
        Resident.objects.filter(lies_within(commune, through="village"), user__isnull=False, user__is_active=True)
        .select_related("user", "village")
        .order_by("full_name", "pk")
    )


def active_devices(teams: QuerySet[Team] | list[Team]) -> QuerySet[FieldDevice]:
    """The devices not revoked of the members of these teams, by member and name."""
    return (
        FieldDevice.objects.filter(membership__team__in=teams, revoked_at__isnull=True)
        .select_related("membership__team", "membership__resident", "membership__user")
        .order_by("membership__team__name", "membership__resident__full_name", "name", "pk")
    )


def team_villages(team: Team) -> list[AdministrativeUnit]:
    """The villages a team works in: its own village, or every village of its commune, by code."""
    if team.village_id is not None:
        return list(AdministrativeUnit.objects.filter(pk=team.village_id))
    return list(AdministrativeUnit.objects.filter(parent_id=team.commune_id, level=Level.VILLAGE).order_by("code"))


def team_assignments(
    team: Team, *, village: AdministrativeUnit | None = None, limit: int | None = None
) -> QuerySet[HouseholdAssignment]:
    """The team's open household assignments (optionally of one village), by village and household code, with the
    household, its head and the member: what a manager re-assigns from."""
    rows = (
        HouseholdAssignment.objects.filter(team=team, valid_to__isnull=True)
        .select_related("household__village", "household__head", "membership__resident")
        .order_by("household__village__code", "household__code", "pk")
    )
    if village is not None:
        rows = rows.filter(household__village=village)
    return rows[:limit] if limit is not None else rows
