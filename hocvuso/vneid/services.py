"""Writes of sign-in with VNeID: whose account a provider's sign-in is, linking a provider account to a signed-in
user, the identity fact, and the commune's decision on a registration.

A provider account (issuer + subject) once linked always signs in to the same user account. The first time, the
asserted national ID decides, by the registry's keyed hash (`core.crypto.lookup_hash`): the account of the
registry resident with that ID; a new learner account for a resident without one; or, for someone not in the
registry, a new learner account and a `PendingRegistration` the commune confirms. Linking from a signed-in account
never takes an ID that belongs to another account. Each service runs in one transaction and is audited; the
national ID never appears in the audit details.
"""

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import require
from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Permission, Role
from hocvuso.accounts.services import assign_role, create_user
from hocvuso.core.crypto import decrypt, encrypt, lookup_hash
from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit
from hocvuso.people.models import DigitalIdentity, EvidenceSource, Resident
from hocvuso.people.services import link_user_account, record_digital_identity, register_resident
from hocvuso.territory.models import AdministrativeUnit, Level

from .claims import AssertedIdentity
from .models import PendingRegistration, ProviderIdentity, RegistrationStatus


@dataclass(frozen=True)
class ProviderSignIn:
    """Whose account the provider's sign-in is, and what happened on the way."""

    user: User
    second_factor: bool  # the provider asserted a level the settings accept as a second factor
    new_account: bool
    registration: PendingRegistration | None


def _no_national_id() -> DomainError:
    return DomainError(
        _("Nhà cung cấp định danh không gửi số định danh cá nhân, nên không thể xác định tài khoản của bạn."),
        code="no_national_id",
    )


def _id_taken() -> DomainError:
    return DomainError(
        _("Số định danh của tài khoản VNeID này đã gắn với một tài khoản khác. Hãy liên hệ UBND xã, phường."),
        code="national_id_taken",
    )


def _new_learner(asserted: AssertedIdentity) -> User:
    user = create_user(username=f"vneid-{secrets.token_hex(6)}", password=None, full_name=asserted.full_name)
    assign_role(user=user, role=Role.LEARNER, assigned_by=None)
    return user


def _record_level(resident: Resident, asserted: AssertedIdentity) -> None:
    """The identity fact "VNeID, at the asserted level", source VNeID, today — unless the provider asserted no
    level, or a lower one than the registry already holds (a sign-in at level 1 does not undo a level-2 account)."""
    if asserted.vneid_level is None:
        return
    current = DigitalIdentity.objects.filter(resident=resident).first()
    if current is not None and current.vneid_level > asserted.vneid_level:
        return
    if (
        current is not None
        and current.vneid_level == asserted.vneid_level
        and current.vneid_source == EvidenceSource.VNEID
        and current.vneid_recorded_on == timezone.localdate()
    ):
        return
    record_digital_identity(
        resident=resident,
        vneid_level=asserted.vneid_level,
        has_bank_account=None,
        source=EvidenceSource.VNEID,
        on=timezone.localdate(),
        actor=None,
    )


def _registration_for(*, user: User, asserted: AssertedIdentity, national_id_hash: str) -> PendingRegistration:
    assert asserted.national_id is not None and asserted.birth_date is not None and asserted.sex is not None
    existing = PendingRegistration.objects.select_for_update().filter(user=user).first()
    if existing is not None:
        if existing.national_id_hash != national_id_hash:
            raise _id_taken()
        return existing
    try:
        with transaction.atomic():
            registration = PendingRegistration.objects.create(
                user=user,
                full_name=asserted.full_name,
                birth_date=asserted.birth_date,
                sex=asserted.sex,
                national_id_ciphertext=encrypt(asserted.national_id),
                national_id_hash=national_id_hash,
                national_id_last4=asserted.national_id[-4:],
                vneid_level=asserted.vneid_level or 0,
            )
    except IntegrityError as error:  # the same ID registered at the same moment by another account
        raise _id_taken() from error
    record_audit(actor=user, action="vneid.registration_created", target=registration)
    return registration


