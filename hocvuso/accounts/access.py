"""Who may see and do what — the one module every view and API endpoint goes through.

Allowed = the role's permission AND the object lies in the user's unit subtree (or organisation).
A missing object and one the user may not see give the same answer (Http404), so probing reveals nothing.
Every view declares its policy with `@requires(...)` or `@public`; a test walks the URL resolver and fails
for any route that declares neither.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from itertools import islice
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase

from hocvuso.territory.models import AdministrativeUnit, UnitQuerySet

from .models import RoleAssignment, User
from .roles import ORGANISATION_ROLES, ROLE_PERMISSIONS, STAFF_ROLES, Permission, Role

AnyUser = User | AnonymousUser
ViewFunction = TypeVar("ViewFunction", bound=Callable[..., HttpResponseBase])

_CACHE_ATTRIBUTE = "_hocvuso_assignments"


def active_assignments(user: AnyUser) -> list[RoleAssignment]:
    """The user's role assignments in force today (cached on the user object for the request)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = list(RoleAssignment.objects.in_force().filter(user=user).select_related("unit"))
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def forget_cached_assignments(user: AnyUser) -> None:
    """Drop the cached assignments after they change within one request."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def roles_of(user: AnyUser) -> set[str]:
    """The roles the user holds today."""
    return {assignment.role for assignment in active_assignments(user)}


def is_staff_user(user: AnyUser) -> bool:
    """True when the user holds any staff role today: they need a second factor and an idle timeout."""
    return bool(roles_of(user) & STAFF_ROLES) or bool(getattr(user, "is_superuser", False))


def has_permission(user: AnyUser, permission: Permission) -> bool:
    """True when any of the user's roles grants the permission, in some scope."""
    return any(permission in ROLE_PERMISSIONS[assignment.role] for assignment in active_assignments(user))


def _granting(user: AnyUser, permission: Permission) -> list[RoleAssignment]:
    return [a for a in active_assignments(user) if permission in ROLE_PERMISSIONS[a.role]]


def unit_paths_for(user: AnyUser, permission: Permission) -> list[str]:
    """Paths of the unit subtrees where the user has the permission."""
    return [a.unit.path for a in _granting(user, permission) if a.unit is not None]


def units_visible_to(user: AnyUser, permission: Permission = Permission.VIEW_UNITS) -> UnitQuerySet:
    """Every administrative unit the user may act on with the permission: the subtrees of their assignments."""
    return AdministrativeUnit.objects.within_any(unit_paths_for(user, permission))


def access_unit(user: AnyUser, code: str, permission: Permission = Permission.VIEW_UNITS) -> AdministrativeUnit:
    """The unit with this code if the user may act on it with the permission; raises Http404 otherwise."""
    unit = units_visible_to(user, permission).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def home_unit(user: AnyUser, permission: Permission = Permission.VIEW_UNITS) -> AdministrativeUnit | None:
    """The highest unit the user may act on (the root of their largest subtree), or None."""
    units = [a.unit for a in _granting(user, permission) if a.unit is not None]
    return min(units, key=lambda unit: (len(unit.path), unit.path), default=None)


def organisation_scope(user: AnyUser, permission: Permission) -> Q:
    """A filter on Organisation rows the user may act on: assigned directly, or located in their subtrees."""
    condition = Q(pk__in=[a.organisation_id for a in _granting(user, permission) if a.organisation_id])
    for path in unit_paths_for(user, permission):
        condition |= Q(unit__path__startswith=path)
    return condition if condition else Q(pk__in=[])


def require_permission(user: AnyUser, permission: Permission) -> None:
    """Raise Http404 unless the user has the permission in some scope (for pages not tied to one object)."""
    if not has_permission(user, permission):
        raise Http404


