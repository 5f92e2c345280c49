"""Writes of the outreach domain: teams, their members, household assignments, devices, and the officer's decision
on a visit's report. Visits themselves are recorded in `visits.py`.

Every service is keyword-only, runs in one transaction, checks access through hocvuso.accounts.access, and writes
an audit entry. `actor` None is the system (management commands, the demo).
"""

import datetime
import hashlib
import secrets
from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import has_permission, require, require_team_manager
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import record_audit
from hocvuso.people.models import Household, Organisation, Resident
from hocvuso.people.services import correct_resident, record_death
from hocvuso.territory.models import AdministrativeUnit, Level, path_within

from .models import (
    FieldDevice,
    HouseholdAssignment,
    RegistryChangeReport,
    ReportKind,
    ReportStatus,
    SendingBody,
    Team,
    TeamMembership,
)

DEVICE_PREFIX_LENGTH = 8


def hash_device_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- Teams and members --------------------------------------------------------------------------------------------


def create_team(
    *, commune: AdministrativeUnit, name: str, leader: Any, actor: Any, village: AdministrativeUnit | None = None
) -> Team:
    """Set up a community digital team of a commune (optionally of one of its villages) with its leader.

    Allowed for those who manage people in the commune (commune officers). Returns the team. Raises NotFound
    outside scope, DomainError for a unit that is not a commune, a village outside it, an empty name or a name the
    commune already uses."""
    if commune.level != Level.COMMUNE:
        raise DomainError(_("Tổ phải thuộc một xã, phường."), field="commune", code="not_a_commune")
    if actor is not None:
        require(actor, Permission.MANAGE_PEOPLE, commune)
    if village is not None and (village.level != Level.VILLAGE or not path_within(village.path, commune.path)):
        raise DomainError(_("Thôn không thuộc xã, phường của tổ."), field="village", code="village_outside")
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Tổ cần có tên."), field="name", code="required")
    with transaction.atomic():
        if Team.objects.filter(commune=commune, name=name).exists():
            raise DomainError(_("Xã đã có tổ mang tên này."), field="name", code="duplicate_name")
        team = Team.objects.create(commune=commune, village=village, name=name, leader=leader)
        record_audit(actor=actor, action="outreach.create_team", target=team, details={"leader": leader.pk})
    return team


def add_team_member(
    *,
    team: Team,
    user: Any,
    resident: Resident,
    valid_from: datetime.date,
    actor: Any,
    sent_by: str = "",
    organisation: Organisation | None = None,
) -> TeamMembership:
    """Make a user, who is the registry's `resident`, a member of the team from a day, sent by a body (and its
    organisation) where that is true.

    Allowed for the team's managers (its commune's officers, its leader). Returns the membership. Raises NotFound
    outside scope; DomainError when the resident's account is another user's, for an unknown sending body, or when
    the user is already an open member of the team."""
    require_team_manager(actor, team)
    if sent_by not in SendingBody.values:
        raise DomainError(_("Đơn vị cử không hợp lệ."), field="sent_by", code="sent_by_invalid")
    if resident.user_id is not None and resident.user_id != user.pk:
        raise DomainError(
            _("Người dân này gắn với một tài khoản khác."), field="resident", code="resident_of_another_user"
        )
    with transaction.atomic():
        if TeamMembership.objects.filter(team=team, user=user, valid_to__isnull=True).exists():
            raise DomainError(_("Người này đã là thành viên của tổ."), field="user", code="duplicate_member")
        membership = TeamMembership.objects.create(
            team=team, user=user, resident=resident, sent_by=sent_by, organisation=organisation, valid_from=valid_from
        )
        record_audit(
            actor=actor,
            action="outreach.add_team_member",
            target=membership,
            details={"team": team.pk, "user": user.pk, "sent_by": sent_by, "valid_from": valid_from.isoformat()},
        )
    return membership


def end_team_member(*, membership: TeamMembership, valid_to: datetime.date, actor: Any) -> TeamMembership:
    """End a membership on a day (inclusive); the member's open household assignments end that day too, so their
    households show as unassigned. Allowed for the team's managers. Returns the membership. Raises NotFound outside
    scope, DomainError for a day before the membership began or a membership already ended."""
    require_team_manager(actor, membership.team)
    if membership.valid_to is not None:
        raise DomainError(_("Thành viên này đã rời tổ."), field="valid_to", code="already_ended")
    if valid_to < membership.valid_from:
        raise DomainError(_("Ngày kết thúc trước ngày bắt đầu."), field="valid_to", code="period_invalid")
    with transaction.atomic():
        membership.valid_to = valid_to
        membership.save(update_fields=["valid_to", "updated_at"])
        ended = 0
        for assignment in membership.assignments.filter(valid_to__isnull=True):
            assignment.valid_to = max(valid_to, assignment.valid_from)
            assignment.save(update_fields=["valid_to", "updated_at"])
            ended += 1
        record_audit(
            actor=actor,
            action="outreach.end_team_member",
            target=membership,
            details={"valid_to": valid_to.isoformat(), "assignments_ended": ended},
        )
    return membership


