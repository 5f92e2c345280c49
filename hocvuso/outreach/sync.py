"""A phone's batch of visits, received like ODK Central and DHIS2 Android receive theirs: each visit on its own.

Every visit of a batch is validated independently and gets its own result: 201 created, 200 unchanged (a resend of
a stored visit), 409 conflict (its id is stored with other content), 400 invalid, 404 a household not assigned to
the member. The valid ones are stored together, in one transaction of a few statements (`visits.store_visits`);
should that fail (another request stored one of the ids meanwhile), each is stored on its own as `record_visit`
stores one. A half-sent batch therefore loses nothing and duplicates nothing: what was answered 201 is stored once,
an answer that never reached the phone leaves the visit on it to resend, and a resend is answered 200.
"""

import datetime
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.people.models import Household

from .models import FieldDevice, Visit
from .visits import (
    CREATED,
    NOTE_MAX_LENGTH,
    Preloaded,
    PreparedVisit,
    VisitConflict,
    VisitResult,
    content_hash,
    preload_visits,
    prepare_visit,
    record_visit,
    store_visits,
)

# The largest batch a phone may send at once.
MAX_BATCH = 500


@dataclass(frozen=True)
class IncomingVisit:
    """A visit as a phone sends it, parsed."""

    id: uuid.UUID
    form_version: int
    household_id: int
    visited_at: datetime.datetime
    note: str = ""
    outcomes: tuple[tuple[int, str], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class VisitReceipt:
    """The answer for one visit of a batch."""

    id: str
    status: int
    code: str
    detail: str = ""
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "code": self.code, "detail": self.detail, "field": self.field}


def _invalid(message: str, field_name: str) -> DomainError:
    return DomainError(message, field=field_name, code="invalid")


