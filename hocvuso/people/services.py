"""Writes of the population registry: households, residents, memberships, digital identity, personal data.

Every service runs in one transaction, validates, and writes an audit entry. National IDs and phones are
stored encrypted with a keyed lookup hash and their last digits; they never appear in audit details or in
logs. `actor` is the signed-in user (scope is checked against their roles) or None for the system
(management commands, imports that checked scope themselves).
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import can
from hocvuso.accounts.roles import Permission
from hocvuso.core.crypto import decrypt, encrypt, lookup_hash
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.core.services import record_audit
from hocvuso.core.text import search_key
from hocvuso.territory.models import AdministrativeUnit, Level

from .ethnicity import ETHNICITIES, ethnicity_code
from .models import (
    BirthDatePrecision,
    DigitalIdentity,
    EvidenceSource,
    Household,
    Membership,
    MembershipKind,
    Organisation,
    OrganisationKind,
    Resident,
    Sex,
    VneidLevel,
)
from .national_id import check_national_id, normalise_national_id
from .rules import check_birth_date, clean_full_name, normalise_phone

# Fields `correct_resident` may change; personal numbers are audited as "changed", never by value.
CORRECTABLE_FIELDS = frozenset(
    {"full_name", "birth_date", "sex", "ethnicity", "national_id", "phone", "village", "household"}
)
_SECRET_FIELDS = frozenset({"national_id", "phone"})


# --- Validation helpers -------------------------------------------------------------------------------------


def _clean_name(full_name: str) -> str:
    return clean_full_name(full_name)


def _clean_birth_date(birth_date: datetime.date, precision: str = "day") -> datetime.date:
    return check_birth_date(birth_date, precision=precision)


def _clean_sex(sex: str) -> str:
    if sex not in Sex.values:
        raise DomainError(_("Giới tính phải là Nam (M) hoặc Nữ (F)."), field="sex", code="sex_invalid")
    return sex


def _clean_ethnicity(ethnicity: int | str) -> int:
    code = ethnicity if isinstance(ethnicity, int) else ethnicity_code(str(ethnicity))
    if code not in ETHNICITIES:
        raise DomainError(
            _("Dân tộc không thuộc danh mục 54 dân tộc Việt Nam."), field="ethnicity", code="ethnicity_unknown"
        )
    return int(code)


def _clean_national_id(raw: object, *, birth_date: datetime.date, sex: str) -> str:
    national_id = normalise_national_id(raw)
    problems = check_national_id(national_id, birth_date=birth_date, sex=sex)
    if problems:
        raise DomainError(" ".join(problems), field="national_id", code="national_id_mismatch")
    return national_id


def _set_national_id(resident: Resident, national_id: str | None) -> None:
    if national_id is None:
        resident.national_id_ciphertext = None
        resident.national_id_hash = None
        resident.national_id_last4 = ""
        return
    resident.national_id_ciphertext = encrypt(national_id)
    resident.national_id_hash = lookup_hash(national_id)
    resident.national_id_last4 = national_id[-4:]


def _set_phone(resident: Resident, phone: str | None) -> None:
    resident.phone_ciphertext = encrypt(phone) if phone else None
    resident.phone_last3 = phone[-3:] if phone else ""


def _refuse_duplicate_id(national_id: str, *, excluding: int | None = None) -> None:
    others = Resident.objects.filter(national_id_hash=lookup_hash(national_id))
    if excluding is not None:
        others = others.exclude(pk=excluding)
    if others.exists():
        raise DomainError(
            _("Số định danh cá nhân này đã có trong sổ dân cư (người khác)."),
            field="national_id",
            code="duplicate_national_id",
        )


# --- Scope ----------------------------------------------------------------------------------------------------


def _require_village(actor: Any, village: AdministrativeUnit, permission: Permission) -> None:
    if village.level != Level.VILLAGE:
        raise DomainError(_("Nơi cư trú phải là một thôn, tổ dân phố."), field="village", code="not_a_village")
    if actor is not None and not can(actor, permission, village):
        raise NotFound(_("Không tìm thấy thôn, tổ dân phố."))


def _require_resident(actor: Any, resident: Resident, *permissions: Permission) -> None:
    """The actor may act on the resident with one of the permissions (or is the system); else NotFound."""
    if actor is not None and not any(can(actor, permission, resident) for permission in permissions):
        raise NotFound(_("Không tìm thấy người dân."))


def _require_organisation(actor: Any, subject: Organisation | Membership, permission: Permission) -> None:
    """The actor may act on the organisation (or the membership, which lies in its organisation); else
    NotFound."""
    if actor is not None and not can(actor, permission, subject):
        raise NotFound(_("Không tìm thấy cơ quan, tổ chức."))


# --- Households and residents ----------------------------------------------------------------------------------


def register_household(*, village: AdministrativeUnit, actor: Any, code: str = "", address: str = "") -> Household:
    """Register a household in a village and return it.

    Without a `code`, the next free code of the village is given ("<village code>-00001", …). Raises
    NotFound when the actor may not manage people in the village, DomainError for a taken code.
    """
    _require_village(actor, village, Permission.MANAGE_PEOPLE)
    with transaction.atomic():
        if not code:
            prefix = f"{village.code}-"
            taken = Household.objects.select_for_update().filter(village=village, code__startswith=prefix).count()
            number = taken + 1
            while Household.objects.filter(village=village, code=f"{prefix}{number:05d}").exists():
                number += 1
            code = f"{prefix}{number:05d}"
        code = code.strip()
        if Household.objects.filter(village=village, code=code).exists():  # codes are unique per village
            raise DomainError(
                _("Mã hộ %(code)s đã có ở %(village)s.") % {"code": code, "village": village.name},
                field="code",
                code="duplicate_household",
            )
        household = Household.objects.create(code=code, village=village, address=address.strip()[:255])
        record_audit(
            actor=actor, action="people.register_household", target=household, details={"village": village.code}
        )
    return household


def register_resident(
    *,
    full_name: str,
    birth_date: datetime.date,
    sex: str,
    ethnicity: int | str,
    actor: Any,
    village: AdministrativeUnit | None = None,
    household: Household | None = None,
    national_id: object = None,
    phone: object = None,
    head_of_household: bool = False,
    birth_date_precision: str = "day",
) -> Resident:
    """Register a resident and return them (`birth_date_precision` "year" when only the birth year is known: the
    date is then 1 January of it).

    The name is stored in NFC with its diacritic-free search key; the national ID is checked against the
    birth date and sex, then stored encrypted with its lookup hash and last four digits; the phone (a
    Vietnamese mobile number) encrypted with its last three digits. The village defaults to the
    household's. Raises DomainError for invalid data or an ID already in the registry (nothing is
    written), NotFound when the actor may not manage people in the village.
    """
    name = _clean_name(full_name)
    birth_date = _clean_birth_date(birth_date, birth_date_precision)
    sex = _clean_sex(sex)
    ethnicity_value = _clean_ethnicity(ethnicity)
    if village is None:
        if household is None:
            raise DomainError(_("Cần chọn thôn, tổ dân phố hoặc hộ gia đình."), field="village", code="no_village")
        village = household.village
    elif household is not None and household.village_id != village.pk:
        raise DomainError(_("Hộ gia đình không thuộc thôn, tổ dân phố đã chọn."), field="household")
    _require_village(actor, village, Permission.MANAGE_PEOPLE)
    national_id_value = None
    if national_id not in (None, ""):
        national_id_value = _clean_national_id(national_id, birth_date=birth_date, sex=sex)
    phone_value = normalise_phone(phone) if phone not in (None, "") else None
    resident = Resident(
        full_name=name,
        name_key=search_key(name),
        birth_date=birth_date,
        birth_date_precision=birth_date_precision,
        sex=sex,
        ethnicity=ethnicity_value,
        village=village,
        household=household,
    )
    _set_national_id(resident, national_id_value)
    _set_phone(resident, phone_value)
    try:
        with transaction.atomic():
            if national_id_value is not None:
                _refuse_duplicate_id(national_id_value)
            resident.save()
            if household is not None and (head_of_household or household.head_id is None):
                household.head = resident
                household.save(update_fields=["head", "updated_at"])
            record_audit(
                actor=actor,
                action="people.register_resident",
                target=resident,
                details={
                    "village": village.code,
                    "household": household.code if household else "",
                    "has_national_id": national_id_value is not None,
                    "has_phone": phone_value is not None,
                },
            )
    except IntegrityError as error:
        # two registrations of the same ID at once: the unique constraint decides
        raise DomainError(
            _("Số định danh cá nhân này đã có trong sổ dân cư (người khác)."),
            field="national_id",
            code="duplicate_national_id",
        ) from error
    return resident


def correct_resident(*, resident: Resident, changes: Mapping[str, Any], actor: Any) -> Resident:
    """Correct a resident's data (authorised staff) and return the resident.

    `changes` maps field names (full_name, birth_date, sex, ethnicity, national_id, phone, village,
    household) to new values; a national ID or phone of None or "" removes it. The ID is checked again
    against the (new) birth date and sex. The audit entry lists the fields changed with old and new values,
    except the ID and phone, recorded only as changed. Raises NotFound outside the actor's scope,
    DomainError for an unknown field, invalid data or a duplicate ID (nothing is written).
    """
    unknown = set(changes) - CORRECTABLE_FIELDS
    if unknown:
        raise DomainError(
            _("Không sửa được trường: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}, code="unknown_field"
        )
    _require_resident(actor, resident, Permission.MANAGE_PEOPLE)
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
        current_id = decrypt(resident.national_id_ciphertext) if resident.national_id_ciphertext else None
        current_phone = decrypt(resident.phone_ciphertext) if resident.phone_ciphertext else None
        audited: dict[str, Any] = {}
        changed: list[str] = []

        if "full_name" in changes:
            name = _clean_name(changes["full_name"])
            if name != resident.full_name:
                audited["full_name"] = {"from": resident.full_name, "to": name}
                resident.full_name, resident.name_key = name, search_key(name)
        if "birth_date" in changes:
            birth_date = _clean_birth_date(changes["birth_date"])
            if birth_date != resident.birth_date:
                audited["birth_date"] = {"from": resident.birth_date.isoformat(), "to": birth_date.isoformat()}
                resident.birth_date = birth_date
                resident.birth_date_precision = BirthDatePrecision.DAY  # the form gives a full date
        if "sex" in changes:
            sex = _clean_sex(changes["sex"])
            if sex != resident.sex:
                audited["sex"] = {"from": resident.sex, "to": sex}
                resident.sex = sex
        if "ethnicity" in changes:
            ethnicity = _clean_ethnicity(changes["ethnicity"])
            if ethnicity != resident.ethnicity:
                audited["ethnicity"] = {"from": resident.ethnicity, "to": ethnicity}
                resident.ethnicity = ethnicity
        if "village" in changes or "household" in changes:
            household = changes.get("household", resident.household)
            village = changes.get("village") or (household.village if household else resident.village)
            if household is not None and household.village_id != village.pk:
                raise DomainError(_("Hộ gia đình không thuộc thôn, tổ dân phố đã chọn."), field="household")
            _require_village(actor, village, Permission.MANAGE_PEOPLE)
            if village.pk != resident.village_id:
                audited["village"] = {"from": resident.village.code, "to": village.code}
                resident.village = village
            if (household.pk if household else None) != resident.household_id:
                audited["household"] = {
                    "from": resident.household.code if resident.household else "",
                    "to": household.code if household else "",
                }
                resident.household = household

        new_id = current_id
        if "national_id" in changes:
            raw = changes["national_id"]
            new_id = None if raw in (None, "") else normalise_national_id(raw)
        if new_id is not None and (new_id != current_id or {"birth_date", "sex"} & set(audited)):
            new_id = _clean_national_id(new_id, birth_date=resident.birth_date, sex=resident.sex)
        if new_id != current_id:
            if new_id is not None:
                _refuse_duplicate_id(new_id, excluding=resident.pk)
            _set_national_id(resident, new_id)
            changed.append("national_id")
        if "phone" in changes:
            raw = changes["phone"]
            new_phone = None if raw in (None, "") else normalise_phone(raw)
            if new_phone != current_phone:
                _set_phone(resident, new_phone)
                changed.append("phone")

        if not audited and not changed:
            return resident
        resident.save()
        details: dict[str, Any] = {"fields": sorted([*audited, *changed]), "changes": audited}
        for field in changed:
            details[f"{field}_changed"] = True
        record_audit(actor=actor, action="people.correct_resident", target=resident, details=details)
    return resident


def record_death(*, resident: Resident, died_on: datetime.date, actor: Any, reference: str = "") -> Resident:
    """Record that a resident died on (or by) a day — a commune officer confirmed a report of it (a home visit's,
    `reference` naming it). The resident leaves their household (which loses its head if they were it) and, from
    that day, is counted in no population (`ResidentQuerySet.alive_on`): no indicator's denominator, no worklist, no
    "not yet reached" list. The record itself stays, with its history. Audited "people.record_death" with the day,
    the household left and the reference. Returns the resident. Raises NotFound outside the actor's scope,
    DomainError for a day in the future or before the birth date, or a death already recorded."""
    _require_resident(actor, resident, Permission.MANAGE_PEOPLE)
    if died_on > timezone.localdate():
        raise DomainError(_("Ngày mất không thể sau hôm nay."), field="died_on", code="died_on_future")
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
        if resident.died_on is not None:
            raise DomainError(_("Người này đã được ghi nhận là đã mất."), field="died_on", code="already_dead")
        if died_on < resident.birth_date:
            raise DomainError(_("Ngày mất trước ngày sinh."), field="died_on", code="died_on_before_birth")
        household = resident.household
        resident.died_on = died_on
        resident.household = None
        resident.save(update_fields=["died_on", "household", "updated_at"])
        head_cleared = False
        if household is not None and household.head_id == resident.pk:
            household.head = None
            household.save(update_fields=["head", "updated_at"])
            head_cleared = True
        record_audit(
            actor=actor,
            action="people.record_death",
            target=resident,
            details={
                "died_on": died_on.isoformat(),
                "household": household.code if household is not None else "",
                "head_cleared": head_cleared,
                "reference": reference,
            },
        )
    return resident


def reveal_national_id(*, resident: Resident, actor: Any) -> str:
    """The resident's full national ID, for staff who may manage the resident (or the resident themselves).

    Always writes the audit entry "people.reveal_national_id" (who, whose, when, from where). Raises
    NotFound outside the actor's scope or when the actor is not signed in, DomainError when the resident
    has no ID.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound(_("Không tìm thấy người dân."))
    if resident.user_id != actor.pk:
        _require_resident(actor, resident, Permission.MANAGE_PEOPLE)
    if not resident.national_id_ciphertext:
        raise DomainError(_("Người dân này chưa có số định danh cá nhân."), code="no_national_id")
    with transaction.atomic():
        record_audit(actor=actor, action="people.reveal_national_id", target=resident)
    return decrypt(resident.national_id_ciphertext)


