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


# --- Reporting: reports, plan tasks -------------------------------------------------------------------------------
# The reporting domain's access decisions, kept here (and only here) until the one access decision (`can`,
# `require`, `.visible_to`) replaces them. A report or a task is about one subject: a unit (a commune's People's
# Committee, the province) or an organisation (a lead agency). Reading it needs the permission over a scope that
# holds the subject; changing it as its author needs the permission on the subject itself ("its own officers").


def _holds_subject(
    assignment: RoleAssignment, *, unit_path: str | None, organisation_id: int | None, organisation_path: str | None
) -> bool:
    """Whether an assignment's scope holds the subject: the organisation assigned, or a subtree containing the
    unit or the organisation's location."""
    if organisation_id is not None and assignment.organisation_id == organisation_id:
        return True
    if assignment.unit is None:
        return False
    subject_path = unit_path if unit_path is not None else organisation_path
    return subject_path is not None and subject_path.startswith(assignment.unit.path)


def _is_subject(assignment: RoleAssignment, *, unit_id: int | None, organisation_id: int | None) -> bool:
    """Whether the assignment is on the subject itself (the unit, or the organisation)."""
    if organisation_id is not None:
        return assignment.organisation_id == organisation_id
    return unit_id is not None and assignment.unit_id == unit_id


def may_read_subject(
    user: AnyUser,
    permission: Permission,
    *,
    unit: AdministrativeUnit | None = None,
    organisation: Any = None,
) -> bool:
    """True when the user holds the permission over a scope holding the unit or the organisation (assigned to
    them, or located in their subtree). The organisation must be read with its `unit`."""
    organisation_id = organisation.pk if organisation is not None else None
    organisation_path = organisation.unit.path if organisation is not None else None
    unit_path = unit.path if unit is not None else None
    return any(
        _holds_subject(a, unit_path=unit_path, organisation_id=organisation_id, organisation_path=organisation_path)
        for a in _granting(user, permission)
    )


def may_act_as_subject(
    user: AnyUser, permission: Permission, *, unit: AdministrativeUnit | None = None, organisation: Any = None
) -> bool:
    """True when the user holds the permission on the unit or the organisation itself: one of its own officers
    (a province administrator is not a commune's officer)."""
    organisation_id = organisation.pk if organisation is not None else None
    unit_id = unit.pk if unit is not None else None
    return any(_is_subject(a, unit_id=unit_id, organisation_id=organisation_id) for a in _granting(user, permission))


def may_review_subject(user: AnyUser, *, unit: AdministrativeUnit | None = None, organisation: Any = None) -> bool:
    """True when the user may review (return, accept) the subject's reports: REVIEW_REPORTS over a scope
    holding it, and not as its own officer (nobody reviews their own report)."""
    permission = Permission.REVIEW_REPORTS
    return may_read_subject(user, permission, unit=unit, organisation=organisation) and not may_act_as_subject(
        user, permission, unit=unit, organisation=organisation
    )


def subject_scope(user: AnyUser, permission: Permission, *, unit_field: str, organisation_field: str) -> Q:
    """A filter on rows about a subject (a unit at `unit_field`, or an organisation at `organisation_field`) the
    user may read with the permission; nothing when they hold it nowhere."""
    granting = _granting(user, permission)
    condition = Q(**{f"{organisation_field}__in": [a.organisation_id for a in granting if a.organisation_id]})
    for a in granting:
        if a.unit is not None:
            condition |= Q(**{f"{unit_field}__path__startswith": a.unit.path})
            condition |= Q(**{f"{organisation_field}__unit__path__startswith": a.unit.path})
    return condition


def own_subjects(user: AnyUser, permission: Permission) -> tuple[list[int], list[int]]:
    """(unit ids, organisation ids) the user holds the permission on directly: where they act as its officer."""
    granting = _granting(user, permission)
    return [a.unit_id for a in granting if a.unit_id], [a.organisation_id for a in granting if a.organisation_id]


def officers_of(permission: Permission, *, unit: AdministrativeUnit | None = None, organisation: Any = None) -> Any:
    """Active users who hold the permission today on the unit or organisation itself (whom to remind)."""
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]
    assignments = RoleAssignment.objects.in_force().filter(role__in=roles)
    if organisation is not None:
        assignments = assignments.filter(organisation=organisation)
    else:
        assignments = assignments.filter(unit=unit)
    return User.objects.filter(is_active=True, pk__in=assignments.values("user_id")).order_by("pk")


# --- end of Reporting ----------------------------------------------------------------------------------------------
