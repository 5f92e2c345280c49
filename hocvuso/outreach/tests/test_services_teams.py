import datetime

import pytest

from hocvuso.accounts.roles import Role
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.outreach.models import HouseholdAssignment, Team, TeamMembership
from hocvuso.outreach.selectors import teams_managed_by, unassigned_households
from hocvuso.outreach.services import (
    add_team_member,
    assign_households,
    create_team,
    end_team_member,
    reassign_household,
)
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory

from .conftest import START


def _open(field):
    return dict(
        HouseholdAssignment.objects.filter(team=field.team, valid_to__isnull=True).values_list(
            "household_id", "membership_id"
        )
    )


def test_create_team_by_the_commune_officer_only(territory, commune_officer, make_user):
    leader = make_user(Role.TEAM_LEADER, territory.commune)
    outsider = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    with pytest.raises(NotFound):
        create_team(commune=territory.commune, name="Tổ A", leader=leader, actor=outsider)
    with pytest.raises(NotFound):
        create_team(commune=territory.commune, name="Tổ A", leader=leader, actor=leader)
    assert Team.objects.count() == 0
    team = create_team(
        commune=territory.commune, name="  Tổ   A ", leader=leader, actor=commune_officer, village=territory.village
    )
    assert (team.name, team.commune, team.village, team.leader) == (
        "Tổ A",
        territory.commune,
        territory.village,
        leader,
    )
    with pytest.raises(DomainError) as error:
        create_team(commune=territory.commune, name="Tổ A", leader=leader, actor=commune_officer)
    assert error.value.code == "duplicate_name"
    with pytest.raises(DomainError) as error:
        create_team(
            commune=territory.commune,
            name="Tổ B",
            leader=leader,
            actor=commune_officer,
            village=territory.other_village,
        )
    assert error.value.code == "village_outside"
    assert AuditEntry.objects.filter(action="outreach.create_team").count() == 1


def test_teams_are_managed_by_their_commune_officer_and_their_own_leader(field, territory, commune_officer, make_user):
    other_leader = make_user(Role.TEAM_LEADER, territory.commune)
    other_team = create_team(commune=territory.commune, name="Tổ 2", leader=other_leader, actor=commune_officer)
    assert set(teams_managed_by(commune_officer)) == {field.team, other_team}
    assert list(teams_managed_by(field.leader)) == [field.team]
    assert list(teams_managed_by(field.alice)) == []
    user = make_user()
    resident = ResidentFactory(village=territory.village, user=user)
    with pytest.raises(NotFound):
        add_team_member(team=field.team, user=user, resident=resident, valid_from=START, actor=other_leader)
    with pytest.raises(NotFound):
        add_team_member(team=field.team, user=user, resident=resident, valid_from=START, actor=field.alice)
    assert not TeamMembership.objects.filter(user=user).exists()


def test_add_member_refuses_a_resident_of_another_account_and_a_second_open_membership(field, territory, make_user):
    user = make_user()
    someone_else = ResidentFactory(village=territory.village, user=make_user())
    with pytest.raises(DomainError) as error:
        add_team_member(team=field.team, user=user, resident=someone_else, valid_from=START, actor=field.leader)
    assert error.value.code == "resident_of_another_user"
    with pytest.raises(DomainError) as error:
        add_team_member(
            team=field.team,
            user=field.alice,
            resident=field.alice_membership.resident,
            valid_from=START,
            actor=field.leader,
        )
    assert error.value.code == "duplicate_member"


def test_assignment_is_balanced_and_only_adds_unassigned_households(field, territory):
    assignment = _open(field)
    assert set(assignment) == {h.pk for h in field.households}
    loads = sorted(list(assignment.values()).count(m) for m in set(assignment.values()))
    assert loads == [2, 2]
    extra = [HouseholdFactory(village=territory.village, code=f"10{n}") for n in range(3)]
    created = assign_households(team=field.team, village=territory.village, on=START, actor=field.leader)
    assert {a.household_id for a in created} == {h.pk for h in extra}
    after = _open(field)
    counts = sorted(list(after.values()).count(m) for m in set(after.values()))
    assert counts == [3, 4]
    assert list(unassigned_households(field.team)) == [field.other_village_household]


def test_ending_a_member_leaves_their_households_unassigned(field):
    alices = {h for h, m in _open(field).items() if m == field.alice_membership.pk}
    end_team_member(membership=field.alice_membership, valid_to=START + datetime.timedelta(days=5), actor=field.leader)
    assert {h.pk for h in unassigned_households(field.team)} == alices | {field.other_village_household.pk}
    with pytest.raises(DomainError):
        end_team_member(membership=field.alice_membership, valid_to=START, actor=field.leader)


def test_reassign_ends_the_previous_assignment(field):
    household = next(h for h, m in _open(field).items() if m == field.alice_membership.pk)
    on = START + datetime.timedelta(days=10)
    target = field.households[[h.pk for h in field.households].index(household)]
    reassign_household(team=field.team, household=target, membership=field.bob_membership, on=on, actor=field.leader)
    rows = list(
        HouseholdAssignment.objects.filter(household=target)
        .order_by("valid_from")
        .values_list("membership_id", "valid_from", "valid_to")
    )
    assert rows == [
        (field.alice_membership.pk, START, on - datetime.timedelta(days=1)),
        (field.bob_membership.pk, on, None),
    ]
