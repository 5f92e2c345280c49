"""Digital-identity evidence from the field: facts seen at a home visit (or any other source) that raise what the
registry knows, and never replace a fact from a stronger source.

`people.services.record_digital_identity` is an officer's correction: it sets what the officer says. This service is
for evidence that arrives on its own (a visit, later other feeds): it only raises a VNeID level or records an
account, and only over a fact of the same or a weaker source (`EVIDENCE_STRENGTH`). Every piece of evidence is kept
in the audit log with what it changed and what it left as it was, so the history of a person's identity facts,
the kept ones included, can be read back.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import can
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import audit_entry, record_audit, record_audits

from .models import EVIDENCE_STRENGTH, DigitalIdentity, EvidenceSource, Resident, VneidLevel


@dataclass(frozen=True)
class EvidenceResult:
    """What the evidence did: whether the VNeID level and the bank account were changed."""

    vneid_changed: bool
    bank_changed: bool


def _outranks(new_source: str, recorded_source: str) -> bool:
    """Whether a fact from `new_source` may replace one recorded from `recorded_source` (none recorded: yes)."""
    if not recorded_source:
        return True
    return EVIDENCE_STRENGTH[new_source] >= EVIDENCE_STRENGTH[recorded_source]


def record_identity_evidence(
    *,
    resident: Resident,
    source: str,
    on: datetime.date,
    actor: Any,
    vneid_level_at_least: int | None = None,
    has_bank_account: bool = False,
    reference: str = "",
) -> EvidenceResult:
    """Record that the resident was seen, on a day and by a source, with at least a VNeID level and/or a digital
    bank account. The level rises only (evidence of level 1 never lowers a recorded level 2) and only over a level
    recorded from the same or a weaker source; an account is recorded when none is. `reference` names where the
    evidence comes from (a visit's id) in the audit entry, which keeps every piece of evidence, applied or not.

    Allowed for the system (None) and for staff who may manage people or record visits where the resident lives.
    Returns what changed. Raises NotFound outside scope, DomainError for an unknown source or level, or a day in
    the future."""
    if source not in EvidenceSource.values:
        raise DomainError(_("Nguồn thông tin không hợp lệ."), field="source", code="source_invalid")
    if vneid_level_at_least is not None and vneid_level_at_least not in VneidLevel.values:
        raise DomainError(_("Mức VNeID phải là 0, 1 hoặc 2."), field="vneid_level", code="level_invalid")
    if on > timezone.localdate():
        raise DomainError(_("Ngày ghi nhận ở tương lai."), field="on", code="date_future")
    if actor is not None and not (
        can(actor, Permission.MANAGE_PEOPLE, resident) or can(actor, Permission.RECORD_VISIT, resident)
    ):
        raise NotFound(_("Không tìm thấy người dân."))
    with transaction.atomic():
        identity, _created = DigitalIdentity.objects.select_for_update().get_or_create(resident=resident)
        details, vneid_changed, bank_changed = _apply_evidence(
            identity, source, on, vneid_level_at_least, has_bank_account, reference
        )
        if vneid_changed or bank_changed or _created:
            identity.save()
        record_audit(actor=actor, action="people.record_identity_evidence", target=resident, details=details)
    return EvidenceResult(vneid_changed=vneid_changed, bank_changed=bank_changed)


def _apply_evidence(
    identity: DigitalIdentity,
    source: str,
    on: datetime.date,
    vneid_level_at_least: int | None,
    has_bank_account: bool,
    reference: str,
) -> tuple[dict[str, Any], bool, bool]:
    """Raise the identity's facts by the evidence (the rules of the module's docstring); the audit details and
    whether the level and the account changed."""
    details: dict[str, Any] = {"source": source, "on": on.isoformat(), "reference": reference}
    vneid_changed = bank_changed = False
    if vneid_level_at_least:
        details["vneid_level"] = {"from": identity.vneid_level, "seen": vneid_level_at_least}
        if vneid_level_at_least > identity.vneid_level and _outranks(source, identity.vneid_source):
            identity.vneid_level = vneid_level_at_least
            identity.vneid_source = source
            identity.vneid_recorded_on = on
            vneid_changed = True
        details["vneid_level"]["applied"] = vneid_changed
    if has_bank_account:
        details["has_bank_account"] = {"from": identity.has_bank_account, "seen": True}
        if not identity.has_bank_account and _outranks(source, identity.bank_source):
            identity.has_bank_account = True
            identity.bank_source = source
            identity.bank_recorded_on = on
            bank_changed = True
        details["has_bank_account"]["applied"] = bank_changed
    return details, vneid_changed, bank_changed


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence for `record_identity_evidence_many`."""

    resident: Resident
    source: str
    on: datetime.date
    vneid_level_at_least: int | None = None
    has_bank_account: bool = False
    reference: str = ""


def record_identity_evidence_many(items: list[Evidence], *, actor: Any) -> list[EvidenceResult]:
    """`record_identity_evidence` for many pieces at once (a batch of visits), in the order given, with the same
    checks and rules and an audit entry each, in a few statements: the identities locked at once (in resident
    order), the missing ones made, the changed ones saved together. Raises what the single one raises, before
    anything is written. Call it in a transaction."""
    for item in items:
        if item.source not in EvidenceSource.values:
            raise DomainError(_("Nguồn thông tin không hợp lệ."), field="source", code="source_invalid")
        if item.vneid_level_at_least is not None and item.vneid_level_at_least not in VneidLevel.values:
            raise DomainError(_("Mức VNeID phải là 0, 1 hoặc 2."), field="vneid_level", code="level_invalid")
        if item.on > timezone.localdate():
            raise DomainError(_("Ngày ghi nhận ở tương lai."), field="on", code="date_future")
        if actor is not None and not (
            can(actor, Permission.MANAGE_PEOPLE, item.resident) or can(actor, Permission.RECORD_VISIT, item.resident)
        ):
            raise NotFound(_("Không tìm thấy người dân."))
    if not items:
        return []
    ids = sorted({item.resident.pk for item in items})
    DigitalIdentity.objects.bulk_create([DigitalIdentity(resident_id=pk) for pk in ids], ignore_conflicts=True)
    identities = {
        identity.resident_id: identity
        for identity in DigitalIdentity.objects.select_for_update().filter(resident_id__in=ids).order_by("resident_id")
    }
    changed: dict[int, DigitalIdentity] = {}
    results, entries = [], []
    for item in items:
        identity = identities[item.resident.pk]
        details, vneid_changed, bank_changed = _apply_evidence(
            identity, item.source, item.on, item.vneid_level_at_least, item.has_bank_account, item.reference
        )
        if vneid_changed or bank_changed:
            identity.updated_at = timezone.now()  # bulk_update does not touch auto_now fields
            changed[identity.pk] = identity
        results.append(EvidenceResult(vneid_changed=vneid_changed, bank_changed=bank_changed))
        entries.append(
            audit_entry(actor=actor, action="people.record_identity_evidence", target=item.resident, details=details)
        )
    if changed:
        DigitalIdentity.objects.bulk_update(
            list(changed.values()),
            [
                "vneid_level",
                "vneid_source",
                "vneid_recorded_on",
                "has_bank_account",
                "bank_source",
                "bank_recorded_on",
                "updated_at",
            ],
        )
    record_audits(entries)
    return results
