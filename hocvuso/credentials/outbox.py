"""The outbox to the national confirmation endpoint (VNeID): each certificate of a resident with a national ID is
POSTed once as JSON to VNEID_CONFIRMATION_URL with `Idempotency-Key: <certificate id>` (a resend after a lost
answer is recognised by the receiver), with exponential back-off on failure up to VNEID_MAX_ATTEMPTS, after which
the certificate is set aside as a dead letter for staff (`retry_delivery` puts it back).

What is sent: the national ID in clear (the national platform writes the confirmation into the person's VNeID
record, which is keyed by it; the connection is HTTPS to a state endpoint), the name, the group, the issuance
time, the verification URL and the signed credential. Nothing of it goes into logs or into `delivery_error`.

Rows are claimed with a lease (`next_delivery_at` moved past the request's timeout) under `SELECT … FOR UPDATE
SKIP LOCKED` on PostgreSQL, then sent outside any transaction, so several workers share the queue and none holds
a lock while waiting on the network. Run by Celery beat ("deliver-certificates"), after each issuance
(`schedule_delivery`: at once, in-process, when there is no Redis), or `manage.py deliver_certificates`.
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import require_certificate_action
from hocvuso.core.crypto import decrypt
from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit

from .documents import verification_url
from .models import Certificate, DeliveryStatus

BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 3600


def backoff_delay(attempts: int) -> timedelta:
    """How long to wait after `attempts` failed sends: 1, 2, 4 … minutes, at most 6 hours."""
    return timedelta(seconds=min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(min(attempts - 1, 20), 0)))


class _Permanent(Exception):
    """The endpoint refused the certificate for good (a 4xx other than 408, 409 and 429)."""


class _Transient(Exception):
    """Unreachable, timed out, 5xx, 408 or 429: try again later."""


def payload(certificate: Certificate) -> dict[str, Any]:
    resident = certificate.resident
    national_id = decrypt(resident.national_id_ciphertext) if resident and resident.national_id_ciphertext else ""
    return {
        "certificateId": str(certificate.pk),
        "nationalId": national_id,
        "fullName": certificate.holder_name,
        "group": certificate.group,
        "issuedAt": certificate.credential.get("validFrom", ""),
        "verificationUrl": verification_url(certificate.pk),
        "credential": certificate.credential,
    }


def _post(certificate: Certificate) -> str:
    """Send one certificate; returns the receiver's reference (may be empty). Raises _Permanent or _Transient
    with a short message that holds no personal data."""
    body = json.dumps(payload(certificate), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
        settings.VNEID_CONFIRMATION_URL,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": str(certificate.pk),
                 "Accept": "application/json"},
    )  # fmt: skip
    if settings.VNEID_CONFIRMATION_TOKEN:
        request.add_header("Authorization", f"Bearer {settings.VNEID_CONFIRMATION_TOKEN}")
    try:
        with urllib.request.urlopen(request, timeout=settings.VNEID_CONFIRMATION_TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(65536)
    except urllib.error.HTTPError as error:
        if error.code == 409:  # already received under this idempotency key
            return ""
        if error.code in (408, 429) or error.code >= 500:
            raise _Transient(f"HTTP {error.code}") from None
        raise _Permanent(f"HTTP {error.code}") from None
    except TimeoutError:
        raise _Transient("timeout") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise _Transient(f"unreachable: {type(reason).__name__}") from None
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return ""
    return str(answer.get("reference", ""))[:100] if isinstance(answer, dict) else ""


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    dead: int = 0


def _claim(batch_size: int) -> list[Certificate]:
    now = timezone.now()
    lease = now + timedelta(seconds=settings.VNEID_CONFIRMATION_TIMEOUT_SECONDS * 3 + 30)
    with transaction.atomic():
        due = Certificate.objects.due_for_delivery(now).order_by("next_delivery_at")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        rows = list(due.select_related("resident")[:batch_size])
        Certificate.objects.filter(pk__in=[row.pk for row in rows]).update(next_delivery_at=lease)
    return rows


def deliver_certificates(*, batch_size: int | None = None, max_batches: int = 20) -> DeliveryReport:
    """Send the due certificates to the configured endpoint; returns the counts. Without VNEID_CONFIRMATION_URL it
    does nothing (certificates wait). A certificate whose holder has no national ID in the registry is marked
    "not sent" (there is nothing the national platform could attach it to)."""
    report = DeliveryReport()
    if not settings.VNEID_CONFIRMATION_URL:
        return report
    batch_size = batch_size or settings.VNEID_BATCH_SIZE
    for _batch in range(max_batches):
        rows = _claim(batch_size)
        if not rows:
            break
        for certificate in rows:
            _deliver_one(certificate, report)
    return report


def _deliver_one(certificate: Certificate, report: DeliveryReport) -> None:
    now = timezone.now()
    resident = certificate.resident
    if resident is None or not resident.national_id_ciphertext:
        Certificate.objects.filter(pk=certificate.pk).update(delivery_status=DeliveryStatus.NOT_SENT,
                                                             next_delivery_at=None)  # fmt: skip
        return
    attempts = certificate.delivery_attempts + 1
    try:
        reference = _post(certificate)
    except _Transient as error:
        dead = attempts >= settings.VNEID_MAX_ATTEMPTS
        Certificate.objects.filter(pk=certificate.pk).update(
            delivery_status=DeliveryStatus.DEAD if dead else DeliveryStatus.RETRYING,
            delivery_attempts=attempts,
            delivery_error=str(error)[:300],
            next_delivery_at=None if dead else now + backoff_delay(attempts),
        )
        if dead:
            report.dead += 1
        else:
            report.retrying += 1
        return
    except _Permanent as error:
        Certificate.objects.filter(pk=certificate.pk).update(
            delivery_status=DeliveryStatus.DEAD, delivery_attempts=attempts, delivery_error=str(error)[:300],
            next_delivery_at=None,
        )  # fmt: skip
        report.dead += 1
        return
    Certificate.objects.filter(pk=certificate.pk).update(
        delivery_status=DeliveryStatus.DELIVERED, delivery_attempts=attempts, delivered_at=now,
        delivery_reference=reference, delivery_error="", next_delivery_at=None,
    )  # fmt: skip
    report.delivered += 1


def retry_delivery(*, certificate: Certificate, actor: Any) -> Certificate:
    """Put a dead letter back in the outbox (after the cause was fixed): attempts start again. The province
    administrator only (`access.require_certificate_action`). Audited. DomainError for a certificate that is not
    a dead letter."""
    require_certificate_action(actor, certificate)
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.delivery_status != DeliveryStatus.DEAD:
            raise DomainError(_("Chứng nhận này không nằm trong danh sách gửi lỗi."), code="not_dead")
        locked.delivery_status = DeliveryStatus.WAITING
        locked.delivery_attempts = 0
        locked.next_delivery_at = timezone.now()
        locked.save(update_fields=["delivery_status", "delivery_attempts", "next_delivery_at", "updated_at"])
        record_audit(actor=actor, action="credentials.retry_delivery", target=locked,
                     details={"last_error": locked.delivery_error})  # fmt: skip
    transaction.on_commit(schedule_delivery, robust=True)
    return locked


def schedule_delivery() -> None:
    """Start a delivery task (after an issuance's commit): with a worker, in the background; without Redis (the
    embedded default, tasks eager) at once, in this process. Nothing when no endpoint is configured."""
    if not settings.VNEID_CONFIRMATION_URL:
        return
    from .tasks import deliver_certificates as task  # the task module imports this one

    task.delay()
