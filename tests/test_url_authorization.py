"""Every route, every kind of caller, GET and POST (with a valid CSRF token): the URL authorization walk.

For a route that needs a permission the callers are: anonymous; a learner; each staff role held INSIDE the unit
that lacks the permission; the agency officer of an organisation in the unit (whose member the resident is); the
right role in another unit; the right role in the unit. URL arguments are real objects of the unit (commune C1 of
province P). The admin site is walked too: only a superuser whose session passed the second factor gets in.
How answers are judged is in hocvuso/accounts/tests/walk.py. A route whose view declares no access policy, or
whose URL argument the walk cannot fill, fails.
"""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.roles import Permission, Role
from hocvuso.accounts.tests.walk import (
    METHODS,
    Route,
    denial_problem,
    every_route,
    is_sign_in_redirect,
    new_client,
    policy_of,
    reach_problem,
    role_with,
    roles_without,
    routes_for,
    send,
)
from hocvuso.api.services import issue_api_token

# A POST that needs more than the route's GET (the targets page: looking needs VIEW_PROGRESS, changing MANAGE_UNITS).
POST_PERMISSION = {"web:monitoring_targets": Permission.MANAGE_UNITS}
# What the agency officer of the school in C1 may open: their own lists and organisation, and the school's member
# (as a member). Nothing tied to a unit, no household, no correction or full ID, no other import.
AGENCY_REACHES = {
    "web:people_search",
    "web:resident",
    "web:roster_import",
    "web:roster_template",
    "api:roster-import-list",
    "web:monitoring",
    "web:monitoring_organisations",
    "web:monitoring_organisation",
    "web:monitoring_organisation_export",
    "web:monitoring_ranking",
    "web:monitoring_gaps",
    "api:organisation-list",
    # Transfer requests: the school's memberships (MANAGE_PEOPLE through the organisation).
    "web:transfer_requests",
    "web:transfer_request_new",
    # Reporting: the school's own reports and tasks (its officer prepares them), not the commune's.
    "web:reports",
    "web:report_draft",
    "web:plan",
    "web:plan_board_organisation",
    "api:report-list",
    # VNeID registrations lie in communes: the school's officer opens the queue and finds nothing to decide.
    "web:vneid_registrations",
}


