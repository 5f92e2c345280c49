"""The access decision, exhaustively: every kind of user × every permission × every kind of object, for one object
(`can`) and for lists (`scope`, which every `.visible_to` applies), which must always agree.

The world: province P (68) with communes C1 (24631: villages V1a, V1b) and C2 (24751: village V2a); province Q (01)
with commune D1. Organisations in C1, in V2a and in D1; a household and a resident in V1a and in V2a; a resident of
V2a who is a member in force of the C1 organisation, and one whose membership of it has ended; import jobs and
targets of each place; role assignments of a volunteer in V1a and of D1's organisation; and the reporting kinds,
each about one subject — reports of C1, of the C1 organisation, of P (consolidated) and of D1's organisation; the
plan tasks C1 and the V2a organisation lead, an update and evidence of each; a reporting assignment of C2. The
expected answers below are written by hand from the table in access.py's docstring.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from hocvuso.accounts.access import (
    PLATFORM_WIDE,
    THROUGH_MEMBERSHIP,
    access_unit,
    acting_with_token,
    can,
    can_reach,
    has_permission,
    home_unit,
    is_staff_user,
    needs_second_factor,
    permissions_of,
    require,
    scope,
    sees_residence,
    units_visible_to,
)
from hocvuso.accounts.models import RoleAssignment
from hocvuso.accounts.roles import ROLE_PERMISSIONS, Permission, Role
from hocvuso.accounts.tests.factories import RoleAssignmentFactory
from hocvuso.core.errors import NotFound
from hocvuso.indicators.models import Indicator, Target
from hocvuso.people.import_models import ImportJob, RosterUpload
from hocvuso.people.models import Household, Membership, Organisation, Resident
from hocvuso.people.tests.factories import HouseholdFactory, OrganisationFactory, ResidentFactory
from hocvuso.reporting.models import Plan, PlanTask, Report, ReportingAssignment, TaskEvidence, TaskProgress, TaskUpdate
from hocvuso.reporting.tests.factories import make_report
from hocvuso.territory.models import AdministrativeUnit

ALL = "all"  # every permission of the user's role
MEMBER = "member"  # the role's permissions that a membership gives: THROUGH_MEMBERSHIP


@dataclass
class World:
    objects: dict[str, object]
    users: dict[str, object]


def _job(unit, organisation=None, kind="residents") -> ImportJob:
    upload = RosterUpload.objects.create(file_name="a.csv", size=1, sha256="0" * 64)
    return ImportJob.objects.create(
        kind=kind,
        unit=unit,
        organisation=organisation,
        upload=upload,
        file_name="a.csv",
        fingerprint=f"{unit.pk}-{organisation.pk if organisation else 0}",
    )


def _reporting(t, org_c1, org_v2, org_far) -> dict[str, object]:
    """The reporting kinds: reports, plan tasks of a lead (task progress), their updates and evidence."""
    task = PlanTask.objects.create(
        plan=Plan.objects.create(code="ke-hoach-thu", title="Kế hoạch thử", year=2026), code="IV.3.4", title="Học"
    )
    task_c1 = TaskProgress.objects.create(task=task, unit=t.commune)
    task_org_v2 = TaskProgress.objects.create(task=task, organisation=org_v2)
    return {
        "report_c1": make_report(unit=t.commune),
        "report_org_c1": make_report(organisation=org_c1),
        "report_p": make_report(unit=t.province, kind="consolidated"),
        "report_org_far": make_report(organisation=org_far),
        "assignment_c2": ReportingAssignment.objects.create(unit=t.other_commune, valid_from=date(2026, 1, 1)),
        "task_c1": task_c1,
        "task_org_v2": task_org_v2,
        "update_c1": TaskUpdate.objects.create(progress_of=task_c1, status="in_progress", progress=10),
        "evidence_org_v2": TaskEvidence.objects.create(
            progress_of=task_org_v2, kind="link", title="Tin bài", url="https://x.vn/"
        ),
    }


@pytest.fixture
def world(territory, make_user) -> World:
    t = territory
    org_c1 = OrganisationFactory(code="ORG-C1", unit=t.commune, kind="school")
    org_v2 = OrganisationFactory(code="ORG-V2", unit=t.other_village)
    org_far = OrganisationFactory(code="ORG-FAR", unit=t.far_commune)
    h1 = HouseholdFactory(village=t.village)
    h2 = HouseholdFactory(village=t.other_village)
    r1 = ResidentFactory(household=h1)
    r2 = ResidentFactory(household=h2)
    r3 = ResidentFactory(household=h2)
    today = timezone.localdate()
    m2 = Membership.objects.create(resident=r2, organisation=org_c1, kind="student", valid_from=date(2024, 9, 5))
    m3 = Membership.objects.create(
        resident=r3, organisation=org_c1, kind="student", valid_from=date(2020, 9, 5), valid_to=today - timedelta(1)
    )
    indicator = Indicator.objects.first()
    objects = {
        "P": t.province,
        "C1": t.commune,
        "V1a": t.village,
        "V1b": t.village_b,
        "C2": t.other_commune,
        "V2a": t.other_village,
        "Q": t.other_province,
        "D1": t.far_commune,
        "org_c1": org_c1,
        "org_v2": org_v2,
        "org_far": org_far,
        "h1": h1,
        "h2": h2,
        "r1": r1,
        "r2": r2,
        "r3": r3,
        "m2": m2,
        "m3": m3,
        "job_c1": _job(t.commune),
        "job_c2": _job(t.other_commune),
        "job_org_province": _job(t.province, org_c1, "students"),
        "job_org_c1": _job(t.commune, org_c1, "students"),
        "target_c1": Target(indicator=indicator, year=2026, unit=t.commune, value=Decimal(1)),
        "target_v2": Target(indicator=indicator, year=2026, unit=t.other_village, value=Decimal(1)),
        "target_org_c1": Target(indicator=indicator, year=2026, organisation=org_c1, value=Decimal(1)),
        "target_default": Target(indicator=indicator, year=2026, value=Decimal(1)),
        "role_v1a": RoleAssignmentFactory(user=make_user(), role=Role.TEAM_MEMBER, unit=t.village),
        "role_org_far": RoleAssignmentFactory(user=make_user(), role=Role.AGENCY_OFFICER, organisation=org_far),
        **_reporting(t, org_c1, org_v2, org_far),
    }
    users = {
        "admin_p": make_user(Role.PROVINCE_ADMIN, t.province),
        "officer_c1": make_user(Role.COMMUNE_OFFICER, t.commune),
        "officer_c2": make_user(Role.COMMUNE_OFFICER, t.other_commune),
        "leader_c1": make_user(Role.TEAM_LEADER, t.commune),
        "member_v1a": make_user(Role.TEAM_MEMBER, t.village),
        "instructor_c1": make_user(Role.INSTRUCTOR, t.commune),
        "agency": make_user(Role.AGENCY_OFFICER, organisation=org_c1),
        "learner": make_user(Role.LEARNER),
        "admin_q": make_user(Role.PROVINCE_ADMIN, t.other_province),
    }
    return World(objects, users)


# What lies in commune C1 (for any role held over C1).
IN_C1 = [
    *["C1", "V1a", "V1b", "org_c1", "h1", "r1", "m2", "m3", "job_c1", "job_org_c1", "target_c1", "target_org_c1"],
    *["role_v1a", "report_c1", "report_org_c1", "task_c1", "update_c1"],
]
# What lies in commune C2 (the V2a organisation's task and evidence among it).
IN_C2 = [
    "C2",
    "V2a",
    "org_v2",
    "h2",
    "r2",
    "r3",
    "job_c2",
    "target_v2",
    "assignment_c2",
    "task_org_v2",
    "evidence_org_v2",
]
# Where each user reaches, by object: ALL the role's permissions, or MEMBER (through a membership in force).
# An object not listed gives the user nothing.
REACH: dict[str, dict[str, str]] = {
    "admin_p": {
        **dict.fromkeys(["P", "C1", "V1a", "V1b", "C2", "V2a"], ALL),
        **dict.fromkeys(["org_c1", "org_v2", "h1", "h2", "r1", "r2", "r3", "m2", "m3"], ALL),
        **dict.fromkeys(["job_c1", "job_c2", "job_org_province", "job_org_c1"], ALL),
        **dict.fromkeys(["target_c1", "target_v2", "target_org_c1", "target_default"], ALL),
        **dict.fromkeys(["role_v1a", "report_c1", "report_org_c1", "report_p", "assignment_c2"], ALL),
        **dict.fromkeys(["task_c1", "task_org_v2", "update_c1", "evidence_org_v2"], ALL),
    },
    "officer_c1": {
        **dict.fromkeys(IN_C1, ALL),
        "r2": MEMBER,  # lives in C2, member in force of a C1 organisation: seen as a member only
        # r3's membership ended: nothing; job_org_province reaches the whole province: not the commune's
    },
    "officer_c2": dict.fromkeys(IN_C2, ALL),
    "leader_c1": {**dict.fromkeys(IN_C1, ALL), "r2": MEMBER},
    "member_v1a": dict.fromkeys(["V1a", "h1", "r1", "role_v1a"], ALL),
    "instructor_c1": {**dict.fromkeys(IN_C1, ALL), "r2": MEMBER},
    "agency": {
        **dict.fromkeys(["org_c1", "m2", "m3", "job_org_province", "job_org_c1", "target_org_c1"], ALL),
        "report_org_c1": ALL,
        "r2": MEMBER,
    },
    "learner": {},
    # Not the default target of the platform's province.
    "admin_q": dict.fromkeys(["Q", "D1", "org_far", "role_org_far", "report_org_far"], ALL),
}
ROLE_OF = {
    "admin_p": Role.PROVINCE_ADMIN,
    "officer_c1": Role.COMMUNE_OFFICER,
    "officer_c2": Role.COMMUNE_OFFICER,
    "leader_c1": Role.TEAM_LEADER,
    "member_v1a": Role.TEAM_MEMBER,
    "instructor_c1": Role.INSTRUCTOR,
    "agency": Role.AGENCY_OFFICER,
    "learner": Role.LEARNER,
    "admin_q": Role.PROVINCE_ADMIN,
}
LISTED = {
    AdministrativeUnit: ["P", "C1", "V1a", "V1b", "C2", "V2a", "Q", "D1"],
    Organisation: ["org_c1", "org_v2", "org_far"],
    Household: ["h1", "h2"],
    Resident: ["r1", "r2", "r3"],
    Membership: ["m2", "m3"],
    ImportJob: ["job_c1", "job_c2", "job_org_province", "job_org_c1"],
    RoleAssignment: ["role_v1a", "role_org_far"],
    ReportingAssignment: ["assignment_c2"],
    Report: ["report_c1", "report_org_c1", "report_p", "report_org_far"],
    TaskProgress: ["task_c1", "task_org_v2"],
    TaskUpdate: ["update_c1"],
    TaskEvidence: ["evidence_org_v2"],
}


def expected(user_key: str, object_key: str) -> frozenset[Permission]:
    reach = REACH[user_key].get(object_key)
    granted = ROLE_PERMISSIONS[ROLE_OF[user_key]]
    if user_key == "admin_q":  # not the platform's province: no platform-wide permission, anywhere
        granted -= PLATFORM_WIDE
    if reach == ALL:
        return granted
    if reach == MEMBER:
        return granted & THROUGH_MEMBERSHIP
    return frozenset()


@pytest.mark.parametrize("user_key", list(REACH))
def test_can_answers_every_permission_on_every_object_as_the_table_says(world, user_key):
    user = world.users[user_key]
    wrong = [
        (object_key, str(permission))
        for object_key, obj in world.objects.items()
        for permission in Permission
        if can(user, permission, obj) is not (permission in expected(user_key, object_key))
    ]

    assert wrong == []


@pytest.mark.parametrize("user_key", list(REACH))
def test_lists_hold_exactly_the_objects_can_allows(world, user_key):
    user = world.users[user_key]
    for model, keys in LISTED.items():
        for permission in Permission:
            among = model.objects.filter(pk__in=[world.objects[key].pk for key in keys])  # the users' own aside
            listed = set(among.filter(scope(user, permission, model)).values_list("pk", flat=True))
            allowed = {world.objects[key].pk for key in keys if permission in expected(user_key, key)}
            assert listed == allowed, (model.__name__, str(permission))


def test_require_raises_the_same_not_found_for_missing_and_forbidden(world):
    officer = world.users["officer_c2"]

    require(officer, Permission.VIEW_PEOPLE, world.objects["r2"])
    for obj in [world.objects["r1"], world.objects["h1"], world.objects["C1"], None]:
        with pytest.raises(NotFound) as raised:
            require(officer, Permission.VIEW_PEOPLE, obj)
        assert raised.value.code == "not_found"


def test_an_unknown_kind_is_a_programming_error_not_a_no(world):
    with pytest.raises(TypeError):
        can(world.users["admin_p"], Permission.VIEW_PEOPLE, world.users["learner"])
    with pytest.raises(TypeError):
        scope(world.users["admin_p"], Permission.VIEW_PEOPLE, Indicator)


def test_only_residents_living_in_the_scope_show_their_residence(world):
    officer = world.users["officer_c1"]

    assert sees_residence(officer, world.objects["r1"]) is True
    assert sees_residence(officer, world.objects["r2"]) is False  # a member, living in C2
    assert sees_residence(world.users["agency"], world.objects["r2"]) is False
    assert sees_residence(world.users["officer_c2"], world.objects["r2"]) is True


def test_can_reach_decides_a_place_known_by_its_path(world):
    officer = world.users["officer_c1"]
    org_c1 = world.objects["org_c1"]

    assert can_reach(officer, Permission.VIEW_PROGRESS, path="/68/24631/24631.002/") is True
    assert can_reach(officer, Permission.VIEW_PROGRESS, path="/68/") is False
    assert can_reach(officer, Permission.VIEW_PROGRESS, path="/68/24751/") is False
    assert can_reach(officer, Permission.VIEW_PROGRESS, path="/68/246310/") is False  # a longer code, not a child
    agency = world.users["agency"]
    assert can_reach(agency, Permission.VIEW_PROGRESS, path="/68/24631/", organisation_id=org_c1.pk) is True
    assert can_reach(agency, Permission.VIEW_PROGRESS, path="/68/24631/") is False
    assert can_reach(agency, Permission.MANAGE_UNITS, path="/68/24631/", organisation_id=org_c1.pk) is False


# --- whom the user acts as -------------------------------------------------------------------------------------


def test_assignments_outside_their_dates_and_inactive_users_grant_nothing(world, make_user, territory):
    today = timezone.localdate()
    ended = make_user()
    RoleAssignmentFactory(
        user=ended, role=Role.COMMUNE_OFFICER, unit=territory.commune, valid_from=today - timedelta(30), valid_to=today
    )
    ended.role_assignments.update(valid_to=today - timedelta(1))
    future = make_user()
    RoleAssignmentFactory(
        user=future, role=Role.COMMUNE_OFFICER, unit=territory.commune, valid_from=today + timedelta(1)
    )
    inactive = make_user(Role.COMMUNE_OFFICER, territory.commune, is_active=False)

    for user in [ended, future, inactive, AnonymousUser()]:
        assert permissions_of(user) == frozenset()
        assert not any(can(user, permission, obj) for obj in world.objects.values() for permission in Permission)
        assert list(units_visible_to(user)) == []
        assert not is_staff_user(user)


def test_a_session_without_the_second_factor_holds_no_staff_permission(world, make_user, territory):
    """A learner signed in without TOTP, then made an officer: in that session the officer's role does not count."""
    promoted = make_user(Role.LEARNER)
    RoleAssignmentFactory(user=promoted, role=Role.COMMUNE_OFFICER, unit=territory.commune)
    promoted.is_verified = lambda: False  # what django-otp's middleware installs on a request's user

    assert permissions_of(promoted) == {Permission.LEARN}
    assert not can(promoted, Permission.VIEW_PEOPLE, world.objects["r1"])
    assert not can(promoted, Permission.MANAGE_PEOPLE, world.objects["r1"])
    assert list(Resident.objects.visible_to(promoted)) == []
    assert is_staff_user(promoted) and needs_second_factor(promoted)

    promoted.is_verified = lambda: True  # the same session after the second factor
    assert can(promoted, Permission.MANAGE_PEOPLE, world.objects["r1"])
    assert not needs_second_factor(promoted)


