"""The province's signing keys: create and rotate (the private key encrypted at rest), and load the active one."""

import base64
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.core.crypto import decrypt, encrypt
from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit

from .documents import PublishedKey
from .models import SigningKey
from .signing import generate_seed, public_key_of


def rotate_signing_key(*, actor: Any, seed: bytes | None = None) -> SigningKey:
    """Create a new active signing key (a fresh Ed25519 key, or `seed` when an operator brings one) and retire the
    previous active key: it signs nothing more but stays in the DID document, so every certificate it signed
    still verifies. The private key is stored encrypted (FIELD_ENCRYPTION_KEY). Audited. Returns the new key."""
    seed = seed if seed is not None else generate_seed()
    if len(seed) != 32:
        raise DomainError(_("Khóa Ed25519 phải dài đúng 32 byte."), code="bad_key")
    now = timezone.now()
    with transaction.atomic():
        previous = list(SigningKey.objects.select_for_update().filter(is_active=True))
        SigningKey.objects.filter(pk__in=[key.pk for key in previous]).update(is_active=False, retired_at=now)
        number = SigningKey.objects.count() + 1
        key = SigningKey.objects.create(
            key_id=f"key-{number}",
            public_key=public_key_of(seed),
            private_key_encrypted=encrypt(base64.b64encode(seed).decode("ascii")),
            is_active=True,
        )
        record_audit(
            actor=actor,
            action="credentials.rotate_signing_key",
            target=key,
            details={"retired": [old.key_id for old in previous]},
        )
    return key


def mark_key_compromised(*, key_id: str, actor: Any) -> SigningKey:
    """Take a key out of the DID document (its certificates no longer verify; re-issue them) and stop signing with
    it. Audited. Raises DomainError for an unknown key or the only key left active."""
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().filter(key_id=key_id).first()
        if key is None:
            raise DomainError(_("Không có khóa ký «%(key)s».") % {"key": key_id}, code="unknown_key")
        if key.is_active:
            raise DomainError(_("Hãy đổi sang khóa mới trước khi đánh dấu khóa đang dùng là bị lộ."), code="active")
        key.compromised_at = timezone.now()
        key.save(update_fields=["compromised_at", "updated_at"])
        record_audit(actor=actor, action="credentials.key_compromised", target=key)
    return key


def active_key() -> tuple[SigningKey, bytes]:
    """The active signing key and its 32-byte private seed. Raises DomainError when none exists (an operator
    creates the first with `manage.py rotate_signing_key`)."""
    key = SigningKey.objects.filter(is_active=True).first()
    if key is None:
        raise DomainError(_("Chưa có khóa ký chứng nhận: chạy «manage.py rotate_signing_key»."), code="no_signing_key")
    return key, base64.b64decode(decrypt(key.private_key_encrypted))


def published_keys() -> list[PublishedKey]:
    """Every key a verifier may need: active and retired, never compromised ones."""
    rows = SigningKey.objects.filter(compromised_at__isnull=True).order_by("created_at")
    return [PublishedKey(key_id=row.key_id, public_key=bytes(row.public_key)) for row in rows]
