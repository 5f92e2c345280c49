"""Reads of the credentials part: what the public verification shows, a holder's certificates, dead letters."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from hocvuso.accounts.access import holds_certificate
from hocvuso.core.errors import NotFound
from hocvuso.learning.models import TargetGroup

from .models import Certificate, DeliveryStatus


def mask_name(full_name: str) -> str:
    """The name as the public page shows it: the family name, then each other word's initial ("Nguyễn T. Đ.")."""
    words = full_name.split()
    if not words:
        return ""
    return " ".join([words[0], *(word[0] + "." for word in words[1:])])


@dataclass(frozen=True)
class PublicVerification:
    """What anyone may learn about a certificate: no national ID, the name masked."""

    certificate_id: str
    status: str
    status_label: str
    masked_name: str
    achievement: str
    group_label: str
    competences: list[str]
    level: str
    issued_at: datetime
    issuer: str
    status_changed_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.certificate_id,
            "status": self.status,
            "holder": self.masked_name,
            "achievement": self.achievement,
            "group": self.group_label,
            "competences": self.competences,
            "level": self.level,
            "issuedAt": self.issued_at.isoformat(),
            "issuer": self.issuer,
            "statusChangedAt": self.status_changed_at.isoformat() if self.status_changed_at else None,
        }


def public_verification(certificate_id: uuid.UUID | str) -> PublicVerification:
    """What the verification page shows about a certificate (one query). Raises NotFound."""
    row = (
        Certificate.objects.filter(pk=certificate_id)
        .only("id", "status", "holder_name", "group", "issued_at", "status_changed_at", "credential")
        .first()
    )
    if row is None:
        raise NotFound()
    subject = row.credential.get("credentialSubject", {})
    achievement = subject.get("achievement", {})
    level = (subject.get("result") or [{}])[0].get("achievedLevel", "").rsplit("#bac-", 1)[-1]
    return PublicVerification(
        certificate_id=str(row.pk),
        status=row.status,
        status_label=str(row.get_status_display()),
        masked_name=mask_name(row.holder_name),
        achievement=str(achievement.get("name", "")),
        group_label=str(TargetGroup(row.group).label) if row.group in TargetGroup.values else row.group,
        competences=[str(item.get("targetName", "")) for item in achievement.get("alignment", [])],
        level=level,
        issued_at=row.issued_at,
        issuer=str(row.credential.get("issuer", {}).get("name", "")),
        status_changed_at=row.status_changed_at,
    )


def certificates_of(user: Any) -> QuerySet[Certificate]:
    """The signed-in user's own certificates, newest first."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    return Certificate.objects.filter(user=user).defer("pdf").order_by("-issued_at")


def certificate_for_holder(user: Any, certificate_id: uuid.UUID | str) -> Certificate:
    """One of the user's own certificates. Raises NotFound for another's or a missing one."""
    row = Certificate.objects.filter(pk=certificate_id).first()
    if row is None or not holds_certificate(user, row):
        raise NotFound()
    return row


def dead_letters() -> QuerySet[Certificate]:
    """Certificates the national endpoint did not take after every retry (the staff's dead-letter list)."""
    return Certificate.objects.filter(delivery_status=DeliveryStatus.DEAD).defer("pdf", "credential")