# --- Household assignments ----------------------------------------------------------------------------------------


def _open_load(team: Team) -> Counter[int]:
    return Counter(
        HouseholdAssignment.objects.filter(team=team, valid_to__isnull=True).values_list("membership_id", flat=True)
    )


def assign_households(
    *, team: Team, village: AdministrativeUnit, on: datetime.date, actor: Any
) -> list[HouseholdAssignment]:
    """Assign every household of a village that has no member of this team yet to the team's members in force on
    the day and after it (not one leaving that day), balanced: each household goes to the member with the fewest
    open assignments in the team (ties: the earliest member), households taken in the order of their code. Returns
    the new assignments.

    Allowed for the team's managers. Raises NotFound outside scope; DomainError for a village outside the team's
    commune or a team with no member in force."""
    require_team_manager(actor, team)
    if village.level != Level.VILLAGE or not path_within(village.path, team.commune.path):
        raise DomainError(_("Thôn không thuộc xã, phường của tổ."), field="village", code="village_outside")
    with transaction.atomic():
        # A member whose last day is `on` (ended that day) takes no new household.
        members = list(
            TeamMembership.objects.select_for_update()
            .filter(team=team)
            .in_force(on)
            .exclude(valid_to=on)
            .order_by("pk")
        )
        if not members:
            raise DomainError(_("Tổ chưa có thành viên."), field="team", code="no_members")
        assigned = HouseholdAssignment.objects.filter(team=team, valid_to__isnull=True).values("household_id")
        households = list(Household.objects.filter(village=village).exclude(pk__in=assigned).order_by("code", "pk"))
        load = _open_load(team)
        created: list[HouseholdAssignment] = []
        for household in households:
            member = min(members, key=lambda m: (load[m.pk], m.pk))
            load[member.pk] += 1
            created.append(HouseholdAssignment(team=team, household=household, membership=member, valid_from=on))
        HouseholdAssignment.objects.bulk_create(created)
        record_audit(
            actor=actor,
            action="outreach.assign_households",
            target=team,
            details={"village": village.code, "on": on.isoformat(), "households": len(created)},
        )
    return created


def reassign_household(
    *, team: Team, household: Household, membership: TeamMembership, on: datetime.date, actor: Any
) -> HouseholdAssignment:
    """Give a household to another member of the team from a day: the open assignment (if any) ends the day
    before (or on its own first day). Allowed for the team's managers. Returns the new assignment; when the household
    is already that member's (a form sent twice), the open assignment, and nothing changes. Raises NotFound outside
    scope; DomainError for a member of another team or not in force that day (or leaving that day), or a household
    outside the team's commune."""
    require_team_manager(actor, team)
    if membership.team_id != team.pk or not membership.is_in_force(on) or membership.valid_to == on:
        raise DomainError(
            _("Người này không là thành viên của tổ vào ngày đó."), field="membership", code="not_a_member"
        )
    if not path_within(household.village.path, team.commune.path):
        raise DomainError(_("Hộ không thuộc xã, phường của tổ."), field="household", code="household_outside")
    with transaction.atomic():
        previous = (
            HouseholdAssignment.objects.select_for_update()
            .filter(team=team, household=household, valid_to__isnull=True)
            .first()
        )
        if previous is not None and previous.membership_id == membership.pk:
            return previous
        if previous is not None:
            previous.valid_to = max(on - datetime.timedelta(days=1), previous.valid_from)
            previous.save(update_fields=["valid_to", "updated_at"])
        assignment = HouseholdAssignment.objects.create(
            team=team, household=household, membership=membership, valid_from=on
        )
        record_audit(
            actor=actor,
            action="outreach.reassign_household",
            target=assignment,
            details={
                "household": household.pk,
                "from": previous.membership_id if previous else None,
                "to": membership.pk,
                "on": on.isoformat(),
            },
        )
    return assignment


# --- Devices ------------------------------------------------------------------------------------------------------


