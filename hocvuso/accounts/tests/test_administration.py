"""Account management (issue 11): accounts made, roles granted and ended within one's scope and rank, one-time
sign-in codes, a second factor's reset and deactivation — each audited, each ending the account's sessions."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts import administration
from hocvuso.accounts.access import manageable_accounts, may_administer_account, may_end_role, may_grant_role
from hocvuso.accounts.models import EnrolmentCode, RoleAssignment, User
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import check_credentials
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.people.tests.factories import OrganisationFactory, ResidentFactory

from .factories import PASSWORD


@pytest.fixture
def volunteer(make_user, territory):
    return make_user(Role.TEAM_MEMBER, territory.village, username="tinh.nguyen")


def test_a_commune_officer_creates_a_staff_account_of_their_commune_with_a_one_time_code(commune_officer, territory):
    code = administration.create_account(
        username="to.truong",
        full_name="Trần Văn Tổ",
        role=Role.TEAM_LEADER,
        unit=territory.village,
        created_by=commune_officer,
    )

    user = User.objects.get(username="to.truong")
    assert code.user == user and user.must_set_password
    assert user.check_password(code.plain_text) and len(code.plain_text) == 11
    assert list(user.role_assignments.values_list("role", "unit")) == [(Role.TEAM_LEADER, territory.village.pk)]
    actions = list(AuditEntry.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["accounts.assign_role", "accounts.create_account"]
    assert code.plain_text not in str(AuditEntry.objects.values_list("details", flat=True))


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.PROVINCE_ADMIN, "province"),  # above their own
        (Role.COMMUNE_OFFICER, "other_commune"),  # outside their scope
        (Role.TEAM_MEMBER, "other_village"),
        (Role.PROVINCE_ADMIN, "commune"),  # a role above theirs, inside
    ],
)
def test_a_commune_officer_never_grants_above_their_role_or_outside_their_scope(
    commune_officer, territory, role, where
):
    with pytest.raises(NotFound):
        administration.create_account(
            username="khong.duoc",
            full_name="Không Được",
            role=role,
            unit=getattr(territory, where),
            created_by=commune_officer,
        )

    assert not User.objects.filter(username="khong.duoc").exists()
    assert not RoleAssignment.objects.filter(role=role, user__username="khong.duoc").exists()


def test_a_commune_officer_may_grant_their_own_role_in_their_commune_but_the_province_may_grant_any(
    commune_officer, province_admin, territory, volunteer
):
    assert may_grant_role(commune_officer, volunteer, Role.COMMUNE_OFFICER, unit=territory.commune, organisation=None)
    assert not may_grant_role(
        commune_officer, volunteer, Role.PROVINCE_ADMIN, unit=territory.commune, organisation=None
    )
    assert may_grant_role(province_admin, volunteer, Role.PROVINCE_ADMIN, unit=territory.province, organisation=None)
    assert not may_grant_role(
        commune_officer, commune_officer, Role.TEAM_MEMBER, unit=territory.village, organisation=None
    )


def test_a_commune_officer_grants_an_agency_role_over_an_organisation_of_their_commune_only(
    commune_officer, territory, volunteer
):
    school = OrganisationFactory(unit=territory.commune)
    elsewhere = OrganisationFactory(unit=territory.other_commune)

    assert may_grant_role(commune_officer, volunteer, Role.AGENCY_OFFICER, unit=None, organisation=school)
    assert not may_grant_role(commune_officer, volunteer, Role.AGENCY_OFFICER, unit=None, organisation=elsewhere)


def test_granting_and_ending_a_role_is_effective_dated_audited_and_ends_the_sessions(
    commune_officer, territory, volunteer
):
    epoch = volunteer.session_epoch
    start = timezone.localdate() + timedelta(days=3)
    assignment = administration.grant_role(
        account=volunteer, role=Role.INSTRUCTOR, unit=territory.commune, valid_from=start, granted_by=commune_officer
    )
    volunteer.refresh_from_db()
    assert (assignment.valid_from, volunteer.session_epoch) == (start, epoch + 1)

    ended = administration.end_role_assignment(
        assignment=assignment, valid_to=start + timedelta(days=10), ended_by=commune_officer
    )
    volunteer.refresh_from_db()
    assert ended.valid_to == start + timedelta(days=10) and volunteer.session_epoch == epoch + 2
    actions = list(AuditEntry.objects.filter(actor=commune_officer).order_by("pk").values_list("action", flat=True))
    assert actions == ["accounts.assign_role", "accounts.end_role"]


def test_a_commune_officer_cannot_end_a_role_of_another_commune_or_above_theirs(
    commune_officer, make_user, territory, province_admin
):
    other = make_user(Role.TEAM_MEMBER, territory.other_village)
    theirs = other.role_assignments.get()
    above = province_admin.role_assignments.get()

    assert not may_end_role(commune_officer, theirs) and not may_end_role(commune_officer, above)
    with pytest.raises(NotFound):
        administration.end_role_assignment(assignment=theirs, valid_to=timezone.localdate(), ended_by=commune_officer)
    theirs.refresh_from_db()
    assert theirs.valid_to is None


def test_a_password_reset_gives_a_one_time_code_that_expires_and_must_be_replaced(commune_officer, volunteer):
    epoch = volunteer.session_epoch
    code = administration.reset_password(account=volunteer, reset_by=commune_officer)

    volunteer.refresh_from_db()
    assert volunteer.must_set_password and volunteer.session_epoch == epoch + 1
    assert check_credentials(username=volunteer.username, password=code.plain_text, ip_address=None) == volunteer
    volunteer.refresh_from_db()
    assert volunteer.temporary_password_until <= timezone.now() + timedelta(minutes=30)  # spent by its first use
    User.objects.filter(pk=volunteer.pk).update(temporary_password_until=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError) as refused:
        check_credentials(username=volunteer.username, password=code.plain_text, ip_address=None)
    assert refused.value.code == "one_time_code_expired"

    administration.set_own_password(user=volunteer, password="mot-mat-khau-rieng")
    volunteer.refresh_from_db()
    assert not volunteer.must_set_password and volunteer.check_password("mot-mat-khau-rieng")
    assert AuditEntry.objects.filter(action="accounts.reset_password", actor=commune_officer).count() == 1


def test_a_weak_own_password_is_refused_with_the_validators_message(volunteer):
    with pytest.raises(DomainError) as refused:
        administration.set_own_password(user=volunteer, password="123")

    assert refused.value.field == "password1"
    volunteer.refresh_from_db()
    assert not volunteer.check_password("123")


def test_a_second_factor_reset_removes_the_authenticators_and_issues_an_enrolment_code(commune_officer, volunteer):
    TOTPDevice.objects.create(user=volunteer, name="điện thoại mất", confirmed=True)

    issued = administration.reset_second_factor(account=volunteer, reset_by=commune_officer)

    assert not TOTPDevice.objects.filter(user=volunteer).exists()
    assert EnrolmentCode.objects.get(user=volunteer) == issued.code
    assert AuditEntry.objects.filter(action="accounts.reset_second_factor", actor=commune_officer).exists()


def test_deactivating_locks_the_account_once(commune_officer, volunteer):
    administration.deactivate_account(account=volunteer, deactivated_by=commune_officer)
    administration.deactivate_account(account=volunteer, deactivated_by=commune_officer)

    volunteer.refresh_from_db()
    assert not volunteer.is_active
    assert AuditEntry.objects.filter(action="accounts.deactivate").count() == 1


def test_reactivating_unlocks_a_locked_account_once_and_its_password_works_again(commune_officer, volunteer):
    administration.deactivate_account(account=volunteer, deactivated_by=commune_officer)
    with pytest.raises(DomainError):
        check_credentials(username="tinh.nguyen", password=PASSWORD, ip_address=None)

    administration.reactivate_account(account=volunteer, reactivated_by=commune_officer)
    administration.reactivate_account(account=volunteer, reactivated_by=commune_officer)  # a double submit

    volunteer.refresh_from_db()
    assert volunteer.is_active
    assert check_credentials(username="tinh.nguyen", password=PASSWORD, ip_address=None) == volunteer
    assert list(AuditEntry.objects.filter(action="accounts.reactivate").values_list("actor", flat=True)) == [
        commune_officer.pk
    ]


def test_an_active_account_is_not_reactivated_again(commune_officer, volunteer):
    administration.reactivate_account(account=volunteer, reactivated_by=commune_officer)

    assert not AuditEntry.objects.filter(action="accounts.reactivate").exists()


def test_nobody_reactivates_an_account_outside_their_scope_above_their_rank_or_their_own(
    commune_officer, make_user, territory, province_admin
):
    other = make_user(Role.TEAM_MEMBER, territory.other_village)
    for account in (other, province_admin, commune_officer):
        User.objects.filter(pk=account.pk).update(is_active=False)
        account.refresh_from_db()
        with pytest.raises(NotFound):
            administration.reactivate_account(account=account, reactivated_by=commune_officer)
        account.refresh_from_db()
        assert not account.is_active
    assert not AuditEntry.objects.filter(action="accounts.reactivate").exists()


@pytest.mark.parametrize(
    "action",
    [
        lambda account, actor: administration.reset_password(account=account, reset_by=actor),
        lambda account, actor: administration.reset_second_factor(account=account, reset_by=actor),
        lambda account, actor: administration.deactivate_account(account=account, deactivated_by=actor),
    ],
    ids=["reset_password", "reset_second_factor", "deactivate"],
)
def test_nobody_administers_an_account_outside_their_scope_above_their_rank_or_their_own(
    action, commune_officer, make_user, territory, province_admin
):
    other = make_user(Role.TEAM_MEMBER, territory.other_village)
    for account in (other, province_admin, commune_officer):
        password = account.password
        with pytest.raises(NotFound):
            action(account, commune_officer)
        account.refresh_from_db()
        assert (account.is_active, account.password, account.temporary_password_until) == (True, password, None)


def test_learners_are_administered_where_they_live_and_unplaced_accounts_by_the_province(
    commune_officer, province_admin, make_user, territory
):
    here = make_user(Role.LEARNER)
    ResidentFactory(village=territory.village, user=here)
    there = make_user(Role.LEARNER)
    ResidentFactory(village=territory.other_village, user=there)
    nowhere = make_user(Role.LEARNER)
    officer_of_there = make_user(Role.COMMUNE_OFFICER, territory.other_commune)

    assert [may_administer_account(commune_officer, a) for a in (here, there, nowhere)] == [True, False, False]
    assert [may_administer_account(province_admin, a) for a in (here, there, nowhere)] == [True, True, True]
    listed = set(manageable_accounts(commune_officer))
    assert here in listed and there not in listed and nowhere not in listed and officer_of_there not in listed
    assert commune_officer not in listed and province_admin not in set(manageable_accounts(province_admin))
    assert set(manageable_accounts(province_admin)) >= {here, there, nowhere}


def test_a_superuser_account_is_administered_only_by_a_superuser(province_admin, make_user, territory):
    superuser = make_user(Role.COMMUNE_OFFICER, territory.commune, is_staff=True, is_superuser=True)

    assert not may_administer_account(province_admin, superuser)
    assert not may_grant_role(province_admin, superuser, Role.TEAM_MEMBER, unit=territory.village, organisation=None)
