"""Revocation and suspension (Bitstring Status List v1.0) and the signed status list credentials served publicly."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import require_certificate_action
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import record_audit

from .documents import status_list_document, verification_method_id
from .issuance import xsd_datetime
from .keys import active_key
from .models import Certificate, CertificateStatus, StatusList, StatusPurpose
from .signing import add_proof

# status → (revocation bit, suspension bit)
_BITS = {
    CertificateStatus.VALID: (False, False),
    CertificateStatus.SUSPENDED: (False, True),
    CertificateStatus.REVOKED: (True, False),
}


def _set_bit(status_list: StatusList, index: int, value: bool) -> bool:
    bits = bytearray(bytes(status_list.bits))
    mask = 0x80 >> (index % 8)
    before = bool(bits[index // 8] & mask)
    if before == value:
        return False
    bits[index // 8] = bits[index // 8] | mask if value else bits[index // 8] & ~mask
    status_list.bits = bytes(bits)
    status_list.version += 1
    status_list.save(update_fields=["bits", "version"])
    return True


def change_certificate_status(*, certificate: Certificate, status: str, reason: str, actor: Any) -> Certificate:
    """Revoke, suspend or reinstate a certificate: sets its bits in the revocation and suspension lists (under a
    row lock on both lists) and writes an audit entry. Only the province administrator may
    (`access.require_certificate_action`). A revoked certificate stays revoked (a revocation is final, as the
    Bitstring Status List specification expects); suspending or reinstating it raises DomainError. A reason is
    required. Returns the certificate."""
    require_certificate_action(actor, certificate)
    if status not in _BITS:
        raise DomainError(_("Trạng thái không hợp lệ."), field="status", code="bad_status")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Hãy ghi lý do."), field="reason", code="reason_required")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status == CertificateStatus.REVOKED:
            raise DomainError(_("Chứng nhận đã bị thu hồi; không thể thay đổi."), code="revoked_final")
        if locked.status == status:
            return locked
        revoked, suspended = _BITS[CertificateStatus(status)]
        lists = {
            row.purpose: row for row in StatusList.objects.select_for_update().filter(number=locked.status_list_number)
        }
        _set_bit(lists[StatusPurpose.REVOCATION], locked.status_index, revoked)
        _set_bit(lists[StatusPurpose.SUSPENSION], locked.status_index, suspended)
        previous = locked.status
        locked.status = status
        locked.status_reason = reason[:300]
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
        record_audit(
            actor=actor,
            action=f"credentials.status_{status}",
            target=locked,
            details={"from": previous, "to": status, "reason": reason[:300]},
        )
    return locked


def signed_status_list(*, purpose: str, number: int) -> dict[str, Any]:
    """The signed BitstringStatusListCredential of one list, re-signed only when a bit changed since it was last
    signed. Raises NotFound for a list that does not exist."""
    row = StatusList.objects.filter(purpose=purpose, number=number).only("signed_version", "version",
                                                                        "signed_credential").first()  # fmt: skip
    if row is None:
        raise NotFound()
    if row.signed_version == row.version and row.signed_credential:
        return dict(row.signed_credential)
    with transaction.atomic():
        row = StatusList.objects.select_for_update().get(pk=row.pk)
        if row.signed_version != row.version or not row.signed_credential:
            key, seed = active_key()
            now = xsd_datetime(timezone.now())
            document = status_list_document(purpose=purpose, number=number, bits=bytes(row.bits), valid_from=now)
            row.signed_credential = add_proof(
                document, seed=seed, verification_method=verification_method_id(key.key_id), created=now
            )
            row.signed_version = row.version
            row.save(update_fields=["signed_credential", "signed_version"])
    return dict(row.signed_credential or {})
