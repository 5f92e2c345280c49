"""Who may see and do what: the one module that decides access, for lists and for single objects.

Allowed = one of the user's role assignments that count today grants the permission (`roles.py`) AND the object
lies in that assignment's scope: its unit subtree, or its organisation. Nothing else in hocvuso compares unit
paths or roles to decide access (`hocvuso/accounts/tests/test_access_guard.py` keeps it so).

Two questions, answered from the same rules:
- which objects of a kind: `scope(user, permission, Model)` is the filter `Model.objects.visible_to(user,
  permission)` applies (`units_visible_to` for units);
- this one object: `can(user, permission, obj)`, and `require(...)`, which raises `core.errors.NotFound` when the
  answer is no. A missing object and one the user may not see are the same NotFound; the web (a middleware) and
  the API (its exception handler) answer it with 404, once.

Where each kind of object lies (the kinds are named by their model label, so this module imports no app above
it; an unknown kind is a programming error, not a "no"):

    unit               itself
    organisation       the organisation (when assigned to the user) or its unit
    household          its village
    resident           its village; and, for THROUGH_MEMBERSHIP permissions only, each organisation of which the
                       resident is a member in force today (an ended membership gives nothing)
    membership         its organisation
    import job         its unit, or its organisation when that is assigned to the user
    target             its unit, or its organisation; the province default (neither) needs the whole province
                       the platform serves (settings.PROVINCE_CODE)
    role assignment    its unit, or its organisation (whose sign-in an officer with MANAGE_ACCOUNTS manages)
    registration       a VNeID registration waiting for its commune (vneid.pendingregistration): the commune the
                       person chose; none chosen yet, nowhere
    team               a community digital team (outreach): its commune, for MANAGE_PEOPLE; for MANAGE_TEAM, the
                       teams the user leads there (`team_scope`, `may_manage_team`)
    assignment         a household assignment (outreach): the user's own, in force on the day, in their
                       RECORD_VISIT subtrees (`assigned_households`): a team member sees and visits only these
    reporting          a reporting assignment, a report, a lead's plan task (task progress) is about one subject:
                       its unit or its organisation (exactly one is set); a task's update and evidence, the
                       subject of their task

A roster import reaches (matches, attaches, updates or moves) only the residents `reached_by_import` allows: those
living in the importer's IMPORT_ROSTER subtrees and the members in force today of an organisation they import for.

Two reporting rules are not "lies in the scope": a subject's own officers (`officer_of`, `officer_scope`: the
permission held on that unit or organisation itself, not over a larger area — a province administrator is not a
commune's officer) prepare its reports and update its tasks, and nobody reviews a report as its own officer
(`may_review`). `officers_of` answers the first from the other side (whom to remind).

Who counts as whom. Only role assignments in force today count (`RoleAssignment.objects.in_force()`). A staff
role counts only in a request that passed the second factor (`is_verified`): a session is verified when its
sign-in verified one — `accounts.services.complete_sign_in(..., second_factor_verified=True)`, whether by a TOTP
code or another path's own second factor — which `accounts.middleware.SecondFactorMiddleware` installs as the
request user's `is_verified()` (DRF's session authentication passes the same user on); so a learner whose session
began with a password alone and who is then made an officer holds none of the officer's permissions in that
session (the session also ends: `accounts.middleware.SessionExpiryMiddleware`). An API token is a device
credential: it is issued only by a session that passed the second factor when its user held a staff role, so it
carries the staff roles assigned by the time it was issued (`acting_with_token`) and none assigned later. A user
object that did not come through a request (a management command, a Celery task acting for whoever queued it, the
test of a service) is the system acting, and its roles count as assigned.

Every view declares its policy with `@requires(...)`, `@signed_in` or `@public`; a test walks the URL resolver
and fails for any route that declares neither.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from itertools import islice
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from hocvuso.core.errors import NotFound
from hocvuso.core.models import in_force_on
from hocvuso.territory.models import LEVEL_DEPTH, AdministrativeUnit, Level, UnitQuerySet, lies_within, path_within

from .models import RoleAssignment, User
from .roles import ROLE_PERMISSIONS, STAFF_ROLES, Permission, Role

AnyUser = User | AnonymousUser
ViewFunction = TypeVar("ViewFunction", bound=Callable[..., HttpResponseBase])

# The permissions a membership of an organisation gives over the member: seeing them as a member, and their
# learning. Everything else about a resident (where they live, their full ID, correcting them) belongs to the
# area they live in; see docs/ARCHITECTURE.md, "Access".
THROUGH_MEMBERSHIP = frozenset({Permission.VIEW_PEOPLE, Permission.VIEW_PROGRESS})

# Permissions over things not tied to a unit (the audit log records the whole platform's actions): held only
# through an assignment over the whole province the platform serves (settings.PROVINCE_CODE).
PLATFORM_WIDE = frozenset({Permission.VIEW_AUDIT, Permission.MANAGE_CREDENTIALS})

UNIT = "territory.administrativeunit"
ORGANISATION = "people.organisation"
HOUSEHOLD = "people.household"
RESIDENT = "people.resident"
MEMBERSHIP = "people.membership"
IMPORT_JOB = "people.importjob"
TARGET = "indicators.target"
ROLE_ASSIGNMENT = "accounts.roleassignment"
REPORTING_ASSIGNMENT = "reporting.reportingassignment"
REPORT = "reporting.report"
TASK_PROGRESS = "reporting.taskprogress"
TASK_UPDATE = "reporting.taskupdate"
TASK_EVIDENCE = "reporting.taskevidence"
PENDING_REGISTRATION = "vneid.pendingregistration"
CERTIFICATE = "credentials.certificate"
# Kinds about one subject, `unit` or `organisation` (exactly one set), and kinds about the subject of their task.
ABOUT_A_SUBJECT = frozenset({ROLE_ASSIGNMENT, REPORTING_ASSIGNMENT, REPORT, TASK_PROGRESS})
ABOUT_A_TASK = frozenset({TASK_UPDATE, TASK_EVIDENCE})

_HELD_ATTRIBUTE = "_hocvuso_assignments"
_ISSUED_AT_ATTRIBUTE = "_hocvuso_token_issued_at"


# --- Whom the user acts as -------------------------------------------------------------------------------------


def _held(user: AnyUser) -> list[RoleAssignment]:
    """Every role assignment of the user in force today (cached on the user object for the request)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _HELD_ATTRIBUTE, None)
    if cached is None:
        cached = list(RoleAssignment.objects.in_force().filter(user=user).select_related("unit", "organisation__unit"))
        setattr(user, _HELD_ATTRIBUTE, cached)
    return cached


