"""Hole 10 of issue 8, from the attacker's side: a stolen password does not enrol an authenticator. The first
authenticator (or a new phone) needs a one-time code that an administrator of the staff member's area hands
over: shown once, stored hashed, single use, expiring, and guessing it counts like a wrong password."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.access import accounts_to_manage, may_manage_account
from hocvuso.accounts.models import EnrolmentCode, LoginFailure
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import (
    check_enrolment_code,
    enrol_authenticator,
    issue_enrolment_code,
    pending_totp_device,
)
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.people.tests.factories import OrganisationFactory


def code_of(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def volunteer(make_user, territory):
    return make_user(Role.TEAM_MEMBER, territory.village, username="tinh.nguyen")


def test_an_issued_code_is_shown_once_and_stored_only_as_a_keyed_hash(volunteer, commune_officer):
    issued = issue_enrolment_code(user=volunteer, issued_by=commune_officer)

    row = EnrolmentCode.objects.get()
    plain = issued.plain_text.replace("-", "")
    assert len(issued.plain_text) == 14 and len(plain) == 12
    assert plain not in row.code_hash and issued.plain_text not in row.code_hash
    assert abs(row.expires_at - row.created_at - timedelta(hours=72)) < timedelta(seconds=1)
    entry = AuditEntry.objects.get(action="accounts.issue_enrolment_code")
    assert (entry.actor, entry.object_id) == (commune_officer, str(volunteer.pk))
    assert plain not in str(entry.details)


def test_the_right_code_enrols_once_and_the_old_phone_stops_working(volunteer, commune_officer):
    old = TOTPDevice.objects.create(user=volunteer, name="old phone", confirmed=True)
    issued = issue_enrolment_code(user=volunteer, issued_by=commune_officer)

    code = check_enrolment_code(user=volunteer, code=issued.plain_text.lower().replace("-", " "), ip_address=None)
    device = pending_totp_device(user=volunteer)
    enrolled = enrol_authenticator(user=volunteer, enrolment_code_id=code.pk, token=code_of(device), ip_address=None)

    assert enrolled.pk == device.pk and enrolled.confirmed
    assert list(TOTPDevice.objects.filter(user=volunteer)) == [enrolled]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    with pytest.raises(DomainError):  # single use
        check_enrolment_code(user=volunteer, code=issued.plain_text, ip_address=None)


def test_wrong_codes_count_as_failed_sign_ins_and_the_limit_holds_for_the_right_one(volunteer, commune_officer):
    issued = issue_enrolment_code(user=volunteer, issued_by=commune_officer)
    for guess in range(5):
        with pytest.raises(DomainError) as wrong:
            check_enrolment_code(user=volunteer, code=f"AAAA-AAAA-AAA{guess}", ip_address="10.0.0.9")
        assert wrong.value.field == "enrolment_code"

    with pytest.raises(DomainError) as blocked:
        check_enrolment_code(user=volunteer, code=issued.plain_text, ip_address="10.0.0.9")

    assert blocked.value.code == "throttled"
    assert LoginFailure.objects.filter(username="tinh.nguyen").count() == 5
    assert EnrolmentCode.objects.get().used_at is None
    assert not TOTPDevice.objects.filter(user=volunteer).exists()


def test_an_expired_or_replaced_code_enrols_nothing(volunteer, commune_officer):
    first = issue_enrolment_code(user=volunteer, issued_by=commune_officer)
    second = issue_enrolment_code(user=volunteer, issued_by=commune_officer)
    with pytest.raises(DomainError):
        check_enrolment_code(user=volunteer, code=first.plain_text, ip_address=None)

    EnrolmentCode.objects.filter(pk=second.code.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError):
        check_enrolment_code(user=volunteer, code=second.plain_text, ip_address=None)

    assert not TOTPDevice.objects.filter(user=volunteer, confirmed=True).exists()


def test_a_code_spent_meanwhile_does_not_enrol(volunteer, commune_officer):
    issued = issue_enrolment_code(user=volunteer, issued_by=commune_officer)
    code = check_enrolment_code(user=volunteer, code=issued.plain_text, ip_address=None)
    EnrolmentCode.objects.filter(pk=code.pk).update(used_at=timezone.now())  # e.g. a second tab finished first
    device = pending_totp_device(user=volunteer)

    with pytest.raises(DomainError) as spent:
        enrol_authenticator(user=volunteer, enrolment_code_id=code.pk, token=code_of(device), ip_address=None)

    assert spent.value.code == "enrolment_code_spent"
    device.refresh_from_db()
    assert device.confirmed is False


def test_who_may_issue_a_code(make_user, territory, volunteer, commune_officer, province_admin):
    other_officer = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    team_leader = make_user(Role.TEAM_LEADER, territory.commune)
    learner = make_user(Role.LEARNER)
    agency = make_user(Role.AGENCY_OFFICER, organisation=OrganisationFactory(unit=territory.village))
    far_agency = make_user(Role.AGENCY_OFFICER, organisation=OrganisationFactory(unit=territory.other_village))
    superuser = make_user(Role.PROVINCE_ADMIN, territory.province, is_superuser=True, is_staff=True)

    assert may_manage_account(commune_officer, volunteer)
    assert may_manage_account(commune_officer, agency)  # an organisation located in the commune
    assert may_manage_account(province_admin, other_officer)
    assert not may_manage_account(commune_officer, far_agency)
    assert not may_manage_account(other_officer, volunteer)  # another commune's staff
    assert not may_manage_account(team_leader, volunteer)  # no MANAGE_ACCOUNTS
    assert not may_manage_account(commune_officer, province_admin)  # a wider role than the officer's scope
    assert not may_manage_account(commune_officer, commune_officer)  # never one's own account
    assert not may_manage_account(commune_officer, learner)  # no staff role: no authenticator needed
    assert not may_manage_account(province_admin, superuser)  # admin-site accounts: superusers only
    assert [user.username for user in accounts_to_manage(commune_officer)] == sorted(
        [volunteer.username, team_leader.username, agency.username]
    )
    with pytest.raises(NotFound):
        issue_enrolment_code(user=volunteer, issued_by=other_officer)
    assert not EnrolmentCode.objects.exists()


def test_the_servers_operator_issues_a_code_for_the_first_administrator(make_user, territory):
    first_admin = make_user(Role.PROVINCE_ADMIN, territory.province, username="quan.tri", is_superuser=True)
    out = StringIO()

    call_command("issue_enrolment_code", "Quan.Tri", stdout=out)

    plain = out.getvalue().split()[0]
    assert check_enrolment_code(user=first_admin, code=plain, ip_address=None).issued_by is None
    entry = AuditEntry.objects.get(action="accounts.issue_enrolment_code")
    assert (entry.actor_label, entry.object_id) == ("system", str(first_admin.pk))
