"""Reads of the community classes: a commune's calendar, the communes of an area for one week (a commune with no
class that week is flagged: the plan asks for one every week), and a class's record (attendance by target group,
the elderly and ethnic-minority shares, assessments passed in its supervised sessions). A fixed number of queries
each, whatever the size."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from hocvuso.accounts.access import community_class_scope
from hocvuso.learning.models import Attempt, SupervisedSession
from hocvuso.people.ethnicity import KINH
from hocvuso.people.models import AgeGroup, Membership, Resident
from hocvuso.people.selectors import target_groups_of
from hocvuso.territory.models import AdministrativeUnit, Level

from .models import ClassAttendance, ClassSession, CommunityClass, ReportStatus, WalkIn


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@dataclass(frozen=True)
class CalendarDay:
    day: datetime.date
    sessions: list[tuple[ClassSession, int]]  # each session with its attendance


@dataclass(frozen=True)
class CommuneCalendar:
    commune: AdministrativeUnit
    first_day: datetime.date
    days: list[CalendarDay]
    weeks_without_class: list[datetime.date]  # the Mondays of the weeks shown with no session scheduled
    classes: list[CommunityClass]
    pending_walk_ins: int


def commune_calendar(*, commune: AdministrativeUnit, first_day: datetime.date, weeks: int = 4) -> CommuneCalendar:
    """The commune's sessions over `weeks` weeks from the Monday of `first_day`, each with its attendance, the
    weeks with no session scheduled (cancelled ones do not count), the classes running then, and how many walk-ins
    wait for the commune. Four queries. The caller checked access to the commune."""
    start = monday_of(first_day)
    end = start + datetime.timedelta(days=7 * weeks - 1)
    sessions = list(
        ClassSession.objects.filter(commune=commune, day__range=(start, end))
        .select_related("community_class")
        .annotate(present=Count("attendances"))
        .order_by("day", "starts_at", "pk")
    )
    by_day: dict[datetime.date, list[tuple[ClassSession, int]]] = {}
    for session in sessions:
        by_day.setdefault(session.day, []).append((session, session.present))
    days = [CalendarDay(day, entries) for day, entries in sorted(by_day.items())]
    scheduled_weeks = {monday_of(session.day) for session in sessions if session.cancelled_at is None}
    mondays = [start + datetime.timedelta(weeks=index) for index in range(weeks)]
    running = list(
        CommunityClass.objects.filter(commune=commune, first_day__lte=end, last_day__gte=start)
        .prefetch_related("instructors")
        .order_by("title", "pk")
    )
    pending = WalkIn.objects.filter(status=ReportStatus.PENDING, attendance__commune=commune).count()
    return CommuneCalendar(
        commune=commune,
        first_day=start,
        days=days,
        weeks_without_class=[monday for monday in mondays if monday not in scheduled_weeks],
        classes=running,
        pending_walk_ins=pending,
    )


@dataclass(frozen=True)
class CommuneWeek:
    commune: AdministrativeUnit
    scheduled: int
    held: int
    attendance: int

    @property
    def flagged(self) -> bool:
        """No session scheduled this week: the plan asks for one every week."""
        return self.scheduled == 0


def area_week(*, unit: AdministrativeUnit, day: datetime.date) -> list[CommuneWeek]:
    """For every commune in force within `unit` (a province, or a commune itself), its sessions of the week holding
    `day` (Monday to Sunday): scheduled (not cancelled), held (someone present) and the attendance. Flagged communes
    first, then by name. Three queries. The caller checked access to the unit."""
    start = monday_of(day)
    end = start + datetime.timedelta(days=6)
    communes = list(AdministrativeUnit.objects.within(unit).communes().in_force(day).order_by("name", "code"))
    sessions = (
        ClassSession.objects.filter(commune__in=[commune.pk for commune in communes], day__range=(start, end))
        .scheduled()
        .values("commune_id")
        .annotate(n=Count("id", distinct=True), held=Count("id", filter=Q(attendances__isnull=False), distinct=True))
    )
    counts = {row["commune_id"]: (row["n"], row["held"]) for row in sessions}
    present = dict(
        ClassAttendance.objects.filter(commune__in=[commune.pk for commune in communes], day__range=(start, end))
        .values("commune_id")
        .annotate(n=Count("id"))
        .values_list("commune_id", "n")
    )
    rows = [
        CommuneWeek(
            commune, counts.get(commune.pk, (0, 0))[0], counts.get(commune.pk, (0, 0))[1], present.get(commune.pk, 0)
        )
        for commune in communes
    ]
    return sorted(rows, key=lambda row: (not row.flagged, row.commune.name))


@dataclass
class ClassRecord:
    community_class: CommunityClass
    sessions: list[tuple[ClassSession, int]]
    held: int = 0
    attendances: int = 0
    people: int = 0
    walk_ins_pending: int = 0
    by_group: Counter[str] = field(default_factory=Counter)
    elderly: int = 0
    ethnic_minority: int = 0
    assessments_passed: int = 0
    assessment_takers: int = 0

    def share(self, count: int) -> float | None:
        return round(100 * count / self.people, 1) if self.people else None

    @property
    def elderly_share(self) -> float | None:
        return self.share(self.elderly)

    @property
    def ethnic_minority_share(self) -> float | None:
        return self.share(self.ethnic_minority)


def class_record(*, community_class: CommunityClass, on: datetime.date) -> ClassRecord:
    """A class's record on a day: its sessions with their attendance; the people who attended (distinct residents)
    by the plan's target groups on the day (by age and memberships: people.selectors.target_groups_of), how many are
    elderly and of an ethnic minority; walk-ins still waiting; and, in the supervised sessions its sessions opened,
    how many learners took and passed an assessment. Five queries. The caller checked access to the class."""
    sessions = list(
        ClassSession.objects.filter(community_class=community_class)
        .annotate(present=Count("attendances"))
        .order_by("day", "pk")
    )
    record = ClassRecord(community_class, [(session, session.present) for session in sessions])
    record.held = sum(1 for _session, present in record.sessions if present)
    record.attendances = sum(present for _session, present in record.sessions)
    attendances = ClassAttendance.objects.filter(session__community_class=community_class)
    record.walk_ins_pending = attendances.filter(resident__isnull=True, walk_in__status=ReportStatus.PENDING).count()
    residents = {
        attendance.resident.pk: attendance.resident
        for attendance in attendances.filter(resident__isnull=False).select_related("resident")
        if attendance.resident is not None
    }
    memberships: dict[int, list[Membership]] = {}
    for membership in Membership.objects.filter(resident_id__in=list(residents)):
        memberships.setdefault(membership.resident_id, []).append(membership)
    record.people = len(residents)
    for pk, resident in residents.items():
        assert resident is not None
        groups = target_groups_of(resident, memberships.get(pk, []), on)
        record.by_group.update(groups)
        record.elderly += AgeGroup.ELDERLY.value in groups
        record.ethnic_minority += resident.ethnicity != KINH
    supervised = SupervisedSession.objects.filter(class_session__in=[str(session.pk) for session in sessions])
    taken = Attempt.objects.filter(supervised_session__in=supervised.values("id")).aggregate(
        takers=Count("user", distinct=True), passed=Count("user", distinct=True, filter=Q(passed=True))
    )
    record.assessment_takers, record.assessments_passed = taken["takers"] or 0, taken["passed"] or 0
    return record


def attendance_of(session: ClassSession) -> list[ClassAttendance]:
    """The session's attendance, in the order it was taken, with residents, villages and walk-ins."""
    return list(
        ClassAttendance.objects.filter(session=session)
        .select_related("resident__village", "walk_in")
        .order_by("recorded_at", "pk")
    )


