import hashlib
import secrets
from datetime import datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX_LENGTH = 8


def hash_token_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, now: datetime | None = None) -> Self:
        """Tokens neither revoked nor expired, made since their user's roles last changed."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user_epoch=F("user__session_epoch"))


class ApiToken(models.Model):
    """Khóa truy cập API — a named token for a device or an integration, acting as its user. Only a hash
    of the secret is stored; the full token is shown once, when it is made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(max_length=TOKEN_PREFIX_LENGTH, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    # Every token expires: API_TOKEN_DEFAULT_DAYS (90) after it is made unless its maker chose an earlier or a
    # later day (at most a year); docs/OPERATIONS.md says how devices rotate theirs.
    expires_at = models.DateTimeField(_("hết hạn"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The user's `session_epoch` when the token was made: a later change of the user's roles ends the token.
    user_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("khóa truy cập API")
        verbose_name_plural = _("khóa truy cập API")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: datetime | None = None) -> bool:
        """Neither revoked nor expired (at `now`, by default the present), and made since the user's roles last
        changed."""
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.user_epoch == self.user.session_epoch

    @staticmethod
    def new_secret() -> tuple[str, str]:
        """A fresh (prefix, secret) pair; the token the client sends is `prefix.secret`."""
        return secrets.token_hex(TOKEN_PREFIX_LENGTH // 2), secrets.token_urlsafe(32)