def is_verified(user: AnyUser) -> bool:
    """True when this request passed a second factor: a session whose sign-in verified one (the request user's
    `is_verified()`, which `accounts.middleware.SecondFactorMiddleware` answers from the session:
    `accounts.sessions.session_passed_second_factor`), or an API token (a device credential that such a session
    issued). A user object from outside any request is the system acting, and counts as verified."""
    if getattr(user, _ISSUED_AT_ATTRIBUTE, None) is not None:
        return True
    session_verified = getattr(user, "is_verified", None)
    if session_verified is None:  # not a request's user: the system acting
        return True
    return bool(session_verified())


def _second_factor_covers(user: AnyUser, assignment: RoleAssignment) -> bool:
    """Whether this request's credentials were verified with a second factor for the (staff) assignment: a
    verified session covers every role; a token, the roles assigned by the time it was issued."""
    token_issued_at = getattr(user, _ISSUED_AT_ATTRIBUTE, None)
    if token_issued_at is not None:
        return bool(assignment.created_at <= token_issued_at)
    return is_verified(user)


def _is_staff(assignment: RoleAssignment) -> bool:
    return assignment.role in STAFF_ROLES


def active_assignments(user: AnyUser) -> list[RoleAssignment]:
    """The user's role assignments that count in this request: in force today and, for a staff role, covered by
    a second factor (see the module's docstring). No query once the assignments are cached."""
    return [a for a in _held(user) if not _is_staff(a) or _second_factor_covers(user, a)]


def assignments_for_session(user: AnyUser) -> list[dict[str, Any]] | None:
    """The user's role assignments — in force, ended and yet to start — as plain values a session keeps, or None
    when one of them is a staff role (a staff user's roles are read afresh on every request). `complete_sign_in`
    stores the copy; any change of the user's roles raises their `session_epoch` (`services.end_sessions_of`),
    which ends the session, so the copy holds for the session's whole life (`assume_assignments_from_session`)."""
    if not user.is_authenticated:
        return []
    rows = list(
        RoleAssignment.objects.filter(user=user).values(
            "id", "role", "unit_id", "organisation_id", "valid_from", "valid_to"
        )
    )
    if any(row["role"] in STAFF_ROLES for row in rows):
        return None
    return [
        {
            **row,
            "valid_from": row["valid_from"].isoformat(),
            "valid_to": row["valid_to"].isoformat() if row["valid_to"] else None,
        }
        for row in rows
    ]


def assume_assignments_from_session(user: User, copy: list[dict[str, Any]]) -> None:
    """Take the request user's role assignments in force today from the session's copy
    (`assignments_for_session`: never a staff role), so this request's access checks make no query for them."""
    today = timezone.localdate()
    held = [
        RoleAssignment(
            id=row["id"],
            user_id=user.pk,
            role=row["role"],
            unit_id=row["unit_id"],
            organisation_id=row["organisation_id"],
            valid_from=date.fromisoformat(row["valid_from"]),
            valid_to=date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
        )
        for row in copy
    ]
    setattr(user, _HELD_ATTRIBUTE, [assignment for assignment in held if assignment.is_in_force(today)])


def forget_cached_assignments(user: AnyUser) -> None:
    """Drop the cached assignments after they change within one request."""
    if hasattr(user, _HELD_ATTRIBUTE):
        delattr(user, _HELD_ATTRIBUTE)