def _whole(raw: Any, field_name: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw < 2**31:
        raise _invalid(_("Giá trị phải là số nguyên dương."), field_name)
    return raw


def parse_visit(raw: Any) -> IncomingVisit:
    """Read one visit of a batch (a JSON object): `id` (UUID), `form_version`, `household` (id), `visited_at` (ISO
    8601 with its offset), `note`, `outcomes` ([{"resident": id, "outcome": key}]). Raises DomainError naming the
    first bad field; nothing is guessed (a time without an offset is refused, not read as local time)."""
    if not isinstance(raw, Mapping):
        raise _invalid(_("Mỗi buổi hỗ trợ phải là một đối tượng JSON."), "")
    try:
        visit_id = uuid.UUID(str(raw.get("id", "")))
    except ValueError:
        raise _invalid(_("Mã buổi hỗ trợ phải là một UUID."), "id") from None
    text = raw.get("visited_at")
    visited_at = parse_datetime(text) if isinstance(text, str) else None
    if visited_at is None or visited_at.tzinfo is None:
        raise _invalid(_("Thời điểm phải theo ISO 8601, kèm múi giờ."), "visited_at")
    note = raw.get("note", "")
    if not isinstance(note, str) or len(note) > NOTE_MAX_LENGTH:
        raise _invalid(_("Ghi chú phải là chuỗi, tối đa 2000 ký tự."), "note")
    outcomes = raw.get("outcomes", [])
    if not isinstance(outcomes, list):
        raise _invalid(_("Kết quả phải là một danh sách."), "outcomes")
    pairs = []
    for item in outcomes:
        if not isinstance(item, Mapping) or not isinstance(item.get("outcome"), str):
            raise _invalid(_("Mỗi kết quả gồm người dân (resident) và kết quả (outcome)."), "outcomes")
        pairs.append((_whole(item.get("resident"), "outcomes"), item["outcome"]))
    return IncomingVisit(
        id=visit_id,
        form_version=_whole(raw.get("form_version"), "form_version"),
        household_id=_whole(raw.get("household"), "household"),
        visited_at=visited_at,
        note=note,
        outcomes=tuple(pairs),
    )


def _digest(visit: IncomingVisit, actor: Any) -> str:
    return content_hash(
        recorded_by=actor.pk,
        form_version=visit.form_version,
        household=visit.household_id,
        visited_at=visit.visited_at,
        note=visit.note,
        outcomes=visit.outcomes,
    )


def _resent(visit: IncomingVisit, stored_hash: str, actor: Any) -> VisitReceipt:
    """The receipt of a visit whose id is already stored: unchanged when the content is the same, else a conflict."""
    if _digest(visit, actor) == stored_hash:
        return VisitReceipt(str(visit.id), 200, "unchanged")
    conflict = VisitConflict()
    return VisitReceipt(str(visit.id), 409, conflict.code, str(conflict.message), conflict.field)


def _refused(visit_id: str, error: DomainError) -> VisitReceipt:
    """The result of a visit the service refused: 409 for the same UUID with other content, 404 for a household
    that is missing or not the member's, 400 for anything else wrong with it (naming the field)."""
    if isinstance(error, VisitConflict):
        return VisitReceipt(visit_id, 409, error.code, str(error.message), error.field)
    if isinstance(error, NotFound):
        return VisitReceipt(visit_id, 404, "not_found", str(error.message), "household")
    return VisitReceipt(visit_id, 400, error.code, str(error.message), error.field)


def _arguments(visit: IncomingVisit, household: Household, actor: Any, device: FieldDevice | None) -> dict[str, Any]:
    """What `visits.record_visit` and `visits.prepare_visit` are given for an incoming visit."""
    return {
        "visit_id": visit.id,
        "form_version": visit.form_version,
        "household": household,
        "visited_at": visit.visited_at,
        "outcomes": visit.outcomes,
        "note": visit.note,
        "actor": actor,
        "device": device,
    }


def receive_visit(
    *,
    visit: IncomingVisit,
    actor: Any,
    device: FieldDevice | None = None,
    household: Household | None = None,
    known_new: bool = False,
    preloaded: Preloaded | None = None,
) -> VisitReceipt:
    """Store one visit of a batch through `visits.record_visit` and say what happened to it; never raises for
    the visit's own faults (they are its result). `household` spares the look-up when the caller loaded it."""
    if household is None or household.pk != visit.household_id:
        household = Household.objects.select_related("village").filter(pk=visit.household_id).first()
    try:
        if household is None:
            raise NotFound()
        result = record_visit(**_arguments(visit, household, actor, device), known_new=known_new, preloaded=preloaded)
    except DomainError as error:
        return _refused(str(visit.id), error)
    if result.status == CREATED:
        return VisitReceipt(str(visit.id), 201, "created")
    return VisitReceipt(str(visit.id), 200, "unchanged")


def receive_batch(*, visits: Sequence[Any], actor: Any, device: FieldDevice | None = None) -> list[VisitReceipt]:
    """Receive a phone's batch (raw JSON objects, at most MAX_BATCH): one receipt per visit, in the batch's order.
    A visit that cannot be read gets a 400 receipt (with its id when it has a readable one). Raises DomainError
    for a batch that is too large."""
    if len(visits) > MAX_BATCH:
        raise DomainError(
            _("Mỗi lần gửi tối đa %(count)d buổi hỗ trợ.") % {"count": MAX_BATCH}, field="visits", code="too_many"
        )
    parsed: list[IncomingVisit | VisitReceipt] = []
    for raw in visits:
        try:
            parsed.append(parse_visit(raw))
        except DomainError as error:
            raw_id = str(raw.get("id", "")) if isinstance(raw, Mapping) else ""
            parsed.append(VisitReceipt(raw_id[:64], 400, error.code, str(error.message), error.field))
    readable = [visit for visit in parsed if isinstance(visit, IncomingVisit)]
    # A few queries for the whole batch: the visits already stored (a resend is answered from these), the
    # households, and their assignments and people (`preload_visits`); a visit stored meanwhile by another request is
    # still caught by record_visit itself.
    stored = dict(Visit.objects.filter(pk__in=[v.id for v in readable]).values_list("pk", "content_hash"))
    households = Household.objects.select_related("village").in_bulk({v.household_id for v in readable})
    fresh = [(v.household_id, v.visited_at) for v in readable if v.id not in stored and v.household_id in households]
    preloaded = preload_visits(actor=actor, device=device, visits=fresh)
    receipts: list[VisitReceipt] = []
    pending: list[tuple[int, IncomingVisit, PreparedVisit]] = []
    for visit in parsed:
        if isinstance(visit, VisitReceipt):
            receipts.append(visit)
        elif visit.id in stored:
            receipts.append(_resent(visit, stored[visit.id], actor))
        else:
            checked = _prepare(visit, actor, device, households.get(visit.household_id), preloaded)
            if isinstance(checked, VisitReceipt):
                receipts.append(checked)
                continue
            # a second copy of this id later in the batch is a resend (or a conflict) of this one
            stored[visit.id] = checked.visit.content_hash
            pending.append((len(receipts), visit, checked))
            receipts.append(VisitReceipt(str(visit.id), 201, "created"))
    if pending:
        try:
            with transaction.atomic():
                store_visits([prepared for _index, _visit, prepared in pending], actor=actor)
        except (IntegrityError, DomainError):
            # Another request stored one of these ids meanwhile (or an effect was refused): each visit on its own,
            # with its own result, as record_visit stores one.
            for index, visit, _prepared in pending:
                receipts[index] = receive_visit(
                    visit=visit, actor=actor, device=device, household=households.get(visit.household_id)
                )
    return receipts


def _prepare(
    visit: IncomingVisit,
    actor: Any,
    device: FieldDevice | None,
    household: Household | None,
    preloaded: Preloaded,
) -> PreparedVisit | VisitReceipt:
    """`visits.prepare_visit` for a visit of a batch whose id is not stored: the visit ready to store, or its
    result (400, 404, 409) when it cannot be."""
    try:
        if household is None:
            raise NotFound()
        checked = prepare_visit(**_arguments(visit, household, actor, device), known_new=True, preloaded=preloaded)
    except DomainError as error:
        return _refused(str(visit.id), error)
    if isinstance(checked, VisitResult):  # known_new: not reached, kept for the type
        return VisitReceipt(str(visit.id), 200, "unchanged")
    return checked
