"""`targets_in_force`: the target in force at a unit or an organisation for a year and where it comes from (the
place's own, the nearest unit above it, the plan default), the same target the dashboards use, scoped to the
user, in a fixed number of queries."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from hocvuso.accounts.roles import Role
from hocvuso.core.errors import NotFound
from hocvuso.indicators.models import Indicator, Target
from hocvuso.indicators.selectors import TargetSource, targets_in_force, unit_dashboard
from hocvuso.people.models import Organisation
from hocvuso.people.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

ADULTS = "adults-digital-skills"
STAFF = "staff-digital-skills"
PLAN_YEAR = 2025


def _set(code: str, year: int, value: int | str, **where: Any) -> Target:
    return Target.objects.create(indicator=Indicator.objects.get(code=code), year=year, value=Decimal(value), **where)


def test_a_unit_without_overrides_has_the_plan_defaults(territory: Any, province_admin: Any) -> None:
    result = targets_in_force(user=province_admin, year=2026, unit=territory.village)

    assert [target.indicator.code for target in result.targets] == [
        "adults-digital-skills",
        "adults-certified-vneid",
        "digital-families",
        "digital-identity",
    ]
    adults = result.target(ADULTS)
    assert adults is not None
    assert (adults.value, adults.source, adults.source_place, adults.source_year) == (
        Decimal("80.00"),
        TargetSource.DEFAULT,
        None,
        PLAN_YEAR,
    )
    assert (adults.carried_forward, adults.own_value) == (True, None)
    assert [place.code for place in result.ancestors] == ["68", "24631"]


def test_own_then_nearest_unit_above_then_default(territory: Any, province_admin: Any) -> None:
    _set(ADULTS, 2026, "72.5", unit=territory.commune)
    _set(ADULTS, 2026, 60, unit=territory.province)
    _set(ADULTS, 2026, 90, unit=territory.village_b)

    def line(unit: Any) -> tuple[Any, ...]:
        target = targets_in_force(user=province_admin, year=2026, unit=unit).target(ADULTS)
        assert target is not None
        place = target.source_place.code if target.source_place else None
        return target.value, target.source, place, target.own_value

    assert line(territory.village_b) == (Decimal(90), TargetSource.OWN, "24631.002", Decimal(90))
    assert line(territory.village) == (Decimal("72.5"), TargetSource.INHERITED, "24631", None)
    assert line(territory.commune) == (Decimal("72.5"), TargetSource.OWN, "24631", Decimal("72.5"))
    assert line(territory.other_village) == (Decimal(60), TargetSource.INHERITED, "68", None)
    assert line(territory.province) == (Decimal(60), TargetSource.OWN, "68", Decimal(60))


def test_a_later_year_outranks_a_more_specific_place_as_on_the_dashboard(territory: Any, province_admin: Any) -> None:
    _set(ADULTS, PLAN_YEAR, 65, unit=territory.commune)
    _set(ADULTS, 2027, 95, unit=territory.commune)

    for year, expected in [(PLAN_YEAR, Decimal(65)), (2026, Decimal(65)), (2027, Decimal(95))]:
        target = targets_in_force(user=province_admin, year=year, unit=territory.village).target(ADULTS)
        assert target is not None and target.value == expected, year
        assert target.carried_forward == (year == 2026), year
    target = targets_in_force(user=province_admin, year=2024, unit=territory.village).target(ADULTS)
    assert target is not None and (target.value, target.source) == (None, TargetSource.NONE)
    figure = unit_dashboard(user=province_admin, unit=territory.village).unit.figure(ADULTS)
    assert figure is not None and figure.target == 65.0  # the dashboard (this year, 2026) agrees


def test_an_organisation_has_its_own_override_else_its_units(
    territory: Any, province_admin: Any, make_user: Callable[..., Any]
) -> None:
    school = OrganisationFactory(code="THPT-1", name="Trường THPT Chu Văn An", kind="school", unit=territory.village)
    firm = OrganisationFactory(code="DN-1", name="Công ty Cà phê", kind="enterprise", unit=territory.other_village)
    _set(STAFF, 2026, 90, organisation=school)
    _set(STAFF, 2026, 70, unit=territory.commune)
    officer = make_user(Role.AGENCY_OFFICER, organisation=school)

    mine = targets_in_force(user=officer, year=2026, organisation=Organisation.objects.get(pk=school.pk))
    other = targets_in_force(user=province_admin, year=2026, organisation=firm).target(STAFF)

    staff = mine.target(STAFF)
    assert staff is not None and (staff.value, staff.source, staff.own_value) == (
        Decimal(90),
        TargetSource.OWN,
        Decimal(90),
    )
    assert [place.code for place in mine.ancestors] == ["68", "24631", "24631.001"]
    assert ADULTS not in [target.indicator.code for target in mine.targets]  # not counted per organisation
    assert other is not None and (other.value, other.source) == (Decimal(80), TargetSource.DEFAULT)
    Target.objects.filter(organisation=school).delete()
    inherited = targets_in_force(user=province_admin, year=2026, organisation=school)
    staff = inherited.target(STAFF)
    assert staff is not None and (staff.value, staff.source) == (Decimal(70), TargetSource.INHERITED)
    assert staff.source_place is not None and staff.source_place.code == "24631"


def test_places_outside_the_users_scope_are_not_found(
    territory: Any, commune_officer: Any, make_user: Callable[..., Any]
) -> None:
    school = OrganisationFactory(code="THPT-1", name="Trường THPT Chu Văn An", kind="school", unit=territory.village)
    firm = OrganisationFactory(code="DN-1", name="Công ty Cà phê", kind="enterprise", unit=territory.other_village)
    learner = make_user(Role.LEARNER, territory.province)

    for unit in [territory.province, territory.other_commune, territory.far_commune]:
        with pytest.raises(NotFound):
            targets_in_force(user=commune_officer, year=2026, unit=unit)
    with pytest.raises(NotFound):
        targets_in_force(user=commune_officer, year=2026, organisation=firm)
    with pytest.raises(NotFound):
        targets_in_force(user=learner, year=2026, unit=territory.village)
    with pytest.raises(NotFound):
        targets_in_force(user=commune_officer, year=2026)
    with pytest.raises(NotFound):
        targets_in_force(user=commune_officer, year=2026, unit=territory.commune, organisation=school)
    assert targets_in_force(user=commune_officer, year=2026, organisation=school).place.code == "THPT-1"


def test_a_fixed_number_of_queries_whatever_the_targets(
    territory: Any, province_admin: Any, django_assert_num_queries: Any
) -> None:
    school = OrganisationFactory(code="THPT-1", name="Trường THPT Chu Văn An", kind="school", unit=territory.village)
    school = Organisation.objects.select_related("unit").get(pk=school.pk)
    targets_in_force(user=province_admin, year=2026, unit=territory.village)  # the roles, cached on the user

    with django_assert_num_queries(3):  # indicators, targets, the units above
        targets_in_force(user=province_admin, year=2026, unit=territory.village)
    for indicator in Indicator.objects.all():
        for unit in [territory.province, territory.commune, territory.village, territory.other_commune]:
            for year in [2025, 2026, 2027]:
                Target.objects.create(indicator=indicator, year=year, unit=unit, value=Decimal(50))
        Target.objects.create(indicator=indicator, year=2026, organisation=school, value=Decimal(50))
    with django_assert_num_queries(3):
        result = targets_in_force(user=province_admin, year=2026, unit=territory.village)
    with django_assert_num_queries(3):  # the organisation's scope is decided from its loaded unit
        targets_in_force(user=province_admin, year=2026, organisation=school)
    assert {target.source for target in result.targets} == {TargetSource.OWN}
