"""The demo's community digital teams: teams in a few communes, leaders and members linked to residents and to
the bodies that sent them, households assigned by village (balanced by the service), and months of home visits —
all through the outreach services (visits: `prepare_visit` as the member, then `store_visits`, a member's visits
at once as a phone's batch), deterministic by the seed.

The demo commune has two teams: a village team with the demo volunteer (`tinhnguyenvien`, whose role covers that
village) and a commune team led by the demo leader (`totruong`); a few other communes have one team each, led by
an account of their own (no password: nobody signs in with it). The teams count from the day they started work
(their `created_at` is set to it); the demo loads them before it replays its past weeks (`hocvuso.demo.history`), so
each week's facts count the visits dated before it. Idempotent: nothing is made when the demo commune has teams already.
"""

import datetime
import random
import uuid
from dataclasses import dataclass

from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import assign_role, create_user
from hocvuso.outreach.models import HouseholdAssignment, Outcome, SendingBody, Team, TeamMembership
from hocvuso.outreach.services import add_team_member, assign_households, create_team
from hocvuso.outreach.visits import PreparedVisit, preload_visits, prepare_visit, store_visits
from hocvuso.people.models import DigitalIdentity, Household, Organisation, Resident
from hocvuso.territory.models import AdministrativeUnit, Level

OTHER_COMMUNES = 2  # communes with a team besides the demo commune
MEMBERS = 4  # members of a commune team (a village team has the volunteer and two more)
VISIT_DAYS = 120  # about four months of visits
VISITS_PER_MEMBER_WEEK = (1, 4)  # each member visits between 1 and 4 households a week
GUIDANCE = [Outcome.PUBLIC_SERVICES, Outcome.CASHLESS, Outcome.ONLINE_SAFETY, Outcome.E_COMMERCE]
SENT_BY = [SendingBody.YOUTH_UNION, SendingBody.WOMEN_UNION, SendingBody.VETERANS, SendingBody.SCHOOL]


@dataclass(frozen=True)
class DemoOutreach:
    teams: int
    members: int
    assignments: int
    visits: int


def _villages(commune: AdministrativeUnit) -> list[AdministrativeUnit]:
    return list(AdministrativeUnit.objects.filter(parent=commune, level=Level.VILLAGE).order_by("code"))


def _resident_for(village_ids: list[int], taken: set[int], rng: random.Random) -> Resident:
    """An adult of the villages (else of anywhere), not linked to an account and not already a member."""
    adults = Resident.objects.filter(user__isnull=True, birth_date__year__range=(1965, 2004)).exclude(pk__in=taken)
    candidates = list(adults.filter(village_id__in=village_ids).order_by("pk")[:40]) or list(adults.order_by("pk")[:40])
    resident = rng.choice(candidates)
    taken.add(resident.pk)
    return resident


def _member_user(username: str, resident: Resident, unit: AdministrativeUnit, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_user(username=username, password=None, full_name=resident.full_name)
        assign_role(user=user, role=role, unit=unit, organisation=None, assigned_by=None)
    return user


def _sender(index: int, organisations: dict[str, Organisation]) -> tuple[str, Organisation | None]:
    body = SENT_BY[index % len(SENT_BY)]
    if body == SendingBody.SCHOOL and "THPT-QK" in organisations:
        return body, organisations["THPT-QK"]
    return body, None


def _team(
    *,
    commune: AdministrativeUnit,
    name: str,
    leader: User,
    members: list[tuple[User, Resident]],
    villages: list[AdministrativeUnit],
    since: datetime.date,
    organisations: dict[str, Organisation],
    village: AdministrativeUnit | None = None,
) -> tuple[Team, list[TeamMembership]]:
    team = create_team(commune=commune, village=village, name=name, leader=leader, actor=None)
    memberships = []
    for index, (user, resident) in enumerate(members):
        body, organisation = _sender(index, organisations)
        memberships.append(
            add_team_member(
                team=team,
                user=user,
                resident=resident,
                valid_from=since,
                sent_by=body,
                organisation=organisation,
                actor=None,
            )
        )
    for unit in villages:
        assign_households(team=team, village=unit, on=since, actor=None)
    return team, memberships


def _outcomes(people: dict[int, Resident], rng: random.Random, levels: dict[int, int]) -> list[tuple[int, str]]:
    today = timezone.localdate()
    chosen: list[tuple[int, str]] = []
    if rng.random() < 0.12:  # nobody at home
        return [(pk, Outcome.NOT_AT_HOME) for pk in sorted(people)[:1]]
    for pk in sorted(people):
        age = (today - people[pk].birth_date).days // 365
        if age < 16 or rng.random() < 0.35:
            continue
        if rng.random() < 0.06:
            chosen.append((pk, Outcome.REFUSED))
            continue
        level = levels.get(pk, 0)
        if level == 0 and rng.random() < 0.5:
            chosen.append((pk, Outcome.INSTALLED_VNEID))
            levels[pk] = 1
        elif level == 1 and rng.random() < 0.4:
            chosen.append((pk, Outcome.VNEID_LEVEL_2))
            levels[pk] = 2
        if rng.random() < 0.5:
            chosen.append((pk, rng.choice(GUIDANCE)))
        if age >= 18 and rng.random() < 0.15:
            chosen.append((pk, Outcome.OPENED_BANK_ACCOUNT))
    return sorted(set(chosen))


def _visits(memberships: list[TeamMembership], since: datetime.date, rng: random.Random) -> int:
    """Each member's visits from `since` to today, checked by `prepare_visit` as the member and stored by
    `store_visits` (a member's visits at once, as a phone's batch is)."""
    now = timezone.now()
    made = 0
    for membership in memberships:
        households = Household.objects.select_related("village").in_bulk(
            HouseholdAssignment.objects.filter(membership=membership, valid_to__isnull=True).values_list(
                "household_id", flat=True
            )
        )
        if not households:
            continue
        order = sorted(households)
        residents = Resident.objects.filter(household_id__in=order)
        levels = dict(DigitalIdentity.objects.filter(resident__in=residents).values_list("resident_id", "vneid_level"))
        moments = []
        week = since
        while week <= timezone.localdate():
            for _visit in range(rng.randint(*VISITS_PER_MEMBER_WEEK)):
                day = week + datetime.timedelta(days=rng.randrange(7))
                moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(7, 17), 0)))
                if moment <= now:
                    moments.append((moment, rng.choice(order)))
            week += datetime.timedelta(days=7)
        preloaded = preload_visits(actor=membership.user, device=None, visits=[(h, m) for m, h in moments])
        prepared = []
        for moment, household in moments:
            checked = prepare_visit(
                visit_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                form_version=1,
                household=households[household],
                visited_at=moment,
                outcomes=_outcomes(preloaded.residents[household], rng, levels),
                actor=membership.user,
                known_new=True,
                preloaded=preloaded,
            )
            assert isinstance(checked, PreparedVisit)
            prepared.append(checked)
        store_visits(prepared, actor=membership.user)
        made += len(prepared)
    return made


