"""Fixtures of the reporting tests: the plan loaded for province 68 of the shared territory, a few residents with
literacy confirmations, today's facts, and officers of a commune and of an agency."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.indicators.services import rebuild_facts
from hocvuso.indicators.tests.conftest import birthday, confirm_literacy
from hocvuso.people.models import Organisation
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory
from hocvuso.reporting.models import ReportingAssignment
from hocvuso.reporting.services import DEFAULT_PLAN_FILE, load_plan_file


@pytest.fixture
def plan(territory):
    """The shipped plan loaded for province 68 (assignments from the plan's year start)."""
    return load_plan_file(path=DEFAULT_PLAN_FILE, province=territory.province, actor=None).plan


@pytest.fixture
def registry(territory):
    """Adults in both communes: 3 of 4 literate in the commune, 1 of 2 in the other; facts rebuilt two weeks ago
    (before) and today."""
    today = timezone.localdate()
    people = []
    for village, count in ((territory.village, 4), (territory.other_village, 2)):
        household = HouseholdFactory(village=village)
        for index in range(count):
            people.append(ResidentFactory(household=household, birth_date=birthday(30 + index, today)))
    confirm_literacy(people[0])
    rebuild_facts(on=today - timedelta(days=14))
    confirm_literacy(people[1])
    confirm_literacy(people[2])
    confirm_literacy(people[4])
    rebuild_facts(on=today)
    return people


@pytest.fixture
def commune_assignment(plan, territory):
    return ReportingAssignment.objects.get(unit=territory.commune, valid_to__isnull=True)


@pytest.fixture
def agency(plan):
    return Organisation.objects.select_related("unit").get(code="SNV-68")


@pytest.fixture
def agency_officer(make_user, agency):
    return make_user(Role.AGENCY_OFFICER, None, agency)


@pytest.fixture
def other_commune_officer(make_user, territory):
    return make_user(Role.COMMUNE_OFFICER, territory.other_commune)


def quarter_of_today():
    from hocvuso.reporting.periods import Quarter

    return Quarter.of(timezone.localdate())


def day(text: str) -> date:
    return date.fromisoformat(text)
