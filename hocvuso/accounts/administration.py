"""Writes of account management in the product: making accounts, granting and ending roles within one's scope,
one-time sign-in codes (a password reset by an officer, a class's sign-in card), a second factor's reset, and
deactivation. Each is keyword-only, runs in one transaction, asks `access` and writes the audit log.

Accounts tied to a registry resident (creating one for a resident, self-registration, a class's accounts) are
written in `hocvuso.people.account_services`, above this app, which calls these."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import record_audit
from hocvuso.territory.models import AdministrativeUnit

from .access import may_administer_account, may_end_role, may_grant_role
from .models import LoginFailure, RoleAssignment, User
from .services import (
    IssuedEnrolmentCode,
    _reserve_attempt,
    assign_role,
    create_user,
    end_role,
    end_sessions_of,
    issue_enrolment_code,
)

# A one-time sign-in code: Crockford's base32 without I, L, O, U (nothing to misread on paper), 10 characters
# (50 bits), valid for this long; the user replaces it with their own password at the first sign-in.
ONE_TIME_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
ONE_TIME_CODE_LENGTH = 10
ONE_TIME_CODE_DAYS = 14


@dataclass(frozen=True)
class OneTimeCode:
    """A one-time sign-in code as it is handed over (`XXXXX-XXXXX`), shown once, stored only as a password hash."""

    user: User
    plain_text: str
    expires_at: Any


def _require_administer(actor: Any, account: User) -> None:
    if actor is not None and not may_administer_account(actor, account):
        raise NotFound(_("Không tìm thấy tài khoản."))


def _new_code() -> str:
    plain = "".join(secrets.choice(ONE_TIME_CODE_ALPHABET) for _ in range(ONE_TIME_CODE_LENGTH))
    return f"{plain[:5]}-{plain[5:]}"


def set_one_time_code(*, user: User) -> OneTimeCode:
    """Make the user's password a new one-time sign-in code (inside the caller's transaction, audited by the
    caller): their sessions end and they must choose a password at the next sign-in. Returns the code once."""
    plain = _new_code()
    user.set_password(plain)
    user.temporary_password_until = timezone.now() + timedelta(days=ONE_TIME_CODE_DAYS)
    user.save(update_fields=["password", "temporary_password_until"])
    end_sessions_of(user)
    return OneTimeCode(user=user, plain_text=plain, expires_at=user.temporary_password_until)


@transaction.atomic
def create_account(
    *,
    username: str,
    full_name: str,
    email: str = "",
    role: str,
    unit: AdministrativeUnit | None = None,
    organisation: Any = None,
    created_by: Any,
) -> OneTimeCode:
    """Create an account holding `role` over `unit` (or `organisation`) from today, with a one-time sign-in code
    (returned once). Raises NotFound when the actor may not grant that role there (`access.may_grant_role`:
    their scope, no role above their own) and DomainError for a taken username or a scope that does not fit the
    role. `created_by` None is the system."""
    username = username.strip()
    if not username:
        raise DomainError(_("Cần tên đăng nhập."), field="username")
    user = create_user(username=username, password=None, full_name=full_name.strip(), email=email.strip())
    if created_by is not None and not may_grant_role(created_by, user, role, unit=unit, organisation=organisation):
        raise NotFound(_("Bạn không thể cấp vai trò này ở đơn vị này."))
    assign_role(user=user, role=role, unit=unit, organisation=organisation, assigned_by=created_by)
    code = set_one_time_code(user=user)
    record_audit(actor=created_by, action="accounts.create_account", target=user, details={"role": role})
    return code


@transaction.atomic
def grant_role(
    *,
    account: User,
    role: str,
    unit: AdministrativeUnit | None = None,
    organisation: Any = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    granted_by: Any,
) -> RoleAssignment:
    """Give an existing account a role over a unit or organisation for a period (effective-dated); its sessions end
    (`services.assign_role`), so new powers need a new sign-in. Raises NotFound unless `access.may_grant_role`,
    DomainError for a scope that does not fit the role or dates in the wrong order."""
    if granted_by is not None and not may_grant_role(granted_by, account, role, unit=unit, organisation=organisation):
        raise NotFound(_("Bạn không thể cấp vai trò này ở đơn vị này."))
    return assign_role(
        user=account,
        role=role,
        unit=unit,
        organisation=organisation,
        valid_from=valid_from,
        valid_to=valid_to,
        assigned_by=granted_by,
    )


@transaction.atomic
def end_role_assignment(*, assignment: RoleAssignment, valid_to: date, ended_by: Any) -> RoleAssignment:
    """End a role assignment on a day (inclusive); the account's sessions end. Raises NotFound unless
    `access.may_end_role`, DomainError when it has already ended by then."""
    if ended_by is not None and not may_end_role(ended_by, assignment):
        raise NotFound(_("Không tìm thấy vai trò."))
    return end_role(assignment=assignment, valid_to=valid_to, ended_by=ended_by)


@transaction.atomic
def reset_password(*, account: User, reset_by: Any) -> OneTimeCode:
    """A password reset through an officer: the account's password becomes a new one-time sign-in code (shown
    once to the officer, to hand over in person), its sessions end. Raises NotFound unless the officer may
    administer the account, DomainError for a deactivated account."""
    _require_administer(reset_by, account)
    if not account.is_active:
        raise DomainError(_("Tài khoản đã bị khóa."), code="inactive_user")
    code = set_one_time_code(user=account)
    record_audit(actor=reset_by, action="accounts.reset_password", target=account)
    return code


@transaction.atomic
def reset_second_factor(*, account: User, reset_by: Any) -> IssuedEnrolmentCode:
    """A lost phone: the account's authenticators stop working at once, its sessions end, and a new enrolment code
    (the same one-time code as `services.issue_enrolment_code`) is returned once for the officer to hand over.
    Raises NotFound unless the officer may manage the account's sign-in (`access.may_manage_account`)."""
    _require_administer(reset_by, account)
    issued = issue_enrolment_code(user=account, issued_by=reset_by)
    TOTPDevice.objects.filter(user=account).delete()
    end_sessions_of(account)
    record_audit(actor=reset_by, action="accounts.reset_second_factor", target=account)
    return issued