@pytest.fixture
def world(territory, make_user) -> dict[str, Any]:
    """The objects the URL arguments name, all in commune C1, with the users who own or reach them."""
    from django.core.files.base import ContentFile

    from hocvuso.learning.models import Assessment, Attempt, Course, CourseMedia, Lesson, Module
    from hocvuso.learning.services.supervision import open_supervised_session
    from hocvuso.people.imports.services import submit_roster_import
    from hocvuso.people.services import add_membership
    from hocvuso.people.tests.factories import HouseholdFactory, OrganisationFactory, ResidentFactory
    from hocvuso.people.transfer_models import TransferRequest
    from hocvuso.reporting.models import Plan, PlanTask, TaskEvidence, TaskProgress
    from hocvuso.reporting.tests.factories import make_report

    owner = make_user(Role.LEARNER)
    household = HouseholdFactory(village=territory.village)
    resident = ResidentFactory(household=household, user=owner, full_name="Nguyễn Thị Bí Mật")
    school = OrganisationFactory(code="THPT-URL", name="Trường THPT Thử", kind="school", unit=territory.commune)
    add_membership(
        resident=resident, organisation=school, kind="staff", valid_from=datetime.date(2020, 1, 1), actor=None
    )
    job = submit_roster_import(
        user=None, kind="residents", file_name="a.csv", data=b"x\n", unit=territory.commune, dry_run=True, enqueue=False
    )
    course = Course.objects.create(slug="khoa-thu", title="Khóa thử", group="citizens")
    module = Module.objects.create(course=course, slug="mot", title="Học phần một")
    lesson = Lesson.objects.create(course=course, module=module, slug="bai-mot", title="Bài một")
    final = Assessment.objects.create(course=course, kind="final", title="Bài đánh giá cuối khóa")
    picture = CourseMedia(course=course, path="media/hinh.png", sha256="ab" * 32, size=10)
    picture.file.save("hinh.png", ContentFile(b"\x89PNG hinh"), save=False)
    picture.save()
    attempt = Attempt.objects.create(user=owner, assessment=final, number=1)
    session = open_supervised_session(instructor=make_user(Role.INSTRUCTOR, territory.commune), unit_code="24631")
    # Reporting: the commune's quarterly report, a task it leads with a file of evidence.
    report = make_report(unit=territory.commune)
    plan = Plan.objects.create(code="ke-hoach-thu", title="Kế hoạch thử", year=2026)
    task = PlanTask.objects.create(plan=plan, code="IV.3.4", section="IV.3", title="Buổi học cộng đồng")
    progress = TaskProgress.objects.create(task=task, unit=territory.commune)
    evidence = TaskEvidence.objects.create(
        progress_of=progress, kind="file", title="Biên bản", file_name="bien-ban.pdf", content=b"%PDF-1.4"
    )
    # A volunteer of C1 without an authenticator: whose enrolment code the commune's officer may issue.
    volunteer = make_user(Role.TEAM_MEMBER, territory.village, username="tinhnguyenvien.url")
    # Transfer requests about the C1 resident: one from another commune's officer (C1's officers decide it), one
    # from the school's officer (who may withdraw it). Neither requester sees the resident's name before approval.
    agency = make_user(Role.AGENCY_OFFICER, organisation=school)

    def transfer(requester: Any, **target: Any) -> Any:
        return TransferRequest.objects.create(
            requested_by=requester,
            resident=resident,
            from_village=territory.village,
            national_id_hash=f"hash-{requester.pk}",
            national_id_last3="321",
            claimed_name="Người được hỏi",
            reason="Đã chuyển về sinh sống.",
            target_key=f"walk:{requester.pk}",
            **target,
        )

    # A VNeID registration of someone not in the registry who says they live in C1 (the commune confirms it).
    from hocvuso.core.crypto import encrypt
    from hocvuso.vneid.models import PendingRegistration

    registration = PendingRegistration.objects.create(
        user=make_user(Role.LEARNER),
        full_name="Nguyễn Thị Bí Mật",
        birth_date=datetime.date(2001, 11, 2),
        sex="F",
        national_id_ciphertext=encrypt("068301234567"),
        national_id_hash="hash-registration",
        national_id_last4="4567",
        vneid_level=2,
        commune=territory.commune,
    )
    # A literacy certificate of the owner (public verification, the holder's downloads, the province's actions).
    from hocvuso.credentials.keys import rotate_signing_key
    from hocvuso.credentials.services import issue_certificate
    from hocvuso.learning.models import LiteracyRule, LiteracyStatus

    rotate_signing_key(actor=None)
    rule = LiteracyRule.objects.create(group="citizens", name="Quy tắc thử")
    rule.required_assessments.add(final)
    literacy = LiteracyStatus.objects.create(user=owner, resident=resident, group="citizens", rule=rule)
    certificate = issue_certificate(literacy_status=literacy)
    # A weekly community class of C1 with today's session and a walk-in waiting for the commune.
    from hocvuso.outreach import classes as community_classes

    class_instructor = make_user(Role.INSTRUCTOR, territory.commune)
    community_class = community_classes.schedule_class(
        commune=territory.commune,
        title="Lớp thử",
        place="Nhà văn hóa",
        target_group="citizens",
        capacity=30,
        instructors=[class_instructor],
        recurrence="weekly",
        weekday=timezone.localdate().weekday(),
        first_day=timezone.localdate() - datetime.timedelta(days=7),
        last_day=timezone.localdate() + datetime.timedelta(days=7),
        starts_at=datetime.time(19, 0),
        course=course,
        actor=make_user(Role.COMMUNE_OFFICER, territory.commune),
    )
    class_session = community_class.sessions.get(day=timezone.localdate())
    community_classes.record_walk_in(
        session=class_session,
        full_name="Người Vãng Lai",
        birth_year=1960,
        sex="M",
        ethnicity=1,
        village=territory.village,
        actor=class_instructor,
    )
    walk_in = class_session.attendances.get().walk_in
    other_officer = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    # Chợ số 4T (issue 13): a market of C1 with the owner as its trader; another resident of C1 to register.
    from hocvuso.outreach.markets import create_market, register_trader

    market = create_market(commune=territory.commune, name="Chợ Thử", kind="market", actor=None)
    trader = register_trader(market=market, resident=resident, stall="A1", actor=None)
    seller = ResidentFactory(household=household, full_name="Người Bán Hàng")
    from hocvuso.outreach.events import record_event

    event = record_event(
        commune=territory.commune, kind="training_4t", title="Tập huấn 4T", place="Chợ",
        starts_on=datetime.date(2026, 3, 1), actor=None,
    )  # fmt: skip
    to_decide = transfer(other_officer, kind="move", to_village=territory.other_village)
    own_request = transfer(agency, kind="membership", organisation=school, membership_kind="staff")
    return {
        "territory": territory,
        "owner": owner,
        "agency": agency,
        "values": {
            "code": territory.commune.code,
            "token_id": str(issue_api_token(user=owner, name="phone", expires_at=None).token.pk),
            "household_code": household.code,
            "resident_id": str(resident.pk),
            "job_id": str(job.pk),
            "course_slug": course.slug,
            "lesson_slug": lesson.slug,
            "path": picture.file.name.removeprefix("learning/"),
            "assessment_id": str(final.pk),
            "attempt_id": str(attempt.pk),
            "org_code": school.code,
            "report_id": str(report.pk),
            "task_id": str(progress.pk),
            "evidence_id": str(evidence.pk),
            "registration_id": str(registration.pk),
            "certificate_id": str(certificate.pk),
            "purpose": "revocation",
            "number": "0",
            "group": "citizens",
            # Account management: the C1 volunteer's account; a password-reset link that is not valid.
            "account_id": str(volunteer.pk),
            "class_id": str(community_class.pk),
            "session_id": str(class_session.pk),
            "event_id": str(event.pk),
            "uidb64": "MQ",
            "token": "sai-ma",
        },
        "post_data": {
            "web:supervision_close": {"session": str(session.session.pk)},
            "web:monitoring_targets": {
                "indicator": "adults-digital-skills",
                "year": str(timezone.localdate().year),
                "value": "50",
            },
            "web:enrol": {"course": course.slug},
            "web:complete_lesson": {"lesson": str(lesson.pk)},
            "web:start_attempt": {"assessment": str(final.pk)},
            "api:token-list": {"name": "Máy tính bảng"},
            "accounts:enrolment_codes": {"username": volunteer.username},
            "accounts:manage_account": {"action": "reset_password"},
            "accounts:manage_new": {
                "username": "moi.url",
                "full_name": "Người Mới",
                "role": Role.TEAM_MEMBER,
                "place": territory.commune.code,
            },
            "accounts:register": {
                "phone": "0912345678",
                "full_name": "Người Tự Đăng Ký",
                "birth_date": "1990-01-02",
                "password1": "mat-khau-dai-1",
                "password2": "mat-khau-dai-1",
            },
            "accounts:password_reset": {"email": "khong-co@example.com"},
            "web:transfer_requests": {"action": "reject", "transfer": str(to_decide.pk), "note": "Không đúng."},
            "web:market_create": {"market-name": "Chợ Mới", "market-kind": "market", "market-village": ""},
            "web:trader_register": {
                "trader-market": str(market.pk),
                "trader-resident": str(seller.pk),
                "trader-stall": "B2",
            },
            "web:trader_step": {
                "step-trader": str(trader.pk),
                "step-step": "cashless",
                "step-evidence": "Mã QR tại sạp",
                "step-achieved_on": timezone.localdate().isoformat(),
            },
            "web:commune_events": {
                "event-kind": "festival",
                "event-title": "Ngày hội toàn dân học tập số",
                "event-place": "Nhà văn hóa",
                "event-starts_on": timezone.localdate().isoformat(),
                "event-organiser": f"unit:{territory.commune.pk}",
                "event-registered": "30",
            },
            "web:event_edit": {
                "event-kind": "training_4t",
                "event-title": "Tập huấn 4T cho tiểu thương",
                "event-place": "Chợ xã",
                "event-starts_on": "2026-03-01",
                "event-organiser": f"unit:{territory.commune.pk}",
                "event-registered": "12",
            },
            "web:event_delete": {"reason": "Ghi nhầm"},
            # Community classes: schedule, edit, cancel, take attendance, decide a walk-in, check in by the code.
            "web:class_new": {
                "title": "Lớp mới",
                "place": "Hội trường",
                "target_group": "elderly",
                "course": str(course.pk),
                "instructors": [str(class_instructor.pk)],
                "capacity": "20",
                "recurrence": "once",
                "first_day": timezone.localdate().isoformat(),
                "starts_at": "08:00",
                "duration_minutes": "90",
            },
            "web:class_edit": {
                "title": "Lớp thử (sửa)",
                "place": "Hội trường",
                "instructors": [str(class_instructor.pk)],
                "capacity": "25",
                "starts_at": "18:00",
                "duration_minutes": "60",
                "last_day": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
            },
            "web:class_cancel": {"reason": "Bão"},
            "web:class_session": {"action": "registry", "resident": str(resident.pk)},
            "web:class_session_cancel": {"reason": "Bão"},
            "web:class_walk_ins": {"walk_in": str(walk_in.pk), "decision": "reject"},
            "web:class_check_in": {"code": class_session.check_in_code},
        },
        # What the agency officer posts where they are let in, when it differs: withdrawing their own request.
        "agency_post_data": {"web:transfer_requests": {"action": "cancel", "transfer": str(own_request.pk)}},
        # What someone outside C1 must never see on a page they may open.
        "secrets": ["Xã Quảng Khê", "Nguyễn Thị Bí Mật", "Trường THPT Thử"],
    }


