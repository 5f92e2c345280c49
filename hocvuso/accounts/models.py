from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import EffectiveDated, InForceQuerySet

from .roles import Role


class User(AbstractUser):
    """Tài khoản — a person who signs in: a resident (learner) or a member of staff. What they may do comes
    from their role assignments, never from Django's is_staff flag (which only opens the admin site)."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    preferred_language = models.CharField(_("ngôn ngữ"), max_length=8, blank=True)
    # Raised by every change of what the user may do (roles, admin flags): sessions and API tokens made before
    # carry the old number and stop working (see `_get_session_auth_hash` and the API's token check).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # Set while the password is a one-time sign-in code (a reset by an officer, a class's sign-in card): the code
    # signs in until then, once, and the user must choose their own password before doing anything else.
    temporary_password_until = models.DateTimeField(null=True, blank=True, editable=False)
    # A self-registration's likely registry record (same name, birth date and phone), never linked by itself: an
    # officer of the resident's commune confirms the link (nobody gets a registry record by knowing these facts).
    registry_candidate = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def must_set_password(self) -> bool:
        """True while the password is a one-time sign-in code that must be replaced."""
        return self.temporary_password_until is not None

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """What each session stores at sign-in and Django compares on every request (it ends the session when
        they differ): Django's hash of the password, here also of `session_epoch`, so that a change of roles
        ends every session of the user exactly as a change of password does."""
        key_salt = "hocvuso.accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}|{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()


class RoleAssignmentQuerySet(InForceQuerySet["RoleAssignment"]):
    """Role assignments; `.in_force(day)` are those that count that day."""


class RoleAssignment(EffectiveDated, models.Model):
    """Phân công vai trò — a user holds a role over a unit subtree or an organisation, for a period."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        "territory.AdministrativeUnit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("cơ quan, tổ chức"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    valid_from = models.DateField(_("hiệu lực từ"), default=timezone.localdate)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công vai trò")
        verbose_name_plural = _("phân công vai trò")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(organisation__isnull=True), name="assignment_one_scope"
            ),
            models.CheckConstraint(
                condition=Q(role="learner") | Q(unit__isnull=False) | Q(organisation__isnull=False),
                name="assignment_staff_roles_have_scope",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="assignment_valid_to_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class SignInCounter(models.Model):
    """One row per username that has tried to sign in. Its row lock makes "count the recent failures, then
    record this attempt" one step, so parallel attempts for a username are counted one after the other."""

    username = models.CharField(max_length=150, unique=True)

    def __str__(self) -> str:
        return self.username


class LoginFailure(models.Model):
    """One failed sign-in for a username (password or second factor); throttling counts these. An attempt is
    recorded here before its password or code is checked, and removed again when it turns out right."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["username", "at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class EnrolmentCode(models.Model):
    """Mã kích hoạt — a one-time code an administrator hands a member of staff so they can enrol an
    authenticator: the password alone never enrols one. Only a keyed hash of the code is stored; the code is
    shown once, to the administrator who issued it. Single use, and it expires."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã kích hoạt xác thực")
        verbose_name_plural = _("mã kích hoạt xác thực")
        indexes = [models.Index(fields=["user", "used_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"

    def is_live(self, now: datetime | None = None) -> bool:
        """Not used yet and not expired."""
        return self.used_at is None and self.expires_at > (now or timezone.now())
