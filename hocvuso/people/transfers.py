"""Transfer requests: bringing a resident registered elsewhere into an officer's area, with the consent of the
area they are in now.

An officer may not move, attach or look up a resident outside their area (the roster import refuses such rows
and points here). Instead the officer of the destination — a commune officer for a village of their commune, or
an officer of an organisation for a membership — requests a transfer with the resident's full national ID and a
reason; the officer of the commune where the resident lives now, or the province, approves or rejects it.

The requester learns nothing about the person before approval: `request_transfer` makes the request whether or
not the ID is in the registry, and answers the same way (no name, no village, no "not found"), so it is not an
oracle of who exists. Approval moves the resident (`correct_resident`) or adds the membership (`add_membership`).
Every service runs in one transaction and writes the audit log; access comes from hocvuso.accounts.access.
"""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import can, units_visible_to
from hocvuso.accounts.roles import Permission
from hocvuso.core.crypto import lookup_hash
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import record_audit
from hocvuso.territory.models import AdministrativeUnit, Level

from .models import Household, MembershipKind, Organisation, Resident
from .national_id import normalise_national_id
from .services import add_membership, correct_resident
from .transfer_models import TransferKind, TransferRequest, TransferState

MAX_TEXT = 1000


def _clean_text(value: str, *, field: str, required: bool, limit: int) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise DomainError(_("Hãy điền mục này."), field=field, code="required")
    if len(text) > limit:
        raise DomainError(_("Tối đa %(limit)d ký tự.") % {"limit": limit}, field=field, code="max_length")
    return text


def request_transfer(
    *,
    requested_by: Any,
    national_id: str,
    claimed_name: str,
    reason: str,
    to_village: AdministrativeUnit | None = None,
    organisation: Organisation | None = None,
    membership_kind: str = "",
    membership_from: datetime.date | None = None,
) -> TransferRequest:
    """Ask to move the resident with this national ID into `to_village`, or to make them a member (`membership_kind`,
    from `membership_from`, today by default) of `organisation`, and return the request.

    The requester needs MANAGE_PEOPLE over the village or the organisation (else NotFound). The request is made
    — and the answer is the same — whether the ID is in the registry or not; sending the same request again
    while it is pending returns the pending one. Raises DomainError for a malformed ID (12 digits), a missing
    name or reason, a target that is not one village or one organisation with a membership kind.
    """
    if (to_village is None) == (organisation is None):
        raise DomainError(_("Hãy chọn một thôn, tổ dân phố hoặc một cơ quan, tổ chức."), code="no_target")
    if to_village is not None:
        if to_village.level != Level.VILLAGE:
            raise DomainError(_("Nơi chuyển đến phải là một thôn, tổ dân phố."), field="to_village")
        if not can(requested_by, Permission.MANAGE_PEOPLE, to_village):
            raise NotFound(_("Không tìm thấy thôn, tổ dân phố."))
        kind, target_key = TransferKind.MOVE, f"village:{to_village.pk}"
        membership_kind, membership_from = "", None
    else:
        assert organisation is not None
        if membership_kind not in MembershipKind.values:
            raise DomainError(_("Hãy chọn nhóm thành viên."), field="membership_kind", code="kind_invalid")
        if not can(requested_by, Permission.MANAGE_PEOPLE, organisation):
            raise NotFound(_("Không tìm thấy cơ quan, tổ chức."))
        kind, target_key = TransferKind.MEMBERSHIP, f"organisation:{organisation.pk}:{membership_kind}"
        membership_from = membership_from or timezone.localdate()
    number = normalise_national_id(national_id)
    name = _clean_text(claimed_name, field="claimed_name", required=True, limit=150)
    why = _clean_text(reason, field="reason", required=True, limit=MAX_TEXT)
    hashed = lookup_hash(number)
    resident = Resident.objects.filter(national_id_hash=hashed).only("pk", "village_id").first()
    pending = TransferRequest.objects.filter(
        requested_by=requested_by, national_id_hash=hashed, target_key=target_key, state=TransferState.PENDING
    )
    try:
        with transaction.atomic():
            transfer = TransferRequest.objects.create(
                kind=kind,
                requested_by=requested_by,
                national_id_hash=hashed,
                national_id_last3=number[-3:],
                claimed_name=name,
                resident=resident,
                from_village_id=resident.village_id if resident else None,
                to_village=to_village,
                organisation=organisation,
                membership_kind=membership_kind,
                membership_from=membership_from,
                reason=why,
                target_key=target_key,
            )
            record_audit(
                actor=requested_by,
                action="people.request_transfer",
                target=transfer,
                details={"kind": kind, "target": target_key},
            )
    except IntegrityError:  # the same request, pending already (a double click): that one
        existing = pending.first()
        if existing is None:
            raise
        return existing
    return transfer


def may_decide_transfer(user: Any, transfer: TransferRequest) -> bool:
    """True when the user may approve or reject the request: MANAGE_PEOPLE over the village where the resident
    lives now — their commune's officers, the province — never through an organisation."""
    resident = Resident.objects.select_related("village").filter(pk=transfer.resident_id or 0).first()
    return resident is not None and can(user, Permission.MANAGE_PEOPLE, resident)