def acting_with_token(user: User, *, issued_at: datetime) -> None:
    """Record that the request's user acts through an API token issued at `issued_at` (the API's token
    authentication calls this): the staff roles that count are those assigned by then."""
    setattr(user, _ISSUED_AT_ATTRIBUTE, issued_at)


def is_staff_user(user: AnyUser) -> bool:
    """True when the user holds a staff role in force today (verified in this session or not), or is a
    superuser."""
    return any(_is_staff(a) for a in _held(user)) or bool(getattr(user, "is_superuser", False))


def signs_in_with_second_factor(user: AnyUser) -> bool:
    """True when the user must sign in with a second factor, and their sessions end after 30 minutes idle: staff
    (`is_staff_user`) and anyone the admin site lets in (`is_staff`)."""
    return is_staff_user(user) or bool(getattr(user, "is_staff", False))


def needs_second_factor(user: AnyUser) -> bool:
    """True when the user must sign in with a second factor (`signs_in_with_second_factor`) but this request did
    not pass one (a learner made an officer while signed in): their staff roles do not count until they sign in
    again with their authenticator."""
    return signs_in_with_second_factor(user) and not is_verified(user)


def has_permission(user: AnyUser, permission: Permission) -> bool:
    """True when one of the user's counting assignments grants the permission, in some scope (a PLATFORM_WIDE
    permission: over the platform's whole province). No query once the assignments are cached."""
    if permission in PLATFORM_WIDE:
        return bool(_Grants.of(user, permission))
    return any(permission in ROLE_PERMISSIONS[a.role] for a in active_assignments(user))


def permissions_of(user: AnyUser) -> frozenset[Permission]:
    """Every permission the user holds in some scope (`has_permission`)."""
    return frozenset(permission for permission in Permission if has_permission(user, permission))


def require_permission(user: AnyUser, permission: Permission) -> None:
    """Raise NotFound unless the user has the permission in some scope (for pages not tied to one object)."""
    if not has_permission(user, permission):
        raise NotFound()


# --- The scopes a permission reaches ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grants:
    """Where the user holds one permission: the units of their unit-scoped assignments and the organisations of
    their organisation-scoped ones."""

    units: tuple[AdministrativeUnit, ...]
    organisation_ids: frozenset[int]

    @classmethod
    def of(cls, user: AnyUser, permission: Permission) -> "_Grants":
        granting = [a for a in active_assignments(user) if permission in ROLE_PERMISSIONS[a.role]]
        grants = cls(
            units=tuple(a.unit for a in granting if a.unit is not None),
            organisation_ids=frozenset(a.organisation_id for a in granting if a.organisation_id is not None),
        )
        if permission in PLATFORM_WIDE and not grants.cover_the_province():
            return cls(units=(), organisation_ids=frozenset())
        return grants

    def __bool__(self) -> bool:
        return bool(self.units or self.organisation_ids)

    def cover_path(self, path: str) -> bool:
        return any(path_within(path, root.path) for root in self.units)

    def cover(self, unit: AdministrativeUnit) -> bool:
        return self.cover_path(unit.path)

    def cover_the_province(self) -> bool:
        """Whether the grants hold the province the platform serves (settings.PROVINCE_CODE) as a whole."""
        return any(root.level == Level.PROVINCE and root.code == settings.PROVINCE_CODE for root in self.units)

    def assigned(self, organisation_id: int | None) -> bool:
        return organisation_id is not None and organisation_id in self.organisation_ids

    def cover_organisation(self, organisation: Any) -> bool:
        # `organisation.unit` is only read (perhaps queried) when the user holds the permission over units.
        return self.assigned(organisation.pk) or (bool(self.units) and self.cover(organisation.unit))

    def cover_subject(self, obj: Any) -> bool:
        """Whether the grants cover what a row about one subject is about: its organisation, else its unit."""
        if obj.organisation_id is not None:
            return self.cover_organisation(obj.organisation)
        return obj.unit_id is not None and self.cover(obj.unit)

    def hold(self, unit_id: int | None, organisation_id: int | None) -> bool:
        """Whether the permission is held on that organisation, or else that unit, itself (not over an area
        holding it)."""
        if organisation_id is not None:
            return self.assigned(organisation_id)
        return unit_id is not None and any(root.pk == unit_id for root in self.units)

    def within(self, through: str) -> Q:
        return lies_within(*self.units, through=through)

    def organisations(self, through: str) -> Q:
        prefix = f"{through}__" if through else ""
        return Q(**{f"{prefix}pk__in": sorted(self.organisation_ids)}) | self.within(f"{prefix}unit")

    def subjects(self, through: str) -> Q:
        """Rows about one subject (reached through `through`, or the row itself): its unit or its organisation."""
        prefix = f"{through}__" if through else ""
        return self.within(f"{prefix}unit") | self.organisations(f"{prefix}organisation")

    def held(self, through: str) -> Q:
        """Rows whose subject is a unit or an organisation the permission is held on itself (`hold`)."""
        prefix = f"{through}__" if through else ""
        unit_ids = sorted(root.pk for root in self.units)
        return Q(**{f"{prefix}unit_id__in": unit_ids}) | Q(
            **{f"{prefix}organisation_id__in": sorted(self.organisation_ids)}
        )


