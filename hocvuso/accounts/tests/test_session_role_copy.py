"""A session whose user holds no staff role keeps a copy of their role assignments, made at sign-in
(services.complete_sign_in, access.assignments_for_session), so a learner's page views make no query for roles.
What an attacker or a stale copy must not get from it: a staff role (never copied), a role ended since (the copy is
filtered by the day), a role given since (the change of roles ends the session)."""

import datetime

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from hocvuso.accounts.access import assignments_for_session, has_permission
from hocvuso.accounts.middleware import SessionExpiryMiddleware
from hocvuso.accounts.models import RoleAssignment
from hocvuso.accounts.roles import Permission, Role
from hocvuso.accounts.services import assign_role
from hocvuso.accounts.sessions import ROLE_ASSIGNMENTS
from hocvuso.accounts.tests.factories import PASSWORD


def sign_in(client: Client, user) -> None:
    response = client.post("/tai-khoan/dang-nhap/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and "xac-thuc" not in response["Location"]


def role_queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries.captured_queries if "accounts_roleassignment" in query["sql"]]


def test_a_learners_session_asks_for_their_roles_once(client: Client, territory, make_user) -> None:
    learner = make_user(Role.LEARNER, territory.commune)
    sign_in(client, learner)  # the sign-in makes the copy
    copy = client.session[ROLE_ASSIGNMENTS]
    assert [(row["role"], row["unit_id"]) for row in copy] == [(Role.LEARNER.value, territory.commune.pk)]

    assert role_queries(client, "/") == []
    assert role_queries(client, "/tai-khoan/") == []


def test_a_staff_user_is_never_copied_and_their_roles_are_read_on_every_request(
    client: Client, territory, make_user
) -> None:
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    RoleAssignment.objects.create(user=officer, role=Role.LEARNER, unit=territory.commune)
    assert assignments_for_session(officer) is None
    # a staff role yet to start counts as staff already: its holder's roles are never copied either
    learner_to_be_officer = make_user(Role.LEARNER, territory.commune)
    RoleAssignment.objects.create(
        user=learner_to_be_officer,
        role=Role.COMMUNE_OFFICER,
        unit=territory.commune,
        valid_from=datetime.date.today() + datetime.timedelta(days=30),
    )
    assert assignments_for_session(learner_to_be_officer) is None


def test_a_staff_users_session_has_no_copy_and_reads_roles_on_each_request(
    client: Client, territory, make_user
) -> None:
    holder = make_user(Role.LEARNER, territory.commune)
    RoleAssignment.objects.create(
        user=holder,
        role=Role.COMMUNE_OFFICER,
        unit=territory.commune,
        valid_from=datetime.date.today() + datetime.timedelta(days=30),
    )
    sign_in(client, holder)
    assert ROLE_ASSIGNMENTS not in client.session
    assert role_queries(client, "/tai-khoan/") != []


def test_a_role_ended_since_the_copy_counts_no_more(client: Client, territory, make_user) -> None:
    learner = make_user(Role.LEARNER, territory.commune)
    sign_in(client, learner)
    session = client.session
    copy = session[ROLE_ASSIGNMENTS]
    copy[0]["valid_to"] = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    session[ROLE_ASSIGNMENTS] = copy
    session.save()

    seen = {}

    def view(request: HttpRequest) -> HttpResponse:  # the request's user as the views see it
        seen["learn"] = has_permission(request.user, Permission.LEARN)
        return HttpResponse()

    request = RequestFactory().get("/")
    request.session = session
    request.user = learner
    SessionExpiryMiddleware(view)(request)
    assert seen == {"learn": False}
    assert has_permission(RoleAssignment.objects.get(user=learner).user, Permission.LEARN)  # in the registry: still


def test_a_role_given_since_ends_the_session_that_holds_the_copy(
    client: Client, territory, make_user, province_admin
) -> None:
    learner = make_user(Role.LEARNER, territory.commune)
    sign_in(client, learner)
    assert ROLE_ASSIGNMENTS in client.session

    assign_role(user=learner, role=Role.COMMUNE_OFFICER, unit=territory.commune, assigned_by=province_admin)

    response = client.get("/tai-khoan/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/")