def _link(*, user: User, asserted: AssertedIdentity) -> ProviderIdentity:
    if ProviderIdentity.objects.filter(issuer=asserted.issuer, user=user).exclude(subject=asserted.subject).exists():
        raise DomainError(_("Tài khoản này đã liên kết với một tài khoản VNeID khác."), code="already_linked_elsewhere")
    try:
        with transaction.atomic():
            identity = ProviderIdentity.objects.create(
                issuer=asserted.issuer, subject=asserted.subject, user=user, last_sign_in_at=timezone.now()
            )
    except IntegrityError as error:
        raise DomainError(_("Tài khoản VNeID này đã liên kết với một tài khoản khác."), code="subject_taken") from error
    return identity


def _check_same_person(user: User, asserted: AssertedIdentity) -> None:
    """A linked provider account whose asserted ID is not the registry's ID of the account it signs in to is
    refused: the registry or the provider is wrong, and guessing would sign someone in as another person."""
    if asserted.national_id is None:
        return
    resident = Resident.objects.filter(user=user).only("national_id_hash").first()
    if (
        resident is not None
        and resident.national_id_hash
        and resident.national_id_hash != lookup_hash(asserted.national_id)
    ):
        raise DomainError(
            _("Số định danh VNeID khác với số trong sổ dân cư của tài khoản. Hãy liên hệ UBND xã, phường."),
            code="national_id_mismatch",
        )


@transaction.atomic
def sign_in_with_provider(*, asserted: AssertedIdentity) -> ProviderSignIn:
    """Decide whose account a provider's sign-in is (see the module's docstring), linking and creating what the
    first sign-in needs, and record the identity fact. Does not sign anyone in: the caller ends in
    `accounts.services.complete_sign_in` (which refuses an inactive account and a staff account without a second
    factor). Raises DomainError when the provider sent no national ID for an account it has never signed in to,
    when the ID differs from the registry's for the linked account, or belongs to another account's registration."""
    identity = (
        ProviderIdentity.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(issuer=asserted.issuer, subject=asserted.subject)
        .first()
    )
    new_account = False
    registration = None
    if identity is not None:
        user = identity.user
        _check_same_person(user, asserted)
        identity.last_sign_in_at = timezone.now()
        identity.save(update_fields=["last_sign_in_at", "updated_at"])
    else:
        if asserted.national_id is None:
            raise _no_national_id()
        national_id_hash = lookup_hash(asserted.national_id)
        resident = Resident.objects.select_for_update().filter(national_id_hash=national_id_hash).first()
        pending = PendingRegistration.objects.filter(
            national_id_hash=national_id_hash, status=RegistrationStatus.PENDING
        ).first()
        if resident is not None and resident.user_id is not None:
            user = resident.user  # type: ignore[assignment]
        elif pending is not None:
            # signed in before (another provider account of the same person) and not yet confirmed
            user, registration = pending.user, pending
            if resident is not None:
                link_user_account(resident=resident, user=user, actor=None)
        elif resident is not None:
            user, new_account = _new_learner(asserted), True
            link_user_account(resident=resident, user=user, actor=None)
        else:
            user, new_account = _new_learner(asserted), True
            registration = _registration_for(user=user, asserted=asserted, national_id_hash=national_id_hash)
        _link(user=user, asserted=asserted)
        record_audit(
            actor=user,
            action="vneid.linked",
            target=user,
            details={"issuer": asserted.issuer, "new_account": new_account},
        )
    resident = Resident.objects.filter(user=user).first()
    if resident is not None:
        _record_level(resident, asserted)
    if registration is None:
        registration = PendingRegistration.objects.filter(user=user, status=RegistrationStatus.PENDING).first()
    return ProviderSignIn(
        user=user, second_factor=asserted.second_factor, new_account=new_account, registration=registration
    )


