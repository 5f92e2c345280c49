"""Writes of the API app: issuing and revoking a user's API tokens (for devices and integrations)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.models import User
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import record_audit

from .models import ApiToken, hash_token_secret

# A user's usable tokens at one time: enough for their devices and integrations, few enough to review.
MAX_ACTIVE_TOKENS = 20
MAX_LIFETIME = timedelta(days=366)


@dataclass(frozen=True)
class IssuedToken:
    """A new token and the full string the client sends (`prefix.secret`), shown once and never stored."""

    token: ApiToken
    plain_text: str


def issue_api_token(*, user: User, name: str, expires_at: datetime | None = None) -> IssuedToken:
    """Make a named API token acting as `user`, expiring at `expires_at` (None: API_TOKEN_DEFAULT_DAYS from now)
    and audit it. The token stops working when it expires, is revoked, or the user's roles change.

    Returns the token row and the full token string, which exists only in this return value (the database keeps
    a hash of the secret). Raises DomainError when the name is blank or too long, the expiry is not in the
    future or more than a year away, the user is inactive, or the user already has MAX_ACTIVE_TOKENS usable
    tokens.
    """
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Hãy đặt tên cho khóa (ví dụ: tên thiết bị)."), field="name", code="required")
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise DomainError(_("Tên khóa dài tối đa 100 ký tự."), field="name", code="max_length")
    now = timezone.now()
    if expires_at is None:
        expires_at = now + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    else:
        if timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at)
        if expires_at <= now:
            raise DomainError(_("Thời điểm hết hạn phải ở tương lai."), field="expires_at", code="in_past")
        if expires_at > now + MAX_LIFETIME:
            raise DomainError(_("Khóa chỉ có hiệu lực tối đa một năm."), field="expires_at", code="too_far")
    if not user.is_active:
        raise DomainError(_("Tài khoản đã bị khóa."), code="inactive_user")

    with transaction.atomic():
        # Lock the user's row so two requests at once cannot both pass the limit below.
        User.objects.select_for_update().filter(pk=user.pk).first()
        usable = ApiToken.objects.filter(user=user).usable(now).count()
        if usable >= MAX_ACTIVE_TOKENS:
            raise DomainError(
                _("Mỗi tài khoản có tối đa %(limit)d khóa đang dùng; hãy thu hồi khóa không còn cần.")
                % {"limit": MAX_ACTIVE_TOKENS},
                code="too_many_tokens",
            )
        for _attempt in range(5):  # a clash of 32-bit prefixes is rare; try again with a fresh one
            prefix, secret = ApiToken.new_secret()
            try:
                with transaction.atomic():
                    token = ApiToken.objects.create(
                        user=user,
                        name=name,
                        prefix=prefix,
                        secret_hash=hash_token_secret(secret),
                        expires_at=expires_at,
                        user_epoch=user.session_epoch,
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - five clashes in a row do not happen
            raise DomainError(_("Không tạo được khóa, hãy thử lại."), code="retry")
        record_audit(
            actor=user,
            action="api_token.issue",
            target=token,
            details={"name": name, "expires_at": expires_at.isoformat()},
        )
    return IssuedToken(token=token, plain_text=f"{prefix}.{secret}")


def revoke_api_token(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of `user`'s own tokens from now on and audit it; returns the token.

    Revoking a token already revoked changes nothing and writes no second audit entry. Raises NotFound when the
    token does not exist or belongs to someone else (the two are not told apart).
    """
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
        if token is None:
            raise NotFound()
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_audit(actor=user, action="api_token.revoke", target=token, details={"name": token.name})
    return token
