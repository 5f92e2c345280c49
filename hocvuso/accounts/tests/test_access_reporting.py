"""The reporting section of access.py: read over a scope, act as the subject's own officer, review others'."""

import pytest

from hocvuso.accounts.access import may_act_as_subject, may_read_subject, may_review_subject, officers_of
from hocvuso.accounts.roles import Permission, Role
from hocvuso.people.tests.factories import OrganisationFactory


@pytest.fixture
def agency(territory):
    organisation = OrganisationFactory(code="SNV-68", name="Sở Nội vụ", unit=territory.province)
    organisation.unit = territory.province
    return organisation


@pytest.mark.parametrize(
    "role, scope, reads, acts, reviews",
    [
        (Role.COMMUNE_OFFICER, "commune", True, True, False),
        (Role.COMMUNE_OFFICER, "other_commune", False, False, False),
        (Role.PROVINCE_ADMIN, "province", True, False, True),
        (Role.PROVINCE_ADMIN, "other_province", False, False, False),
        (Role.TEAM_LEADER, "commune", False, False, False),
        (Role.LEARNER, None, False, False, False),
    ],
)
def test_a_communes_report(territory, make_user, role, scope, reads, acts, reviews):
    user = make_user(role, getattr(territory, scope) if scope else None)

    assert may_read_subject(user, Permission.VIEW_REPORTS, unit=territory.commune) is reads
    assert may_act_as_subject(user, Permission.EDIT_REPORTS, unit=territory.commune) is acts
    assert may_review_subject(user, unit=territory.commune) is reviews


def test_an_agencys_report(territory, make_user, agency):
    officer = make_user(Role.AGENCY_OFFICER, None, agency)
    other = make_user(Role.AGENCY_OFFICER, None, OrganisationFactory(unit=territory.province))
    admin = make_user(Role.PROVINCE_ADMIN, territory.province)
    commune_officer = make_user(Role.COMMUNE_OFFICER, territory.commune)

    assert may_act_as_subject(officer, Permission.EDIT_REPORTS, organisation=agency)
    assert not may_review_subject(officer, organisation=agency)
    assert not may_read_subject(other, Permission.VIEW_REPORTS, organisation=agency)
    assert not may_read_subject(commune_officer, Permission.VIEW_REPORTS, organisation=agency)
    assert may_review_subject(admin, organisation=agency)
    assert not may_act_as_subject(admin, Permission.EDIT_REPORTS, organisation=agency)
    assert list(officers_of(Permission.EDIT_REPORTS, organisation=agency)) == [officer]


def test_the_province_admin_is_the_provinces_own_officer(territory, make_user):
    admin = make_user(Role.PROVINCE_ADMIN, territory.province)

    assert may_act_as_subject(admin, Permission.EDIT_REPORTS, unit=territory.province)
    assert not may_review_subject(admin, unit=territory.province)
