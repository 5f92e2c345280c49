"""`reached_by_import`: whom a roster import may match, attach, update or move (issue 8, hole 1)."""

import datetime

import pytest

from hocvuso.accounts.access import reached_by_import
from hocvuso.accounts.roles import Role
from hocvuso.people.models import Resident
from hocvuso.people.services import add_membership, end_membership
from hocvuso.people.tests.factories import OrganisationFactory, ResidentFactory


@pytest.fixture
def people(territory):
    school = OrganisationFactory(code="THPT", kind="school", unit=territory.commune)
    far_agency = OrganisationFactory(code="SNV", kind="state_agency", unit=territory.other_commune)
    ResidentFactory(full_name="Ở xã", village=territory.village)
    member = ResidentFactory(full_name="Thành viên ở xã khác", village=territory.other_village)
    former = ResidentFactory(full_name="Đã thôi", village=territory.other_village)
    ResidentFactory(full_name="Người xã khác", village=territory.other_village)
    add_membership(resident=member, organisation=school, kind="staff", valid_from=datetime.date(2020, 1, 1), actor=None)
    ended = add_membership(
        resident=former, organisation=school, kind="staff", valid_from=datetime.date(2020, 1, 1), actor=None
    )
    end_membership(membership=ended, valid_to=datetime.date(2024, 12, 31), actor=None)
    far = ResidentFactory(full_name="Cán bộ Sở", village=territory.other_village)
    add_membership(
        resident=far, organisation=far_agency, kind="staff", valid_from=datetime.date(2020, 1, 1), actor=None
    )
    return {"school": school, "far_agency": far_agency}


def reached(user) -> list[str]:
    return sorted(Resident.objects.filter(reached_by_import(user, Resident)).values_list("full_name", flat=True))


def test_each_importer_reaches_only_their_area_and_the_members_in_force_of_their_organisations(
    territory, make_user, people
):
    commune_officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    agency_officer = make_user(Role.AGENCY_OFFICER, organisation=people["far_agency"])
    province_admin = make_user(Role.PROVINCE_ADMIN, territory.province)
    other_province = make_user(Role.COMMUNE_OFFICER, territory.far_commune)
    learner = make_user(Role.LEARNER)

    assert reached(commune_officer) == ["Thành viên ở xã khác", "Ở xã"]
    assert reached(agency_officer) == ["Cán bộ Sở"]
    assert reached(province_admin) == ["Cán bộ Sở", "Người xã khác", "Thành viên ở xã khác", "Đã thôi", "Ở xã"]
    assert reached(other_province) == []
    assert reached(learner) == []
    assert reached(None) == reached(province_admin)  # the system (command line)


def test_a_kind_without_a_rule_is_a_programming_error(territory, make_user):
    from hocvuso.people.models import Household

    with pytest.raises(TypeError):
        reached_by_import(make_user(Role.COMMUNE_OFFICER, territory.commune), Household)
