"""Recording a home visit, as a phone sends it: idempotent by the device's UUID.

The same UUID with the same content is a resend (nothing changes, the answer says "unchanged"); the same UUID with
other content is a conflict the device must show (`VisitConflict`, answered 409 by the API). A visit's effect on the
registry is applied once, when it is first stored: identity evidence with the source "home visit" (never over a
stronger source: hocvuso.people.identity) and, for "moved away" or "deceased", a report a commune officer confirms.
"""

import datetime
import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import assigned_households
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import audit_entry, record_audits
from hocvuso.people.identity import Evidence, record_identity_evidence_many
from hocvuso.people.models import EvidenceSource, Household, Resident, VneidLevel

from .models import (
    EXCLUSIVE_OUTCOMES,
    FORM_VERSIONS,
    FieldDevice,
    HouseholdAssignment,
    Outcome,
    RegistryChangeReport,
    ReportKind,
    Visit,
    VisitOutcome,
)

NOTE_MAX_LENGTH = 2000
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = datetime.timedelta(minutes=10)
# How far back a visit kept on a phone may still be sent.
OLDEST_VISIT = datetime.timedelta(days=366)
CREATED = "created"
UNCHANGED = "unchanged"

_IDENTITY_FACTS: dict[str, dict[str, int]] = {
    Outcome.INSTALLED_VNEID: {"vneid_level_at_least": VneidLevel.LEVEL_1},
    Outcome.VNEID_LEVEL_2: {"vneid_level_at_least": VneidLevel.LEVEL_2},
    Outcome.OPENED_BANK_ACCOUNT: {"has_bank_account": True},
}
_REPORTS = {Outcome.MOVED_AWAY: ReportKind.MOVED_AWAY, Outcome.DECEASED: ReportKind.DECEASED}


class VisitConflict(DomainError):
    """A visit with this UUID is stored with other content: the device must show it, not resend it."""

    def __init__(self) -> None:
        super().__init__(_("Mã buổi hỗ trợ này đã được ghi với nội dung khác."), field="id", code="conflict")


@dataclass(frozen=True)
class VisitResult:
    visit: Visit
    status: str  # CREATED or UNCHANGED