def signed_in(make_user, role: str | None, unit=None, **scope) -> Any:
    client = new_client()
    client.force_login(make_user(role, unit, **scope))
    return client


def test_every_route_declares_an_access_policy():
    missing = [f"{route.route} ({route.name})" for route in every_route() if policy_of(route.callback) is None]
    missing = [entry for entry in missing if not entry.startswith("admin/")]

    assert missing == [], "routes without @requires/@signed_in/@public or an API access_policy"


def test_the_walk_finds_the_routes_of_every_part_and_fills_them_all():
    routes = [route for route in every_route() if not route.is_admin]
    names = {route.name for route in routes}

    assert {"healthz", "web:home", "set_language", "api:me", "web:resident", "web:monitoring_targets"} <= names
    # What came with the reporting and the trust work.
    assert {"web:report", "web:plan_task", "web:plan_evidence", "web:notices", "web:transfer_requests"} <= names
    assert {"accounts:enrolment_codes", "web:csp_report", "api:report-list", "api:report-detail"} <= names
    # What came with the accounts people can get (issue 11).
    assert {"accounts:manage", "accounts:manage_new", "accounts:manage_account", "accounts:class_accounts"} <= names
    assert {"accounts:register", "accounts:set_password", "accounts:password_reset_confirm"} <= names
    # The field app of the community digital teams (issue 12): its shell public, its registration page not.
    assert {"web:field_app", "web:field_manifest", "web:field_service_worker", "web:field_register"} <= names
    # The pages that change a commune's teams (issue 12): reports decided, team setup, phones revoked.
    assert {"web:outreach_reports", "web:outreach_report_decide", "web:outreach_team_create"} <= names
    assert {"web:outreach_member_add", "web:outreach_member_end", "web:outreach_assign"} <= names
    assert {"web:outreach_commune_device_revoke", "web:outreach_leader_device_revoke"} <= names
    assert {"web:outreach_reassign", "web:outreach_leader_reassign"} <= names  # one household to another member
    # The movement's activities (issue 13): Gia đình số, Chợ số 4T, events.
    assert {
        "web:digital_families",
        "web:markets",
        "web:market_create",
        "web:trader_register",
        "web:trader_step",
    } <= names
    assert {"web:events", "web:commune_events", "web:event_edit", "web:event_delete"} <= names
    # Weekly community classes (issue 13): calendars, scheduling, sessions, walk-ins, a learner's check-in.
    assert {"web:classes_mine", "web:class_calendar", "web:class_area", "web:class_new", "web:class_edit"} <= names
    assert {"web:class_cancel", "web:class_detail", "web:class_session", "web:class_session_cancel"} <= names
    assert {"web:class_walk_ins", "web:class_check_in"} <= names
    assert [route.route for route in routes if route.is_regex] == []  # every route is walked, none skipped
    kinds = [routes_for(kind) for kind in ("permission", "signed_in", "public")]
    assert sum(len(found) for found in kinds) == len(routes)
    assert names >= AGENCY_REACHES | set(POST_PERMISSION)