def test_a_token_carries_the_staff_roles_assigned_before_it_was_issued(world, make_user, territory):
    user = make_user(Role.LEARNER)
    issued_at = timezone.now()
    RoleAssignmentFactory(user=user, role=Role.COMMUNE_OFFICER, unit=territory.commune)
    acting_with_token(user, issued_at=issued_at)

    assert permissions_of(user) == {Permission.LEARN}  # the role came after the token
    assert not can(user, Permission.VIEW_PEOPLE, world.objects["r1"])

    later = make_user(Role.COMMUNE_OFFICER, territory.commune)
    acting_with_token(later, issued_at=timezone.now())
    assert can(later, Permission.VIEW_PEOPLE, world.objects["r1"])
    assert not needs_second_factor(later)


def test_the_audit_log_belongs_to_the_platforms_province_only(world):
    """The log is not tied to units: reading it needs the province the platform serves, not any province."""
    assert has_permission(world.users["admin_p"], Permission.VIEW_AUDIT)
    assert Permission.VIEW_AUDIT in permissions_of(world.users["admin_p"])
    assert not has_permission(world.users["admin_q"], Permission.VIEW_AUDIT)
    assert Permission.VIEW_AUDIT not in permissions_of(world.users["admin_q"])
    assert has_permission(world.users["admin_q"], Permission.VIEW_UNITS)


