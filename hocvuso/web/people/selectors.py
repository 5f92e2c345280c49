"""Reads the registry pages need beyond `hocvuso.people.selectors`: one resident with what their page shows,
the rows of a household page, the signed-in user's own record, and what the roster-import pages offer.

Every read is scoped through the access module or a `.visible_to` QuerySet; a missing object and one the
user may not see both raise NotFound.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.access import AnyUser, can, require, sees_residence, units_visible_to
from hocvuso.accounts.roles import Permission
from hocvuso.core.models import AuditEntry
from hocvuso.people.ethnicity import ETHNICITIES
from hocvuso.people.import_models import LIVE_IMPORT_STATUSES, ImportJob
from hocvuso.people.imports.selectors import import_jobs_visible_to
from hocvuso.people.models import (
    AgeGroup,
    DigitalIdentity,
    Household,
    Membership,
    MembershipKind,
    Organisation,
    Resident,
)
from hocvuso.people.selectors import target_groups_of
from hocvuso.territory.models import AdministrativeUnit, Level

from ..audit import action_label

GROUP_LABELS: dict[str, str | Promise] = {
    AgeGroup.ADULT: _("Người lớn"),
    AgeGroup.ELDERLY: _("Người cao tuổi"),
    MembershipKind.STAFF: _("Cán bộ, công chức, viên chức"),
    MembershipKind.STUDENT: _("Học sinh, sinh viên"),
    MembershipKind.WORKER: _("Người lao động doanh nghiệp, HTX"),
}


@dataclass(frozen=True)
class TargetGroup:
    key: str
    label: str | Promise


def _label(key: str) -> str | Promise:
    if key == AgeGroup.DIGITAL_IDENTITY:  # the number of years is a setting: said as it is
        return _("Từ %(age)s tuổi") % {"age": AgeGroup.DIGITAL_IDENTITY.years}
    return GROUP_LABELS[key]


def target_groups(resident: Resident, memberships: list[Membership], on: date | None = None) -> list[TargetGroup]:
    """The resident's target groups (`people.selectors.target_groups_of`) with their labels. No query."""
    return [TargetGroup(key, _label(key)) for key in target_groups_of(resident, memberships, on)]


@dataclass
class MemberRow:
    """One member of a household, as its page lists them."""

    resident: Resident
    age: int
    is_head: bool
    groups: list[TargetGroup]
    identity: DigitalIdentity | None
    ethnicity: str


def household_rows(household: Household, on: date | None = None) -> list[MemberRow]:
    """The rows of the household page from a household loaded by `household_with_members` (no query)."""
    day = on or timezone.localdate()
    rows = []
    for member in household.members.all():
        memberships = list(member.memberships.all())
        rows.append(
            MemberRow(
                resident=member,
                age=member.age_on(day),
                is_head=member.pk == household.head_id,
                groups=target_groups(member, memberships, day),
                identity=getattr(member, "digital_identity", None),
                ethnicity=ETHNICITIES.get(member.ethnicity, ""),
            )
        )
    return rows


def _with_details(residents: QuerySet[Resident]) -> QuerySet[Resident]:
    return residents.select_related("village__parent", "household", "digital_identity").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("organisation__unit").order_by("-valid_from", "pk"),
        )
    )


def resident_for(user: AnyUser, resident_id: int, permission: Permission = Permission.VIEW_PEOPLE) -> Resident:
    """The resident with this id, with village, commune, household, digital identity and memberships, if the user
    may act on them with the permission; raises NotFound otherwise (missing and forbidden alike)."""
    resident = _with_details(Resident.objects.all()).filter(pk=resident_id).first()
    require(user, permission, resident)
    assert resident is not None
    return resident


def may_record_identity(user: AnyUser, resident: Resident) -> bool:
    """Whether the user may record the resident's digital-identity status: MANAGE_PEOPLE or RECORD_VISIT where
    the resident lives (the check `record_digital_identity` makes). No query once the village is loaded."""
    return can(user, Permission.MANAGE_PEOPLE, resident) or can(user, Permission.RECORD_VISIT, resident)


def seen_as_members(user: AnyUser, residents: Iterable[Resident]) -> set[int]:
    """The ids of the listed residents (search results, people not yet reached) whom the user reaches only as
    members of an organisation: the list shows them without village and household. No query for residents
    loaded with their village."""
    return {resident.pk for resident in residents if not sees_residence(user, resident)}


@dataclass
class ResidentProfile:
    """What the resident page shows. Someone the user reaches only as a member of an organisation
    (`shows_residence` False) is shown as a member: no residence, phone, ethnicity or digital identity, and only
    their memberships of the organisations the user acts for (see hocvuso.accounts.access)."""

    resident: Resident
    age: int
    groups: list[TargetGroup]
    memberships: list[Membership]
    identity: DigitalIdentity | None
    ethnicity: str
    can_manage: bool
    can_record_identity: bool
    shows_residence: bool = True


