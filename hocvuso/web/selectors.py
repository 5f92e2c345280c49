"""Reads the pages need: navigation by role, each role's home, the unit drill-down, the audit log page.

Every read goes through the access module (`hocvuso.accounts.access`); nothing here decides access on its
own beyond combining what that module answers.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.access import (
    AnyUser,
    accounts_to_manage,
    active_assignments,
    can,
    has_permission,
    home_unit,
    is_staff_user,
    needs_second_factor,
)
from hocvuso.accounts.models import RoleAssignment, User
from hocvuso.accounts.roles import Permission, Role
from hocvuso.core.models import AuditEntry, in_force_on
from hocvuso.core.selectors import filter_audit_entries
from hocvuso.core.text import fold_diacritics
from hocvuso.people.models import Organisation
from hocvuso.reporting.models import Notice, Report
from hocvuso.reporting.periods import Quarter, due_date
from hocvuso.reporting.selectors import Rate, own_assignments, reporting_rate, review_province
from hocvuso.territory.models import AdministrativeUnit, Level
from hocvuso.territory.selectors import breadcrumb, child_units

from .audit import audit_line
from .links import fixed_url

AUDIT_PAGE_SIZE = 50
ENROLMENT_PAGE = "/tai-khoan/ma-kich-hoat/"


@dataclass(frozen=True)
class NavEntry:
    """One item of the main navigation: shown when the user has `permission` (None: every signed-in user)."""

    label: str | Promise
    url_name: str
    permission: Permission | None = None
    match_prefix: str = ""


# The main navigation, in order. A new page that staff reach from the menu adds one line here.
NAVIGATION: list[NavEntry] = [
    NavEntry(_("Trang chủ"), "web:home"),
    NavEntry(_("Khóa học"), "web:courses", Permission.LEARN, match_prefix="/khoa-hoc/"),
    NavEntry(_("Đơn vị hành chính"), "web:unit_picker", Permission.VIEW_UNITS, match_prefix="/don-vi/"),
    NavEntry(_("Người dân"), "web:people_search", Permission.VIEW_PEOPLE, match_prefix="/nguoi-dan/"),
    NavEntry(_("Nhập danh sách"), "web:roster_import", Permission.IMPORT_ROSTER, match_prefix="/nhap-danh-sach/"),
    NavEntry(_("Kiểm tra có giám sát"), "web:supervision", Permission.RUN_CLASS, match_prefix="/giam-sat/"),
    NavEntry(_("Tổ công nghệ số"), "web:outreach_my_teams", Permission.MANAGE_TEAM, match_prefix="/to-cong-nghe-so/"),
    NavEntry(_("Ứng dụng thực địa"), "web:field_app", Permission.RECORD_VISIT, match_prefix="/thuc-dia/"),
    NavEntry(_("Nhật ký kiểm toán"), "web:audit", Permission.VIEW_AUDIT, match_prefix="/nhat-ky/"),
    NavEntry(_("Tài khoản"), "accounts:manage", Permission.MANAGE_ACCOUNTS, match_prefix="/tai-khoan/quan-ly/"),
    NavEntry(
        _("Mã kích hoạt"),
        "accounts:enrolment_codes",
        Permission.MANAGE_ACCOUNTS,
        match_prefix="/tai-khoan/ma-kich-hoat/",
    ),
    NavEntry(_("Theo dõi chỉ tiêu"), "web:monitoring", Permission.VIEW_PROGRESS, match_prefix="/theo-doi/"),
    NavEntry(_("Thi đua"), "web:monitoring_ranking", Permission.VIEW_PROGRESS, match_prefix="/theo-doi/thi-dua/"),
    NavEntry(
        _("Chưa tiếp cận"), "web:monitoring_gaps", Permission.VIEW_PROGRESS, match_prefix="/theo-doi/chua-tiep-can/"
    ),
    NavEntry(_("Báo cáo quý"), "web:reports", Permission.VIEW_REPORTS, match_prefix="/bao-cao/"),
    NavEntry(_("Kế hoạch"), "web:plan", Permission.VIEW_PLAN, match_prefix="/ke-hoach/"),
    NavEntry(_("Thông báo"), "web:notices", Permission.VIEW_REPORTS, match_prefix="/thong-bao/"),
    NavEntry(
        _("Đối soát VNeID"),
        "web:vneid_reconciliation",
        Permission.MANAGE_CREDENTIALS,
        match_prefix="/chung-nhan/doi-soat-vneid/",
    ),
    NavEntry(
        _("Chứng nhận gửi lỗi"),
        "web:certificate_dead_letters",
        Permission.MANAGE_CREDENTIALS,
        match_prefix="/chung-nhan/gui-loi/",
    ),
    NavEntry(_("Chứng nhận của tôi"), "web:my_certificates", Permission.LEARN, match_prefix="/chung-nhan/"),
    NavEntry(_("Dữ liệu của tôi"), "web:my_data", match_prefix="/du-lieu-cua-toi/"),
]


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url: str
    current: bool


def navigation_for(user: AnyUser, current_url: str) -> list[NavLink]:
    """The navigation links the user may follow, with the one for the current page marked.

    Anonymous visitors get none (the header offers sign-in instead). No query beyond the user's role
    assignments, which the access module caches for the request.
    """
    if not user.is_authenticated:
        return []
    entries = [entry for entry in NAVIGATION if entry.permission is None or has_permission(user, entry.permission)]
    # When prefixes nest ("/theo-doi/" and "/theo-doi/thi-dua/"), only the longest match is the current page.
    prefixes = [entry.match_prefix for entry in entries if entry.match_prefix]
    longest = max((len(prefix) for prefix in prefixes if current_url.startswith(prefix)), default=0)
    links = []
    for entry in entries:
        url = fixed_url(entry.url_name)
        if entry.match_prefix:
            current = current_url.startswith(entry.match_prefix) and len(entry.match_prefix) == longest
        else:
            current = current_url == url
        links.append(NavLink(entry.label, url, current))
    return links


def accounts_without_authenticator(user: AnyUser) -> list[User]:
    """The staff accounts of the user's area (`access.accounts_to_manage`) that have no authenticator yet: the
    people who need an enrolment code to sign in at all."""
    return accounts_to_manage(user, among=User.objects.exclude(totpdevice__confirmed=True))


@dataclass(frozen=True)
class RoleLine:
    """One role the user holds, with the unit or organisation it covers."""

    role: str
    label: str
    scope: str
    unit_code: str | None


@dataclass(frozen=True)
class ReportingCard:
    """The quarter's reporting on the staff home: its due date; for a unit's officers, how many of their units'
    reports are sent; for reviewers, the province's reporting rate; the user's unread reminders."""

    quarter: Quarter
    due: date
    own_expected: int
    own_sent: int
    rate: Rate | None
    unread_notices: int


@dataclass
class StaffHome:
    """What a member of staff sees first: their roles, their home unit and the pages their roles open."""

    roles: list[RoleLine]
    home_unit: AdministrativeUnit | None
    can_view_units: bool
    can_view_audit: bool
    can_manage_units: bool
    can_view_progress: bool = False
    can_view_people: bool = False
    can_view_plan: bool = False
    reporting: ReportingCard | None = None


def reporting_card(user: AnyUser) -> ReportingCard:
    """This quarter's reporting as the user takes part in it (officer, reviewer or reader). Four queries at most."""
    quarter = Quarter.of(timezone.localdate())
    due = due_date(quarter)
    own = own_assignments(user, on=due)
    sent = Report.objects.filter(
        assignment__in=[assignment.pk for assignment in own],
        year=quarter.year,
        quarter=quarter.number,
        first_submitted_at__isnull=False,
    ).count()
    province = review_province(user)
    return ReportingCard(
        quarter=quarter,
        due=due,
        own_expected=len(own),
        own_sent=sent if own else 0,
        rate=reporting_rate(quarter, province=province) if province is not None else None,
        unread_notices=Notice.objects.filter(user_id=user.pk or 0, read_at__isnull=True).count(),
    )


