"""Writes of the accounts app: users, role assignments, sign-in with throttling and a TOTP second factor."""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit
from hocvuso.territory.models import AdministrativeUnit

from .access import forget_cached_assignments
from .models import LoginFailure, RoleAssignment, User
from .roles import ORGANISATION_ROLES, Role


def _username_key(username: str) -> str:
    return username.strip().lower()[:150]


def login_blocked_until(*, username: str) -> datetime | None:
    """When the username may try again, if it has used up its failed sign-ins in the window; else None.

    Only the username is counted, never the address: people behind one commune office's address are
    never locked out by someone else's mistakes.
    """
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = list(
        LoginFailure.objects.filter(username=_username_key(username), at__gte=timezone.now() - window)
        .order_by("-at")
        .values_list("at", flat=True)[: settings.LOGIN_FAILURE_LIMIT]
    )
    if len(recent) < settings.LOGIN_FAILURE_LIMIT:
        return None
    return recent[-1] + window


def record_login_failure(*, username: str, ip_address: str | None) -> None:
    """Count one failed sign-in (password or second factor) against the username."""
    LoginFailure.objects.create(username=_username_key(username), ip_address=ip_address)
    record_audit(actor=None, action="accounts.login_failed", object_type="accounts.user", object_label=username[:150])


def _refuse_if_blocked(username: str) -> None:
    until = login_blocked_until(username=username)
    if until is not None:
        raise DomainError(
            _("Đăng nhập sai quá nhiều lần. Hãy thử lại sau %(time)s.")
            % {"time": timezone.localtime(until).strftime("%H:%M")},
            code="throttled",
        )


def check_credentials(*, username: str, password: str, ip_address: str | None) -> User:
    """The first sign-in step: return the user whose username and password match.

    Raises DomainError (code "throttled") when the username has failed too often in the window, even if
    the password is right, and DomainError (code "invalid") for a wrong username or password.
    """
    _refuse_if_blocked(username)
    user = authenticate(username=username, password=password)
    if user is None or not isinstance(user, User):
        record_login_failure(username=username, ip_address=ip_address)
        raise DomainError(_("Tên đăng nhập hoặc mật khẩu không đúng."), code="invalid")
    return user


def confirmed_totp_device(*, user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they have enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp_device(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled for the user (created on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Ứng dụng xác thực"), confirmed=False)
    return device


def verify_second_factor(*, user: User, token: str, ip_address: str | None) -> TOTPDevice:
    """The second sign-in step for staff: check a 6-digit code from the authenticator.

    Enrols the pending device when the user has no confirmed one yet. Returns the device; raises
    DomainError for a wrong or reused code, and when the username is throttled.
    """
    _refuse_if_blocked(user.get_username())
    token = "".join(token.split())
    device = confirmed_totp_device(user=user) or pending_totp_device(user=user)
    if not (token.isdigit() and len(token) == 6 and device.verify_token(token)):
        record_login_failure(username=user.get_username(), ip_address=ip_address)
        raise DomainError(_("Mã xác thực không đúng hoặc đã hết hạn."), field="token")
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_audit(actor=user, action="accounts.totp_enrolled", target=user)
    return device


def clear_login_failures(*, user: User) -> None:
    """Forget the username's failed sign-ins after a complete, successful sign-in."""
    LoginFailure.objects.filter(username=_username_key(user.get_username())).delete()
    record_audit(actor=user, action="accounts.login", target=user)


@transaction.atomic
def create_user(*, username: str, password: str | None, full_name: str = "", email: str = "") -> User:
    """Create a user account; raises DomainError when the username is taken."""
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("Tên đăng nhập đã được dùng."), field="username")
    user = User(username=username, full_name=full_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def assign_role(
    *,
    user: User,
    role: str,
    assigned_by: Any,
    unit: AdministrativeUnit | None = None,
    organisation: Any = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> RoleAssignment:
    """Give the user a role over a unit subtree or an organisation, from `valid_from` (today by default).

    Raises DomainError when the scope does not fit the role: organisation roles need an organisation,
    other staff roles a unit, learners neither.
    """
    if role not in Role.values:
        raise DomainError(_("Vai trò không hợp lệ."), field="role")
    if role in ORGANISATION_ROLES and (organisation is None or unit is not None):
        raise DomainError(_("Vai trò này gắn với một cơ quan, tổ chức."), field="organisation")
    if role == Role.LEARNER and (unit is not None or organisation is not None):
        raise DomainError(_("Người học không gắn với đơn vị quản lý."), field="unit")
    if role not in ORGANISATION_ROLES and role != Role.LEARNER and (unit is None or organisation is not None):
        raise DomainError(_("Vai trò này gắn với một đơn vị hành chính."), field="unit")
    valid_from = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < valid_from:
        raise DomainError(_("Ngày kết thúc phải sau ngày bắt đầu."), field="valid_to")
    assignment = RoleAssignment.objects.create(
        user=user, role=role, unit=unit, organisation=organisation, valid_from=valid_from, valid_to=valid_to
    )
    forget_cached_assignments(user)
    record_audit(
        actor=assigned_by,
        action="accounts.assign_role",
        target=user,
        details={
            "role": role,
            "unit": unit.code if unit else None,
            "organisation": getattr(organisation, "code", None),
        },
    )
    return assignment
