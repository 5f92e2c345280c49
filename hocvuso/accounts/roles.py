"""Roles and what each may do. Allowed = the role's permission AND the object in the assignment's scope."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("Quản trị cấp tỉnh")
    AGENCY_OFFICER = "agency_officer", _("Cán bộ cơ quan, đơn vị")
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ UBND cấp xã")
    TEAM_LEADER = "team_leader", _("Tổ trưởng Tổ công nghệ số cộng đồng")
    TEAM_MEMBER = "team_member", _("Thành viên Tổ công nghệ số, tình nguyện viên")
    INSTRUCTOR = "instructor", _("Giảng viên, hướng dẫn viên")
    LEARNER = "learner", _("Người học")


class Permission(StrEnum):
    VIEW_UNITS = "view_units"
    MANAGE_UNITS = "manage_units"
    VIEW_AUDIT = "view_audit"
    VIEW_PEOPLE = "view_people"
    MANAGE_PEOPLE = "manage_people"
    IMPORT_ROSTER = "import_roster"
    VIEW_PROGRESS = "view_progress"
    RECORD_VISIT = "record_visit"
    MANAGE_TEAM = "manage_team"
    RUN_CLASS = "run_class"
    LEARN = "learn"
    # Hand a staff member of one's area the one-time code that lets them enrol an authenticator.
    MANAGE_ACCOUNTS = "manage_accounts"
    # Reporting: quarterly reports (read; prepare and submit the unit's own; review others') and the plan's tasks
    VIEW_REPORTS = "view_reports"
    EDIT_REPORTS = "edit_reports"
    REVIEW_REPORTS = "review_reports"
    VIEW_PLAN = "view_plan"
    UPDATE_TASKS = "update_tasks"
    # Literacy certificates: revoke, suspend or reinstate; the VNeID outbox's dead letters; the VNeID reconciliation
    MANAGE_CREDENTIALS = "manage_credentials"


_REPORTING = {
    Permission.VIEW_REPORTS,
    Permission.EDIT_REPORTS,
    Permission.VIEW_PLAN,
    Permission.UPDATE_TASKS,
}
_FIELD = {Permission.VIEW_UNITS, Permission.VIEW_PEOPLE, Permission.RECORD_VISIT, Permission.VIEW_PROGRESS}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.PROVINCE_ADMIN: frozenset(Permission) - {Permission.LEARN},
    Role.AGENCY_OFFICER: frozenset(
        {Permission.VIEW_PEOPLE, Permission.MANAGE_PEOPLE, Permission.IMPORT_ROSTER, Permission.VIEW_PROGRESS}
        | _REPORTING
    ),
    Role.COMMUNE_OFFICER: frozenset(
        {
            Permission.VIEW_UNITS,
            Permission.MANAGE_UNITS,
            Permission.VIEW_PEOPLE,
            Permission.MANAGE_PEOPLE,
            Permission.IMPORT_ROSTER,
            Permission.VIEW_PROGRESS,
            Permission.RUN_CLASS,
            Permission.MANAGE_ACCOUNTS,
        }
        | _REPORTING
    ),
    Role.TEAM_LEADER: frozenset(_FIELD | {Permission.MANAGE_TEAM, Permission.RUN_CLASS}),
    Role.TEAM_MEMBER: frozenset(_FIELD),
    Role.INSTRUCTOR: frozenset({Permission.VIEW_UNITS, Permission.RUN_CLASS, Permission.VIEW_PROGRESS}),
    Role.LEARNER: frozenset({Permission.LEARN}),
}

# Roles whose holders are staff: they sign in with a second factor and their sessions end after 30 min idle.
STAFF_ROLES = frozenset(set(Role) - {Role.LEARNER})
# Roles scoped to an organisation rather than a unit subtree.
ORGANISATION_ROLES = frozenset({Role.AGENCY_OFFICER})