def issue_device(*, membership: TeamMembership, name: str, actor: Any) -> tuple[FieldDevice, str]:
    """Issue a device token for a member's phone: it reaches only that member's households. Allowed for the member
    (signed in) and the team's managers. Returns the device and the token `<prefix>.<secret>`, shown once. Raises
    NotFound outside scope, DomainError for an ended membership or an empty name."""
    if actor is None or actor.pk != membership.user_id:
        require_team_manager(actor, membership.team)
    if not membership.is_in_force(timezone.localdate()):
        raise DomainError(_("Thành viên này không còn trong tổ."), field="membership", code="membership_ended")
    name = _device_name(name)
    prefix, secret = secrets.token_hex(DEVICE_PREFIX_LENGTH // 2), secrets.token_urlsafe(32)
    with transaction.atomic():
        device = FieldDevice.objects.create(
            membership=membership, name=name, prefix=prefix, secret_hash=hash_device_secret(secret)
        )
        record_audit(actor=actor, action="outreach.issue_device", target=device, details={"name": name})
    return device, f"{prefix}.{secret}"


def _device_name(name: str) -> str:
    name = " ".join(name.split())[:100]
    if not name:
        raise DomainError(_("Thiết bị cần có tên."), field="name", code="required")
    return name


def issue_class_device(*, user: Any, name: str, actor: Any) -> tuple[FieldDevice, str]:
    """Issue a device token for an instructor's phone outside any team: it reaches only the community classes they
    run (sessions, people search at a session, attendance), never a worklist or a visit. Only the instructor
    themself (signed in), while they hold RUN_CLASS; the token stops working when they no longer do. Returns the
    device and the token `<prefix>.<secret>`, shown once. Raises NotFound for another user or one without RUN_CLASS,
    DomainError for an empty name."""
    if actor is None or user is None or actor.pk != user.pk or not has_permission(user, Permission.RUN_CLASS):
        raise NotFound()
    name = _device_name(name)
    prefix, secret = secrets.token_hex(DEVICE_PREFIX_LENGTH // 2), secrets.token_urlsafe(32)
    with transaction.atomic():
        device = FieldDevice.objects.create(user=user, name=name, prefix=prefix, secret_hash=hash_device_secret(secret))
        record_audit(
            actor=actor, action="outreach.issue_device", target=device, details={"name": name, "kind": "class"}
        )
    return device, f"{prefix}.{secret}"


def revoke_device(*, device: FieldDevice, actor: Any) -> FieldDevice:
    """Revoke a device (a lost phone): its next contact is answered with an order to wipe its data. Allowed for the
    team's managers and the member (an instructor's class device: the instructor). Returns the device; revoking
    twice changes nothing. Raises NotFound outside scope."""
    membership = device.membership
    if membership is None:
        if actor is None or actor.pk != device.user_id:
            raise NotFound()
    elif actor is None or actor.pk != membership.user_id:
        require_team_manager(actor, membership.team)
    with transaction.atomic():
        if device.revoked_at is None:
            device.revoked_at = timezone.now()
            device.revoked_by = actor
            device.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
            record_audit(actor=actor, action="outreach.revoke_device", target=device)
    return device


# --- Reports from visits ------------------------------------------------------------------------------------------


def decide_registry_report(*, report: RegistryChangeReport, confirm: bool, actor: Any) -> RegistryChangeReport:
    """A commune officer confirms or rejects a visit's report that a person moved away or died. A confirmed "moved
    away" takes the person out of their household in the registry (people.services.correct_resident); a confirmed
    death records the death in the registry (people.services.record_death) on the day of the visit that found it —
    the day the person is known to have died by — so they are counted nowhere from that day.

    Allowed for those who manage people where the resident lives. Returns the report. Raises NotFound outside
    scope, DomainError for a report already decided."""
    resident = Resident.objects.select_related("village", "household").get(pk=report.resident_id)
    if actor is not None:
        require(actor, Permission.MANAGE_PEOPLE, resident)
    with transaction.atomic():
        report = RegistryChangeReport.objects.select_for_update().select_related("visit").get(pk=report.pk)
        if report.status != ReportStatus.PENDING:
            raise DomainError(_("Báo cáo này đã được xử lý."), field="status", code="already_decided")
        report.status = ReportStatus.CONFIRMED if confirm else ReportStatus.REJECTED
        report.decided_by = actor
        report.decided_at = timezone.now()
        report.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        if confirm and report.kind == ReportKind.MOVED_AWAY and resident.household_id is not None:
            correct_resident(resident=resident, changes={"household": None}, actor=actor)
        if confirm and report.kind == ReportKind.DECEASED and resident.died_on is None:
            died_on = timezone.localdate(report.visit.visited_at)
            record_death(resident=resident, died_on=died_on, actor=actor, reference=f"visit:{report.visit_id}")
        record_audit(
            actor=actor,
            action="outreach.decide_registry_report",
            target=report,
            details={"kind": report.kind, "status": report.status, "resident": resident.pk},
        )
    return report


__all__ = [
    "add_team_member",
    "assign_households",
    "create_team",
    "decide_registry_report",
    "end_team_member",
    "hash_device_secret",
    "issue_class_device",
    "issue_device",
    "reassign_household",
    "revoke_device",
]


def record_worklist_export(*, villages: list[AdministrativeUnit], fmt: str, households: int, actor: Any) -> None:
    """Audit that a commune officer printed or exported villages' worklists (names, birth years and masked IDs
    leave the system on paper or in a file): "outreach.export_worklist"."""
    record_audit(
        actor=actor,
        action="outreach.export_worklist",
        object_type="territory.administrativeunit",
        object_id=",".join(village.code for village in villages)[:100],
        details={"format": fmt, "households": households},
    )