@transaction.atomic
def link_provider_account(*, user: User, asserted: AssertedIdentity) -> ProviderIdentity:
    """Link the provider account that just signed in at the provider to `user`, who is signed in here (their
    account page). The asserted national ID must be free or the user's own: a resident linked to another account,
    another account's registration, another provider account already linked to `user`, or an ID other than the
    one the registry holds for `user` are refused (DomainError) and nothing is written. A registry resident with
    the ID and no account is linked to `user`; someone not in the registry gets a registration for the commune.
    Records the identity fact and audits the link."""
    existing = ProviderIdentity.objects.filter(issuer=asserted.issuer, subject=asserted.subject).first()
    if existing is not None and existing.user_id != user.pk:
        raise DomainError(_("Tài khoản VNeID này đã liên kết với một tài khoản khác."), code="subject_taken")
    if asserted.national_id is None:
        raise _no_national_id()
    national_id_hash = lookup_hash(asserted.national_id)
    own = Resident.objects.select_for_update().filter(user=user).first()
    resident = Resident.objects.select_for_update().filter(national_id_hash=national_id_hash).first()
    if resident is not None and resident.user_id not in (None, user.pk):
        raise _id_taken()
    if own is not None and (resident is None or own.pk != resident.pk):
        raise DomainError(
            _("Số định danh VNeID khác với số trong sổ dân cư của tài khoản. Hãy liên hệ UBND xã, phường."),
            code="national_id_mismatch",
        )
    if resident is not None and resident.user_id is None:
        link_user_account(resident=resident, user=user, actor=None)
    if resident is None:
        other = PendingRegistration.objects.filter(national_id_hash=national_id_hash, status=RegistrationStatus.PENDING)
        if other.exclude(user=user).exists():
            raise _id_taken()
        _registration_for(user=user, asserted=asserted, national_id_hash=national_id_hash)
    identity = existing or _link(user=user, asserted=asserted)
    if resident is not None:
        _record_level(resident, asserted)
    if existing is None:
        record_audit(
            actor=user, action="vneid.linked", target=user, details={"issuer": asserted.issuer, "new_account": False}
        )
    return identity


def _require_own_registration(registration: PendingRegistration, user: User) -> None:
    if registration.user_id != user.pk:
        raise DomainError(_("Không tìm thấy đăng ký."), code="not_found")


@transaction.atomic
def choose_commune(
    *, registration: PendingRegistration, commune: AdministrativeUnit, user: User
) -> PendingRegistration:
    """The registered learner says which commune (in force, of the province this platform serves) they live in;
    the registration goes to that commune's queue (again, after a rejection). Raises DomainError for another
    person's or a confirmed registration, or a unit that is not such a commune."""
    registration = PendingRegistration.objects.select_for_update().get(pk=registration.pk)
    _require_own_registration(registration, user)
    if registration.status == RegistrationStatus.CONFIRMED:
        raise DomainError(_("Đăng ký đã được xác nhận."), code="already_decided")
    province = AdministrativeUnit.objects.filter(level=Level.PROVINCE, code=settings.PROVINCE_CODE).first()
    if (
        commune.level != Level.COMMUNE
        or not commune.is_in_force()
        or province is None
        or not commune.is_within(province)
    ):
        raise DomainError(_("Hãy chọn một xã, phường của tỉnh."), field="commune", code="not_a_commune")
    if (
        registration.status == RegistrationStatus.REJECTED
        and PendingRegistration.objects.filter(
            national_id_hash=registration.national_id_hash, status=RegistrationStatus.PENDING
        ).exists()
    ):
        raise _id_taken()
    registration.commune = commune
    registration.status = RegistrationStatus.PENDING
    registration.reason = ""
    registration.decided_by = None
    registration.decided_at = None
    registration.save()
    record_audit(
        actor=user, action="vneid.registration_commune", target=registration, details={"commune": commune.code}
    )
    return registration


