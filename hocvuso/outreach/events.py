"""Events of the movement (plan IV.1.3, IV.4.2, IV.4.5): learning festivals ("Ngày hội toàn dân học tập số", 10/10
and 01/11 each year), 4T trainings, youth campaign drives and other events, each held in a commune and organised by
a unit or an organisation; and the province calendar. The `learning-events` indicator counts the events held in the
year (computations.py).

`record_event` checks access (MANAGE_UNITS over the commune where it is held: its officers, the province), validates
and audits; `update_event` and `delete_event` do the same for an event one may edit (`may_edit_event`: the commune
and the organiser unit in one's scope), with the same validation (`_clean`); `actor` None is the system (the demo).
"""

import datetime
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from hocvuso.accounts.access import can, require, scope
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import record_audit
from hocvuso.people.models import Organisation
from hocvuso.territory.models import AdministrativeUnit, Level, path_within

from .activity_models import Event, EventKind

MAX_PARTICIPANTS = 1_000_000
# The plan's learning festival days (day, month).
FESTIVAL_DAYS = ((10, 10), (1, 11))


def festival_days(year: int) -> list[datetime.date]:
    """The plan's two learning festival days of the year (10/10 and 01/11)."""
    return [datetime.date(year, month, day) for day, month in FESTIVAL_DAYS]


def _count(value: int | None, field: str) -> None:
    if value is not None and not 0 <= value <= MAX_PARTICIPANTS:
        raise DomainError(_("Số người không hợp lệ."), field=field, code="count_invalid")


@dataclass(frozen=True)
class EventFields:
    """An event's fields as `record_event` and `update_event` take them, once cleaned (`_clean`)."""

    kind: str
    title: str
    place: str
    starts_on: datetime.date
    ends_on: datetime.date
    organiser_unit: AdministrativeUnit | None
    organiser_organisation: Organisation | None
    activities: str
    registered: int
    participants: int | None


def _clean(
    *,
    commune: AdministrativeUnit,
    kind: str,
    title: str,
    place: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    organiser_unit: AdministrativeUnit | None,
    organiser_organisation: Organisation | None,
    activities: str,
    registered: int,
    participants: int | None,
) -> EventFields:
    """The validation of an event, the same for recording and editing one (see `record_event`)."""
    if kind not in EventKind.values:
        raise DomainError(_("Loại sự kiện không hợp lệ."), field="kind", code="kind_invalid")
    title, place = " ".join(title.split()), " ".join(place.split())
    if not title:
        raise DomainError(_("Sự kiện cần có tên."), field="title", code="required")
    if not place:
        raise DomainError(_("Cần ghi địa điểm."), field="place", code="required")
    ends_on = ends_on or starts_on
    if ends_on < starts_on:
        raise DomainError(_("Ngày kết thúc trước ngày bắt đầu."), field="ends_on", code="period_invalid")
    _count(registered, "registered")
    _count(participants, "participants")
    if organiser_unit is not None and not path_within(commune.path, organiser_unit.path):
        raise DomainError(_("Đơn vị tổ chức phải là xã hoặc cấp trên của xã."), field="organiser_unit", code="outside")
    if organiser_organisation is not None:
        unit = organiser_organisation.unit
        province_path = AdministrativeUnit.path_for(commune.ancestor_codes[0], None)
        if unit is None or not path_within(unit.path, province_path):
            raise DomainError(_("Tổ chức không thuộc tỉnh."), field="organiser_organisation", code="outside")
    if organiser_unit is None and organiser_organisation is None:
        organiser_unit = commune
    return EventFields(
        kind=kind,
        title=title,
        place=place,
        starts_on=starts_on,
        ends_on=ends_on,
        organiser_unit=organiser_unit,
        organiser_organisation=organiser_organisation,
        activities=activities.strip()[:2000],
        registered=registered,
        participants=participants,
    )


def _refuse_duplicate(commune: AdministrativeUnit, fields: EventFields, *, other_than: int | None = None) -> None:
    same = Event.objects.filter(commune=commune, kind=fields.kind, title=fields.title, starts_on=fields.starts_on)
    if other_than is not None:
        same = same.exclude(pk=other_than)
    if same.exists():
        raise DomainError(_("Sự kiện này đã được ghi nhận."), field="title", code="duplicate_event")


