"""Gia đình số: the rule is data (refused whole when wrong), a household's standing says which condition is missing,
the village's list holds the recognised families, and the `digital-families` indicator counts by the rule."""

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from hocvuso.accounts.tests.factories import UserFactory
from hocvuso.indicators.services import rebuild_facts, refresh_facts
from hocvuso.indicators.tests.conftest import confirm_literacy, facts_of, set_vneid
from hocvuso.learning.models import Course, Enrolment
from hocvuso.outreach.families import household_standing, recognised_families
from hocvuso.outreach.models import Team, TeamMembership, Visit, VisitOutcome
from hocvuso.outreach.rules import parse_rules, rules
from hocvuso.people.models import Household, Resident
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory
from hocvuso.territory.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

GOOD = {
    "digital_family": {"conditions": [{"key": "literate", "any_of": [{"record": "literacy_confirmed"}]}]},
    "digital_market": {"steps": ["cashless"], "min_share_percent": 80, "min_traders": 3},
}


def with_family(conditions: Any) -> dict[str, Any]:
    return {**GOOD, "digital_family": {"conditions": conditions}}


def test_the_rule_in_force_names_the_four_conditions_of_the_plan() -> None:
    family = rules().digital_family

    assert [condition.key for condition in family.conditions] == [
        "learned",
        "literate",
        "uses_digital_services",
        "guides_others",
    ]
    assert rules().digital_market.steps == ("cashless",)


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"digital_family": GOOD["digital_family"]},
        with_family([]),
        with_family([{"key": "flies", "any_of": [{"record": "enrolled"}]}]),
        with_family([{"key": "learned", "any_of": []}]),
        with_family([{"key": "learned", "any_of": [{"record": "rm -rf"}]}]),
        with_family([{"key": "learned", "any_of": [{"record": "enrolled", "groups": ["citizens"]}]}]),
        with_family([{"key": "learned", "any_of": [{"record": "lessons_completed", "at_least": True}]}]),
        with_family([{"key": "learned", "any_of": [{"record": "lessons_completed", "at_least": -1}]}]),
        with_family([{"key": "learned", "any_of": [{"record": "visit_outcome", "outcomes": []}]}]),
        with_family([{"key": "learned", "any_of": [{"record": "visit_outcome", "outcomes": ["flew"]}]}]),
        with_family([{"key": "literate", "any_of": [{"record": "literacy_confirmed", "groups": ["aliens"]}]}]),
        with_family([{"key": "learned", "any_of": [{"record": "enrolled"}]}] * 2),
        {**GOOD, "digital_market": {"steps": [], "min_share_percent": 80, "min_traders": 3}},
        {**GOOD, "digital_market": {"steps": ["bitcoin"], "min_share_percent": 80, "min_traders": 3}},
        {**GOOD, "digital_market": {"steps": ["cashless"], "min_share_percent": 0, "min_traders": 3}},
        {**GOOD, "digital_market": {"steps": ["cashless"], "min_share_percent": 101, "min_traders": 3}},
        {**GOOD, "digital_market": {"steps": ["cashless"], "min_share_percent": "80", "min_traders": 3}},
        {**GOOD, "digital_market": {"steps": ["cashless"], "min_share_percent": 80, "min_traders": 0}},
    ],
)
def test_a_wrong_rule_file_is_refused_whole(data: Any) -> None:
    with pytest.raises(ValueError):
        parse_rules(data)


def test_a_good_rule_file_is_read_as_written() -> None:
    parsed = parse_rules(GOOD)

    assert parsed.digital_family.conditions[0].key == "literate"
    assert parsed.digital_family.conditions[0].any_of[0].record == "literacy_confirmed"
    assert (parsed.digital_market.min_share_percent, parsed.digital_market.min_traders) == (80, 3)


