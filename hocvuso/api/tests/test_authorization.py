"""The authorization matrix of every /api/v1/ endpoint: anonymous → 401, wrong role → 404, right role outside
the unit → 404 (or not listed), right role inside it → 200 with exactly the rows in scope."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import assign_role
from hocvuso.accounts.tests import walk
from hocvuso.accounts.tests.factories import RoleAssignmentFactory
from hocvuso.api.services import issue_api_token
from hocvuso.core.models import AuditEntry
from hocvuso.core.services import record_audit
from hocvuso.outreach.tests.class_fixtures import make_classes
from hocvuso.people.models import OrganisationKind
from hocvuso.people.tests.factories import OrganisationFactory
from hocvuso.reporting.tests.factories import make_report

UNAUTHORISED = {
    "detail": "Chưa đăng nhập: hãy đăng nhập hoặc gửi khóa truy cập (Bearer).",
    "code": "not_authenticated",
    "field": None,
}
NOT_FOUND = {"detail": "Không tìm thấy.", "code": "not_found", "field": None}

SCOPED_URLS = [
    reverse("api:me"),
    reverse("api:unit-list"),
    reverse("api:unit-detail", kwargs={"code": "24631"}),
    reverse("api:unit-children", kwargs={"code": "24631"}),
    reverse("api:organisation-list"),
    reverse("api:audit-entry-list"),
    reverse("api:token-list"),
    reverse("api:token-detail", kwargs={"token_id": 1}),
]


def queued_import_job(unit):
    """A queued check of a roster of `unit` (nothing to read in it: the walk only needs its id)."""
    from hocvuso.people.import_models import ImportJob, RosterUpload

    upload = RosterUpload.objects.create(file_name="ds.csv", size=0, sha256="0" * 64)
    return ImportJob.objects.create(
        kind="residents", unit=unit, upload=upload, file_name="ds.csv", fingerprint="f" * 64
    )


def unit(code, name, level, kind, parent, **extra):
    return {
        "code": code,
        "name": name,
        "level": level,
        "kind": kind,
        "parent": parent,
        "valid_from": "2025-07-01",
        "valid_to": None,
        "successor": None,
        **extra,
    }


COMMUNE = unit("24631", "Xã Quảng Khê", "commune", "xã", "68")
VILLAGE = unit("24631.001", "Thôn 1", "village", "thôn", "24631")
VILLAGE_B = unit("24631.002", "Bon Bu Đăng", "village", "thôn", "24631")


def page(results, count=None):
    return {"count": len(results) if count is None else count, "next": None, "previous": None, "results": results}


@pytest.mark.parametrize("url", SCOPED_URLS)
def test_anonymous_callers_get_401_with_a_bearer_challenge(api, territory, url):
    response = api.get(url)

    assert response.status_code == 401
    assert response.json() == UNAUTHORISED
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", SCOPED_URLS)
def test_anonymous_writes_get_401_too(api, territory, url, method):
    response = getattr(api, method)(url, {}, format="json")

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.LEARNER, reverse("api:unit-list")),
        (Role.AGENCY_OFFICER, reverse("api:unit-list")),
        (Role.LEARNER, reverse("api:unit-detail", kwargs={"code": "24631"})),
        (Role.AGENCY_OFFICER, reverse("api:unit-children", kwargs={"code": "24631"})),
        (Role.LEARNER, reverse("api:organisation-list")),
        (Role.INSTRUCTOR, reverse("api:organisation-list")),
        (Role.COMMUNE_OFFICER, reverse("api:audit-entry-list")),
        (Role.TEAM_LEADER, reverse("api:audit-entry-list")),
    ],
)
def test_a_role_without_the_permission_gets_404(session_for, make_user, territory, role, url):
    scope = {"organisation": OrganisationFactory(unit=territory.commune)} if role == Role.AGENCY_OFFICER else {}
    user = make_user(role, unit=None if scope or role == Role.LEARNER else territory.commune, **scope)

    response = session_for(user).get(url)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_a_user_whose_role_has_ended_gets_404(session_for, make_user, territory):
    user = make_user(Role.COMMUNE_OFFICER, unit=territory.commune)
    user.role_assignments.update(valid_from=date(2025, 1, 1), valid_to=date(2025, 6, 30))

    response = session_for(user).get(reverse("api:unit-list"))

    assert response.status_code == 404


# units/


def test_units_lists_exactly_the_units_in_the_officers_commune(session_for, commune_officer):
    response = session_for(commune_officer).get(reverse("api:unit-list"))

    assert response.status_code == 200
    assert response.json() == page([COMMUNE, VILLAGE, VILLAGE_B])


def test_units_of_an_officer_elsewhere_leave_out_the_other_commune(session_for, make_user, territory):
    officer = make_user(Role.COMMUNE_OFFICER, unit=territory.other_commune)

    response = session_for(officer).get(reverse("api:unit-list"))

    assert [row["code"] for row in response.json()["results"]] == ["24751", "24751.001"]


def test_units_of_a_province_administrator_are_the_whole_province_only(session_for, province_admin):
    response = session_for(province_admin).get(reverse("api:unit-list"))

    assert [row["code"] for row in response.json()["results"]] == [
        "68",
        "24631",
        "24631.001",
        "24631.002",
        "24751",
        "24751.001",
    ]


def test_unit_detail_inside_the_scope(session_for, commune_officer):
    response = session_for(commune_officer).get(reverse("api:unit-detail", kwargs={"code": "24631.002"}))

    assert response.status_code == 200
    assert response.json() == VILLAGE_B


@pytest.mark.parametrize("code", ["24751", "24751.001", "68", "00004", "99999"])
def test_unit_detail_outside_the_scope_or_missing_is_the_same_404(session_for, commune_officer, code):
    response = session_for(commune_officer).get(reverse("api:unit-detail", kwargs={"code": code}))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_unit_children_inside_the_scope_are_by_name(session_for, commune_officer):
    response = session_for(commune_officer).get(reverse("api:unit-children", kwargs={"code": "24631"}))

    assert response.status_code == 200
    assert response.json() == page([VILLAGE_B, VILLAGE])


@pytest.mark.parametrize("code", ["24751", "68", "00004", "99999"])
def test_unit_children_outside_the_scope_or_missing_is_the_same_404(session_for, commune_officer, code):
    response = session_for(commune_officer).get(reverse("api:unit-children", kwargs={"code": code}))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_an_instructor_with_units_but_no_people_may_list_units(session_for, make_user, territory):
    instructor = make_user(Role.INSTRUCTOR, unit=territory.village)

    response = session_for(instructor).get(reverse("api:unit-list"))

    assert response.json() == page([VILLAGE])


# organisations/


@pytest.fixture
def organisations(territory):
    return {
        "school": OrganisationFactory(
            code="THPT-QK", name="Trường THPT Quảng Khê", kind=OrganisationKind.SCHOOL, unit=territory.village
        ),
        "agency": OrganisationFactory(code="UBND-NC", name="UBND xã Nhân Cơ", unit=territory.other_commune),
        "far": OrganisationFactory(code="SO-HN", name="Sở Nội vụ Hà Nội", unit=territory.other_province),
    }


def test_organisations_inside_the_officers_commune(session_for, commune_officer, organisations):
    response = session_for(commune_officer).get(reverse("api:organisation-list"))

    assert response.status_code == 200
    assert response.json() == page(
        [{"code": "THPT-QK", "name": "Trường THPT Quảng Khê", "kind": "school", "unit": "24631.001"}]
    )


def test_organisations_of_an_officer_elsewhere_leave_out_the_other_commune(
    session_for, make_user, territory, organisations
):
    officer = make_user(Role.COMMUNE_OFFICER, unit=territory.other_commune)

    response = session_for(officer).get(reverse("api:organisation-list"))

    assert response.json() == page(
        [{"code": "UBND-NC", "name": "UBND xã Nhân Cơ", "kind": "state_agency", "unit": "24751"}]
    )


def test_organisations_of_an_agency_officer_are_their_own_organisation(session_for, make_user, organisations):
    officer = make_user(Role.AGENCY_OFFICER, organisation=organisations["far"])

    response = session_for(officer).get(reverse("api:organisation-list"))

    assert response.json() == page(
        [{"code": "SO-HN", "name": "Sở Nội vụ Hà Nội", "kind": "state_agency", "unit": "01"}]
    )


def test_organisations_of_a_province_administrator_are_their_province_by_name(
    session_for, province_admin, organisations
):
    response = session_for(province_admin).get(reverse("api:organisation-list"))

    assert [row["code"] for row in response.json()["results"]] == ["THPT-QK", "UBND-NC"]


# audit-entries/


def test_audit_entries_for_the_province_administrator_newest_first(session_for, province_admin, commune_officer):
    first = record_audit(
        actor=commune_officer, action="unit.view", object_type="territory.administrativeunit", object_id="24631"
    )
    second = record_audit(actor=None, action="import.run", details={"rows": 3})
    client = session_for(province_admin)

    response = client.get(reverse("api:audit-entry-list"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["results"] == [
        {
            "id": second.pk,
            "at": timezone.localtime(second.at).isoformat(),
            "actor": "system",
            "action": "import.run",
            "object_type": "",
            "object_id": "",
            "object_label": "",
            "ip_address": None,
            "user_agent": "",
            "request_id": "",
            "details": {"rows": 3},
        },
        {
            "id": first.pk,
            "at": timezone.localtime(first.at).isoformat(),
            "actor": commune_officer.username,
            "action": "unit.view",
            "object_type": "territory.administrativeunit",
            "object_id": "24631",
            "object_label": "",
            "ip_address": None,
            "user_agent": "",
            "request_id": "",
            "details": {},
        },
    ]


def test_audit_entries_filter_like_the_administrators_browser(session_for, province_admin, commune_officer):
    record_audit(actor=commune_officer, action="unit.view")
    kept = record_audit(actor=commune_officer, action="api_token.issue", object_type="api.apitoken", object_id="7")
    record_audit(actor=province_admin, action="api_token.issue", object_type="api.apitoken", object_id="8")
    client = session_for(province_admin)

    response = client.get(
        reverse("api:audit-entry-list"),
        {
            "actor": commune_officer.username,
            "action": "api_token.issue",
            "object_type": "api.apitoken",
            "object_id": "7",
        },
    )

    assert [row["id"] for row in response.json()["results"]] == [kept.pk]


def test_audit_entries_filter_by_day(session_for, province_admin):
    entry = record_audit(actor=None, action="old")
    AuditEntry.objects.filter(pk=entry.pk).update(at="2025-07-01T10:00:00+07:00")
    recent = record_audit(actor=None, action="recent")
    client = session_for(province_admin)

    only_old = client.get(reverse("api:audit-entry-list"), {"since": "2025-07-01", "until": "2025-07-01"})
    only_recent = client.get(reverse("api:audit-entry-list"), {"since": "2025-07-02"})

    assert [row["id"] for row in only_old.json()["results"]] == [entry.pk]
    assert [row["id"] for row in only_recent.json()["results"]] == [recent.pk]


# me/


def test_me_shows_the_user_their_roles_scopes_and_permissions(session_for, make_user, territory):
    organisation = OrganisationFactory(code="SO-GD", name="Sở Giáo dục và Đào tạo", unit=territory.province)
    user = make_user(Role.COMMUNE_OFFICER, unit=territory.commune, username="canbo", full_name="Nguyễn Thị Hoa")
    RoleAssignmentFactory(user=user, role=Role.AGENCY_OFFICER, organisation=organisation, valid_from=date(2025, 7, 1))
    user.role_assignments.filter(role=Role.COMMUNE_OFFICER).update(valid_from=date(2025, 7, 1))

    response = session_for(user).get(reverse("api:me"))

    assert response.status_code == 200
    assert response.json() == {
        "username": "canbo",
        "full_name": "Nguyễn Thị Hoa",
        "email": "",
        "is_staff": True,
        "authentication": "session",
        "roles": [
            {
                "role": "agency_officer",
                "role_label": "Cán bộ cơ quan, đơn vị",
                "unit": None,
                "organisation": {"code": "SO-GD", "name": "Sở Giáo dục và Đào tạo"},
                "valid_from": "2025-07-01",
                "valid_to": None,
            },
            {
                "role": "commune_officer",
                "role_label": "Cán bộ UBND cấp xã",
                "unit": {"code": "24631", "name": "Xã Quảng Khê", "level": "commune"},
                "organisation": None,
                "valid_from": "2025-07-01",
                "valid_to": None,
            },
        ],
        "permissions": [
            "edit_reports",
            "import_roster",
            "manage_accounts",
            "manage_people",
            "manage_units",
            "run_class",
            "update_tasks",
            "view_people",
            "view_plan",
            "view_progress",
            "view_reports",
            "view_units",
        ],
        "home_unit": {"code": "24631", "name": "Xã Quảng Khê", "level": "commune"},
    }


def test_me_for_a_user_without_roles(session_for, make_user):
    user = make_user(username="nguoidan", full_name="Trần Văn An")

    response = session_for(user).get(reverse("api:me"))

    assert response.json() == {
        "username": "nguoidan",
        "full_name": "Trần Văn An",
        "email": "",
        "is_staff": False,
        "authentication": "session",
        "roles": [],
        "permissions": [],
        "home_unit": None,
    }


# tokens/


def test_tokens_list_only_the_callers_own(session_for, token_for, make_user):
    owner = make_user(username="owner")
    other = make_user(username="other")
    mine = issue_api_token(user=owner, name="Điện thoại", expires_at=None).token
    issue_api_token(user=other, name="Của người khác", expires_at=None)

    response = session_for(owner).get(reverse("api:token-list"))

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_a_token_of_someone_else_is_404_and_cannot_be_revoked(session_for, make_user):
    owner, intruder = make_user(), make_user()
    token = issue_api_token(user=owner, name="Điện thoại", expires_at=None).token
    client = session_for(intruder)
    url = reverse("api:token-detail", kwargs={"token_id": token.pk})

    read = client.get(url)
    revoke = client.delete(url)

    assert (read.status_code, revoke.status_code) == (404, 404)
    assert revoke.json() == NOT_FOUND
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEntry.objects.filter(action="api_token.revoke").exists()


# schema/ and docs/ are public on purpose


@pytest.mark.parametrize("name", ["api:schema", "api:docs"])
def test_public_endpoints_answer_anyone(api, db, name):
    response = api.get(reverse(name))

    assert response.status_code == 200


@pytest.mark.parametrize("name", ["api:schema", "api:docs"])
def test_public_endpoints_ignore_a_bad_token(api, db, name):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = api.get(reverse(name))

    assert response.status_code == 200


# --- every endpoint, every caller, with tokens ---------------------------------------------------------------


@pytest.mark.parametrize("route", walk.routes_for("permission", api_only=True), ids=lambda route: route.route)
def test_with_tokens_every_endpoint_admits_only_the_right_role_inside_its_unit(route, make_user, territory):
    """The session walk (tests/test_url_authorization.py) again with device tokens: anonymous, a learner, each
    staff role inside the unit without the permission, an agency officer, the right role elsewhere and inside."""
    policy = walk.policy_of(route.callback)
    assert policy is not None and policy.permission is not None
    role = walk.role_with(policy.permission)
    inside = territory.province if role == Role.PROVINCE_ADMIN else territory.commune
    outside = territory.other_province if role == Role.PROVINCE_ADMIN else territory.other_commune
    url = route.url(
        {
            "code": territory.commune.code,
            "report_id": str(make_report(unit=territory.commune).pk),
            "job_id": str(queued_import_job(territory.commune).pk),
            # a session of a class of the commune (any instructor of the commune may run it)
            "session_id": str(
                make_classes(territory, make_user(Role.COMMUNE_OFFICER, territory.commune), make_user).today_session.pk
            )
            if "session_id" in route.converters
            else "",
        }
    )

    def client_of(user):
        client = APIClient()
        if user is not None:
            issued = issue_api_token(user=user, name="Máy tính bảng", expires_at=None)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plain_text}")
        return client

    refused = {
        "anonymous": client_of(None),
        "a learner": client_of(make_user(Role.LEARNER)),
        "the agency officer": client_of(
            make_user(Role.AGENCY_OFFICER, organisation=OrganisationFactory(unit=territory.commune))
        ),
        **{
            f"{lacking} without {policy.permission}": client_of(make_user(lacking, inside))
            for lacking in walk.roles_without(policy.permission)
        },
    }
    if route.converters:
        refused[f"{role} of another unit"] = client_of(make_user(role, outside))
    problems = []
    if route.name in {"api:organisation-list", "api:report-list", "api:roster-import-list"}:
        # Their own organisation and its reports: the list is theirs, and holds nothing of the commune itself.
        agency = refused.pop("the agency officer")
        listed = walk.send(agency, "get", url, route)
        if listed.status_code != 200 or territory.commune.name in listed.content.decode():
            problems.append(f"the agency officer's list answered {listed.status_code} with the commune in it")
    for method in walk.METHODS:
        for label, client in refused.items():
            response = walk.send(client, method, url, route)
            if problem := walk.denial_problem(route, response, anonymous=label == "anonymous"):
                problems.append(f"{method.upper()} by {label}: {problem}")
    right = client_of(make_user(role, inside))
    if problem := walk.reach_problem(walk.send(right, "get", url, route), walk.send(right, "post", url, route)):
        problems.append(f"the right role inside: {problem}")

    assert problems == [], url


def bearer(issued) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plain_text}")
    return client


def test_a_token_issued_before_a_promotion_does_not_carry_the_new_role(make_user, territory, province_admin):
    learner = make_user(Role.LEARNER)
    issued = issue_api_token(user=learner, name="Điện thoại", expires_at=None)
    assign_role(user=learner, role=Role.COMMUNE_OFFICER, unit=territory.commune, assigned_by=province_admin)

    # A promotion through the service ends every token of the user (session_epoch): sign in again.
    assert bearer(issued).get(reverse("api:unit-list")).status_code == 401
    fresh = issue_api_token(user=learner, name="Máy tính bảng", expires_at=None)  # as a verified session does
    assert bearer(fresh).get(reverse("api:unit-list")).status_code == 200


def test_a_role_row_written_after_a_token_does_not_count_for_it(make_user, territory):
    """The second line of defence (access.acting_with_token): a role that reached the database some other way than
    `assign_role` (no session_epoch change) still does not count for a token issued before it."""
    learner = make_user(Role.LEARNER)
    issued = issue_api_token(user=learner, name="Điện thoại", expires_at=None)
    RoleAssignmentFactory(user=learner, role=Role.COMMUNE_OFFICER, unit=territory.commune)

    assert bearer(issued).get(reverse("api:unit-list")).status_code == 404
    assert bearer(issued).get(reverse("api:me")).json()["permissions"] == ["learn"]
    fresh = issue_api_token(user=learner, name="Máy tính bảng", expires_at=None)
    assert bearer(fresh).get(reverse("api:unit-list")).status_code == 200
