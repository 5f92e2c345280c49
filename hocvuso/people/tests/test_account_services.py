"""Accounts tied to registry residents (issue 11): an officer's account for a resident, a class's accounts with
one-time codes, and self-registration, which never tells who is registered and never links a record by itself."""

from datetime import date

import pytest
from django.test import override_settings

from hocvuso.accounts.models import LoginFailure, User
from hocvuso.accounts.roles import Role
from hocvuso.core.crypto import encrypt
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.people import account_services
from hocvuso.people.models import Resident
from hocvuso.people.tests.factories import ResidentFactory

PHONE = "0912345678"
BIRTH = date(1985, 4, 3)


@pytest.fixture
def resident(territory):
    return ResidentFactory(
        village=territory.village,
        full_name="Hoàng Thị Mai",
        birth_date=BIRTH,
        phone_ciphertext=encrypt(PHONE),
        phone_last3=PHONE[-3:],
    )


def test_an_officer_makes_a_residents_account_linked_to_them(commune_officer, resident):
    code = account_services.create_resident_account(resident=resident, created_by=commune_officer)

    resident.refresh_from_db()
    assert resident.user == code.user and code.user.must_set_password
    assert list(code.user.role_assignments.values_list("role", flat=True)) == [Role.LEARNER]
    assert code.user.username.startswith("hv") and code.user.full_name == "Hoàng Thị Mai"
    with pytest.raises(DomainError):
        account_services.create_resident_account(resident=resident, created_by=commune_officer)


def test_no_account_for_a_resident_of_another_commune(make_user, territory, resident):
    other = make_user(Role.COMMUNE_OFFICER, territory.other_commune)

    with pytest.raises(NotFound):
        account_services.create_resident_account(resident=resident, created_by=other)
    assert User.objects.filter(resident__isnull=False).count() == 0


def test_an_instructor_makes_a_class_of_accounts_and_skips_who_has_one(make_user, territory, resident):
    instructor = make_user(Role.INSTRUCTOR, territory.commune)
    second = ResidentFactory(village=territory.village_b, full_name="A Lăng Văn")
    has_one = ResidentFactory(village=territory.village, user=make_user(Role.LEARNER))

    made = account_services.make_class_accounts(residents=[resident, second, has_one], made_by=instructor)

    assert [r.full_name for r, _code in made.cards] == ["A Lăng Văn", "Hoàng Thị Mai"]
    assert made.already == [has_one]
    for card_resident, code in made.cards:
        assert Resident.objects.get(pk=card_resident.pk).user == code.user
        assert code.user.check_password(code.plain_text) and code.user.must_set_password
    assert AuditEntry.objects.get(action="accounts.make_class_accounts").details["residents"] == [
        second.pk,
        resident.pk,
    ]


def test_no_class_accounts_for_anyone_outside_the_instructors_area(make_user, territory, resident):
    instructor = make_user(Role.INSTRUCTOR, territory.other_commune)

    with pytest.raises(NotFound):
        account_services.make_class_accounts(residents=[resident], made_by=instructor)
    resident.refresh_from_db()
    assert resident.user is None


def register(**changes):
    values = {
        "phone": PHONE,
        "full_name": "hoang thi mai",
        "birth_date": BIRTH,
        "password": "mat-khau-cua-mai",
        "ip_address": "10.0.0.7",
    }
    return account_services.register_learner(**(values | changes))


def test_self_registration_makes_a_learner_and_only_remembers_the_likely_record(resident):
    result = register()

    user = User.objects.get(username=PHONE)
    assert result is None and user.check_password("mat-khau-cua-mai")
    assert user.registry_candidate == resident
    resident.refresh_from_db()
    assert resident.user is None  # never linked by itself
    assert list(user.role_assignments.values_list("role", flat=True)) == [Role.LEARNER]


def test_a_commune_officer_confirms_the_likely_record(commune_officer, resident):
    register()
    user = User.objects.get(username=PHONE)

    account_services.link_account_to_resident(account=user, resident=resident, linked_by=commune_officer)

    resident.refresh_from_db()
    user.refresh_from_db()
    assert resident.user == user and user.registry_candidate is None


def test_self_registration_answers_the_same_whoever_is_registered(resident, territory):
    """Known in the registry, unknown, or a number that has an account: the caller gets None every time, an existing
    account is untouched and nothing that differs comes back."""
    unknown = register(phone="0987654321", full_name="Người Lạ", birth_date=date(2000, 1, 1))
    known = register()
    existing = User.objects.get(username=PHONE)
    password = existing.password
    again = register(password="mot-mat-khau-khac", ip_address="10.0.0.8")

    assert unknown is known is again is None
    existing.refresh_from_db()
    assert existing.password == password and User.objects.filter(username=PHONE).count() == 1
    assert User.objects.get(username="0987654321").registry_candidate is None


def test_self_registration_refuses_a_weak_password_or_a_bad_number_whoever_it_is(resident):
    with pytest.raises(DomainError) as weak:
        register(password="123")
    with pytest.raises(DomainError) as bad:
        register(phone="12345")

    assert (weak.value.field, bad.value.field) == ("password1", "phone")
    assert not User.objects.exists()


@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_self_registration_is_rate_limited_per_address(resident):
    register(phone="0911111111")
    register(phone="0922222222")

    with pytest.raises(DomainError) as throttled:
        register(phone="0933333333")
    assert throttled.value.code == "throttled"
    assert not User.objects.filter(username="0933333333").exists()
    assert LoginFailure.objects.filter(username__startswith="dang-ky@").count() == 2


@pytest.mark.parametrize("typed", ["H' Thuy Niê", "H Thuy Nie", "h’thuy  niê"])
def test_self_registration_finds_an_ethnic_name_written_with_or_without_its_apostrophe(territory, typed):
    thuy = ResidentFactory(
        village=territory.village,
        full_name="H'Thuy Niê",
        birth_date=BIRTH,
        phone_ciphertext=encrypt(PHONE),
        phone_last3=PHONE[-3:],
    )

    register(full_name=typed)

    assert User.objects.get(username=PHONE).registry_candidate == thuy