def may_manage_account(actor: AnyUser, account: User) -> bool:
    """True when the actor may manage the account's sign-in (issue its enrolment code): the account is not the
    actor's own, holds at least one staff role today, and every unit or organisation where it does lies in the
    actor's MANAGE_ACCOUNTS scope (an organisation by its location). Accounts the admin site lets in (`is_staff`,
    superusers) only a superuser may manage."""
    if not actor.is_authenticated or actor.pk == account.pk or not has_permission(actor, Permission.MANAGE_ACCOUNTS):
        return False
    if (account.is_staff or account.is_superuser) and not getattr(actor, "is_superuser", False):
        return False
    staff_roles = [a for a in active_assignments(account) if a.role in STAFF_ROLES]
    if not staff_roles:
        return False
    paths = unit_paths_for(actor, Permission.MANAGE_ACCOUNTS)
    organisations = {a.organisation_id for a in _granting(actor, Permission.MANAGE_ACCOUNTS) if a.organisation_id}
    for assignment in staff_roles:
        if assignment.organisation_id is not None:
            if assignment.organisation_id in organisations:
                continue
            place = assignment.organisation.unit.path  # type: ignore[union-attr]
        else:
            place = assignment.unit.path  # type: ignore[union-attr]
        if not any(place.startswith(path) for path in paths):
            return False
    return True


def accounts_to_manage(actor: AnyUser, among: QuerySet[User] | None = None, limit: int = 100) -> list[User]:
    """The staff accounts (of `among`, by default all) whose sign-in the actor may manage (`may_manage_account`),
    at most `limit`, by username: those holding a staff role today in the actor's units, or in organisations
    located there."""
    paths = unit_paths_for(actor, Permission.MANAGE_ACCOUNTS)
    if not paths:
        return []
    place = Q(pk__in=[])
    for path in paths:
        place |= Q(unit__path__startswith=path) | Q(organisation__unit__path__startswith=path)
    user_ids = RoleAssignment.objects.in_force().filter(place, role__in=STAFF_ROLES).values("user_id")
    candidates = (User.objects.all() if among is None else among).filter(pk__in=user_ids, is_active=True)
    manageable = (account for account in candidates.order_by("username") if may_manage_account(actor, account))
    return list(islice(manageable, limit))


@dataclass(frozen=True)
class AccessPolicy:
    """What a view requires, read by the decorator and by the URL-walking authorization test."""

    permission: Permission | None
    public: bool = False
    unit_kwarg: str | None = None


def requires(permission: Permission, *, unit_kwarg: str | None = None) -> Callable[[ViewFunction], ViewFunction]:
    """Decorate a view: anonymous users are sent to sign in; others need the permission somewhere (and,
    with `unit_kwarg`, on the unit named by that URL argument, which the view receives as `unit`);
    otherwise 404."""

    def decorate(view: ViewFunction) -> ViewFunction:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_permission(request.user, permission)
            if unit_kwarg is not None:
                kwargs["unit"] = access_unit(request.user, kwargs.pop(unit_kwarg), permission)
            return view(request, *args, **kwargs)

        wrapped.access_policy = AccessPolicy(permission=permission, unit_kwarg=unit_kwarg)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def signed_in(view: ViewFunction) -> ViewFunction:
    """Decorate a view open to every signed-in user (their own account, their own home page)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.access_policy = AccessPolicy(permission=None)  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def public(view: ViewFunction) -> ViewFunction:
    """Mark a view as open to everyone, on purpose (sign-in, public progress, health check)."""
    view.access_policy = AccessPolicy(permission=None, public=True)  # type: ignore[attr-defined]
    return view


__all__ = [
    "ORGANISATION_ROLES",
    "AccessPolicy",
    "Permission",
    "Role",
    "access_unit",
    "accounts_to_manage",
    "active_assignments",
    "has_permission",
    "home_unit",
    "is_staff_user",
    "may_manage_account",
    "organisation_scope",
    "public",
    "require_permission",
    "requires",
    "roles_of",
    "signed_in",
    "unit_paths_for",
    "units_visible_to",
]
