"""Writes of the accounts app: sign-in with throttling and a TOTP second factor (enrolled with a one-time code an
administrator hands over), users, role assignments and the end of sessions when roles change."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import record_audit
from hocvuso.territory.models import AdministrativeUnit

from .access import (
    assignments_for_session,
    forget_cached_assignments,
    may_manage_account,
    signs_in_with_second_factor,
)
from .models import EnrolmentCode, LoginFailure, RoleAssignment, SignInCounter, User
from .roles import ORGANISATION_ROLES, Role
from .sessions import ROLE_ASSIGNMENTS, start_session_clock

# How long a one-time sign-in code keeps working after its first use (to choose a password, even after a crash).
ONE_TIME_CODE_GRACE = timedelta(minutes=30)


def _username_key(username: str) -> str:
    return username.strip().lower()[:150]


def login_blocked_until(*, username: str, limit: int | None = None) -> datetime | None:
    """When the username may try again, if it has used up its failed sign-ins in the window; else None.

    Only the username is counted, never the address: people behind one commune office's address are
    never locked out by someone else's mistakes. Attempts being checked at this moment count as failures.
    `limit` (LOGIN_FAILURE_LIMIT by default) is for other keys counted the same way (`_reserve_attempt`).
    """
    limit = limit or settings.LOGIN_FAILURE_LIMIT
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = list(
        LoginFailure.objects.filter(username=_username_key(username), at__gte=timezone.now() - window)
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return recent[-1] + window


class Throttled(DomainError):
    """No attempt left for a key in the window (code "throttled"); `until` is when the next one is allowed."""

    def __init__(self, until: datetime) -> None:
        super().__init__(
            _("Đăng nhập sai quá nhiều lần. Hãy thử lại sau %(time)s.")
            % {"time": timezone.localtime(until).strftime("%H:%M")},
            code="throttled",
        )
        self.until = until


def _reserve_attempt(username: str, ip_address: str | None, *, limit: int | None = None) -> LoginFailure:
    """Count one sign-in attempt against the username before its password or code is checked, and return
    its row (the caller deletes it when the attempt turns out right).

    Counting the failures in the window and recording this attempt happen under the username's row lock
    (on SQLite, write transactions start with the database's write lock), so whatever the concurrency at
    most LOGIN_FAILURE_LIMIT attempts are checked in a window. Raises DomainError (code "throttled") when the
    username has no attempt left — the same answer whether the password would have been right or not.
    `limit` replaces LOGIN_FAILURE_LIMIT for keys that are not usernames (`administration.reserve_guess`).
    """
    key = _username_key(username)
    SignInCounter.objects.get_or_create(username=key)
    with transaction.atomic():
        SignInCounter.objects.select_for_update().get(username=key)
        until = login_blocked_until(username=key, limit=limit)
        if until is not None:
            raise Throttled(until)
        return LoginFailure.objects.create(username=key, ip_address=ip_address)


def _record_failure(username: str) -> None:
    record_audit(actor=None, action="accounts.login_failed", object_type="accounts.user", object_label=username[:150])


def check_credentials(*, username: str, password: str, ip_address: str | None) -> User:
    """The first sign-in step: return the user whose username and password match.

    Raises DomainError (code "throttled") when the username has failed too often in the window, even if
    the password is right (the password is then not checked at all), and DomainError (code "invalid") for
    a wrong username or password, which counts as one failure, and for a one-time sign-in code past its end
    (code "one_time_code_expired", a failure too). A one-time code that matches is spent: from then on it works
    for ONE_TIME_CODE_GRACE more at most, for the user to choose their password.
    """
    attempt = _reserve_attempt(username, ip_address)
    user = authenticate(username=username, password=password)
    if user is None or not isinstance(user, User):
        _record_failure(username)
        raise DomainError(_("Tên đăng nhập hoặc mật khẩu không đúng."), code="invalid")
    if user.temporary_password_until is not None and user.temporary_password_until <= timezone.now():
        _record_failure(username)
        raise DomainError(
            _("Mã đăng nhập một lần đã hết hạn. Hãy xin cán bộ UBND xã cấp mã mới."), code="one_time_code_expired"
        )
    if user.temporary_password_until is not None:
        # A one-time code is spent by its first use: it keeps working only long enough to choose a password.
        spent_at = min(user.temporary_password_until, timezone.now() + ONE_TIME_CODE_GRACE)
        User.objects.filter(pk=user.pk).update(temporary_password_until=spent_at)
        user.temporary_password_until = spent_at
    attempt.delete()
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
    """The second sign-in step for staff: check a 6-digit code from their enrolled authenticator.

    Returns the device; raises DomainError for a wrong or reused code (one failure against the username), when
    the username is throttled (the code is then not checked), and (code "not_enrolled") when the user has no
    authenticator yet: that needs an enrolment code (`check_enrolment_code`, `enrol_authenticator`).
    """
    device = confirmed_totp_device(user=user)
    if device is None:
        raise DomainError(_("Tài khoản chưa có ứng dụng xác thực; hãy nhập mã kích hoạt."), code="not_enrolled")
    attempt = _reserve_attempt(user.get_username(), ip_address)
    if not _token_matches(device, token):
        _record_failure(user.get_username())
        raise DomainError(_("Mã xác thực không đúng hoặc đã hết hạn."), field="token")
    attempt.delete()
    return device


def _token_matches(device: TOTPDevice, token: str) -> bool:
    token = "".join(token.split())
    return token.isdigit() and len(token) == 6 and bool(device.verify_token(token))


# --- Enrolment codes ------------------------------------------------------------------------------------------

# Crockford's base32 without I, L, O, U: nothing to misread when the code is read out or copied from paper.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH = 12  # 60 bits
_CODE_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True)
class IssuedEnrolmentCode:
    """A new enrolment code as the administrator hands it over (`XXXX-XXXX-XXXX`), shown once, never stored."""

    code: EnrolmentCode
    plain_text: str


def _hash_enrolment_code(code: str) -> str:
    return salted_hmac("hocvuso.accounts.EnrolmentCode", code, algorithm="sha256").hexdigest()


def _normalise_enrolment_code(raw: str) -> str:
    return "".join(character for character in raw.upper().translate(_CODE_READ_AS) if character.isalnum())


@transaction.atomic
def issue_enrolment_code(*, user: User, issued_by: User | None) -> IssuedEnrolmentCode:
    """Make a one-time code with which `user` may enrol an authenticator (a new phone too), valid for
    ENROLMENT_CODE_HOURS; an earlier unused code of the user stops working. Returns the code once (only its
    keyed hash is stored) and audits the issue (without the code).

    `issued_by` None is the system: `manage.py issue_enrolment_code`, run by whoever operates the server (the
    first administrator of a new deployment has nobody else to ask). Raises NotFound unless `issued_by` may
    manage the account (`access.may_manage_account`: their own area's staff, never their own account), and
    DomainError for an inactive account.
    """
    if issued_by is not None and not may_manage_account(issued_by, user):
        raise NotFound(_("Không tìm thấy tài khoản."))
    if not user.is_active:
        raise DomainError(_("Tài khoản đã bị khóa."), code="inactive_user")
    plain = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    EnrolmentCode.objects.filter(user=user, used_at__isnull=True).delete()
    code = EnrolmentCode.objects.create(
        user=user,
        code_hash=_hash_enrolment_code(plain),
        issued_by=issued_by,
        expires_at=timezone.now() + timedelta(hours=settings.ENROLMENT_CODE_HOURS),
    )
    record_audit(
        actor=issued_by,
        action="accounts.issue_enrolment_code",
        target=user,
        details={"expires_at": code.expires_at.isoformat()},
    )
    return IssuedEnrolmentCode(code=code, plain_text="-".join(plain[i : i + 4] for i in range(0, _CODE_LENGTH, 4)))


def check_enrolment_code(*, user: User, code: str, ip_address: str | None) -> EnrolmentCode:
    """Check an enrolment code the user typed (dashes, spaces, case and O/0, I/L/1 do not matter) and return it,
    still unused: it is spent by `enrol_authenticator`. A fresh authenticator secret is made for the enrolment.

    Counts like a password: raises DomainError (code "throttled") when the username has no attempt left, and
    DomainError for a wrong, used or expired code (one failure).
    """
    attempt = _reserve_attempt(user.get_username(), ip_address)
    hashed = _hash_enrolment_code(_normalise_enrolment_code(code))
    live = [row for row in EnrolmentCode.objects.filter(user=user, used_at__isnull=True) if row.is_live()]
    match = next((row for row in live if constant_time_compare(row.code_hash, hashed)), None)
    if match is None:
        _record_failure(user.get_username())
        raise DomainError(_("Mã kích hoạt không đúng, đã dùng hoặc đã hết hạn."), field="enrolment_code")
    attempt.delete()
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    pending_totp_device(user=user)
    return match


def enrol_authenticator(*, user: User, enrolment_code_id: int, token: str, ip_address: str | None) -> TOTPDevice:
    """Finish enrolling: check the first 6-digit code of the new authenticator and spend the enrolment code (the
    one `check_enrolment_code` accepted), in one transaction; the user's earlier authenticators stop working.
    Returns the confirmed device.

    Raises DomainError for a wrong code (one failure against the username), when the username is throttled,
    and (code "enrolment_code_spent") when the enrolment code was used, replaced or expired meanwhile.
    """
    attempt = _reserve_attempt(user.get_username(), ip_address)
    device = pending_totp_device(user=user)
    if not _token_matches(device, token):
        _record_failure(user.get_username())
        raise DomainError(_("Mã xác thực không đúng hoặc đã hết hạn."), field="token")
    attempt.delete()
    now = timezone.now()
    with transaction.atomic():
        spent = EnrolmentCode.objects.filter(
            pk=enrolment_code_id, user=user, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if spent != 1:
            raise DomainError(
                _("Mã kích hoạt đã được dùng hoặc đã hết hạn. Hãy xin mã mới."), code="enrolment_code_spent"
            )
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_audit(actor=user, action="accounts.totp_enrolled", target=user)
    return device


def complete_sign_in(request: HttpRequest, user: User, *, method: str, second_factor_verified: bool) -> None:
    """Sign the user in — the one way every sign-in path ends (the product's sign-in page, which the admin
    site's login also goes through, and OpenID Connect).

    Refuses, signing nobody in, an inactive user and a user who must sign in with a second factor
    (`access.signs_in_with_second_factor`) when the path did not verify one (DomainError, code
    "second_factor_required"). Otherwise: a new session key (Django's `login`), the verified authenticator (if
    the user has one) recorded in the session for django-otp, the session clock (12 h absolute; 30 min idle for
    staff) with the method and whether a second factor was verified — what makes the session count as verified
    (`sessions.session_passed_second_factor`), with or without a TOTP device —, a copy of the role assignments
    of a user who holds no staff role (`access.assignments_for_session`),
    the username's failed attempts cleared, and "accounts.login" in the audit log with the method.
    `method` names the path ("password", "password+totp", "vneid", …).
    """
    if not user.is_active:
        raise DomainError(_("Tài khoản đã bị khóa."), code="inactive_user")
    if signs_in_with_second_factor(user) and not second_factor_verified:
        raise DomainError(_("Tài khoản cán bộ cần xác thực hai bước."), code="second_factor_required")
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    device = confirmed_totp_device(user=user) if second_factor_verified else None
    if device is not None:
        otp_login(request, device)
    start_session_clock(
        request, is_staff=signs_in_with_second_factor(user), second_factor=second_factor_verified, method=method
    )
    role_copy = assignments_for_session(user)
    if role_copy is not None:
        request.session[ROLE_ASSIGNMENTS] = role_copy
    LoginFailure.objects.filter(username=_username_key(user.get_username())).delete()
    record_audit(
        actor=user,
        action="accounts.login",
        target=user,
        details={"method": method, "second_factor": second_factor_verified},
    )


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
    end_sessions_of(user)
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


@transaction.atomic
def end_role(*, assignment: RoleAssignment, valid_to: date, ended_by: Any) -> RoleAssignment:
    """End a role assignment on a day (inclusive) and return it; the user's sessions and API
    tokens end at once (`end_sessions_of`).

    Raises DomainError when the assignment has already ended by then, or the day is before it started.
    """
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.valid_to is not None and assignment.valid_to <= valid_to:
        raise DomainError(_("Vai trò này đã kết thúc."), code="role_ended")
    if valid_to < assignment.valid_from:
        raise DomainError(_("Ngày kết thúc phải sau ngày bắt đầu."), field="valid_to")
    assignment.valid_to = valid_to
    assignment.save(update_fields=["valid_to"])
    end_sessions_of(assignment.user)
    record_audit(
        actor=ended_by,
        action="accounts.end_role",
        target=assignment.user,
        details={"role": assignment.role, "assignment": assignment.pk, "valid_to": valid_to.isoformat()},
    )
    return assignment


def end_sessions_of(user: User) -> None:
    """End every session and API token of the user (the one they are using now too) by raising their
    `session_epoch`: called whenever what the user may do changes, so new powers need a new sign-in — with
    the second factor, for staff — and lost powers are not kept by an open session."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    forget_cached_assignments(user)