def refusal_problems(route: Route, client: Any, method: str, url: str, data: Any, label: str, **how: Any) -> list[str]:
    """What is wrong with `client`'s answer, when it must be refused: not a refusal, or a secret shown."""
    response = send(client, method, url, route, data)
    problem = denial_problem(route, response, anonymous=how.get("anonymous", False))
    found = [f"{method.upper()} by {label}: {problem}"] if problem else []
    return found + secrets_shown(response, how["secrets"], f"{method.upper()} by {label}")


def secrets_shown(response: Any, secrets: list[str], who: str) -> list[str]:
    body = response.content.decode(errors="replace")
    return [f"{who} saw {secret!r}" for secret in secrets if secret in body]


@pytest.mark.parametrize("route", routes_for("permission"), ids=lambda route: route.route)
def test_permission_routes_admit_only_the_right_role_inside_its_unit(route: Route, world, make_user):
    territory, secrets = world["territory"], world["secrets"]
    url = route.url(world["values"])
    policy = policy_of(route.callback)
    assert policy is not None and policy.permission is not None
    problems: list[str] = []
    reached: dict[str, dict[str, Any]] = {"right role": {}, "agency": {}}
    for method in METHODS:
        permission = POST_PERMISSION.get(route.name, policy.permission) if method == "post" else policy.permission
        role = role_with(permission)
        inside = territory.province if role == Role.PROVINCE_ADMIN else territory.commune
        outside = territory.other_province if role == Role.PROVINCE_ADMIN else territory.other_commune
        data = world["post_data"].get(route.name)
        refused = [
            ("anonymous", new_client()),
            ("a learner", signed_in(make_user, Role.LEARNER)),
            *[
                (f"{lacking} inside without {permission}", signed_in(make_user, lacking, inside))
                for lacking in roles_without(permission)
            ],
        ]
        agency = new_client()
        agency.force_login(world["agency"])
        if route.name in AGENCY_REACHES:
            agency_data = world["agency_post_data"].get(route.name, data)
            reached["agency"][method] = send(agency, method, url, route, agency_data)
        else:
            refused.append(("the agency officer", agency))
        elsewhere = signed_in(make_user, role, outside)
        if route.converters:
            refused.append((f"{role} of another unit", elsewhere))
        else:
            # A page without an object in its URL opens, but shows nothing of the other unit.
            problems += secrets_shown(send(elsewhere, method, url, route, data), secrets, f"{role} of another unit")
        for label, client in refused:
            anonymous = label == "anonymous"
            problems += refusal_problems(route, client, method, url, data, label, anonymous=anonymous, secrets=secrets)
        reached["right role"][method] = send(signed_in(make_user, role, inside), method, url, route, data)

    for label, answers in reached.items():
        if answers and (problem := reach_problem(answers["get"], answers["post"])):
            problems.append(f"{label} inside the unit: {problem}")

    assert problems == [], url