def _assignments_granting(permission: Permission) -> QuerySet[RoleAssignment]:
    """Every role assignment in force today whose role grants the permission: `_Grants.of` from the other side
    (who holds it, rather than where a user does), sessions aside."""
    roles = sorted(role for role, granted in ROLE_PERMISSIONS.items() if permission in granted)
    return RoleAssignment.objects.in_force().filter(role__in=roles)


def _in_force_today() -> Q:
    return in_force_on(timezone.localdate())


def _kind(model: Any) -> str:
    return str(model._meta.label_lower)


def _unknown(kind: str) -> TypeError:
    return TypeError(f"hocvuso.accounts.access has no rule for {kind}")


def scope(user: AnyUser, permission: Permission, model: type[Model]) -> Q:
    """The filter for the rows of `model` the user may act on with the permission (see the table in the module's
    docstring); matches nothing for a user without the permission. Raises TypeError for a kind it has no rule for.
    Reads the user's assignments (one query, cached); the filter itself is part of the caller's query."""
    grants = _Grants.of(user, permission)
    kind = _kind(model)
    if not grants:
        return Q(pk__in=[])
    if kind == UNIT:
        return grants.within("")
    if kind == ORGANISATION:
        return grants.organisations("")
    if kind == HOUSEHOLD:
        return grants.within("village")
    if kind == RESIDENT:
        condition = grants.within("village")
        if permission in THROUGH_MEMBERSHIP:
            memberships = model._meta.get_field("memberships").related_model._default_manager  # type: ignore[union-attr]
            member = memberships.filter(
                _in_force_today(), grants.organisations("organisation"), resident=OuterRef("pk")
            )
            condition |= Q(Exists(member))
        return condition
    if kind == MEMBERSHIP:
        return grants.organisations("organisation")
    if kind == IMPORT_JOB:
        return grants.within("unit") | Q(organisation_id__in=sorted(grants.organisation_ids))
    if kind in ABOUT_A_SUBJECT:
        return grants.subjects("")
    if kind in ABOUT_A_TASK:
        return grants.subjects("progress_of")
    if kind == PENDING_REGISTRATION:
        return grants.within("commune") & Q(commune__isnull=False)
    raise _unknown(kind)


def reached_by_import(user: AnyUser, model: type[Model]) -> Q:
    """The filter for the residents (`model`) a roster import by the user may match, attach, update or move: those
    living in the user's IMPORT_ROSTER subtrees and the members in force today of an organisation the user may
    import for (assigned to it, or located in those subtrees). An import never reaches anyone else (issue 8,
    hole 1): such rows are refused and the officer asks for a transfer (hocvuso.people.transfers). `None` is the
    system (the command line): everyone. Matches nothing for a user without IMPORT_ROSTER."""
    if user is None:
        return Q()
    grants = _Grants.of(user, Permission.IMPORT_ROSTER)
    if _kind(model) != RESIDENT:
        raise _unknown(_kind(model))
    if not grants:
        return Q(pk__in=[])
    memberships = model._meta.get_field("memberships").related_model._default_manager  # type: ignore[union-attr]
    member = memberships.filter(_in_force_today(), grants.organisations("organisation"), resident=OuterRef("pk"))
    return grants.within("village") | Q(Exists(member))


def can(user: AnyUser, permission: Permission, obj: Model) -> bool:
    """True when the user may act on this object with the permission (see the table in the module's docstring).
    Decided from the user's cached assignments and what the object has loaded (its unit or village, its
    organisation's unit, a task's progress; select them with it to spare a query); a resident reached only
    through a membership costs one query. Raises TypeError
    for a kind it has no rule for."""
    grants = _Grants.of(user, permission)
    kind = _kind(obj)
    if not grants:
        return False
    if kind == UNIT:
        return grants.cover(obj)  # type: ignore[arg-type]
    if kind == ORGANISATION:
        return grants.cover_organisation(obj)
    if kind == HOUSEHOLD:
        return grants.cover(obj.village)  # type: ignore[attr-defined]
    if kind == RESIDENT:
        if grants.cover(obj.village):  # type: ignore[attr-defined]
            return True
        if permission not in THROUGH_MEMBERSHIP:
            return False
        in_scope = obj.memberships.filter(_in_force_today(), grants.organisations("organisation"))  # type: ignore[attr-defined]
        return bool(in_scope.exists())
    if kind == MEMBERSHIP:
        return grants.cover_organisation(obj.organisation)  # type: ignore[attr-defined]
    if kind == IMPORT_JOB:
        return grants.cover(obj.unit) or grants.assigned(obj.organisation_id)  # type: ignore[attr-defined]
    if kind == TARGET:
        if obj.unit_id is not None:  # type: ignore[attr-defined]
            return grants.cover(obj.unit)  # type: ignore[attr-defined]
        if obj.organisation_id is not None:  # type: ignore[attr-defined]
            return grants.cover_organisation(obj.organisation)  # type: ignore[attr-defined]
        return grants.cover_the_province()
    if kind in ABOUT_A_SUBJECT:
        return grants.cover_subject(obj)
    if kind in ABOUT_A_TASK:
        return grants.cover_subject(obj.progress_of)  # type: ignore[attr-defined]
    if kind == PENDING_REGISTRATION:
        return obj.commune_id is not None and grants.cover(obj.commune)  # type: ignore[attr-defined]
    if kind == CERTIFICATE:
        # certificates are the province's: acting on one (revoking, suspending) needs the whole province
        return grants.cover_the_province()
    raise _unknown(kind)


