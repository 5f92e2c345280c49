"""Writes of the credentials part (see each module): issuing certificates (`issuance`), revoking and suspending
(`status`), the signing keys (`keys`), the VNeID outbox (`outbox`), and cohorts issued in batches (here)."""

from typing import Any

from hocvuso.accounts.access import require
from hocvuso.accounts.roles import Permission
from hocvuso.learning.models import LiteracyStatus
from hocvuso.territory.models import AdministrativeUnit

from .issuance import issue_certificate, issue_certificates, issue_pending_certificates
from .keys import active_key, mark_key_compromised, published_keys, rotate_signing_key
from .models import Certificate
from .outbox import deliver_certificates, retry_delivery
from .pdf import render_certificate_pdf
from .status import change_certificate_status, signed_status_list


def issue_cohort(*, unit: AdministrativeUnit, actor: Any) -> int:
    """Issue the certificates of a community class's cohort: every resident living in `unit` (a commune or a
    village, and below) confirmed literate and still without a certificate. The actor needs RUN_CLASS on the
    unit (whoever runs the unit's classes). Returns how many were issued; NotFound outside the actor's scope."""
    require(actor, Permission.RUN_CLASS, unit)
    villages = AdministrativeUnit.objects.within(unit).values("pk")
    statuses = LiteracyStatus.objects.filter(resident__village__in=villages)
    return issue_certificates(statuses=statuses, actor=actor)


__all__ = [
    "active_key",
    "certificate_pdf",
    "change_certificate_status",
    "deliver_certificates",
    "issue_certificate",
    "issue_certificates",
    "issue_cohort",
    "issue_pending_certificates",
    "mark_key_compromised",
    "published_keys",
    "retry_delivery",
    "rotate_signing_key",
    "signed_status_list",
]


def certificate_pdf(*, certificate: Certificate) -> bytes:
    """The certificate's printable PDF, rendered on first use and kept (a render is deterministic enough that a
    concurrent second render only overwrites the same content)."""
    if certificate.pdf:
        return bytes(certificate.pdf)
    content = render_certificate_pdf(certificate)
    Certificate.objects.filter(pk=certificate.pk).update(pdf=content)
    certificate.pdf = content
    return content