def staff_home(user: AnyUser) -> StaffHome:
    """The staff home page's content for the user (their roles in force and scope); one query at most for
    the organisations of organisation-scoped roles."""
    assignments = active_assignments(user)
    organisation_ids = [a.organisation_id for a in assignments if a.organisation_id]
    organisations: dict[int, str] = {}
    if organisation_ids:
        organisations = dict(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name"))
    roles = []
    for assignment in sorted(assignments, key=lambda a: (list(Role.values).index(a.role), a.pk)):
        if assignment.unit is not None:
            scope, unit_code = assignment.unit.name, assignment.unit.code
        elif assignment.organisation_id:
            scope, unit_code = organisations.get(assignment.organisation_id, ""), None
        else:
            scope, unit_code = "", None
        roles.append(RoleLine(assignment.role, str(Role(assignment.role).label), scope, unit_code))
    return StaffHome(
        roles=roles,
        home_unit=home_unit(user),
        can_view_units=has_permission(user, Permission.VIEW_UNITS),
        can_view_audit=has_permission(user, Permission.VIEW_AUDIT),
        can_manage_units=has_permission(user, Permission.MANAGE_UNITS),
        can_view_progress=has_permission(user, Permission.VIEW_PROGRESS),
        can_view_people=has_permission(user, Permission.VIEW_PEOPLE),
        can_view_plan=has_permission(user, Permission.VIEW_PLAN),
        reporting=reporting_card(user) if has_permission(user, Permission.VIEW_REPORTS) else None,
    )


def home_kind(user: AnyUser) -> str:
    """Which home page the user gets: "public" (not signed in), "staff" or "learner". A user whose staff role
    does not count in this session (no second factor yet) gets the learner's home, which tells them so."""
    if not user.is_authenticated:
        return "public"
    return "staff" if is_staff_user(user) and not needs_second_factor(user) else "learner"


@dataclass(frozen=True)
class Crumb:
    """One step of the breadcrumb; `linked` only when the user may open that unit."""

    unit: AdministrativeUnit
    linked: bool


@dataclass(frozen=True)
class ChildRow:
    unit: AdministrativeUnit
    child_count: int


@dataclass
class UnitOverview:
    """The unit page: where the unit sits, what lies directly below it, and what the user may do there."""

    unit: AdministrativeUnit
    crumbs: list[Crumb]
    children: list[ChildRow]
    total_children: int
    child_level: str | None
    query: str
    can_import_villages: bool
    kinds: dict[str, int] = field(default_factory=dict)
    can_view_progress: bool = False
    can_view_people: bool = False


def unit_overview(user: AnyUser, unit: AdministrativeUnit, *, query: str = "", on: date | None = None) -> UnitOverview:
    """The unit page's content for a user who may view the unit.

    Ancestors the user may not open appear unlinked in the breadcrumb; the children in force come with
    their own number of children in force (one query), filtered by `query` on the name, ignoring case and
    diacritics. Two queries in all.
    """
    on = on or timezone.localdate()
    in_force_children = in_force_on(on, through="children")
    crumbs = [Crumb(ancestor, can(user, Permission.VIEW_UNITS, ancestor)) for ancestor in breadcrumb(unit)]
    rows = [
        ChildRow(child, child.child_count)  # type: ignore[attr-defined]  # annotated below
        for child in child_units(unit, on=on).annotate(child_count=Count("children", filter=in_force_children))
    ]
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row.unit.kind] = kinds.get(row.unit.kind, 0) + 1
    total = len(rows)
    folded = fold_diacritics(query.strip())
    if folded:
        rows = [row for row in rows if folded in fold_diacritics(row.unit.name) or folded in row.unit.code]
    child_level = {Level.PROVINCE: Level.COMMUNE, Level.COMMUNE: Level.VILLAGE}.get(Level(unit.level))
    return UnitOverview(
        unit=unit,
        crumbs=crumbs,
        children=rows,
        total_children=total,
        child_level=child_level,
        query=query.strip(),
        can_import_villages=unit.level == Level.COMMUNE and can(user, Permission.MANAGE_UNITS, unit),
        kinds=kinds,
        can_view_progress=can(user, Permission.VIEW_PROGRESS, unit),
        can_view_people=can(user, Permission.VIEW_PEOPLE, unit),
    )


def audit_entries(
    *,
    actor: str = "",
    action: str = "",
    unit: str = "",
    object_type: str = "",
    object_id: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit entries filtered as given, newest first; `unit` (a code) keeps the entries of people who hold or
    held a role in that unit or below it."""
    entries = filter_audit_entries(
        actor=actor, action=action, object_type=object_type, object_id=object_id, since=since, until=until
    )
    if unit:
        units = AdministrativeUnit.objects.within(AdministrativeUnit.objects.get(code=unit))
        entries = entries.filter(actor__in=RoleAssignment.objects.filter(unit__in=units).values("user_id"))
    return entries


def audit_page(*, page_number: str | None, **filters: Any) -> Page:
    """One page (50 entries, newest first) of the audit log filtered as given (`audit_entries`), each entry as a
    person reads it (`audit.AuditLine`); out-of-range page numbers give the last page. Two queries: the count and
    the page."""
    page = Paginator(audit_entries(**filters), AUDIT_PAGE_SIZE).get_page(page_number)
    page.object_list = [audit_line(entry) for entry in page.object_list]  # type: ignore[misc]  # the lines of the page
    return page