def require(user: AnyUser, permission: Permission, obj: Model | None) -> None:
    """Raise NotFound unless `can(user, permission, obj)`; None (an object that was not found) raises it too, so
    a caller passes what its lookup found and missing and forbidden are told apart nowhere."""
    if obj is None or not can(user, permission, obj):
        raise NotFound()


def holds_certificate(user: AnyUser, certificate: Model) -> bool:
    """True when the signed-in user is the certificate's holder (the account it was issued to)."""
    return bool(user.is_authenticated and certificate.user_id == user.pk)  # type: ignore[attr-defined]


def require_certificate_action(user: AnyUser, certificate: Model | None) -> None:
    """Raise NotFound unless the user may revoke, suspend or reinstate the certificate: MANAGE_CREDENTIALS over
    the whole province (the province administrator). A user object that did not come through a request (a
    management command) is the system acting: None passes."""
    if user is None:
        return
    require(user, Permission.MANAGE_CREDENTIALS, certificate)


def can_reach(user: AnyUser, permission: Permission, *, path: str, organisation_id: int | None = None) -> bool:
    """`can` for a place known only by the path of its unit (and, for an organisation, by its id), as the
    monitoring figures carry them: the unit at `path`, or the organisation located there. No query."""
    grants = _Grants.of(user, permission)
    return grants.assigned(organisation_id) or grants.cover_path(path)


def sees_residence(user: AnyUser, resident: Any) -> bool:
    """True when the user may see where the resident lives and the rest of their registry record (village,
    household, phone, ethnicity, digital identity): the resident lives in the user's VIEW_PEOPLE subtrees. Someone
    reached only as a member of an organisation is seen as a member. No query once `resident.village` is loaded."""
    return _Grants.of(user, Permission.VIEW_PEOPLE).cover(resident.village)


# --- A subject's own officers (reporting) -----------------------------------------------------------------------


def _subject_ids(obj: Model) -> tuple[int | None, int | None]:
    """(unit id, organisation id) of what `obj` is about: a unit or an organisation itself, or the subject of a
    row about one (ABOUT_A_SUBJECT, ABOUT_A_TASK)."""
    kind = _kind(obj)
    if kind == UNIT:
        return obj.pk, None
    if kind == ORGANISATION:
        return None, obj.pk
    if kind in ABOUT_A_SUBJECT:
        return obj.unit_id, obj.organisation_id  # type: ignore[attr-defined]
    if kind in ABOUT_A_TASK:
        return _subject_ids(obj.progress_of)  # type: ignore[attr-defined]
    raise _unknown(kind)


def officer_of(user: AnyUser, permission: Permission, obj: Model) -> bool:
    """True when the user is one of the own officers of what `obj` is about (a unit, an organisation, or the
    subject of a reporting assignment, report or task): they hold the permission on that unit or organisation
    itself, not only over an area holding it — a province administrator is not a commune's officer, a commune
    officer not the officer of a school in the commune. Only a subject's officers prepare and submit its reports
    and update its tasks. No query (for a task's update or evidence, once its task is loaded). Raises TypeError
    for a kind about no subject."""
    return _Grants.of(user, permission).hold(*_subject_ids(obj))


def officer_scope(user: AnyUser, permission: Permission, model: type[Model]) -> Q:
    """The filter for the rows of `model` (a kind about one subject) whose subject the user is an officer of
    (`officer_of`); matches nothing (without a query) for a user who holds the permission nowhere."""
    kind = _kind(model)
    if kind not in ABOUT_A_SUBJECT:
        raise _unknown(kind)
    return _Grants.of(user, permission).held("")


def may_review(user: AnyUser, report: Model) -> bool:
    """True when the user may review (return, accept) the report: REVIEW_REPORTS over its subject (`can`), and not
    as one of its own officers (`officer_of`): nobody reviews their own report."""
    permission = Permission.REVIEW_REPORTS
    return can(user, permission, report) and not officer_of(user, permission, report)


def officers_of(permission: Permission, obj: Model) -> QuerySet[User]:
    """The active users who are officers of what `obj` is about with the permission today (`officer_of` from the
    other side): whom to remind, by id. The system acts here, so no session is asked about."""
    unit_id, organisation_id = _subject_ids(obj)
    on_subject = Q(organisation_id=organisation_id) if organisation_id is not None else Q(unit_id=unit_id)
    granting = _assignments_granting(permission).filter(on_subject)
    return User.objects.filter(is_active=True, pk__in=granting.values("user_id")).order_by("pk")


# --- Accounts ------------------------------------------------------------------------------------------------


