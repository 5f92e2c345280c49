from datetime import date

from django.test import override_settings

from hocvuso.people.models import Membership, Resident
from hocvuso.people.tests.factories import OrganisationFactory, ResidentFactory

ON = date(2026, 3, 15)


def _names(queryset):
    return sorted(queryset.values_list("full_name", flat=True))


def test_adults_on_the_eighteenth_birthday_boundary(territory):
    ResidentFactory(full_name="A: 18 today", birth_date=date(2008, 3, 15), village=territory.village)
    ResidentFactory(full_name="B: 18 tomorrow", birth_date=date(2008, 3, 16), village=territory.village)
    ResidentFactory(full_name="C: 18 yesterday", birth_date=date(2008, 3, 14), village=territory.village)

    assert _names(Resident.objects.adults(ON)) == ["A: 18 today", "C: 18 yesterday"]


def test_identity_age_and_elderly_boundaries(territory):
    ResidentFactory(full_name="16 today", birth_date=date(2010, 3, 15), village=territory.village)
    ResidentFactory(full_name="15", birth_date=date(2010, 3, 16), village=territory.village)
    ResidentFactory(full_name="60 today", birth_date=date(1966, 3, 15), village=territory.village)
    ResidentFactory(full_name="59", birth_date=date(1966, 3, 16), village=territory.village)

    assert _names(Resident.objects.identity_age(ON)) == ["16 today", "59", "60 today"]
    assert _names(Resident.objects.elderly(ON)) == ["60 today"]


def test_a_29_february_birthday_counts_from_1_march(territory):
    ResidentFactory(full_name="leap", birth_date=date(2008, 2, 29), village=territory.village)

    assert _names(Resident.objects.adults(date(2026, 2, 28))) == []
    assert _names(Resident.objects.adults(date(2026, 3, 1))) == ["leap"]


def test_ages_on_29_february_itself(territory):
    ResidentFactory(full_name="born 28 Feb", birth_date=date(2010, 2, 28), village=territory.village)
    ResidentFactory(full_name="born 1 Mar", birth_date=date(2010, 3, 1), village=territory.village)

    assert _names(Resident.objects.adults(date(2028, 2, 29))) == ["born 28 Feb"]


@override_settings(ADULT_AGE=21, ELDERLY_AGE=65, DIGITAL_IDENTITY_AGE=14)
def test_thresholds_come_from_settings(territory):
    ResidentFactory(full_name="20", birth_date=date(2005, 6, 1), village=territory.village)
    ResidentFactory(full_name="64", birth_date=date(1961, 6, 1), village=territory.village)
    ResidentFactory(full_name="14", birth_date=date(2012, 3, 15), village=territory.village)

    assert _names(Resident.objects.adults(ON)) == ["64"]
    assert _names(Resident.objects.elderly(ON)) == []
    assert _names(Resident.objects.identity_age(ON)) == ["14", "20", "64"]


def test_membership_groups_in_force_on_the_day(territory):
    school = OrganisationFactory(unit=territory.commune, kind="school")
    company = OrganisationFactory(unit=territory.commune, kind="enterprise")
    starts_today = ResidentFactory(full_name="starts today", village=territory.village)
    ends_today = ResidentFactory(full_name="ends today", village=territory.village)
    ended = ResidentFactory(full_name="ended yesterday", village=territory.village)
    future = ResidentFactory(full_name="starts tomorrow", village=territory.village)
    student = ResidentFactory(full_name="student", village=territory.village)
    worker = ResidentFactory(full_name="worker", village=territory.village)
    Membership.objects.create(resident=starts_today, organisation=school, kind="staff", valid_from=ON)
    Membership.objects.create(
        resident=ends_today, organisation=school, kind="staff", valid_from=date(2020, 1, 1), valid_to=ON
    )
    Membership.objects.create(
        resident=ended, organisation=school, kind="staff", valid_from=date(2020, 1, 1), valid_to=date(2026, 3, 14)
    )
    Membership.objects.create(resident=future, organisation=school, kind="staff", valid_from=date(2026, 3, 16))
    Membership.objects.create(resident=student, organisation=school, kind="student", valid_from=date(2025, 9, 5))
    Membership.objects.create(resident=worker, organisation=company, kind="worker", valid_from=date(2024, 1, 1))
    # two staff memberships do not count the person twice
    Membership.objects.create(resident=starts_today, organisation=company, kind="staff", valid_from=date(2024, 1, 1))

    assert _names(Resident.objects.staff(ON)) == ["ends today", "starts today"]
    assert Resident.objects.staff(ON).count() == 2
    assert _names(Resident.objects.students(ON)) == ["student"]
    assert _names(Resident.objects.workers(ON)) == ["worker"]
    assert _names(Resident.objects.staff(ON).adults(ON)) == ["ends today", "starts today"]
