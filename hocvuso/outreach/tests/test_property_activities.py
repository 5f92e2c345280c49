"""The acceptance property of the activities' rules: for random histories of learning, identity, home visits,
markets, traders, their Ts and events, the facts kept up to date incrementally (capture triggers + `refresh_facts`)
equal a full rebuild, and both equal the rules counted in plain Python (rule_count.py) — for "Gia đình số", the 4T
traders, the digital markets and the events."""

import datetime
import uuid
from collections import defaultdict
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hocvuso.accounts.tests.factories import UserFactory
from hocvuso.indicators.services import rebuild_facts, refresh_facts
from hocvuso.indicators.tests.conftest import facts_of
from hocvuso.learning.models import Course, Enrolment, Lesson, LessonCompletion, LiteracyRule, LiteracyStatus, Module
from hocvuso.outreach.events import record_event
from hocvuso.outreach.markets import create_market, record_trader_step, register_trader
from hocvuso.outreach.models import Event, FourT, Market, Team, TeamMembership, Trader, TraderStep, Visit, VisitOutcome
from hocvuso.outreach.rules import rules
from hocvuso.people.models import DigitalIdentity, Household, Resident
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory
from hocvuso.territory.models import AdministrativeUnit
from hocvuso.territory.tests import factories as units

from .rule_count import complete_traders, digital_family_households, digital_markets

pytestmark = pytest.mark.django_db

CODES = ("digital-families", "traders-trained", "digital-markets", "learning-events")
STEPS = list(FourT.values)

operation = st.one_of(
    st.tuples(st.just("enrol"), st.integers(0, 99)),
    st.tuples(st.just("lesson"), st.integers(0, 99)),
    st.tuples(st.just("literacy"), st.integers(0, 99)),
    st.tuples(st.just("vneid"), st.integers(0, 99), st.integers(0, 2), st.booleans()),
    st.tuples(
        st.just("outcome"), st.integers(0, 99), st.sampled_from(["guides_family", "enrolled", "public_services"])
    ),
    st.tuples(st.just("unguide"), st.integers(0, 99)),
    st.tuples(st.just("move_resident"), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("move_household"), st.integers(0, 99), st.integers(0, 3)),
    st.tuples(st.just("delete_resident"), st.integers(0, 99)),
    st.tuples(st.just("market"), st.integers(0, 3), st.booleans()),
    st.tuples(st.just("trader"), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("step"), st.integers(0, 99), st.integers(0, 3), st.integers(0, 2)),
    st.tuples(st.just("unstep"), st.integers(0, 99)),
    st.tuples(st.just("move_market"), st.integers(0, 99), st.integers(0, 3)),
    st.tuples(st.just("event"), st.integers(0, 1), st.integers(-400, 0)),
    st.tuples(st.just("refresh")),
)