def resident_profile(user: AnyUser, resident: Resident, on: date | None = None) -> ResidentProfile:
    """The resident page's content for a resident loaded by `resident_for`: age, target groups, memberships,
    digital identity, and whether the user may correct the record (MANAGE_PEOPLE) or record a digital-identity
    status (MANAGE_PEOPLE or RECORD_VISIT). No query: the access module decides from what is loaded."""
    day = on or timezone.localdate()
    memberships = list(resident.memberships.all())
    shows_residence = sees_residence(user, resident)
    if not shows_residence:
        memberships = [m for m in memberships if can(user, Permission.VIEW_PEOPLE, m)]
    return ResidentProfile(
        resident=resident,
        age=resident.age_on(day),
        groups=target_groups(resident, memberships, day),
        memberships=memberships,
        identity=getattr(resident, "digital_identity", None) if shows_residence else None,
        ethnicity=ETHNICITIES.get(resident.ethnicity, "") if shows_residence else "",
        can_manage=can(user, Permission.MANAGE_PEOPLE, resident),
        can_record_identity=may_record_identity(user, resident),
        shows_residence=shows_residence,
    )


def villages_for_correction(user: AnyUser, resident: Resident) -> QuerySet[AdministrativeUnit]:
    """Villages a resident may be moved to on the correction page: the villages in force of the resident's commune
    that the user manages, plus the resident's own village."""
    commune = resident.village.parent
    villages = units_visible_to(user, Permission.MANAGE_PEOPLE).in_force().filter(level=Level.VILLAGE)
    if commune is not None:
        villages = villages.filter(parent=commune)
    return (villages | AdministrativeUnit.objects.filter(pk=resident.village_id)).distinct().order_by("code")


def households_for_correction(user: AnyUser) -> QuerySet[Household]:
    """Households a resident may be moved into: those in the user's MANAGE_PEOPLE subtrees."""
    return Household.objects.visible_to(user, Permission.MANAGE_PEOPLE)


@dataclass(frozen=True)
class HistoryLine:
    """One entry of the history of a resident's record, as the resident sees it."""

    entry: AuditEntry
    label: str | Promise


@dataclass
class OwnRecord:
    """The signed-in resident's own record, with the history of who did what to it."""

    resident: Resident
    age: int
    groups: list[TargetGroup]
    memberships: list[Membership]
    identity: DigitalIdentity | None
    ethnicity: str
    history: list[HistoryLine] = field(default_factory=list)


OWN_HISTORY_LIMIT = 50


def own_record(user: AnyUser) -> OwnRecord | None:
    """The resident record linked to the signed-in user (masked numbers only: nothing is decrypted), with the
    latest entries of its audit trail; None when the account is not linked to a resident."""
    if not user.is_authenticated:
        return None
    resident = _with_details(Resident.objects.filter(user=user)).first()
    if resident is None:
        return None
    day = timezone.localdate()
    memberships = list(resident.memberships.all())
    entries = AuditEntry.objects.for_object(Resident._meta.label_lower, resident.pk).order_by("-at", "-pk")
    history = [HistoryLine(entry, action_label(entry.action)) for entry in entries[:OWN_HISTORY_LIMIT]]
    return OwnRecord(
        resident=resident,
        age=resident.age_on(day),
        groups=target_groups(resident, memberships, day),
        memberships=memberships,
        identity=getattr(resident, "digital_identity", None),
        ethnicity=ETHNICITIES.get(resident.ethnicity, ""),
        history=history,
    )


# --- roster imports ----------------------------------------------------------------------------------------


def import_units(user: AnyUser) -> QuerySet[AdministrativeUnit]:
    """Units the user may import a roster into, as the upload form offers them: the provinces and communes in
    force of their IMPORT_ROSTER subtrees."""
    return (
        units_visible_to(user, Permission.IMPORT_ROSTER)
        .in_force()
        .filter(level__in=[Level.PROVINCE, Level.COMMUNE])
        .order_by("path")
    )


def import_organisations(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations the user may import a roster for (assigned to them, or located in their subtrees)."""
    return Organisation.objects.visible_to(user, Permission.IMPORT_ROSTER).order_by("name", "code")


def organisation_area(organisation: Organisation) -> AdministrativeUnit:
    """Where the new members of an organisation's roster are looked for when the user names no unit: the
    province the organisation lies in (its top ancestor)."""
    province_code = organisation.unit.path.strip("/").split("/")[0]
    return AdministrativeUnit.objects.filter(code=province_code).first() or organisation.unit


def live_import_of(user: AnyUser, job: ImportJob) -> ImportJob | None:
    """The real import (queued, running or done) of the file a dry run checked, if the user may see it."""
    if not job.dry_run:
        return None
    return (
        import_jobs_visible_to(user)
        .filter(fingerprint=job.fingerprint, dry_run=False, status__in=LIVE_IMPORT_STATUSES)
        .first()
    )


RECENT_IMPORTS = 10


def recent_imports(user: AnyUser) -> list[ImportJob]:
    """The latest import jobs the user may follow (newest first)."""
    return list(import_jobs_visible_to(user)[:RECENT_IMPORTS])


# --- who is not yet reached -------------------------------------------------------------------------------


__all__ = [
    "GROUP_LABELS",
    "HistoryLine",
    "MemberRow",
    "OwnRecord",
    "ResidentProfile",
    "TargetGroup",
    "household_rows",
    "households_for_correction",
    "import_organisations",
    "import_units",
    "live_import_of",
    "may_record_identity",
    "organisation_area",
    "own_record",
    "recent_imports",
    "resident_for",
    "resident_profile",
    "seen_as_members",
    "target_groups",
    "villages_for_correction",
]
