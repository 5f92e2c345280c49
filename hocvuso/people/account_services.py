"""Sign-in accounts tied to registry residents: an officer's account for a resident, linking an account to its
resident, a community class's accounts with printable sign-in cards, and a resident's self-registration.

They live here, above the accounts app (which may not import the registry), and write through its services
(`hocvuso.accounts.administration`); every access decision is `hocvuso.accounts.access`'s."""

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.accounts.access import may_administer_account, may_make_class_accounts, require
from hocvuso.accounts.administration import OneTimeCode, count_public_attempt, set_one_time_code
from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Permission, Role
from hocvuso.accounts.services import assign_role, create_user
from hocvuso.core.crypto import DecryptionError, decrypt
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import record_audit
from hocvuso.core.text import search_key

from .models import Resident
from .rules import normalise_phone


def _link(resident: Resident, user: User) -> None:
    if resident.user_id is not None:
        raise DomainError(_("Người dân này đã gắn với một tài khoản khác."), field="resident")
    if Resident.objects.filter(user=user).exists():
        raise DomainError(_("Tài khoản này đã gắn với một người dân khác."), field="resident")
    resident.user = user
    resident.save(update_fields=["user", "updated_at"])
    if user.registry_candidate_id is not None:
        User.objects.filter(pk=user.pk).update(registry_candidate=None)
        user.registry_candidate_id = None


def _learner_username(resident: Resident) -> str:
    """A username nobody can guess from the registry: "hv" and eight random digits, unused."""
    while True:
        candidate = "hv" + "".join(secrets.choice("0123456789") for _ in range(8))
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate


@transaction.atomic
def create_resident_account(*, resident: Resident, username: str = "", email: str = "", created_by: Any) -> OneTimeCode:
    """Create a learner account for a registry resident, linked to them, with a one-time sign-in code (returned
    once). Raises NotFound unless the officer holds MANAGE_ACCOUNTS where the resident lives, DomainError when the
    resident already has an account or the username is taken. `username` empty: one is made up."""
    if created_by is not None:
        require(created_by, Permission.MANAGE_ACCOUNTS, resident)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.user_id is not None:
        raise DomainError(_("Người dân này đã có tài khoản."), field="resident")
    user = create_user(
        username=username.strip() or _learner_username(resident),
        password=None,
        full_name=resident.full_name,
        email=email,
    )
    assign_role(user=user, role=Role.LEARNER, assigned_by=created_by)
    _link(resident, user)
    code = set_one_time_code(user=user)
    record_audit(
        actor=created_by,
        action="accounts.create_account",
        target=user,
        details={"role": Role.LEARNER, "resident": resident.pk},
    )
    return code


@transaction.atomic
def link_account_to_resident(*, account: User, resident: Resident, linked_by: Any) -> Resident:
    """Link an account to its registry resident (one each way), e.g. confirming a self-registration's match. Raises
    NotFound unless the officer may administer the account and holds MANAGE_ACCOUNTS where the resident lives,
    DomainError when either side is linked already."""
    if linked_by is not None:
        require(linked_by, Permission.MANAGE_ACCOUNTS, resident)
        if not may_administer_account(linked_by, account) and account.registry_candidate_id != resident.pk:
            raise NotFound(_("Không tìm thấy tài khoản."))
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    _link(resident, account)
    record_audit(actor=linked_by, action="accounts.link_resident", target=account, details={"resident": resident.pk})
    return resident


@dataclass(frozen=True)
class ClassAccounts:
    """What `make_class_accounts` did: the new accounts' sign-in cards, and the residents who had one already."""

    cards: list[tuple[Resident, OneTimeCode]]
    already: list[Resident]


@transaction.atomic
def make_class_accounts(*, residents: list[Resident], made_by: Any) -> ClassAccounts:
    """Make learner accounts, each with a one-time sign-in code for its printed card, for the residents of a
    community class who have none (those who have one are returned apart, untouched). Raises NotFound, making
    nothing, unless the actor runs classes (RUN_CLASS) where every one of them lives."""
    if made_by is not None and not all(may_make_class_accounts(made_by, resident) for resident in residents):
        raise NotFound(_("Không tìm thấy người dân."))
    cards: list[tuple[Resident, OneTimeCode]] = []
    already: list[Resident] = []
    for resident in Resident.objects.select_for_update().filter(pk__in=[r.pk for r in residents]).order_by("full_name"):
        if resident.user_id is not None:
            already.append(resident)
            continue
        user = create_user(username=_learner_username(resident), password=None, full_name=resident.full_name)
        assign_role(user=user, role=Role.LEARNER, assigned_by=made_by)
        _link(resident, user)
        cards.append((resident, set_one_time_code(user=user)))
    record_audit(
        actor=made_by,
        action="accounts.make_class_accounts",
        object_type="people.resident",
        object_label=_("%(count)s tài khoản") % {"count": len(cards)},
        details={"residents": [resident.pk for resident, _code in cards]},
    )
    return ClassAccounts(cards=cards, already=already)


def _registry_match(phone: str, full_name: str, birth_date: date) -> Resident | None:
    """The one resident without an account who has this name (diacritics and case aside), birth date and phone;
    None when there is none or more than one."""
    found = []
    candidates = Resident.objects.filter(
        birth_date=birth_date, name_key=search_key(full_name), user__isnull=True, phone_ciphertext__isnull=False
    )
    for resident in candidates[:20]:
        try:
            if resident.phone_ciphertext is not None and decrypt(resident.phone_ciphertext) == phone:
                found.append(resident)
        except DecryptionError:
            continue
    return found[0] if len(found) == 1 else None


def register_learner(*, phone: str, full_name: str, birth_date: date, password: str, ip_address: str | None) -> None:
    """A resident's self-registration: a learner account whose username is their mobile number, with the password
    they chose. Returns nothing, and behaves the same to the caller whether or not the number already has an
    account or the person is in the registry (nobody learns who is registered): a number already in use keeps its
    account untouched. A likely registry record (`_registry_match`) is only remembered for an officer of its
    commune to confirm (`link_account_to_resident`), never linked by itself.

    Raises DomainError for an invalid phone number, name or password (the same whoever the person is), and (code
    "throttled") when the number or the client's address has registered too often (`count_public_attempt`).
    """
    phone = normalise_phone(phone)
    full_name = " ".join(full_name.split())
    if not full_name:
        raise DomainError(_("Cần họ và tên."), field="full_name")
    try:
        validate_password(password, User(username=phone, full_name=full_name))
    except ValidationError as error:
        raise DomainError(" ".join(str(message) for message in error.messages), field="password1") from error
    count_public_attempt(purpose="dang-ky", key=phone, ip_address=ip_address)
    with transaction.atomic():
        if User.objects.filter(username__iexact=phone).exists():
            make_password(password)  # the same work either way: the answer's time tells nothing
            record_audit(
                actor=None,
                action="accounts.self_register_refused",
                object_type="accounts.user",
                object_label=phone[-3:],
            )
            return
        user = create_user(username=phone, password=password, full_name=full_name)
        user.registry_candidate = _registry_match(phone, full_name, birth_date)
        user.save(update_fields=["registry_candidate"])
        assign_role(user=user, role=Role.LEARNER, assigned_by=None)
        record_audit(actor=user, action="accounts.self_register", target=user)