def content_hash(
    *,
    recorded_by: int,
    form_version: int,
    household: int,
    visited_at: datetime.datetime,
    note: str,
    outcomes: Iterable[tuple[int, str]],
) -> str:
    """The hash of what a visit says, in a canonical form (time in UTC to the second, outcomes sorted, each
    pair once), so a resend is recognised whatever order its outcomes came in."""
    body = {
        "by": recorded_by,
        "form": form_version,
        "household": household,
        "at": visited_at.astimezone(datetime.UTC).replace(microsecond=0).isoformat(),
        "note": note,
        "outcomes": sorted({(int(r), str(o)) for r, o in outcomes}),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _check_outcomes(
    household: Household, outcomes: set[tuple[int, str]], known: dict[int, Resident] | None = None
) -> dict[int, Resident]:
    if known is not None:
        residents = known
    else:
        residents = {r.pk: r for r in Resident.objects.filter(household=household).select_related("village")}
    by_person: dict[int, set[str]] = {}
    for resident_id, outcome in outcomes:
        if outcome not in Outcome.values:
            raise DomainError(_("Kết quả không hợp lệ."), field="outcomes", code="outcome_invalid")
        if resident_id not in residents:
            raise DomainError(_("Người này không thuộc hộ được thăm."), field="outcomes", code="resident_outside")
        by_person.setdefault(resident_id, set()).add(outcome)
    for chosen in by_person.values():
        if chosen & EXCLUSIVE_OUTCOMES and len(chosen) > 1:
            raise DomainError(
                _("Từ chối, không có nhà, đã chuyển đi hoặc đã mất không đi cùng kết quả khác."),
                field="outcomes",
                code="outcomes_exclusive",
            )
    return residents


@dataclass(frozen=True)
class Preloaded:
    """What a batch looked up at once for `record_visit`: the assignment through which the actor may record a visit
    to a household on a day ((household id, day) → assignment), and each household's people."""

    assignments: dict[tuple[int, datetime.date], HouseholdAssignment]
    residents: dict[int, dict[int, Resident]]


def preload_visits(
    *, actor: Any, device: FieldDevice | None, visits: Iterable[tuple[int, datetime.datetime]]
) -> Preloaded:
    """Look up, for a batch's (household id, visit time) pairs, the assignments `record_visit` would find (the same
    filter: `assigned_households` of the visit's day, the device's membership) and the households' people: one query
    per distinct day and one for the people, instead of two per visit."""
    now = timezone.now()
    by_day: dict[datetime.date, set[int]] = {}
    for household_id, visited_at in visits:
        by_day.setdefault(timezone.localdate(min(visited_at, now)), set()).add(household_id)
    assignments: dict[tuple[int, datetime.date], HouseholdAssignment] = {}
    for day, households in by_day.items():
        rows = HouseholdAssignment.objects.filter(assigned_households(actor, day), household_id__in=households)
        if device is not None:
            rows = rows.filter(membership=device.membership_id)
        for assignment in rows.select_related("membership").order_by("-pk"):
            assignments[(assignment.household_id, day)] = assignment  # the lowest pk wins, as `.first()` does
    residents: dict[int, dict[int, Resident]] = {}
    ids = {household_id for households in by_day.values() for household_id in households}
    for resident in Resident.objects.filter(household_id__in=ids).select_related("village"):
        residents.setdefault(int(resident.household_id), {})[resident.pk] = resident  # type: ignore[arg-type]
    for household_id in ids:
        residents.setdefault(household_id, {})
    return Preloaded(assignments, residents)


def _existing(visit_id: uuid.UUID, digest: str) -> VisitResult | None:
    found = Visit.objects.filter(pk=visit_id).first()
    if found is None:
        return None
    if found.content_hash != digest:
        raise VisitConflict()
    return VisitResult(visit=found, status=UNCHANGED)


@dataclass(frozen=True)
class PreparedVisit:
    """A visit checked and ready to store (`prepare_visit`): the unsaved row, its outcomes, the household's people
    and the day it counts on."""

    visit: Visit
    pairs: frozenset[tuple[int, str]]
    residents: dict[int, Resident]
    day: datetime.date


def prepare_visit(
    *,
    visit_id: uuid.UUID,
    form_version: int,
    household: Household,
    visited_at: datetime.datetime,
    actor: Any,
    outcomes: Iterable[tuple[int, str]] = (),
    note: str = "",
    device: FieldDevice | None = None,
    known_new: bool = False,
    preloaded: Preloaded | None = None,
) -> PreparedVisit | VisitResult:
    """Every check of `record_visit`, without writing: the visit ready to store, or the stored visit of a resend
    (VisitResult UNCHANGED). Raises what `record_visit` raises."""
    if visited_at.tzinfo is None:
        raise DomainError(_("Thời điểm cần có múi giờ."), field="visited_at", code="naive_time")
    if form_version not in FORM_VERSIONS:
        raise DomainError(_("Phiên bản biểu mẫu không được hỗ trợ."), field="form_version", code="form_version")
    pairs = frozenset((int(resident_id), str(outcome)) for resident_id, outcome in outcomes)
    digest = content_hash(
        recorded_by=actor.pk,
        form_version=form_version,
        household=household.pk,
        visited_at=visited_at,
        note=note,
        outcomes=pairs,
    )
    resent = None if known_new else _existing(visit_id, digest)
    if resent is not None:
        return resent
    now = timezone.now()
    if visited_at > now + CLOCK_SKEW or visited_at < now - OLDEST_VISIT:
        raise DomainError(_("Thời điểm hỗ trợ không hợp lệ."), field="visited_at", code="time_invalid")
    if len(note) > NOTE_MAX_LENGTH:
        raise DomainError(_("Ghi chú quá dài."), field="note", code="note_too_long")
    day = timezone.localdate(min(visited_at, now))
    assignment = preloaded.assignments.get((household.pk, day)) if preloaded is not None else None
    if assignment is None:
        assignments = HouseholdAssignment.objects.filter(assigned_households(actor, day), household=household)
        if device is not None:
            assignments = assignments.filter(membership=device.membership_id)
        assignment = assignments.select_related("membership").order_by("pk").first()
    if assignment is None:
        raise NotFound(_("Không tìm thấy hộ trong danh sách được giao."))
    known = preloaded.residents.get(household.pk) if preloaded is not None else None
    residents = _check_outcomes(household, set(pairs), known)
    visit = Visit(
        id=visit_id,
        form_version=form_version,
        household=household,
        membership=assignment.membership,
        team_id=assignment.team_id,
        village_id=household.village_id,
        recorded_by=actor,
        device=device,
        visited_at=visited_at.replace(microsecond=0),
        note=note,
        content_hash=digest,
    )
    return PreparedVisit(visit, pairs, residents, day)


def record_visit(
    *,
    visit_id: uuid.UUID,
    form_version: int,
    household: Household,
    visited_at: datetime.datetime,
    actor: Any,
    outcomes: Iterable[tuple[int, str]] = (),
    note: str = "",
    device: FieldDevice | None = None,
    known_new: bool = False,
    preloaded: Preloaded | None = None,
) -> VisitResult:
    """Record a team member's visit to a household, with what was done or found per person of the household.

    Allowed for a member to whom the household was assigned on the visit's day (through `device`, only under that
    device's membership). A resend of the same visit returns it with status UNCHANGED and changes nothing.
    Raises VisitConflict for the same id with other content; NotFound for a household not assigned to the
    actor that day; DomainError for an unknown form version, a time in the future or too long ago, a note too
    long, an unknown outcome, a person not of the household, or "refused", "not at home", "moved away",
    "deceased" with another outcome for the same person. `known_new` skips the look-up for a stored visit when the
    caller has just made it (a batch looks its ids up at once); a visit stored meanwhile is still recognised.
    `preloaded` (a batch's `preload_visits`) spares the look-ups of the assignment and of the household's people."""
    prepared = prepare_visit(
        visit_id=visit_id,
        form_version=form_version,
        household=household,
        visited_at=visited_at,
        actor=actor,
        outcomes=outcomes,
        note=note,
        device=device,
        known_new=known_new,
        preloaded=preloaded,
    )
    if isinstance(prepared, VisitResult):
        return prepared
    try:
        with transaction.atomic():
            store_visits([prepared], actor=actor)
    except IntegrityError:
        # Another request stored the same UUID between our look-up and our insert.
        resent = _existing(visit_id, prepared.visit.content_hash)
        if resent is None:
            raise
        return resent
    return VisitResult(visit=prepared.visit, status=CREATED)


def store_visits(prepared: Sequence[PreparedVisit], *, actor: Any) -> None:
    """Store checked visits (`prepare_visit`) and apply their effects, a few statements for all of them (call it in
    a transaction): the visits, their outcomes, the reports of a move or a death for the commune to confirm, the
    identity evidence with the source "home visit" (`people.identity.record_identity_evidence_many`, the same rules
    as one by one) and an audit entry per visit. Raises IntegrityError when a visit's id is stored already."""
    Visit.objects.bulk_create([item.visit for item in prepared])
    VisitOutcome.objects.bulk_create(
        VisitOutcome(visit=item.visit, resident_id=resident_id, outcome=outcome)
        for item in prepared
        for resident_id, outcome in sorted(item.pairs)
    )
    reports = []
    evidence = []
    for item in prepared:
        facts: dict[int, dict[str, Any]] = {}
        for resident_id, outcome in sorted(item.pairs):
            if outcome in _IDENTITY_FACTS:
                merged = facts.setdefault(resident_id, {})
                for key, value in _IDENTITY_FACTS[outcome].items():
                    merged[key] = max(merged.get(key, value), value)
            if outcome in _REPORTS:
                reports.append(
                    RegistryChangeReport(visit=item.visit, resident_id=resident_id, kind=_REPORTS[Outcome(outcome)])
                )
        evidence += [
            Evidence(
                resident=item.residents[resident_id],
                source=EvidenceSource.VISIT,
                on=item.day,
                reference=str(item.visit.pk),
                vneid_level_at_least=seen.get("vneid_level_at_least"),
                has_bank_account=bool(seen.get("has_bank_account", False)),
            )
            for resident_id, seen in facts.items()
        ]
    RegistryChangeReport.objects.bulk_create(reports)
    record_identity_evidence_many(evidence, actor=actor)
    record_audits(
        [
            audit_entry(
                actor=actor,
                action="outreach.record_visit",
                target=item.visit,
                details={
                    "household": item.visit.household_id,
                    "outcomes": len(item.pairs),
                    "device": item.visit.device_id,
                },
            )
            for item in prepared
        ]
    )