@transaction.atomic
def deactivate_account(*, account: User, deactivated_by: Any) -> User:
    """Lock the account: it cannot sign in, its sessions and API tokens end. Raises NotFound unless the actor may
    administer it; an account already locked is returned as it is (no second audit entry)."""
    _require_administer(deactivated_by, account)
    if not account.is_active:
        return account
    account.is_active = False
    account.save(update_fields=["is_active"])
    end_sessions_of(account)
    record_audit(actor=deactivated_by, action="accounts.deactivate", target=account)
    return account


@transaction.atomic
def reactivate_account(*, account: User, reactivated_by: Any) -> User:
    """Unlock a locked account: it may sign in again with its password (sessions and API tokens ended at the
    locking stay ended; an officer who no longer trusts the password issues a one-time code next). Raises NotFound
    unless the actor may administer it (the same rule as locking); an account not locked is returned as it is (no
    audit entry)."""
    _require_administer(reactivated_by, account)
    if account.is_active:
        return account
    account.is_active = True
    account.save(update_fields=["is_active"])
    record_audit(actor=reactivated_by, action="accounts.reactivate", target=account)
    return account


@transaction.atomic
def set_own_password(*, user: User, password: str) -> User:
    """The signed-in user chooses their own password (after signing in with a one-time code, or any time): it is
    checked by the password validators (DomainError with their messages), the one-time code stops working. The
    caller keeps the current session (`update_session_auth_hash`); other sessions end with the old password."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(str(message) for message in error.messages), field="password1") from error
    user.set_password(password)
    user.temporary_password_until = None
    user.save(update_fields=["password", "temporary_password_until"])
    record_audit(actor=user, action="accounts.set_password", target=user)
    return user


def count_public_attempt(*, purpose: str, key: str, ip_address: str | None) -> None:
    """Count one attempt of a public account path (a self-registration, a password reset by e-mail) against `key`
    (the phone number, the e-mail address) and against the client's address, like a failed sign-in
    (`services.login_blocked_until`'s limit and window): raises DomainError (code "throttled") when either has no
    attempt left. The attempts are never taken back, so one address cannot try many numbers either."""
    _reserve_attempt(f"{purpose}:{key}", ip_address)
    if ip_address:
        _reserve_attempt(f"{purpose}@{ip_address}", ip_address)


@dataclass
class Guess:
    """One guess counted by `reserve_guess`; `right()` takes it back."""

    attempts: list[LoginFailure]

    def right(self) -> None:
        LoginFailure.objects.filter(pk__in=[attempt.pk for attempt in self.attempts]).delete()


def reserve_guess(*, purpose: str, key: str, ip_address: str | None, limit: int, address_limit: int) -> Guess:
    """Count one guess of a short secret shown somewhere (a class room's check-in code) against `key` (the user) and
    against the client's address, the way a failed sign-in is counted (`services._reserve_attempt`: its window, its
    row lock), with `limit` and `address_limit` wrong guesses allowed in the window. Raises `Throttled` (code
    "throttled", with `until`) when either has none left — before the guess is checked, so a right guess is refused
    too until the window passes. The caller calls `right()` on the returned guess when it was right: only wrong
    guesses count, so a class's learners checking in behind one address do not lock each other out."""
    attempts = [_reserve_attempt(f"{purpose}:{key}", ip_address, limit=limit)]
    if ip_address:
        attempts.append(_reserve_attempt(f"{purpose}@{ip_address}", ip_address, limit=address_limit))
    return Guess(attempts)