class World:
    def __init__(self) -> None:
        self.today = timezone.localdate()
        province = units.province(code="68")
        communes = [units.commune(province, code="24631"), units.commune(province, code="24751")]
        self.communes = communes
        self.villages = [
            units.village(communes[0], code="24631.001"),
            units.village(communes[0], code="24631.002"),
            units.village(communes[1], code="24751.001"),
            units.village(communes[1], code="24751.002"),
        ]
        # few people, so that one of them often meets every condition of "Gia đình số"
        self.households = [HouseholdFactory(village=self.villages[n % 4], code=f"{n:03d}") for n in range(4)]
        self.residents = [ResidentFactory(household=self.households[n % 4]) for n in range(5)]
        course = Course.objects.create(slug="k", title="K", group="citizens")
        module = Module.objects.create(course=course, slug="m", title="M")
        self.course, self.lesson = course, Lesson.objects.create(course=course, module=module, slug="b", title="B")
        self.rule = LiteracyRule.objects.create(group="citizens", name="citizens")
        leader = UserFactory()
        team = Team.objects.create(commune=communes[0], name="Tổ", leader=leader)
        self.membership = TeamMembership.objects.create(
            team=team, user=leader, resident=self.residents[0], valid_from=datetime.date(2020, 1, 1)
        )
        self.markets: list[Market] = []
        self.traders: list[Trader] = []
        self.counter = 0

    def pick(self, items: list[Any], index: int) -> Any:
        return items[index % len(items)] if items else None

    def user_of(self, resident: Resident) -> Any:
        if resident.user_id is None:
            Resident.objects.filter(pk=resident.pk).update(user=UserFactory())
            resident.refresh_from_db()
        return resident.user

    def apply(self, step: tuple[Any, ...]) -> None:
        name = step[0]
        resident = self.pick(self.residents, step[1]) if len(step) > 1 and isinstance(step[1], int) else None
        if name == "enrol" and resident is not None:
            Enrolment.objects.get_or_create(
                user=self.user_of(resident), course=self.course, defaults={"resident": resident}
            )
        elif name == "lesson" and resident is not None:
            enrolment = Enrolment.objects.filter(resident=resident).first()
            if enrolment is not None:
                LessonCompletion.objects.get_or_create(user=enrolment.user, lesson=self.lesson, enrolment=enrolment)
        elif name == "literacy" and resident is not None:
            user = self.user_of(resident)
            LiteracyStatus.objects.get_or_create(
                user=user, group="citizens", defaults={"resident": resident, "rule": self.rule}
            )
        elif name == "vneid" and resident is not None:
            DigitalIdentity.objects.update_or_create(
                resident=resident,
                defaults={
                    "vneid_level": step[2],
                    "vneid_source": "self" if step[2] else "",
                    "vneid_recorded_on": datetime.date(2025, 9, 1),
                    "has_bank_account": step[3],
                    "bank_source": "self" if step[3] else "",
                    "bank_recorded_on": datetime.date(2025, 9, 1) if step[3] else None,
                },
            )
        elif name == "outcome" and resident is not None and resident.household_id is not None:
            household = Household.objects.get(pk=resident.household_id)
            visit = Visit.objects.create(
                id=uuid.uuid4(),
                form_version=1,
                household=household,
                membership=self.membership,
                team=self.membership.team,
                village=household.village,
                recorded_by=self.membership.user,
                visited_at=timezone.now(),
                content_hash="x" * 64,
            )
            VisitOutcome.objects.create(visit=visit, resident=resident, outcome=step[2])
        elif name == "unguide" and resident is not None:
            VisitOutcome.objects.filter(resident=resident, outcome="guides_family").delete()
        elif name == "move_resident" and resident is not None:
            household = self.pick(self.households, step[2])
            Resident.objects.filter(pk=resident.pk).update(household=household, village=household.village)
        elif name == "move_household":
            household = self.pick(self.households, step[1])
            target = self.villages[step[2]]
            if not Household.objects.filter(village=target, code=household.code).exclude(pk=household.pk).exists():
                Household.objects.filter(pk=household.pk).update(village=target)
        elif name == "delete_resident" and resident is not None and len(self.residents) > 2:
            keeps = Trader.objects.filter(resident=resident).exists() or resident.pk == self.membership.resident_id
            if not keeps:
                VisitOutcome.objects.filter(resident=resident).delete()
                Household.objects.filter(head=resident).update(head=None)
                self.residents.remove(resident)
                resident.delete()
        elif name == "market":
            village = self.villages[step[1]]
            self.counter += 1
            self.markets.append(
                create_market(
                    commune=village.parent,
                    name=f"Chợ {self.counter}",
                    kind="market",
                    village=village if step[2] else None,
                    actor=None,
                )
            )
        elif name == "trader" and self.markets and resident is not None:
            market = self.pick(self.markets, step[2])
            market.refresh_from_db()
            if (
                resident.village.parent_id == market.commune_id
                and not Trader.objects.filter(market=market, resident=resident).exists()
            ):
                self.traders.append(
                    register_trader(market=market, resident=resident, stall="A1", actor=None, on=self.today)
                )
        elif name == "step" and self.traders:
            trader = self.pick(self.traders, step[1])
            kind = STEPS[step[2]]
            if not TraderStep.objects.filter(trader=trader, step=kind).exists():
                record_trader_step(trader=trader, step=kind, evidence="Đã xem", achieved_on=self.today, actor=None)
        elif name == "unstep" and self.traders:
            first = TraderStep.objects.filter(trader=self.pick(self.traders, step[1])).order_by("pk").first()
            if first is not None:
                first.delete()
        elif name == "move_market" and self.markets:
            market = self.pick(self.markets, step[1])
            Market.objects.filter(pk=market.pk).update(village=self.villages[step[2]] if step[2] % 2 else None)
        elif name == "event":
            self.counter += 1
            record_event(
                commune=self.communes[step[1]],
                kind="festival",
                title=f"Ngày hội {self.counter}",
                place="Nhà văn hóa",
                starts_on=self.today + datetime.timedelta(days=step[2]),
                actor=None,
            )
        elif name == "refresh":
            refresh_facts(on=self.today)