def sessions_of(community_class: CommunityClass) -> Any:
    return ClassSession.objects.filter(community_class=community_class).order_by("day")


# --- The field app: an instructor's sessions on their phone ------------------------------------------------------

# The people carried with a session to the phone: those who came to the class's sessions, the most recent first.
MAX_KNOWN_ATTENDEES = 300


@dataclass(frozen=True)
class FieldAttendee:
    """One person a phone may mark present without the network: only what recognising them needs."""

    id: int
    full_name: str
    birth_year: int
    masked_national_id: str
    present: bool  # already recorded at this session (by any phone or the web)


@dataclass(frozen=True)
class FieldVillage:
    code: str
    name: str


@dataclass(frozen=True)
class FieldSession:
    """A session as an instructor's phone keeps it: the class, the time and place, the room's check-in code, how
    many are recorded present, the people who came before (masked) and the commune's villages (for a walk-in)."""

    id: Any
    class_id: int
    title: str
    place: str
    day: datetime.date
    starts_at: datetime.time
    duration_minutes: int
    capacity: int
    check_in_code: str
    commune_code: str
    commune_name: str
    present: int
    attendees: list[FieldAttendee]
    villages: list[FieldVillage]


def field_sessions(
    user: Any, *, first_day: datetime.date, last_day: datetime.date, commune: AdministrativeUnit | None = None
) -> list[FieldSession]:
    """The sessions, not cancelled, from `first_day` to `last_day`, of the classes that name the user among their
    instructors and that they may still run (RUN_CLASS over the commune) — only the commune `commune` when given
    (a phone registered for a team of it). Each carries the people who attended any session of the class (at most
    MAX_KNOWN_ATTENDEES, the most recent first) with whether they are present at this session already: never the
    commune's registry. Five queries, whatever the number of sessions and people."""
    own = CommunityClass.objects.filter(community_class_scope(user), instructors=user, cancelled_at__isnull=True)
    if commune is not None:
        own = own.filter(commune=commune)
    sessions = list(
        ClassSession.objects.scheduled()
        .filter(community_class__in=own.values("pk"), day__range=(first_day, last_day))
        .select_related("community_class", "commune")
        .order_by("day", "starts_at", "pk")
    )
    if not sessions:
        return []
    class_ids = {session.community_class_id for session in sessions}
    rows = (
        ClassAttendance.objects.filter(session__community_class__in=class_ids)
        .order_by("-day", "-recorded_at")
        .values_list("session_id", "session__community_class_id", "resident_id")
    )
    chosen: dict[int, list[int]] = {}
    present: dict[Any, set[int]] = {}
    counts: Counter[Any] = Counter()
    for session_id, class_id, resident_id in rows:
        counts[session_id] += 1
        if resident_id is None:
            continue
        present.setdefault(session_id, set()).add(resident_id)
        people = chosen.setdefault(class_id, [])
        if len(people) < MAX_KNOWN_ATTENDEES and resident_id not in people:
            people.append(resident_id)
    residents = Resident.objects.in_bulk({pk for people in chosen.values() for pk in people})
    known = {class_id: {pk: residents[pk] for pk in people if pk in residents} for class_id, people in chosen.items()}
    villages: dict[int, list[FieldVillage]] = {}
    for village in AdministrativeUnit.objects.filter(
        parent__in={session.commune_id for session in sessions}, level=Level.VILLAGE
    ).order_by("code"):
        villages.setdefault(int(village.parent_id or 0), []).append(FieldVillage(village.code, village.name))
    result = []
    for session in sessions:
        here = present.get(session.pk, set())
        attendees = sorted(
            known.get(session.community_class_id, {}).values(), key=lambda person: (person.name_key, person.pk)
        )
        result.append(
            FieldSession(
                id=session.pk,
                class_id=session.community_class_id,
                title=session.community_class.title,
                place=session.community_class.place,
                day=session.day,
                starts_at=session.starts_at,
                duration_minutes=session.community_class.duration_minutes,
                capacity=session.community_class.capacity,
                check_in_code=session.check_in_code,
                commune_code=session.commune.code,
                commune_name=session.commune.name,
                present=counts.get(session.pk, 0),
                attendees=[
                    FieldAttendee(
                        person.pk,
                        person.full_name,
                        person.birth_date.year,
                        person.masked_national_id,
                        person.pk in here,
                    )
                    for person in attendees
                ],
                villages=villages.get(session.commune_id, []),
            )
        )
    return result


__all__ = [
    "CalendarDay",
    "ClassRecord",
    "CommuneCalendar",
    "CommuneWeek",
    "area_week",
    "attendance_of",
    "class_record",
    "commune_calendar",
    "field_sessions",
    "monday_of",
    "sessions_of",
]