class Home:
    """A household of V1a with a parent (who learns) and a child; a team to record visits."""

    def __init__(self, territory: Any) -> None:
        self.village: AdministrativeUnit = territory.village
        self.household: Household = HouseholdFactory(village=territory.village, code="042")
        self.parent: Resident = ResidentFactory(household=self.household, full_name="Lò Văn Học")
        self.child: Resident = ResidentFactory(household=self.household, full_name="Lò Thị Nhỏ")
        self.other: Household = HouseholdFactory(village=territory.village, code="043")
        ResidentFactory(household=self.other, full_name="Người Hộ Khác")
        user = UserFactory()
        team = Team.objects.create(commune=territory.commune, name="Tổ 1", leader=user)
        self.membership = TeamMembership.objects.create(
            team=team,
            user=user,
            resident=ResidentFactory(village=territory.village),
            valid_from=datetime.date(2020, 1, 1),
        )
        self.course = Course.objects.create(slug="khoa", title="Khóa", group="citizens")

    def enrol(self, resident: Resident) -> None:
        Enrolment.objects.create(user=resident.user or UserFactory(), resident=resident, course=self.course)

    def outcome(self, resident: Resident, outcome: str) -> None:
        visit = Visit.objects.create(
            id=uuid.uuid4(),
            form_version=1,
            household=self.household,
            membership=self.membership,
            team=self.membership.team,
            village=self.village,
            recorded_by=self.membership.user,
            visited_at=timezone.now(),
            content_hash="h" * 64,
        )
        VisitOutcome.objects.create(visit=visit, resident=resident, outcome=outcome)


@pytest.fixture
def home(territory: Any) -> Home:
    return Home(territory)


def test_a_household_page_says_what_is_missing_until_the_member_guides_the_others(home: Home) -> None:
    home.enrol(home.parent)
    confirm_literacy(home.parent)
    set_vneid(home.parent, 2)

    standing = household_standing(home.household)

    assert not standing.recognised
    assert standing.nearest is not None and standing.nearest.resident == home.parent
    assert [condition.key for condition in standing.missing] == ["guides_others"]
    child = next(member for member in standing.members if member.resident == home.child)
    assert child.met == {"learned": False, "literate": False, "uses_digital_services": False, "guides_others": False}

    home.outcome(home.parent, "guides_family")
    standing = household_standing(home.household)

    assert standing.recognised and standing.missing == []
    families = recognised_families(AdministrativeUnit.objects.filter(pk=home.village.pk))
    assert [(family.household.code, [m.full_name for m in family.members]) for family in families] == [
        ("042", ["Lò Văn Học"])
    ]


def test_conditions_met_by_different_members_do_not_make_a_digital_family(home: Home) -> None:
    home.enrol(home.parent)
    confirm_literacy(home.parent)
    set_vneid(home.child, 1)
    home.outcome(home.child, "guides_family")

    standing = household_standing(home.household)

    assert not standing.recognised
    assert recognised_families(AdministrativeUnit.objects.filter(pk=home.village.pk)) == []


def test_an_empty_household_misses_every_condition(territory: Any) -> None:
    empty = HouseholdFactory(village=territory.village, code="099")

    standing = household_standing(empty)

    assert standing.nearest is None and len(standing.missing) == 4 and not standing.recognised


def test_the_digital_families_indicator_counts_by_the_rule_and_follows_each_record(home: Home) -> None:
    today = timezone.localdate()
    rebuild_facts(on=today)
    key = ("digital-families", "village", home.village.code)
    assert facts_of(today)[key] == (0, 2)

    confirm_literacy(home.parent)  # literate alone was the old rule: not enough now
    set_vneid(home.parent, 1)
    home.outcome(home.parent, "guides_family")
    refresh_facts(on=today)
    assert facts_of(today)[key] == (0, 2)

    home.outcome(home.parent, "lesson_together")  # learned, at a visit
    refresh_facts(on=today)
    assert facts_of(today)[key] == (1, 2)
    assert facts_of(today)[("digital-families", "commune", "24631")] == (1, 2)