def direct_count(day: datetime.date) -> dict[tuple[str, str, str], tuple[int, int]]:
    """The four activity indicators counted from the rows in plain Python, per village, commune and province."""
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    villages = {v.pk: v for v in AdministrativeUnit.objects.filter(level="village").select_related("parent__parent")}
    first_village = {}
    for village in sorted(villages.values(), key=lambda v: v.pk):
        first_village.setdefault(village.parent_id, village)

    def add(code: str, village: AdministrativeUnit, passed: bool) -> None:
        for level, unit in (("village", village), ("commune", village.parent), ("province", village.parent.parent)):
            counts[(code, level, unit.code)][1] += 1
            counts[(code, level, unit.code)][0] += int(passed)

    families = digital_family_households(rules().digital_family)
    for household in Household.objects.all():
        add("digital-families", villages[household.village_id], household.pk in families)
    complete = complete_traders(day)
    for trader in Trader.objects.filter(registered_on__lte=day).select_related("market"):
        market = trader.market
        add(
            "traders-trained",
            villages.get(market.village_id) or first_village[market.commune_id],
            trader.pk in complete,
        )
    digital = digital_markets(rules().digital_market, day)
    for market in Market.objects.all():
        add(
            "digital-markets", villages.get(market.village_id) or first_village[market.commune_id], market.pk in digital
        )
    for event in Event.objects.filter(starts_on__year=day.year, starts_on__lte=day):
        add("learning-events", first_village[event.commune_id], True)
    return {key: (value[0], value[1]) for key, value in counts.items()}


def nonzero(facts: dict[tuple[str, str, str], tuple[int, int]]) -> dict[tuple[str, str, str], tuple[int, int]]:
    return {key: value for key, value in facts.items() if key[0] in CODES and value != (0, 0)}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(before=st.lists(operation, max_size=12), after=st.lists(operation, min_size=1, max_size=20))
@example(  # the last condition met by an enrolment alone (only the enrolment's capture marks the village)
    before=[("literacy", 0), ("vneid", 0, 1, False), ("outcome", 0, "guides_family")], after=[("enrol", 0)]
)
@example(  # by a completed lesson, then by a digital bank account
    before=[("literacy", 1), ("outcome", 1, "guides_family"), ("vneid", 1, 0, True)],
    after=[("lesson", 1), ("enrol", 2), ("refresh",), ("lesson", 1)],
)
@example(  # a market becomes a digital market with its third paying trader; a step undone
    before=[("market", 0, True), ("trader", 0, 0), ("trader", 1, 0), ("trader", 4, 0)],
    after=[("step", 0, 2, 0), ("step", 1, 2, 0), ("refresh",), ("step", 2, 2, 0), ("unstep", 0)],
)
@example(before=[("event", 0, 0)], after=[("event", 1, -1), ("move_household", 0, 3), ("move_market", 0, 1)])
def test_the_activities_rules_counted_incrementally_equal_a_full_recount(
    db: None, before: list[tuple[Any, ...]], after: list[tuple[Any, ...]]
) -> None:
    with transaction.atomic():
        world = World()
        for step in before:
            world.apply(step)
        rebuild_facts(on=world.today)
        for step in after:
            world.apply(step)

        refresh_facts(on=world.today)
        incremental = facts_of(world.today)
        rebuild_facts(on=world.today)
        rebuilt = facts_of(world.today)
        expected = direct_count(world.today)
        transaction.set_rollback(True)

    assert incremental == rebuilt
    assert nonzero(rebuilt) == nonzero(expected)
