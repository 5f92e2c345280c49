"""The URL authorization walk's machinery (tests/test_url_authorization.py walks every route with sessions,
hocvuso/api/tests/test_authorization.py the API's with tokens too).

Routes come from the URL resolver, so a route is checked the day it is added. Each is tried by every kind of
caller, by GET and by POST. A POST carries a valid CSRF token taken from the client's own cookie, so a refusal is
the access check's and not the CSRF middleware's. What counts as an answer:

- denied: a page sends an anonymous visitor to sign in (302) and answers 404 to anyone else; the API answers 401
  to an anonymous caller and 404 to anyone else. Never a 405 (nor a 403): the access check comes before the method
  check, so a refusal cannot hide behind "method not allowed".
- allowed: the view was reached. A 405 to one method only counts if the other method reached the view: a POST-only
  view answers 405 to GET and must answer its POST with something its own code chose (200, 201, 204, a redirect
  that is not to the sign-in, or a 400 for the form data), and the other way round for GET-only views.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from hocvuso.accounts.access import AccessPolicy
from hocvuso.accounts.roles import ROLE_PERMISSIONS, Permission, Role
from hocvuso.accounts.tests.sessions import SignInClient

METHODS = ("get", "post")
REACHED = {200, 201, 204, 302, 303, 400}
SIGN_IN_PAGES = ("/tai-khoan/dang-nhap/", "/admin/login/")
# Unit-scoped staff roles, narrowest first.
UNIT_ROLES = [Role.TEAM_MEMBER, Role.INSTRUCTOR, Role.TEAM_LEADER, Role.COMMUNE_OFFICER, Role.PROVINCE_ADMIN]


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

    @property
    def is_regex(self) -> bool:
        return self.route.startswith("^") or "(?P<" in self.route

    def url(self, values: dict[str, str]) -> str:
        """The route with its URL arguments replaced by values; fails for an argument nobody taught the walk."""
        unknown = set(self.converters) - set(values)
        assert not unknown, f"{self.route}: teach the URL walk a value for {sorted(unknown)}"
        url = self.route
        for name in self.converters:
            url = re.sub(rf"<(?:\w+:)?{name}>", values[name], url)
        return "/" + url


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
    return pattern._regex  # kept raw (the admin's app index); filled by the walk of the admin site


def every_route() -> list[Route]:
    """Every route of the site."""
    return list(_walk(get_resolver().url_patterns))


def policy_of(callback: Callable[..., Any]) -> AccessPolicy | None:
    for holder in (callback, getattr(callback, "cls", None), getattr(callback, "view_class", None)):
        policy = getattr(holder, "access_policy", None)
        if isinstance(policy, AccessPolicy):
            return policy
    return None


def policy_kind(policy: AccessPolicy) -> str:
    if policy.public:
        return "public"
    return "signed_in" if policy.permission is None else "permission"


def routes_for(kind: str, *, api_only: bool = False) -> list[Route]:
    """The site's routes (the admin site aside) whose policy is of this kind, for parametrisation."""
    return [
        route
        for route in every_route()
        if not route.is_admin
        and (route.is_api or not api_only)
        and (policy := policy_of(route.callback)) is not None
        and policy_kind(policy) == kind
    ]


def role_with(permission: Permission) -> str:
    """The narrowest unit-scoped role that holds the permission."""
    for role in UNIT_ROLES:
        if permission in ROLE_PERMISSIONS[role]:
            return role
    raise AssertionError(f"no unit-scoped role holds {permission}")


def roles_without(permission: Permission) -> list[str]:
    """The unit-scoped staff roles that lack the permission (held inside the unit, they must still be refused)."""
    return [role for role in UNIT_ROLES if permission not in ROLE_PERMISSIONS[role]]


def new_client() -> SignInClient:
    return SignInClient(enforce_csrf_checks=True)


def csrf_token(client: Any) -> str:
    """The client's CSRF token, from the cookie a page sets (fetched first when the client has none yet)."""
    if "csrftoken" not in client.cookies:
        client.get("/tai-khoan/dang-nhap/")
    if "csrftoken" not in client.cookies:
        client.get("/")
    assert "csrftoken" in client.cookies, "no page set the CSRF cookie"
    return str(client.cookies["csrftoken"].value)


def send(client: Any, method: str, url: str, route: Route, data: dict[str, Any] | None = None, **extra: Any) -> Any:
    """A GET, or a POST carrying the client's valid CSRF token (form fields for pages, JSON for the API)."""
    headers = {"HTTP_ACCEPT": "application/json" if route.is_api else "text/html", **extra}
    if method == "get":
        return client.get(url, **headers)
    token = csrf_token(client)
    if route.is_api:
        return client.post(url, data or {}, content_type="application/json", HTTP_X_CSRFTOKEN=token, **headers)
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token}, **headers)


def is_sign_in_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(SIGN_IN_PAGES)


def denial_problem(route: Route, response: Any, *, anonymous: bool) -> str | None:
    """Why this answer is not a refusal (None when it is one)."""
    status = response.status_code
    if route.is_api:
        wanted = 401 if anonymous else 404
        return None if status == wanted else f"answered {status}, not {wanted}"
    if anonymous:
        return None if is_sign_in_redirect(response) else f"answered {status}, not a redirect to sign in"
    return None if status == 404 else f"answered {status}, not 404"


def reach_problem(get: Any, post: Any) -> str | None:
    """Why this pair of answers (GET, POST) does not show the view reached (None when it does)."""
    for method, response in (("GET", get), ("POST", post)):
        if response.status_code in {403, 404} or is_sign_in_redirect(response):
            return f"{method} answered {response.status_code}"
    if get.status_code == 405 and post.status_code == 405:
        return "both methods answered 405"
    for method, response, other in (("GET", get, post), ("POST", post, get)):
        if response.status_code != 405 and response.status_code not in REACHED:
            return f"{method} answered {response.status_code}"
        if response.status_code == 405 and other.status_code not in REACHED:
            return f"{method} answered 405 and the other method did not reach the view"
    return None