def test_home_unit_is_the_highest_by_level(territory, make_user):
    user = make_user(Role.TEAM_MEMBER, territory.village)
    RoleAssignmentFactory(user=user, role=Role.TEAM_LEADER, unit=territory.other_commune)

    assert home_unit(user) == territory.other_commune
    assert home_unit(make_user(Role.COMMUNE_OFFICER, territory.commune)) == territory.commune
    assert home_unit(make_user(Role.LEARNER)) is None


@pytest.mark.parametrize("code", ["24751", "24751.001", "68", "01", "00004", "does-not-exist", ""])
def test_units_outside_the_subtree_and_missing_units_give_the_same_not_found(commune_officer, code):
    with pytest.raises(NotFound):
        access_unit(commune_officer, code)


def test_permission_and_scope_are_both_needed(territory, make_user):
    instructor = make_user(Role.INSTRUCTOR, territory.commune)
    learner = make_user(Role.LEARNER)

    assert access_unit(instructor, "24631.001", Permission.VIEW_UNITS) == territory.village
    with pytest.raises(NotFound):
        access_unit(instructor, "24631.001", Permission.MANAGE_UNITS)
    with pytest.raises(NotFound):
        access_unit(learner, "24631.001", Permission.VIEW_UNITS)
    assert not has_permission(learner, Permission.VIEW_UNITS)