def may_manage_account(actor: AnyUser, account: User) -> bool:
    """True when the actor may manage the account's sign-in (issue its enrolment code): the account is not the
    actor's own, holds at least one staff role today, and the actor holds MANAGE_ACCOUNTS over every unit or
    organisation where it does (`can` on each of its role assignments). Accounts the admin site lets in
    (`is_staff`, superusers) only a superuser may manage. Reads the account's assignments (one query)."""
    if not actor.is_authenticated or actor.pk == account.pk:
        return False
    if (account.is_staff or account.is_superuser) and not getattr(actor, "is_superuser", False):
        return False
    staff = [assignment for assignment in _held(account) if _is_staff(assignment)]
    return bool(staff) and all(can(actor, Permission.MANAGE_ACCOUNTS, assignment) for assignment in staff)


def accounts_to_manage(actor: AnyUser, among: QuerySet[User] | None = None, limit: int = 100) -> list[User]:
    """The active accounts (of `among`, by default all) whose sign-in the actor may manage (`may_manage_account`),
    at most `limit`, by username: those holding a staff role today in the actor's MANAGE_ACCOUNTS scope, each
    then checked whole. No query for an actor without the permission."""
    if not has_permission(actor, Permission.MANAGE_ACCOUNTS):
        return []
    in_scope = RoleAssignment.objects.in_force().filter(scope(actor, Permission.MANAGE_ACCOUNTS, RoleAssignment))
    candidates = (User.objects.all() if among is None else among).filter(
        pk__in=in_scope.values("user_id"), is_active=True
    )
    manageable = (account for account in candidates.order_by("username") if may_manage_account(actor, account))
    return list(islice(manageable, limit))


# The order of the roles for granting: nobody grants a role above the highest they hold over the place. The agency
# officer's role (an organisation's) ranks with the commune's field roles, below the commune officer.
ROLE_RANK: dict[str, int] = {
    Role.LEARNER: 0,
    Role.TEAM_MEMBER: 1,
    Role.TEAM_LEADER: 2,
    Role.INSTRUCTOR: 2,
    Role.AGENCY_OFFICER: 2,
    Role.COMMUNE_OFFICER: 3,
    Role.PROVINCE_ADMIN: 4,
}


def _rank_over(actor: AnyUser, place: Model | None) -> int:
    """The highest rank among the actor's counting MANAGE_ACCOUNTS assignments whose scope holds `place` (a unit
    or an organisation; None: anywhere), or -1."""
    ranks = [-1]
    for assignment in active_assignments(actor):
        if Permission.MANAGE_ACCOUNTS not in ROLE_PERMISSIONS[assignment.role]:
            continue
        if assignment.unit is None:
            continue
        covers = place is None or (
            path_within(place.path, assignment.unit.path)  # type: ignore[attr-defined]
            if _kind(place) == UNIT
            else path_within(place.unit.path, assignment.unit.path)  # type: ignore[attr-defined]
        )
        if covers:
            ranks.append(ROLE_RANK[assignment.role])
    return max(ranks)


def covers_the_province(actor: AnyUser, permission: Permission = Permission.MANAGE_ACCOUNTS) -> bool:
    """True when the actor holds the permission over the whole province the platform serves."""
    return _Grants.of(actor, permission).cover_the_province()


def may_grant_role(actor: AnyUser, account: User, role: str, *, unit: Model | None, organisation: Model | None) -> bool:
    """True when the actor may give the account the role over the unit (or organisation): never their own account
    or one they may not administer (`may_administer_account`, unless it is a new account with no role yet, which
    `manageable_accounts` then finds through this role); MANAGE_ACCOUNTS over that unit or organisation (a
    learner's role, which has no scope: over the account's resident, else the whole province); and the role not
    above the highest the actor holds there (`ROLE_RANK`): a commune officer never makes a province administrator,
    nor anyone outside their commune."""
    if not actor.is_authenticated or actor.pk == account.pk or role not in ROLE_RANK:
        return False
    if (account.is_staff or account.is_superuser) and not getattr(actor, "is_superuser", False):
        return False
    place = organisation if organisation is not None else unit
    if place is None:
        return role == Role.LEARNER and may_administer_account(actor, account)
    if not can(actor, Permission.MANAGE_ACCOUNTS, place):
        return False
    if _roles_of_account(account) and not may_administer_account(actor, account):
        return False
    return ROLE_RANK[role] <= _rank_over(actor, place)


def may_end_role(actor: AnyUser, assignment: RoleAssignment) -> bool:
    """True when the actor may end the role assignment: not their own, MANAGE_ACCOUNTS over its unit or
    organisation (a learner's role: the actor may administer the account), and the role not above the highest
    the actor holds there."""
    if not actor.is_authenticated or actor.pk == assignment.user_id:
        return False
    place = assignment.organisation if assignment.organisation_id is not None else assignment.unit
    if place is None:
        return may_administer_account(actor, assignment.user)
    return can(actor, Permission.MANAGE_ACCOUNTS, place) and ROLE_RANK[assignment.role] <= _rank_over(actor, place)