def load_demo_outreach(
    *,
    commune: AdministrativeUnit,
    leader: User,
    volunteer: User,
    organisations: dict[str, Organisation],
    seed: int,
) -> DemoOutreach:
    """The demo's teams, members, assignments and visits (see the module's docstring). Returns the counts made."""
    if Team.objects.filter(commune=commune).exists():
        return DemoOutreach(0, 0, 0, 0)
    rng = random.Random(seed * 1_000 + 12)
    since = timezone.localdate() - datetime.timedelta(days=VISIT_DAYS)
    taken: set[int] = set()
    teams: list[tuple[Team, list[TeamMembership]]] = []
    villages = _villages(commune)
    ids = [unit.pk for unit in villages]
    # The demo commune: a village team with the volunteer, and the commune team of the demo leader.
    first = villages[0]
    volunteer_resident = Resident.objects.filter(user=volunteer).first() or _resident_for([first.pk], taken, rng)
    taken.add(volunteer_resident.pk)
    village_members = [(volunteer, volunteer_resident)] + [
        (_member_user(f"tnv.{first.code}.{n}", resident, first, Role.TEAM_MEMBER), resident)
        for n, resident in ((n, _resident_for([first.pk], taken, rng)) for n in (1, 2))
    ]
    teams.append(
        _team(
            commune=commune,
            village=first,
            name=f"Tổ thanh niên {first.name}",
            leader=leader,
            members=village_members,
            villages=[first],
            since=since,
            organisations=organisations,
        )
    )
    commune_members = [
        (_member_user(f"tnv.{commune.code}.{n}", resident, commune, Role.TEAM_MEMBER), resident)
        for n, resident in ((n, _resident_for(ids, taken, rng)) for n in range(1, MEMBERS + 1))
    ]
    teams.append(
        _team(
            commune=commune,
            name=f"Tổ công nghệ số cộng đồng {commune.name}",
            leader=leader,
            members=commune_members,
            villages=villages[1:],
            since=since,
            organisations=organisations,
        )
    )
    # A few other communes of the province, one team each.
    others = (
        AdministrativeUnit.objects.filter(parent_id=commune.parent_id, level=Level.COMMUNE)
        .exclude(pk=commune.pk)
        .in_force()
        .order_by("code")
    )
    for other in [unit for unit in others if Resident.objects.filter(village__parent=unit).exists()][:OTHER_COMMUNES]:
        other_villages = _villages(other)
        other_ids = [unit.pk for unit in other_villages]
        chief = _resident_for(other_ids, taken, rng)
        other_leader = _member_user(f"totruong.{other.code}", chief, other, Role.TEAM_LEADER)
        members = [(other_leader, chief)] + [
            (_member_user(f"tnv.{other.code}.{n}", resident, other, Role.TEAM_MEMBER), resident)
            for n, resident in ((n, _resident_for(other_ids, taken, rng)) for n in range(1, MEMBERS))
        ]
        teams.append(
            _team(
                commune=other,
                name=f"Tổ công nghệ số cộng đồng {other.name}",
                leader=other_leader,
                members=members,
                villages=other_villages,
                since=since,
                organisations=organisations,
            )
        )
    # The teams worked from `since`: the replayed past weeks (demo/history.py) count them from then.
    started = timezone.make_aware(datetime.datetime.combine(since, datetime.time(8, 0)))
    Team.objects.filter(pk__in=[team.pk for team, _m in teams]).update(created_at=started)
    visits = sum(_visits(memberships, since, rng) for _team_made, memberships in teams)
    return DemoOutreach(
        teams=len(teams),
        members=sum(len(memberships) for _team_made, memberships in teams),
        assignments=HouseholdAssignment.objects.filter(team__in=[team for team, _m in teams]).count(),
        visits=visits,
    )