@pytest.mark.parametrize("route", routes_for("signed_in"), ids=lambda route: route.route)
def test_signed_in_routes_admit_only_the_owner_of_what_they_show(route: Route, world, make_user):
    url = route.url(world["values"])
    data = world["post_data"].get(route.name)
    problems: list[str] = []
    answers: dict[str, Any] = {}
    for method in METHODS:
        anonymous = send(new_client(), method, url, route, data)
        if problem := denial_problem(route, anonymous, anonymous=True):
            problems.append(f"{method.upper()} by anonymous: {problem}")
        other = send(signed_in(make_user, Role.LEARNER), method, url, route, data)
        if route.converters and (problem := denial_problem(route, other, anonymous=False)):
            problems.append(f"{method.upper()} by another learner: {problem}")
        owner = new_client()
        owner.force_login(world["owner"])
        answers[method] = send(owner, method, url, route, data)
    if problem := reach_problem(answers["get"], answers["post"]):
        problems.append(f"the owner: {problem}")

    assert problems == [], url


@pytest.mark.parametrize("route", routes_for("public"), ids=lambda route: route.route)
def test_public_routes_answer_anonymous_visitors_without_error(route: Route, world):
    url = route.url(world["values"])
    for method in METHODS:
        response = send(new_client(), method, url, route, world["post_data"].get(route.name))

        assert response.status_code < 500, (method, url)
        assert response.status_code != 403, (method, url)  # the CSRF token was valid
        assert not is_sign_in_redirect(response) or route.name.startswith("accounts:"), (method, url)