# --- Digital identity and memberships -------------------------------------------------------------------------


def record_digital_identity(
    *,
    resident: Resident,
    vneid_level: int | None,
    has_bank_account: bool | None,
    source: str,
    on: datetime.date,
    actor: Any,
) -> DigitalIdentity:
    """Record a resident's VNeID level and/or digital bank account as seen on a day, with its source
    (self-declared, verified at a visit, confirmed by VNeID, imported); None leaves that part as it was.

    Allowed for staff who may manage people or record visits in the resident's area, and for the resident
    (self-declared only). Returns the identity row. Raises NotFound outside scope, DomainError for an
    unknown level or source, or a day in the future.
    """
    if source not in EvidenceSource.values:
        raise DomainError(_("Nguồn thông tin không hợp lệ."), field="source", code="source_invalid")
    if vneid_level is not None and vneid_level not in VneidLevel.values:
        raise DomainError(_("Mức VNeID phải là 0, 1 hoặc 2."), field="vneid_level", code="level_invalid")
    if on > timezone.localdate():
        raise DomainError(_("Ngày ghi nhận ở tương lai."), field="on", code="date_future")
    is_self = actor is not None and resident.user_id is not None and resident.user_id == actor.pk
    if is_self:
        if source != EvidenceSource.SELF_DECLARED:
            raise DomainError(_("Người dân chỉ có thể tự khai."), field="source", code="source_invalid")
    else:
        _require_resident(actor, resident, Permission.MANAGE_PEOPLE, Permission.RECORD_VISIT)
    with transaction.atomic():
        identity, _created = DigitalIdentity.objects.select_for_update().get_or_create(resident=resident)
        details: dict[str, Any] = {"source": source, "on": on.isoformat()}
        if vneid_level is not None:
            details["vneid_level"] = {"from": identity.vneid_level, "to": vneid_level}
            identity.vneid_level = vneid_level
            identity.vneid_source = source
            identity.vneid_recorded_on = on
        if has_bank_account is not None:
            details["has_bank_account"] = {"from": identity.has_bank_account, "to": has_bank_account}
            identity.has_bank_account = has_bank_account
            identity.bank_source = source
            identity.bank_recorded_on = on
        identity.save()
        record_audit(actor=actor, action="people.record_digital_identity", target=resident, details=details)
    return identity