def test_every_role_has_a_permission_set_and_only_learners_are_not_staff(territory, make_user):
    for role in Role:
        assert role in ROLE_PERMISSIONS
        user = make_user(
            role,
            None if role in {Role.LEARNER, Role.AGENCY_OFFICER} else territory.commune,
            organisation=OrganisationFactory(unit=territory.commune) if role == Role.AGENCY_OFFICER else None,
        )
        assert is_staff_user(user) is (role != Role.LEARNER)


# --- cost --------------------------------------------------------------------------------------------------------


def test_decisions_read_the_assignments_once_and_loaded_objects_only(world, django_assert_num_queries):
    officer = world.users["officer_c1"]
    residents = list(Resident.objects.select_related("village").order_by("pk"))
    organisations = list(Organisation.objects.select_related("unit"))

    with django_assert_num_queries(1):  # the assignments, cached on the user afterwards
        assert can(officer, Permission.VIEW_UNITS, world.objects["C1"])
    with django_assert_num_queries(0):
        decisions = [can(officer, Permission.MANAGE_PEOPLE, resident) for resident in residents]
        decisions += [can(officer, Permission.VIEW_PEOPLE, organisation) for organisation in organisations]
        decisions += [sees_residence(officer, resident) for resident in residents]
        condition = scope(officer, Permission.VIEW_PEOPLE, Resident)
    assert decisions.count(True) == 3
    with django_assert_num_queries(1):  # the list is one query, whatever its length
        assert len(Resident.objects.filter(condition)) == 2
    with django_assert_num_queries(1):  # a resident reached only through a membership: one query
        assert can(officer, Permission.VIEW_PEOPLE, world.objects["r2"])