# --- the admin site --------------------------------------------------------------------------------------------


def admin_routes() -> list[Route]:
    return [route for route in every_route() if route.is_admin and route.name not in {"admin:login", "admin:logout"}]


def admin_url(route: Route) -> str:
    if route.name == "admin:app_list":  # "^(?P<app_label>auth|…)/$"
        return reverse(route.name, kwargs={"app_label": "people"})
    if route.is_regex:  # the admin's catch-all, "(?P<url>.*)$"
        return "/admin/khong-co-trang-nay/"
    values = {name: "1" for name in route.converters}
    values.update({"content_type_id": "1", "object_id": "1", "pk": "1", "id": "1"})
    return route.url(values)


def test_only_a_superuser_with_a_verified_second_factor_reaches_the_admin_site(territory, make_user):
    callers = {
        "anonymous": new_client(),
        "a learner": signed_in(make_user, Role.LEARNER),
        "a commune officer": signed_in(make_user, Role.COMMUNE_OFFICER, territory.commune),
        "the province administrator": signed_in(make_user, Role.PROVINCE_ADMIN, territory.province),
        "staff of the admin site": signed_in(make_user, None, is_staff=True),
    }
    superuser = make_user(Role.PROVINCE_ADMIN, territory.province, is_staff=True, is_superuser=True)
    unverified = new_client()
    unverified.force_login(superuser, second_factor=False)
    callers["a superuser without the second factor"] = unverified
    problems = []
    routes = admin_routes()
    assert len(routes) > 100
    for route in routes:
        url = admin_url(route)
        for label, client in callers.items():
            for method in METHODS:
                response = send(client, method, url, route)
                if not is_sign_in_redirect(response):
                    problems.append(f"{method.upper()} {url} by {label}: {response.status_code}")

    assert problems == []
    admitted = new_client()
    admitted.force_login(superuser)
    answers = {}
    for route in routes:
        if not route.converters:
            answers[route.name] = send(admitted, "get", admin_url(route), route).status_code
    # In: every page opens (200), or is one the admin forbids to everyone (403: adding what only the product's
    # services write, such as residents or audit entries; the autocomplete endpoint, which no field uses).
    assert set(answers.values()) == {200, 403}
    assert answers["admin:index"] == answers["admin:people_resident_changelist"] == 200
    assert answers["admin:autocomplete"] == answers["admin:core_auditentry_add"] == 403