def add_membership(
    *,
    resident: Resident,
    organisation: Organisation,
    kind: str,
    valid_from: datetime.date,
    actor: Any,
    valid_to: datetime.date | None = None,
) -> Membership:
    """Make the resident staff, student or worker of an organisation from a day; return the membership.

    Raises NotFound when the actor may not manage the organisation's people, DomainError for an unknown
    kind, a period that ends before it starts, or an open membership of the same kind already there.
    """
    if kind not in MembershipKind.values:
        raise DomainError(_("Nhóm thành viên không hợp lệ."), field="kind", code="kind_invalid")
    if valid_to is not None and valid_to < valid_from:
        raise DomainError(_("Ngày kết thúc trước ngày bắt đầu."), field="valid_to", code="period_invalid")
    _require_organisation(actor, organisation, Permission.MANAGE_PEOPLE)
    with transaction.atomic():
        open_memberships = Membership.objects.filter(
            resident=resident, organisation=organisation, kind=kind, valid_to__isnull=True
        )
        if valid_to is None and open_memberships.exists():
            raise DomainError(
                _("Người này đã là thành viên của tổ chức theo nhóm này."), field="kind", code="duplicate_membership"
            )
        membership = Membership.objects.create(
            resident=resident, organisation=organisation, kind=kind, valid_from=valid_from, valid_to=valid_to
        )
        record_audit(
            actor=actor,
            action="people.add_membership",
            target=membership,
            details={
                "resident": resident.pk,
                "organisation": organisation.code,
                "kind": kind,
                "valid_from": valid_from.isoformat(),
            },
        )
    return membership


