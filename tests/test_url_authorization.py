"""Every route, every kind of visitor: anonymous, wrong role, right role outside the unit, right role inside.

The routes come from the URL resolver, so a new route is checked the day it is added; a route whose view
declares no access policy (hocvuso.accounts.access: @requires, @signed_in, @public, or an API view's
`access_policy`) fails the test, and so does a route with a URL argument this test cannot fill.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from hocvuso.accounts.access import AccessPolicy
from hocvuso.accounts.roles import ROLE_PERMISSIONS, Permission, Role
from hocvuso.api.services import issue_api_token

DENIED_PAGE = {302, 404}
DENIED_API = {401, 403, 404}
ALLOWED = {200, 201, 204, 302, 303, 405}


@dataclass(frozen=True)
class Route:
    route: str
    name: str
    callback: Callable[..., Any]
    converters: dict[str, str]

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}:{entry.namespace}" if entry.namespace and namespace else entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + _route_text(entry.pattern), space)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            text = prefix + _route_text(entry.pattern)
            yield Route(
                text, name, entry.callback, {arg: conv for conv, arg in re.findall(r"<(?:(\w+):)?(\w+)>", text)}
            )


def _route_text(pattern: Any) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern._route)
    assert isinstance(pattern, RegexPattern)
    return pattern._regex  # kept raw; such routes are handled below


def policy_of(callback: Callable[..., Any]) -> AccessPolicy | None:
    for holder in (callback, getattr(callback, "cls", None), getattr(callback, "view_class", None)):
        policy = getattr(holder, "access_policy", None)
        if isinstance(policy, AccessPolicy):
            return policy
    return None


def all_routes() -> list[Route]:
    return [route for route in _walk(get_resolver().url_patterns) if not route.is_admin]


def test_every_route_declares_an_access_policy():
    missing = [f"{route.route} ({route.name})" for route in all_routes() if policy_of(route.callback) is None]

    assert missing == [], "routes without @requires/@signed_in/@public or an API access_policy"


def test_the_walk_finds_the_routes_of_every_part():
    names = {route.name for route in all_routes()}

    assert {"healthz", "web:home", "set_language"} <= names


def role_with(permission: Permission | None) -> str:
    """The narrowest unit-scoped role that holds the permission (any staff role when None)."""
    for role in [Role.TEAM_MEMBER, Role.INSTRUCTOR, Role.TEAM_LEADER, Role.COMMUNE_OFFICER, Role.PROVINCE_ADMIN]:
        if permission is None or permission in ROLE_PERMISSIONS[role]:
            return role
    raise AssertionError(f"no unit-scoped role holds {permission}")


def role_without(permission: Permission) -> str:
    return Role.LEARNER if permission != Permission.LEARN else Role.INSTRUCTOR


def fill(route: Route, values: dict[str, str]) -> str:
    """The route with its URL arguments replaced by values; fails for an argument nobody taught this test."""
    if route.route.startswith("^") or "(?P<" in route.route:
        pytest.skip(f"regex route {route.route!r} (format suffix) is covered by its plain twin")
    unknown = set(route.converters) - set(values)
    assert not unknown, f"{route.route}: teach test_url_authorization a value for {sorted(unknown)}"
    url = route.route
    for name in route.converters:
        url = re.sub(rf"<(?:\w+:)?{name}>", values[name], url)
    return "/" + url


def policy_kind(policy: AccessPolicy) -> str:
    if policy.public:
        return "public"
    return "signed_in" if policy.permission is None else "permission"


def routes_for(kind: str) -> list[Route]:
    """Routes by policy kind, for parametrisation (evaluated at collection)."""
    return [
        route
        for route in all_routes()
        if (policy := policy_of(route.callback)) is not None and policy_kind(policy) == kind
    ]


@pytest.fixture
def owner(make_user):
    """The signed-in user who owns the personal objects the URL arguments point to."""
    return make_user(Role.LEARNER)


@pytest.fixture
def url_values(territory, owner):
    """Values for URL arguments: units inside the unit where the 'inside' user holds its role, and objects
    that belong to `owner`."""
    issued = issue_api_token(user=owner, name="phone", expires_at=None)
    from hocvuso.people.imports.services import submit_roster_import
    from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory

    household = HouseholdFactory(village=territory.village)
    resident = ResidentFactory(household=household, user=owner)
    job = submit_roster_import(
        user=None, kind="residents", file_name="a.csv", data=b"x\n", unit=territory.commune, dry_run=True, enqueue=False
    )
    from hocvuso.learning.models import Assessment, Attempt, Course, Lesson, Module

    course = Course.objects.create(slug="khoa-thu", title="Khóa thử", group="citizens")
    module = Module.objects.create(course=course, slug="mot", title="Học phần một")
    lesson = Lesson.objects.create(course=course, module=module, slug="bai-mot", title="Bài một")
    final = Assessment.objects.create(course=course, kind="final", title="Bài đánh giá cuối khóa")
    attempt = Attempt.objects.create(user=owner, assessment=final, number=1)
    from hocvuso.people.tests.factories import OrganisationFactory

    organisation = OrganisationFactory(code="THPT-URL", name="Trường THPT Thử", kind="school", unit=territory.commune)
    return {
        "code": territory.commune.code,
        "token_id": str(issued.token.pk),
        "household_code": household.code,
        "resident_id": str(resident.pk),
        "job_id": str(job.pk),
        "course_slug": course.slug,
        "lesson_slug": lesson.slug,
        "assessment_id": str(final.pk),
        "attempt_id": str(attempt.pk),
        "org_code": organisation.code,
    }


def denied_statuses(route: Route) -> set[int]:
    return DENIED_API if route.is_api else DENIED_PAGE


def get(client, url, route):
    return client.get(url, HTTP_ACCEPT="application/json" if route.is_api else "text/html")


@pytest.mark.parametrize("route", routes_for("permission"), ids=lambda route: route.route)
def test_permission_routes_admit_only_the_right_role_inside_its_unit(route, client, territory, make_user, url_values):
    policy = policy_of(route.callback)
    assert policy is not None and policy.permission is not None
    url = fill(route, url_values)
    role = role_with(policy.permission)
    inside_unit = territory.province if role == Role.PROVINCE_ADMIN else territory.commune
    outside_unit = territory.other_province if role == Role.PROVINCE_ADMIN else territory.other_commune
    secret_name = territory.commune.name

    anonymous = get(client, url, route)
    assert anonymous.status_code in denied_statuses(route)
    if not route.is_api:
        assert anonymous.status_code == 302 and "/tai-khoan/" in anonymous["Location"]

    for label, user in [
        ("wrong role", make_user(role_without(policy.permission), None)),
        ("right role outside the unit", make_user(role, outside_unit)),
    ]:
        client.force_login(user)
        response = get(client, url, route)
        if route.converters:
            assert response.status_code == 404, f"{label}: {url} answered {response.status_code}"
            assert secret_name not in response.content.decode(errors="replace"), f"{label} saw the unit's name"
        elif label == "wrong role":
            assert response.status_code == 404, f"{label}: {url} answered {response.status_code}"
        else:
            # A list page without a unit in its URL is allowed, but must not show the other unit's data.
            assert response.status_code in ALLOWED | {404}
            assert secret_name not in response.content.decode(errors="replace"), f"{label} saw the unit's name"
        client.logout()

    client.force_login(make_user(role, inside_unit))
    response = get(client, url, route)
    assert response.status_code in ALLOWED, f"right role inside: {url} answered {response.status_code}"


@pytest.mark.parametrize("route", routes_for("signed_in"), ids=lambda route: route.route)
def test_signed_in_routes_admit_only_the_owner_of_what_they_show(route, client, make_user, owner, url_values):
    url = fill(route, url_values)

    anonymous = get(client, url, route)
    assert anonymous.status_code in denied_statuses(route)

    client.force_login(make_user(Role.LEARNER))
    other = get(client, url, route)
    assert other.status_code == 404 if route.converters else other.status_code in ALLOWED
    client.logout()

    client.force_login(owner)
    assert get(client, url, route).status_code in ALLOWED


@pytest.mark.parametrize("route", routes_for("public"), ids=lambda route: route.route)
def test_public_routes_answer_anonymous_visitors_without_error(route, client, url_values):
    url = fill(route, url_values)

    response = get(client, url, route)

    assert response.status_code < 500
    assert "/tai-khoan/dang-nhap" not in response.get("Location", "") or route.name.startswith("accounts:")


def test_the_admin_site_needs_a_verified_second_factor(client, make_user, territory):
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune, is_staff=True, is_superuser=True)

    assert client.get("/admin/").status_code == 302
    client.force_login(officer, second_factor=False)  # signed in without the TOTP step
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
