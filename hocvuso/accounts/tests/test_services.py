from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.models import LoginFailure, RoleAssignment
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import (
    assign_role,
    check_credentials,
    login_blocked_until,
    pending_totp_device,
    verify_second_factor,
)
from hocvuso.accounts.tests.factories import PASSWORD
from hocvuso.core.errors import DomainError
from hocvuso.core.models import AuditEntry
from hocvuso.people.tests.factories import OrganisationFactory


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_right_password_returns_the_user(make_user):
    user = make_user(username="lan")

    assert check_credentials(username="lan", password=PASSWORD, ip_address="10.0.0.1") == user
    assert LoginFailure.objects.count() == 0


def test_five_failures_block_the_username_even_with_the_right_password(make_user):
    make_user(username="lan")
    for _ in range(5):
        with pytest.raises(DomainError) as wrong:
            check_credentials(username="lan", password="wrong", ip_address="10.0.0.1")
        assert wrong.value.code == "invalid"

    with pytest.raises(DomainError) as blocked:
        check_credentials(username="LAN", password=PASSWORD, ip_address="10.0.0.1")

    assert blocked.value.code == "throttled"
    assert LoginFailure.objects.filter(username="lan").count() == 5


def test_throttling_a_username_does_not_lock_out_others_behind_the_same_address(make_user):
    make_user(username="lan")
    other = make_user(username="minh")
    for _ in range(5):
        with pytest.raises(DomainError):
            check_credentials(username="lan", password="wrong", ip_address="10.0.0.1")

    assert check_credentials(username="minh", password=PASSWORD, ip_address="10.0.0.1") == other


def test_failures_older_than_the_window_no_longer_count(make_user):
    user = make_user(username="lan")
    old = timezone.now() - timedelta(minutes=31)
    LoginFailure.objects.bulk_create([LoginFailure(username="lan", at=old) for _ in range(5)])
    recent = [LoginFailure(username="lan") for _ in range(4)]
    LoginFailure.objects.bulk_create(recent)

    assert login_blocked_until(username="lan") is None
    assert check_credentials(username="lan", password=PASSWORD, ip_address=None) == user


def test_the_block_lifts_thirty_minutes_after_the_oldest_counted_failure(make_user):
    make_user(username="lan")
    first = timezone.now() - timedelta(minutes=10)
    LoginFailure.objects.bulk_create([LoginFailure(username="lan", at=first + timedelta(seconds=i)) for i in range(5)])

    assert login_blocked_until(username="lan") == first + timedelta(minutes=30)


def test_second_factor_verifies_the_enrolled_device_and_rejects_wrong_codes(make_user, territory):
    user = make_user(Role.COMMUNE_OFFICER, territory.commune)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    with pytest.raises(DomainError):
        verify_second_factor(
            user=user, token="000000" if current_code(device) != "000000" else "111111", ip_address=None
        )
    verified = verify_second_factor(user=user, token=current_code(device), ip_address=None)

    assert verified.pk == device.pk
    assert LoginFailure.objects.filter(username=user.username).count() == 1


def test_second_factor_without_an_enrolled_device_asks_for_an_enrolment_code(make_user, territory):
    user = make_user(Role.COMMUNE_OFFICER, territory.commune)
    device = pending_totp_device(user=user)  # a secret someone saw before, never confirmed

    with pytest.raises(DomainError) as refused:
        verify_second_factor(user=user, token=current_code(device), ip_address=None)

    assert refused.value.code == "not_enrolled"
    device.refresh_from_db()
    assert device.confirmed is False


@pytest.mark.parametrize("token", ["", "12345", "1234567", "abcdef", "12 34 5x", "９９９９９９"])
def test_malformed_codes_are_refused(make_user, territory, token):
    user = make_user(Role.COMMUNE_OFFICER, territory.commune)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    with pytest.raises(DomainError) as error:
        verify_second_factor(user=user, token=token, ip_address=None)

    assert error.value.field == "token"


def test_a_code_cannot_be_used_twice(make_user, territory):
    user = make_user(Role.COMMUNE_OFFICER, territory.commune)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    code = current_code(device)
    verify_second_factor(user=user, token=code, ip_address=None)

    with pytest.raises(DomainError):
        verify_second_factor(user=user, token=code, ip_address=None)


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.AGENCY_OFFICER, "unit"),
        (Role.COMMUNE_OFFICER, "organisation"),
        (Role.COMMUNE_OFFICER, None),
        (Role.LEARNER, "unit"),
        ("emperor", "unit"),
    ],
)
def test_assign_role_refuses_a_scope_that_does_not_fit(make_user, territory, province_admin, role, scope):
    user = make_user()
    kwargs = {"unit": territory.commune} if scope == "unit" else {}
    if scope == "organisation":
        kwargs = {"organisation": OrganisationFactory(unit=territory.commune)}

    with pytest.raises(DomainError):
        assign_role(user=user, role=role, assigned_by=province_admin, **kwargs)

    assert RoleAssignment.objects.filter(user=user).count() == 0


def test_assign_role_records_who_assigned_it(make_user, territory, province_admin):
    user = make_user()

    assignment = assign_role(user=user, role=Role.TEAM_MEMBER, unit=territory.village, assigned_by=province_admin)

    assert (assignment.role, assignment.unit, assignment.valid_to) == (Role.TEAM_MEMBER, territory.village, None)
    entry = AuditEntry.objects.get(action="accounts.assign_role")
    assert (entry.actor, entry.object_id, entry.details["unit"]) == (province_admin, str(user.pk), "24631.001")