def end_membership(*, membership: Membership, valid_to: datetime.date, actor: Any) -> Membership:
    """End a membership on a day (inclusive) and return it. Raises NotFound outside the actor's scope,
    DomainError when it already ended or the day is before it started."""
    _require_organisation(actor, membership, Permission.MANAGE_PEOPLE)
    if membership.valid_to is not None:
        raise DomainError(_("Tư cách thành viên này đã kết thúc."), code="membership_ended")
    if valid_to < membership.valid_from:
        raise DomainError(_("Ngày kết thúc trước ngày bắt đầu."), field="valid_to", code="period_invalid")
    with transaction.atomic():
        membership.valid_to = valid_to
        membership.save(update_fields=["valid_to", "updated_at"])
        record_audit(
            actor=actor, action="people.end_membership", target=membership, details={"valid_to": valid_to.isoformat()}
        )
    return membership


# --- Accounts ---------------------------------------------------------------------------------------------------


@transaction.atomic
def link_user_account(*, resident: Resident, user: Any, actor: Any) -> Resident:
    """Link a sign-in account to the resident it belongs to (one account per resident, one resident per
    account), so the resident sees their own data and their learning counts for their village.

    The actor needs MANAGE_PEOPLE over the resident (None: the system). Raises DomainError when either side
    is already linked elsewhere; NotFound when the resident is outside the actor's scope.
    """
    _require_resident(actor, resident, Permission.MANAGE_PEOPLE)
    if resident.user_id == user.pk:
        return resident
    if resident.user_id is not None:
        raise DomainError(_("Người dân này đã gắn với một tài khoản khác."), field="user")
    if Resident.objects.filter(user=user).exists():
        raise DomainError(_("Tài khoản này đã gắn với một người dân khác."), field="user")
    resident.user = user
    resident.save(update_fields=["user", "updated_at"])
    record_audit(actor=actor, action="people.link_user_account", target=resident, details={"user": user.pk})
    return resident