def _pending_for_officer(registration: PendingRegistration, actor: Any) -> PendingRegistration:
    locked = (
        PendingRegistration.objects.select_for_update(of=("self",))
        .select_related("commune", "user")
        .filter(pk=registration.pk)
        .first()
    )
    require(actor, Permission.MANAGE_PEOPLE, locked)
    assert locked is not None
    if locked.status != RegistrationStatus.PENDING:
        raise DomainError(_("Đăng ký này đã được xử lý."), code="already_decided")
    return locked


@transaction.atomic
def confirm_registration(
    *, registration: PendingRegistration, village: AdministrativeUnit, ethnicity: int | str, actor: Any
) -> Resident:
    """The commune confirms that the person lives in one of its villages: the resident is registered with what
    the provider asserted (name, birth date, national ID; sex from the ID) and the officer's village and
    ethnicity, linked to the account, and given the identity fact; the registration is marked confirmed. When the
    ID has meanwhile come into the registry (a roster import), that resident is linked instead. Raises NotFound
    outside the officer's communes, DomainError for a village of another commune, a decided registration, or an
    ID held by another account."""
    registration = _pending_for_officer(registration, actor)
    assert registration.commune is not None
    if village.level != Level.VILLAGE or not village.is_within(registration.commune):
        raise DomainError(_("Hãy chọn một thôn, tổ dân phố của xã, phường này."), field="village", code="not_a_village")
    resident = Resident.objects.select_for_update().filter(national_id_hash=registration.national_id_hash).first()
    if resident is not None and resident.user_id not in (None, registration.user_id):
        raise _id_taken()
    if resident is None:
        resident = register_resident(
            full_name=registration.full_name,
            birth_date=registration.birth_date,
            sex=registration.sex,
            ethnicity=ethnicity,
            actor=actor,
            village=village,
            national_id=decrypt(bytes(registration.national_id_ciphertext)),
        )
    if resident.user_id is None:
        link_user_account(resident=resident, user=registration.user, actor=None)
    if registration.vneid_level:
        current = DigitalIdentity.objects.filter(resident=resident).first()
        if current is None or current.vneid_level <= registration.vneid_level:
            record_digital_identity(
                resident=resident,
                vneid_level=registration.vneid_level,
                has_bank_account=None,
                source=EvidenceSource.VNEID,
                on=timezone.localdate(registration.created_at),
                actor=None,
            )
    registration.status = RegistrationStatus.CONFIRMED
    registration.resident = resident
    registration.decided_by = actor
    registration.decided_at = timezone.now()
    registration.save()
    record_audit(
        actor=actor, action="vneid.registration_confirmed", target=registration, details={"resident": resident.pk}
    )
    return resident


@transaction.atomic
def reject_registration(*, registration: PendingRegistration, reason: str, actor: Any) -> PendingRegistration:
    """The commune says the person does not live there (or cannot be confirmed), with a reason the learner
    reads; they may choose another commune. Raises NotFound outside the officer's communes, DomainError without
    a reason or for a decided registration."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise DomainError(_("Hãy ghi lý do từ chối."), field="reason", code="reason_required")
    registration = _pending_for_officer(registration, actor)
    registration.status = RegistrationStatus.REJECTED
    registration.reason = reason
    registration.decided_by = actor
    registration.decided_at = timezone.now()
    registration.save()
    record_audit(actor=actor, action="vneid.registration_rejected", target=registration)
    return registration


@transaction.atomic
def unlink_provider_accounts(*, user: User, actor: Any) -> int:
    """Remove every provider account linked to `user` (a link made by mistake, or a VNeID account the person lost):
    the provider account can then sign in again, and the registry decides anew whose account it is. The user
    account, its registry record and its identity facts stay. Returns how many links were removed; audited.
    `actor` None is the server's operator (`manage.py unlink_vneid`)."""
    removed, _by_model = ProviderIdentity.objects.filter(user=user).delete()
    if removed:
        record_audit(actor=actor, action="vneid.unlinked", target=user, details={"links": removed})
    return removed