def _roles_of_account(account: User) -> list[RoleAssignment]:
    """The account's role assignments in force today, a locked account's too (whose roles count for nothing, but
    still place it in someone's area)."""
    if account.is_active:
        return _held(account)
    return list(RoleAssignment.objects.in_force().filter(user=account).select_related("unit", "organisation__unit"))


def may_administer_account(actor: AnyUser, account: User) -> bool:
    """True when the actor may manage the account itself (see it, reset its password or second factor, link it to
    a resident, deactivate it): not their own; accounts the admin site lets in only a superuser; every role the
    account holds today lies in the actor's MANAGE_ACCOUNTS scope and none ranks above the actor's there. An
    account without a staff role: its resident lives in that scope; without a resident, its self-registration's
    likely record lives there (whose officer confirms the link), or the actor covers the whole province (who alone
    sees accounts not yet tied to any place). Reads the account's assignments and resident."""
    if not actor.is_authenticated or actor.pk == account.pk or not has_permission(actor, Permission.MANAGE_ACCOUNTS):
        return False
    if (account.is_staff or account.is_superuser) and not getattr(actor, "is_superuser", False):
        return False
    staff = [assignment for assignment in _roles_of_account(account) if _is_staff(assignment)]
    for assignment in staff:
        place = assignment.organisation if assignment.organisation_id is not None else assignment.unit
        if not can(actor, Permission.MANAGE_ACCOUNTS, assignment) or ROLE_RANK[assignment.role] > _rank_over(
            actor, place
        ):
            return False
    if staff:
        return True
    resident = getattr(account, "resident", None)
    if resident is not None:
        return can(actor, Permission.MANAGE_ACCOUNTS, resident)
    candidate = account.registry_candidate
    if candidate is not None and can(actor, Permission.MANAGE_ACCOUNTS, candidate):
        return True
    return covers_the_province(actor)


def manageable_accounts(actor: AnyUser, among: QuerySet[User] | None = None) -> QuerySet[User]:
    """The accounts the actor may look for in the account list (a superset that `may_administer_account` then
    decides one by one), never the actor's own: all for the whole province's MANAGE_ACCOUNTS; else those with a role
    in force in the actor's scope, linked to a resident living there, or whose self-registration matched a resident
    living there. Nothing for an actor without the permission (no query)."""
    accounts = User.objects.all() if among is None else among
    if not has_permission(actor, Permission.MANAGE_ACCOUNTS):
        return accounts.none()
    accounts = accounts.exclude(pk=actor.pk or 0)
    if covers_the_province(actor):
        return accounts
    grants = _Grants.of(actor, Permission.MANAGE_ACCOUNTS)
    in_scope = RoleAssignment.objects.in_force().filter(scope(actor, Permission.MANAGE_ACCOUNTS, RoleAssignment))
    return accounts.filter(
        Q(pk__in=in_scope.values("user_id"))
        | grants.within("resident__village")
        | grants.within("registry_candidate__village")
    )


def may_make_class_accounts(actor: AnyUser, resident: Model) -> bool:
    """True when the actor may make a community class's sign-in account for the resident (and print its card):
    RUN_CLASS over where the resident lives (an instructor, team leader or commune officer of the place)."""
    return can(actor, Permission.RUN_CLASS, resident)


# --- Units ---------------------------------------------------------------------------------------------------


def units_visible_to(user: AnyUser, permission: Permission = Permission.VIEW_UNITS) -> UnitQuerySet:
    """Every administrative unit the user may act on with the permission: the subtrees of their assignments."""
    return AdministrativeUnit.objects.filter(scope(user, permission, AdministrativeUnit))


def access_unit(user: AnyUser, code: str, permission: Permission = Permission.VIEW_UNITS) -> AdministrativeUnit:
    """The unit with this code if the user may act on it with the permission; raises NotFound otherwise."""
    unit = AdministrativeUnit.objects.filter(code=code).first() if has_permission(user, permission) else None
    require(user, permission, unit)
    assert unit is not None
    return unit


def home_unit(user: AnyUser, permission: Permission = Permission.VIEW_UNITS) -> AdministrativeUnit | None:
    """The highest unit the user may act on with the permission (by level, then code), or None. No query once
    the assignments are cached."""
    units = _Grants.of(user, permission).units
    return min(units, key=lambda unit: (LEVEL_DEPTH[Level(unit.level)], unit.path), default=None)


# --- Community digital teams (outreach) --------------------------------------------------------------------------


def team_scope(user: AnyUser) -> Q:
    """The filter for the teams (outreach.team) the user manages: every team of a commune in their MANAGE_PEOPLE
    subtrees (commune officers), and the teams they lead in their MANAGE_TEAM subtrees (team leaders)."""
    officers = _Grants.of(user, Permission.MANAGE_PEOPLE)
    leaders = _Grants.of(user, Permission.MANAGE_TEAM)
    condition = Q(pk__in=[])
    if officers:
        condition |= officers.within("commune")
    if leaders:
        condition |= leaders.within("commune") & Q(leader_id=user.pk)
    return condition