# --- Personal data ------------------------------------------------------------------------------------------


def export_own_data(*, user: Any) -> dict[str, Any]:
    """Everything the registry holds about the signed-in user's own resident record, as a dict ready for
    JSON: identity, full national ID and phone, residence, household, memberships, digital identity, and
    the audit trail of their record. Audited ("people.export_own_data"). Raises NotFound when the account
    is not linked to a resident."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotFound(_("Tài khoản chưa gắn với người dân nào."))
    resident = Resident.objects.select_related("village__parent", "household").filter(user=user).first()
    if resident is None:
        raise NotFound(_("Tài khoản chưa gắn với người dân nào."))
    identity = DigitalIdentity.objects.filter(resident=resident).first()
    memberships = resident.memberships.select_related("organisation").order_by("valid_from", "pk")
    trail = AuditEntry.objects.for_object(Resident._meta.label_lower, resident.pk).order_by("at", "pk")
    village = resident.village
    data: dict[str, Any] = {
        "full_name": resident.full_name,
        "birth_date": resident.birth_date.isoformat(),
        "birth_date_precision": resident.birth_date_precision,  # "year": only the year is known
        "sex": resident.sex,
        "ethnicity": {"code": resident.ethnicity, "name": ETHNICITIES.get(resident.ethnicity, "")},
        "national_id": decrypt(resident.national_id_ciphertext) if resident.national_id_ciphertext else "",
        "phone": decrypt(resident.phone_ciphertext) if resident.phone_ciphertext else "",
        "village": {"code": village.code, "name": village.name},
        "commune": {"code": village.parent.code, "name": village.parent.name} if village.parent else None,
        "household": (
            {
                "code": resident.household.code,
                "address": resident.household.address,
                "is_head": resident.household.head_id == resident.pk,
            }
            if resident.household
            else None
        ),
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "kind": membership.kind,
                "valid_from": membership.valid_from.isoformat(),
                "valid_to": membership.valid_to.isoformat() if membership.valid_to else None,
            }
            for membership in memberships
        ],
        "digital_identity": (
            {
                "vneid_level": identity.vneid_level,
                "vneid_source": identity.vneid_source,
                "vneid_recorded_on": identity.vneid_recorded_on.isoformat() if identity.vneid_recorded_on else None,
                "has_bank_account": identity.has_bank_account,
                "bank_source": identity.bank_source,
                "bank_recorded_on": identity.bank_recorded_on.isoformat() if identity.bank_recorded_on else None,
            }
            if identity
            else None
        ),
        "record_history": [
            {"at": entry.at.isoformat(), "action": entry.action, "by": entry.actor_label} for entry in trail
        ],
        "created_at": resident.created_at.isoformat(),
        "updated_at": resident.updated_at.isoformat(),
    }
    with transaction.atomic():
        record_audit(actor=user, action="people.export_own_data", target=resident)
    return data


# --- Organisations ----------------------------------------------------------------------------------------------


def ensure_organisation(
    *, code: str, name: str, kind: str, unit: AdministrativeUnit, actor: Any
) -> tuple[Organisation, bool]:
    """The organisation with this code, registered (name, kind, location) when missing; an existing one is
    returned unchanged (its name or location may have been corrected since). Returns (organisation, created).
    For data files that name agencies (the plan's lead agencies); audited ("people.register_organisation") when
    it creates one. Raises DomainError for an empty code or name or an unknown kind."""
    code, name = code.strip(), " ".join(name.split())
    if not code or not name or len(code) > 40 or len(name) > 255:
        raise DomainError(_("Mã và tên cơ quan, tổ chức không hợp lệ."), field="code", code="organisation_invalid")
    if kind not in OrganisationKind.values:
        raise DomainError(_("Loại cơ quan, tổ chức không hợp lệ."), field="kind", code="organisation_kind")
    with transaction.atomic():
        organisation, created = Organisation.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "unit": unit}
        )
        if created:
            record_audit(
                actor=actor,
                action="people.register_organisation",
                target=organisation,
                details={"code": code, "kind": kind, "unit": unit.code},
            )
    return organisation, created


__all__ = [
    "CORRECTABLE_FIELDS",
    "add_membership",
    "correct_resident",
    "end_membership",
    "ensure_organisation",
    "export_own_data",
    "normalise_phone",
    "record_digital_identity",
    "register_household",
    "register_resident",
    "reveal_national_id",
]
