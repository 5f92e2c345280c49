from datetime import timedelta

import pytest
from django.utils import timezone

from hocvuso.accounts.access import (
    access_unit,
    has_permission,
    home_unit,
    is_staff_user,
    units_visible_to,
)
from hocvuso.accounts.roles import ROLE_PERMISSIONS, Permission, Role
from hocvuso.accounts.tests.factories import RoleAssignmentFactory
from hocvuso.core.errors import NotFound
from hocvuso.people.models import Organisation
from hocvuso.people.tests.factories import OrganisationFactory


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def test_a_commune_officer_sees_exactly_their_commune_and_its_villages(territory, commune_officer):
    assert codes(units_visible_to(commune_officer)) == ["24631", "24631.001", "24631.002"]
    assert home_unit(commune_officer) == territory.commune


def test_a_province_admin_sees_the_whole_province_and_nothing_else(territory, province_admin):
    assert codes(units_visible_to(province_admin)) == [
        "24631",
        "24631.001",
        "24631.002",
        "24751",
        "24751.001",
        "68",
    ]


@pytest.mark.parametrize("code", ["24751", "24751.001", "68", "01", "00004", "does-not-exist", ""])
def test_units_outside_the_subtree_and_missing_units_give_the_same_404(commune_officer, code):
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


def test_anonymous_users_see_nothing(territory):
    from django.contrib.auth.models import AnonymousUser

    assert codes(units_visible_to(AnonymousUser())) == []
    assert not has_permission(AnonymousUser(), Permission.LEARN)


def test_assignments_outside_their_dates_grant_nothing(territory, make_user):
    user = make_user()
    today = timezone.localdate()
    RoleAssignmentFactory(
        user=user,
        role=Role.COMMUNE_OFFICER,
        unit=territory.commune,
        valid_from=today - timedelta(days=30),
        valid_to=today - timedelta(days=1),
    )
    RoleAssignmentFactory(
        user=user, role=Role.COMMUNE_OFFICER, unit=territory.other_commune, valid_from=today + timedelta(days=1)
    )

    assert codes(units_visible_to(user)) == []
    assert not is_staff_user(user)


def test_an_inactive_user_has_no_access(territory, make_user):
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune, is_active=False)

    assert codes(units_visible_to(officer)) == []


def test_agency_officer_sees_only_their_organisation(territory, make_user):
    mine = OrganisationFactory(unit=territory.commune)
    OrganisationFactory(unit=territory.commune)
    officer = make_user(Role.AGENCY_OFFICER, organisation=mine)

    assert list(Organisation.objects.visible_to(officer, Permission.VIEW_PEOPLE)) == [mine]
    assert codes(units_visible_to(officer)) == []


def test_organisations_in_the_subtree_are_visible_to_unit_roles(territory, province_admin, commune_officer):
    inside = OrganisationFactory(unit=territory.village)
    outside = OrganisationFactory(unit=territory.other_commune)
    OrganisationFactory(unit=territory.far_commune)

    assert list(Organisation.objects.visible_to(commune_officer)) == [inside]
    assert sorted(Organisation.objects.visible_to(province_admin), key=lambda o: o.pk) == [inside, outside]


def test_every_role_has_a_permission_set_and_only_learners_are_not_staff(territory, make_user):
    for role in Role:
        assert role in ROLE_PERMISSIONS
        user = make_user(
            role,
            None if role in {Role.LEARNER, Role.AGENCY_OFFICER} else territory.commune,
            organisation=OrganisationFactory(unit=territory.commune) if role == Role.AGENCY_OFFICER else None,
        )
        assert is_staff_user(user) is (role != Role.LEARNER)


def test_visible_units_are_one_query(territory, commune_officer, django_assert_num_queries):
    with django_assert_num_queries(2):  # the assignments (cached afterwards), then the units
        assert len(list(units_visible_to(commune_officer))) == 3
    with django_assert_num_queries(1):
        assert len(list(units_visible_to(commune_officer))) == 3
