"""Hole 5 of issue 8, from the attacker's side: a learner who is signed in when a staff role is given to them
(or whose staff role comes into force later) cannot use that session for staff work — no resident page, no
full ID — and a role that ends takes its powers with it. They sign in again, with the second factor."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from hocvuso.accounts.models import RoleAssignment
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import assign_role, end_role
from hocvuso.accounts.tests.factories import RoleAssignmentFactory
from hocvuso.core.errors import DomainError
from hocvuso.core.models import AuditEntry
from hocvuso.people.models import Resident
from hocvuso.people.tests.factories import DAO_ID, register_dao

from .conftest import PASSWORD, sign_in_staff

LOGIN = "/tai-khoan/dang-nhap/"


@pytest.fixture
def dao(territory) -> Resident:
    return register_dao(territory.village)


def signed_in_learner(client: Client, make_user):
    learner = make_user(Role.LEARNER, username="hoc.vien")
    response = client.post(LOGIN, {"username": "hoc.vien", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/du-lieu-cua-toi/").status_code == 200  # the session works
    return learner


def assert_no_staff_work(client: Client, resident: Resident) -> None:
    page = client.get(f"/nguoi-dan/{resident.pk}/")
    reveal = client.post(f"/nguoi-dan/{resident.pk}/so-dinh-danh/")
    search = client.get("/nguoi-dan/", {"q": "Đào"})

    for response in (page, reveal, search):
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert DAO_ID not in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AuditEntry.objects.filter(action="people.reveal_national_id").exists()


def test_a_role_given_to_a_signed_in_learner_does_not_work_in_their_old_session(
    client: Client, make_user, territory, province_admin, dao
) -> None:
    learner = signed_in_learner(client, make_user)

    assign_role(user=learner, role=Role.COMMUNE_OFFICER, unit=territory.commune, assigned_by=province_admin)

    assert_no_staff_work(client, dao)


def test_a_staff_role_that_comes_into_force_later_ends_a_password_only_session(
    client: Client, make_user, territory, dao
) -> None:
    learner = make_user(Role.LEARNER, username="hoc.vien")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    role = RoleAssignmentFactory(user=learner, role=Role.COMMUNE_OFFICER, unit=territory.commune, valid_from=tomorrow)
    assert client.post(LOGIN, {"username": "hoc.vien", "password": PASSWORD}).status_code == 302
    assert client.get("/du-lieu-cua-toi/").status_code == 200  # a learner's session, password only
    # the day comes: no service call happens (moving the start to today stands for the night passing)
    RoleAssignment.objects.filter(pk=role.pk).update(valid_from=timezone.localdate())

    assert_no_staff_work(client, dao)


def test_after_signing_in_again_with_the_second_factor_the_role_works(
    client: Client, make_user, territory, province_admin, dao
) -> None:
    learner = signed_in_learner(client, make_user)
    assign_role(user=learner, role=Role.COMMUNE_OFFICER, unit=territory.commune, assigned_by=province_admin)
    client.get("/")  # the old session ends

    sign_in_staff(client, learner)

    assert client.get(f"/nguoi-dan/{dao.pk}/").status_code == 200
    revealed = client.post(f"/nguoi-dan/{dao.pk}/so-dinh-danh/")
    assert DAO_ID in revealed.content.decode()


def test_an_ended_role_ends_the_officers_session(client: Client, make_user, territory, province_admin, dao) -> None:
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    sign_in_staff(client, officer)
    assert client.get(f"/nguoi-dan/{dao.pk}/").status_code == 200
    assignment = RoleAssignment.objects.get(user=officer)

    end_role(assignment=assignment, valid_to=timezone.localdate(), ended_by=province_admin)

    # the role is still in force today (valid_to is inclusive), but the session that had it is over
    assert_no_staff_work(client, dao)
    assert AuditEntry.objects.filter(action="accounts.end_role", actor=province_admin).count() == 1


def test_a_role_changed_in_the_admin_site_ends_the_users_sessions(
    client: Client, make_user, territory, province_admin, dao
) -> None:
    learner = signed_in_learner(client, make_user)
    admin = Client()
    province_admin.is_staff = province_admin.is_superuser = True
    province_admin.save()
    sign_in_staff(admin, province_admin)
    form = admin.get(f"/admin/accounts/user/{learner.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        {
            "username": learner.username,
            "date_joined_0": learner.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": learner.date_joined.strftime("%H:%M:%S"),
            "role_assignments-TOTAL_FORMS": "2",
            "role_assignments-INITIAL_FORMS": "1",
            "role_assignments-0-id": str(RoleAssignment.objects.get(user=learner).pk),
            "role_assignments-0-user": str(learner.pk),
            "role_assignments-0-role": Role.LEARNER,
            "role_assignments-0-valid_from": timezone.localdate().isoformat(),
            "role_assignments-1-user": str(learner.pk),
            "role_assignments-1-role": Role.COMMUNE_OFFICER,
            "role_assignments-1-unit": str(territory.commune.pk),
            "role_assignments-1-valid_from": timezone.localdate().isoformat(),
        }
    )
    data = {key: value for key, value in data.items() if not isinstance(value, list | tuple)}

    saved = admin.post(f"/admin/accounts/user/{learner.pk}/change/", data)

    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    assert RoleAssignment.objects.filter(user=learner, role=Role.COMMUNE_OFFICER).exists()
    assert_no_staff_work(client, dao)


def test_end_role_refuses_an_ended_role_and_changes_nothing(make_user, territory, province_admin) -> None:
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    assignment = RoleAssignment.objects.get(user=officer)
    end_role(assignment=assignment, valid_to=timezone.localdate(), ended_by=province_admin)
    epoch = type(officer).objects.get(pk=officer.pk).session_epoch

    with pytest.raises(DomainError):
        end_role(assignment=assignment, valid_to=timezone.localdate() + datetime.timedelta(days=3), ended_by=None)

    assignment.refresh_from_db()
    assert assignment.valid_to == timezone.localdate()
    assert type(officer).objects.get(pk=officer.pk).session_epoch == epoch