def may_manage_team(user: AnyUser, team: Model) -> bool:
    """True when the user manages the team (outreach.team): MANAGE_PEOPLE over its commune (a commune officer), or
    MANAGE_TEAM over it as its leader. No query once `team.commune` is loaded."""
    if _Grants.of(user, Permission.MANAGE_PEOPLE).cover(team.commune):  # type: ignore[attr-defined]
        return True
    leads = team.leader_id == user.pk  # type: ignore[attr-defined]
    return leads and _Grants.of(user, Permission.MANAGE_TEAM).cover(team.commune)  # type: ignore[attr-defined]


def require_team_manager(user: AnyUser, team: Model | None) -> None:
    """Raise NotFound unless the user manages the team (`may_manage_team`); None raises it too. A user object that
    did not come through a request (a management command, the demo) is the system acting: None passes."""
    if user is None:
        return
    if team is None or not may_manage_team(user, team):
        raise NotFound()


def assigned_households(user: AnyUser, day: date) -> Q:
    """The filter for the household assignments (outreach.householdassignment) through which the user may see
    and record visits on the day: their own assignments, in force that day, of their team memberships in force that
    day, in a village of their RECORD_VISIT subtrees (today's roles). A member sees and writes only these."""
    grants = _Grants.of(user, Permission.RECORD_VISIT)
    if not grants or not user.is_authenticated:
        return Q(pk__in=[])
    return (
        grants.within("household__village")
        & Q(membership__user_id=user.pk)
        & in_force_on(day)
        & in_force_on(day, through="membership")
    )


# --- Community classes (outreach) -----------------------------------------------------------------------------


def may_schedule_classes(user: AnyUser, commune: Model) -> bool:
    """True when the user schedules, edits and cancels the commune's community classes and confirms their walk-ins:
    MANAGE_PEOPLE over the commune (its officers, the province). No query once the assignments are cached."""
    return _Grants.of(user, Permission.MANAGE_PEOPLE).cover(commune)  # type: ignore[arg-type]


def may_run_community_class(user: AnyUser, community_class: Model) -> bool:
    """True when the user takes attendance at the class's sessions and opens their supervised assessments:
    RUN_CLASS over its commune (its officers, its instructors and team leaders, the province) — as for supervised
    sessions, any of the commune's instructors may stand in for the class's own. No query once the assignments
    are cached."""
    return runs_classes_in(user, community_class.commune)  # type: ignore[attr-defined]


def runs_classes_in(user: AnyUser, commune: Model) -> bool:
    """True when the user runs the commune's community classes (RUN_CLASS over it): `may_run_community_class` for
    every class of the commune."""
    return _Grants.of(user, Permission.RUN_CLASS).cover(commune)  # type: ignore[arg-type]


def class_runners_of(commune: Model, *, limit: int = 200) -> list[Any]:
    """The users whose role at the commune itself grants RUN_CLASS (its instructors, team leaders and officers), by
    username: whom a class of the commune may name as its instructors."""
    rows = (
        _assignments_granting(Permission.RUN_CLASS)
        .filter(unit_id=commune.pk)
        .select_related("user")
        .order_by("user__username")[:limit]
    )
    return list({row.user_id: row.user for row in rows}.values())


def community_class_scope(user: AnyUser) -> Q:
    """The filter for the community classes (outreach.communityclass) the user may run (`may_run_community_class`):
    every class of a commune in their RUN_CLASS subtrees."""
    grants = _Grants.of(user, Permission.RUN_CLASS)
    return grants.within("commune") if grants else Q(pk__in=[])


# --- Views ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessPolicy:
    """What a view requires, read by the decorator and by the URL-walking authorization test."""

    permission: Permission | None
    public: bool = False
    unit_kwarg: str | None = None


def requires(permission: Permission, *, unit_kwarg: str | None = None) -> Callable[[ViewFunction], ViewFunction]:
    """Decorate a view: anonymous users are sent to sign in; others need the permission somewhere (and,
    with `unit_kwarg`, on the unit named by that URL argument, which the view receives as `unit`);
    otherwise NotFound (a 404)."""

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
    "PLATFORM_WIDE",
    "ROLE_RANK",
    "THROUGH_MEMBERSHIP",
    "AccessPolicy",
    "AnyUser",
    "Permission",
    "access_unit",
    "accounts_to_manage",
    "acting_with_token",
    "active_assignments",
    "assigned_households",
    "can",
    "can_reach",
    "covers_the_province",
    "forget_cached_assignments",
    "has_permission",
    "holds_certificate",
    "home_unit",
    "is_staff_user",
    "is_verified",
    "manageable_accounts",
    "may_administer_account",
    "may_end_role",
    "may_grant_role",
    "may_make_class_accounts",
    "may_manage_account",
    "may_manage_team",
    "may_review",
    "needs_second_factor",
    "officer_of",
    "officer_scope",
    "officers_of",
    "permissions_of",
    "public",
    "require",
    "require_certificate_action",
    "require_permission",
    "require_team_manager",
    "requires",
    "scope",
    "sees_residence",
    "signed_in",
    "signs_in_with_second_factor",
    "team_scope",
    "units_visible_to",
]
