"""Fixtures of the outreach tests: commune C1 of the shared territory with a team, its leader, two members and
households in village V1a (V1b has households of its own)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Role
from hocvuso.outreach.models import Team, TeamMembership
from hocvuso.outreach.services import add_team_member, assign_households, create_team
from hocvuso.people.models import Household, Resident
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory

from .class_fixtures import Classes, make_classes

START = datetime.date(2026, 1, 1)


@dataclass
class Field:
    team: Team
    leader: User
    alice: User
    bob: User
    alice_membership: TeamMembership
    bob_membership: TeamMembership
    households: list[Household]
    other_village_household: Household


@pytest.fixture
def field(territory: Any, commune_officer: User, make_user: Callable[..., User]) -> Field:
    leader = make_user(Role.TEAM_LEADER, territory.commune)
    alice = make_user(Role.TEAM_MEMBER, territory.commune)
    bob = make_user(Role.TEAM_MEMBER, territory.commune)
    team = create_team(commune=territory.commune, name="Tổ 1", leader=leader, actor=commune_officer)
    memberships = []
    for user in (alice, bob):
        resident = ResidentFactory(village=territory.village, full_name=f"Thành viên {user.username}", user=user)
        memberships.append(add_team_member(team=team, user=user, resident=resident, valid_from=START, actor=leader))
    households = []
    for number in range(4):
        household = HouseholdFactory(village=territory.village, code=f"{number + 1:03d}")
        ResidentFactory(household=household, full_name=f"Chủ hộ {number + 1}", birth_date=datetime.date(1950, 1, 1))
        ResidentFactory(household=household, full_name=f"Con {number + 1}", birth_date=datetime.date(2000, 5, 5))
        households.append(household)
    other = HouseholdFactory(village=territory.village_b, code="900")
    ResidentFactory(household=other, full_name="Người thôn khác")
    assign_households(team=team, village=territory.village, on=START, actor=leader)
    return Field(team, leader, alice, bob, memberships[0], memberships[1], households, other)


def people_of(household: Household) -> list[Resident]:
    return list(Resident.objects.filter(household=household).order_by("pk"))


def now() -> datetime.datetime:
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def setup(territory: Any, commune_officer: User, make_user: Callable[..., User]) -> Classes:
    """Weekly community classes of the shared territory (class_fixtures.make_classes)."""
    return make_classes(territory, commune_officer, make_user)