def _pending_for_decision(transfer: TransferRequest, user: Any) -> tuple[TransferRequest, Resident]:
    """The request and its resident, both locked, if the user may decide it (checked against where the resident
    lives now) and it is pending; else NotFound or DomainError (already decided)."""
    transfer = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
    resident = Resident.objects.select_for_update().filter(pk=transfer.resident_id or 0).first()
    if resident is None or not can(user, Permission.MANAGE_PEOPLE, resident):
        raise NotFound(_("Không tìm thấy yêu cầu."))
    if transfer.state != TransferState.PENDING:
        raise DomainError(_("Yêu cầu này đã được xử lý."), code="already_decided")
    return transfer, resident


def _decide(transfer: TransferRequest, *, state: str, decided_by: Any, note: str) -> None:
    transfer.state = state
    transfer.decided_by = decided_by
    transfer.decided_at = timezone.now()
    transfer.decision_note = note
    transfer.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "updated_at"])


@transaction.atomic
def approve_transfer(*, transfer: TransferRequest, decided_by: Any, note: str = "") -> TransferRequest:
    """Approve a pending request and carry it out: the resident moves to the requested village (leaving their
    household, and its headship) or becomes a member of the organisation. Returns the request.

    Only someone who may decide it (`may_decide_transfer`) may approve (else NotFound, as for a request that does
    not exist). Raises DomainError when it was decided already, or the change itself is refused (for instance an
    open membership of that kind exists): then nothing changes.
    """
    note = _clean_text(note, field="note", required=False, limit=MAX_TEXT)
    transfer, resident = _pending_for_decision(transfer, decided_by)
    details: dict[str, Any] = {"kind": transfer.kind, "resident": resident.pk}
    if transfer.kind == TransferKind.MOVE:
        assert transfer.to_village is not None
        details["from"], details["to"] = resident.village.code, transfer.to_village.code
        Household.objects.filter(head=resident).exclude(village=transfer.to_village).update(head=None)
        # the approver's scope was checked above; the destination is the requester's, checked when they asked
        correct_resident(resident=resident, changes={"village": transfer.to_village, "household": None}, actor=None)
    else:
        assert transfer.organisation is not None
        details["organisation"], details["membership_kind"] = transfer.organisation.code, transfer.membership_kind
        add_membership(
            resident=resident,
            organisation=transfer.organisation,
            kind=transfer.membership_kind,
            valid_from=transfer.membership_from or timezone.localdate(),
            actor=None,
        )
    _decide(transfer, state=TransferState.APPROVED, decided_by=decided_by, note=note)
    record_audit(actor=decided_by, action="people.approve_transfer", target=transfer, details=details)
    return transfer


@transaction.atomic
def reject_transfer(*, transfer: TransferRequest, decided_by: Any, note: str = "") -> TransferRequest:
    """Reject a pending request (with an optional note for the requester) and return it. NotFound and DomainError
    as for `approve_transfer`; nothing else changes."""
    note = _clean_text(note, field="note", required=False, limit=MAX_TEXT)
    transfer, _resident = _pending_for_decision(transfer, decided_by)
    _decide(transfer, state=TransferState.REJECTED, decided_by=decided_by, note=note)
    record_audit(actor=decided_by, action="people.reject_transfer", target=transfer)
    return transfer


@transaction.atomic
def cancel_transfer(*, transfer: TransferRequest, cancelled_by: Any) -> TransferRequest:
    """The requester withdraws their pending request; returns it. Raises NotFound for anyone else's request,
    DomainError when it was decided already."""
    transfer = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
    if transfer.requested_by_id != getattr(cancelled_by, "pk", None):
        raise NotFound(_("Không tìm thấy yêu cầu."))
    if transfer.state != TransferState.PENDING:
        raise DomainError(_("Yêu cầu này đã được xử lý."), code="already_decided")
    _decide(transfer, state=TransferState.CANCELLED, decided_by=cancelled_by, note="")
    record_audit(actor=cancelled_by, action="people.cancel_transfer", target=transfer)
    return transfer


def transfers_to_decide(user: Any) -> QuerySet[TransferRequest]:
    """Requests about residents who live in the user's MANAGE_PEOPLE units (the ones they may decide), newest
    first, with what the decision page shows."""
    villages = units_visible_to(user, Permission.MANAGE_PEOPLE)
    return (
        TransferRequest.objects.filter(resident__village__in=villages)
        .select_related("resident__village", "to_village__parent", "organisation", "requested_by")
        .order_by("-created_at", "-pk")
    )


def transfers_requested_by(user: Any) -> QuerySet[TransferRequest]:
    """The user's own requests, newest first. What they show of the resident is decided by the page: nothing
    before approval."""
    return (
        TransferRequest.objects.filter(requested_by=user)
        .select_related("to_village__parent", "organisation")
        .order_by("-created_at", "-pk")
    )


def transfer_for(user: Any, transfer_id: int) -> TransferRequest:
    """The request with this id if the user requested it or may decide it; NotFound otherwise."""
    transfer = TransferRequest.objects.filter(pk=transfer_id).first()
    if transfer is None or not (transfer.requested_by_id == user.pk or may_decide_transfer(user, transfer)):
        raise NotFound(_("Không tìm thấy yêu cầu."))
    return transfer


__all__ = [
    "approve_transfer",
    "cancel_transfer",
    "may_decide_transfer",
    "reject_transfer",
    "request_transfer",
    "transfer_for",
    "transfers_requested_by",
    "transfers_to_decide",
]