def record_event(
    *,
    commune: AdministrativeUnit,
    kind: str,
    title: str,
    place: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    organiser_unit: AdministrativeUnit | None = None,
    organiser_organisation: Organisation | None = None,
    activities: str = "",
    registered: int = 0,
    participants: int | None = None,
    actor: Any,
) -> Event:
    """Record an event held in the commune. The organiser is a unit (the commune or a unit above it) or an
    organisation of the province; with neither, the commune. Returns the event. Raises NotFound outside the actor's
    scope; DomainError for a unit that is not a commune, an unknown kind, an empty title or place, an end before the
    start, a negative or absurd count, an organiser unit that does not contain the commune, an organisation of
    another province, or the same event (kind, title, commune, start) recorded twice."""
    if commune.level != Level.COMMUNE:
        raise DomainError(_("Sự kiện phải diễn ra tại một xã, phường."), field="commune", code="not_a_commune")
    if actor is not None:
        require(actor, Permission.MANAGE_UNITS, commune)
    fields = _clean(
        commune=commune,
        kind=kind,
        title=title,
        place=place,
        starts_on=starts_on,
        ends_on=ends_on,
        organiser_unit=organiser_unit,
        organiser_organisation=organiser_organisation,
        activities=activities,
        registered=registered,
        participants=participants,
    )
    with transaction.atomic():
        _refuse_duplicate(commune, fields)
        event = Event.objects.create(commune=commune, created_by=actor, **asdict(fields))
        record_audit(
            actor=actor,
            action="outreach.record_event",
            target=event,
            details={"kind": fields.kind, "starts_on": fields.starts_on.isoformat()},
        )
    return event


def may_edit_event(user: Any, event: Event) -> bool:
    """True when the user may edit or delete the event: MANAGE_UNITS over the commune where it is held and, when a
    unit organises it, over that unit too (a festival the province organises in a commune is the province's to
    change, not the commune's)."""
    if not can(user, Permission.MANAGE_UNITS, event.commune):
        return False
    return event.organiser_unit is None or can(user, Permission.MANAGE_UNITS, event.organiser_unit)


def event_for(*, user: Any, event_id: int) -> Event:
    """The event the user may edit, with its commune and organiser; NotFound when missing or out of reach."""
    event = (
        Event.objects.select_related("commune", "organiser_unit", "organiser_organisation__unit")
        .filter(pk=event_id)
        .first()
    )
    if event is None or not may_edit_event(user, event):
        raise NotFound()
    return event


def update_event(
    *,
    event: Event,
    kind: str,
    title: str,
    place: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    organiser_unit: AdministrativeUnit | None = None,
    organiser_organisation: Organisation | None = None,
    activities: str = "",
    registered: int = 0,
    participants: int | None = None,
    actor: Any,
) -> Event:
    """Change an event (its commune stays): the same validation as `record_event`. Allowed by `may_edit_event`
    (NotFound otherwise), audited with the fields that changed. Returns the event."""
    if actor is not None and not may_edit_event(actor, event):
        raise NotFound()
    fields = _clean(
        commune=event.commune,
        kind=kind,
        title=title,
        place=place,
        starts_on=starts_on,
        ends_on=ends_on,
        organiser_unit=organiser_unit,
        organiser_organisation=organiser_organisation,
        activities=activities,
        registered=registered,
        participants=participants,
    )
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        _refuse_duplicate(event.commune, fields, other_than=event.pk)
        changed = sorted(name for name, value in asdict(fields).items() if getattr(event, name) != value)
        for name, value in asdict(fields).items():
            setattr(event, name, value)
        event.save()
        record_audit(actor=actor, action="outreach.update_event", target=event, details={"changed": changed})
    return event


def delete_event(*, event: Event, actor: Any, reason: str = "") -> None:
    """Delete an event recorded by mistake (or that did not take place): allowed by `may_edit_event` (NotFound
    otherwise), audited with what it was and the reason. The `learning-events` indicator follows (the change
    capture sees the deletion)."""
    if actor is not None and not may_edit_event(actor, event):
        raise NotFound()
    with transaction.atomic():
        details = {
            "kind": event.kind,
            "title": event.title,
            "starts_on": event.starts_on.isoformat(),
            "commune": event.commune.code,
            "reason": " ".join(str(reason or "").split())[:500],
        }
        record_audit(actor=actor, action="outreach.delete_event", target=event, details=details)
        Event.objects.filter(pk=event.pk).delete()


def calendar(user: Any, *, year: int, month: int | None = None) -> QuerySet[Event]:
    """The events of the year (of one month when given) held in communes the user may see (VIEW_UNITS), by day,
    with their commune and organiser. `None` is the system: every event."""
    events = Event.objects.filter(starts_on__year=year)
    if month is not None:
        events = events.filter(starts_on__month=month)
    if user is not None:
        visible = AdministrativeUnit.objects.filter(scope(user, Permission.VIEW_UNITS, AdministrativeUnit))
        events = events.filter(Q(commune__in=visible))
    return events.select_related("commune", "organiser_unit", "organiser_organisation").order_by("starts_on", "pk")
