"""Reads the registry pages need beyond `hocvuso.people.selectors`: one resident with what their page shows,
the rows of a household page, the signed-in user's own record, and what the roster-import pages offer.

Every read is scoped through the access module or a `.visible_to` QuerySet; a missing object and one the
user may not see both raise NotFound.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.access import AnyUser, access_unit, can, require, sees_residence, units_visible_to
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.indicators.computations import HOUSEHOLD, NUMERATORS, POPULATIONS
from hocvuso.indicators.models import Indicator
from hocvuso.people.ethnicity import ETHNICITIES
from hocvuso.people.import_models import LIVE_IMPORT_STATUSES, ImportJob
from hocvuso.people.imports.selectors import import_jobs_visible_to
from hocvuso.people.models import (
    DigitalIdentity,
    Household,
    Membership,
    MembershipKind,
    Organisation,
    Resident,
)
from hocvuso.territory.models import AdministrativeUnit, Level, lies_within

GROUP_LABELS: dict[str, str | Promise] = {
    "adult": _("Người lớn"),
    "identity_age": _("Từ 16 tuổi"),
    "elderly": _("Người cao tuổi"),
    MembershipKind.STAFF: _("Cán bộ, công chức, viên chức"),
    MembershipKind.STUDENT: _("Học sinh, sinh viên"),
    MembershipKind.WORKER: _("Người lao động doanh nghiệp, HTX"),
}


@dataclass(frozen=True)
class TargetGroup:
    key: str
    label: str | Promise


def _in_force(membership: Membership, day: date) -> bool:
    return membership.valid_from <= day and (membership.valid_to is None or membership.valid_to >= day)


def target_groups(resident: Resident, memberships: list[Membership], on: date | None = None) -> list[TargetGroup]:
    """The plan's target groups the resident belongs to on the day: by age (thresholds from settings) and by
    the memberships in force (staff, student, worker). No query: `memberships` are the resident's, loaded."""
    day = on or timezone.localdate()
    age = resident.age_on(day)
    keys: list[str] = []
    if age >= settings.ADULT_AGE:
        keys.append("adult")
    # The identity threshold (16) is below the adult one (18): only worth saying for those not yet adults.
    elif age >= settings.DIGITAL_IDENTITY_AGE:
        keys.append("identity_age")
    if age >= settings.ELDERLY_AGE:
        keys.append("elderly")
    for kind in MembershipKind.values:
        if any(m.kind == kind and _in_force(m, day) for m in memberships):
            keys.append(kind)
    return [TargetGroup(key, GROUP_LABELS[key]) for key in keys]


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


HISTORY_LABELS: dict[str, str | Promise] = {
    "people.register_resident": _("Ghi vào sổ dân cư"),
    "people.correct_resident": _("Sửa thông tin"),
    "people.reveal_national_id": _("Xem đầy đủ số định danh"),
    "people.record_digital_identity": _("Ghi nhận danh tính số"),
    "people.export_own_data": _("Tải dữ liệu của tôi"),
}


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
    history = [
        HistoryLine(entry, HISTORY_LABELS.get(entry.action, entry.action)) for entry in entries[:OWN_HISTORY_LIMIT]
    ]
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


@dataclass(frozen=True)
class NotReached:
    """The list behind a "leave no one behind" figure: the people of a unit (or the members of an organisation)
    an indicator does not count yet. For an indicator over households, the members of the households not yet
    counted (`households` is True)."""

    indicator: Indicator
    unit: AdministrativeUnit | None
    organisation: Organisation | None
    households: bool

    @property
    def place_name(self) -> str:
        place = self.unit if self.unit is not None else self.organisation
        return place.name if place is not None else ""

    @property
    def indicator_name(self) -> str:
        """The indicator's name in the page's language (its English name when the page is in English)."""
        if get_language() == "en" and self.indicator.name_en:
            return self.indicator.name_en
        return self.indicator.name_vi


def not_reached_filter(
    user: AnyUser, *, indicator_code: str, unit_code: str = "", organisation_code: str = ""
) -> NotReached:
    """Resolve the filter: the active, computable indicator with that code, and the unit (VIEW_PEOPLE, through
    `access_unit`) or the organisation (assigned to the user or located in their subtrees) with that code.
    An organisation only goes with an indicator that counts members of organisations. Raises NotFound for
    anything unknown, out of scope or not fitting — the cases are not told apart. At most two queries."""
    indicator = Indicator.objects.active().filter(code=indicator_code).first()
    if indicator is None or not indicator.is_computable:
        raise NotFound()
    population = POPULATIONS[indicator.population]
    if unit_code:
        unit = access_unit(user, unit_code, Permission.VIEW_PEOPLE)
        return NotReached(indicator, unit, None, population.entity == HOUSEHOLD)
    if population.membership_kind is None:
        raise NotFound()
    organisation = Organisation.objects.visible_to(user, Permission.VIEW_PEOPLE).filter(code=organisation_code).first()
    if organisation is None:
        raise NotFound()
    return NotReached(indicator, None, organisation, False)


def not_reached_residents(selection: NotReached, *, on: date | None = None) -> QuerySet[Resident]:
    """The residents behind `selection` on the day (today by default), by village and name: those of the
    indicator's population (its formula in `hocvuso.indicators.computations`) living in the unit's subtree, or
    members of the organisation of the population's kind in force that day, who do not meet its numerator;
    for a household indicator, the members of the unit's households that do not. The same formulas the facts
    are counted with, so the list's length is the figure's "not reached" — for people recorded in the
    unit itself (after a merger, the people still recorded in a merged village are listed under it)."""
    day = on or timezone.localdate()
    indicator = selection.indicator
    population = POPULATIONS[indicator.population]
    parameters = indicator.parameters or {}
    missing = ~NUMERATORS[indicator.numerator].condition(parameters, OuterRef("pk"))
    rows = population.rows(parameters, day).filter(missing)
    if selection.unit is not None:
        rows = rows.filter(lies_within(selection.unit, through="village"))
    if population.entity == HOUSEHOLD:
        residents = Resident.objects.filter(household__in=rows.values("pk"))
    else:
        residents = Resident.objects.filter(pk__in=rows.values("pk"))
    if selection.organisation is not None and population.membership_kind is not None:
        in_force = Membership.objects.filter(
            resident=OuterRef("pk"),
            organisation=selection.organisation,
            kind=str(parameters[population.membership_kind]),
            valid_from__lte=day,
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        residents = residents.filter(Exists(in_force))
    return (
        residents.select_related("village__parent", "household")
        .defer("national_id_ciphertext", "phone_ciphertext")
        .order_by("village__path", "name_key", "birth_date", "pk")
    )


__all__ = [
    "GROUP_LABELS",
    "HISTORY_LABELS",
    "HistoryLine",
    "MemberRow",
    "NotReached",
    "OwnRecord",
    "ResidentProfile",
    "TargetGroup",
    "household_rows",
    "households_for_correction",
    "import_organisations",
    "import_units",
    "live_import_of",
    "may_record_identity",
    "not_reached_filter",
    "not_reached_residents",
    "organisation_area",
    "own_record",
    "recent_imports",
    "resident_for",
    "resident_profile",
    "seen_as_members",
    "target_groups",
    "villages_for_correction",
]
