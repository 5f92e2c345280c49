"""Weekly community classes (buổi học cộng đồng, plan IV.3.4): scheduling, sessions, attendance, walk-ins and the
supervised assessment a session opens.

Every write is keyword-only, runs in one transaction, checks access through hocvuso.accounts.access and writes an
audit entry; `actor` None is the system (the demo). Attendance is idempotent: the same person at the same session
is one record whatever way and however often they are recorded (a double tap, two phones, a resend), and a record
sent from a phone under its own UUID follows the sync rules of visits: the same content again is "unchanged",
other content under the same UUID is a conflict (`AttendanceConflict`, 409 in the API).
"""

import datetime
import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from hocvuso.accounts.access import (
    community_class_scope,
    may_run_community_class,
    may_schedule_classes,
)
from hocvuso.accounts.administration import reserve_guess
from hocvuso.accounts.services import Throttled
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import audit_entry, record_audit, record_audits
from hocvuso.core.text import search_key
from hocvuso.learning.models import Assessment, Competence, Course, Lesson, TargetGroup
from hocvuso.learning.services.supervision import OpenedSession, open_supervised_session
from hocvuso.people.models import Resident, Sex
from hocvuso.people.services import register_resident
from hocvuso.territory.models import AdministrativeUnit, Level, path_within

from .class_models import MAX_CAPACITY, MAX_CLASS_DAYS
from .models import (
    AttendanceMethod,
    ClassAttendance,
    ClassSession,
    CommunityClass,
    FieldDevice,
    Recurrence,
    ReportStatus,
    WalkIn,
)

CREATED = "created"
UNCHANGED = "unchanged"
CHECK_IN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_IN_LENGTH = 6
# Attendance may be taken from the session's day until this many days after it (a phone that was offline).
LATE_ATTENDANCE_DAYS = 7
CLOCK_SKEW = datetime.timedelta(minutes=10)
CARD_SALT = "outreach.learner-card"
CARD_PREFIX = "HVS1:"
SEARCH_LIMIT = 15


class AttendanceConflict(DomainError):
    """An attendance with this UUID is stored with other content: the device must show it, not resend it."""

    def __init__(self) -> None:
        super().__init__(_("Mã điểm danh này đã được ghi với nội dung khác."), field="id", code="conflict")


@dataclass(frozen=True)
class AttendanceResult:
    attendance: ClassAttendance
    status: str  # CREATED or UNCHANGED


# --- Scheduling ---------------------------------------------------------------------------------------------------


def _session_days(
    recurrence: str, first_day: datetime.date, last_day: datetime.date, weekday: int | None
) -> list[datetime.date]:
    if recurrence == Recurrence.ONCE:
        return [first_day]
    assert weekday is not None
    day = first_day + datetime.timedelta(days=(weekday - first_day.weekday()) % 7)
    days = []
    while day <= last_day:
        days.append(day)
        day += datetime.timedelta(days=7)
    return days


def _check_in_code() -> str:
    return "".join(secrets.choice(CHECK_IN_ALPHABET) for _index in range(CHECK_IN_LENGTH))


def _clean_schedule(
    *,
    commune: AdministrativeUnit,
    title: str,
    place: str,
    target_group: str,
    capacity: Any,
    instructors: Sequence[Any],
    recurrence: str,
    first_day: Any,
    last_day: Any,
    weekday: Any,
    duration_minutes: Any,
    course: Course | None,
    lessons: Sequence[Lesson],
    competences: Sequence[Competence],
) -> tuple[str, str, datetime.date, int | None]:
    title, place = " ".join(str(title).split())[:200], " ".join(str(place).split())[:200]
    if not title:
        raise DomainError(_("Lớp học cần có tên."), field="title", code="required")
    if not place:
        raise DomainError(_("Lớp học cần có địa điểm."), field="place", code="required")
    if target_group not in TargetGroup.values:
        raise DomainError(_("Nhóm đối tượng không hợp lệ."), field="target_group", code="target_group_invalid")
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= MAX_CAPACITY:
        raise DomainError(_("Số chỗ phải từ 1 đến %(max)s.") % {"max": MAX_CAPACITY}, field="capacity", code="capacity")
    if not isinstance(duration_minutes, int) or not 15 <= duration_minutes <= 480:
        raise DomainError(_("Thời lượng phải từ 15 đến 480 phút."), field="duration_minutes", code="duration")
    if not instructors:
        raise DomainError(_("Lớp học cần ít nhất một người hướng dẫn."), field="instructors", code="required")
    if recurrence not in Recurrence.values:
        raise DomainError(_("Kiểu lặp lại không hợp lệ."), field="recurrence", code="recurrence_invalid")
    if not isinstance(first_day, datetime.date):
        raise DomainError(_("Ngày bắt đầu không hợp lệ."), field="first_day", code="date_invalid")
    if recurrence == Recurrence.ONCE:
        last_day, weekday = first_day, None
    else:
        if not isinstance(last_day, datetime.date) or last_day < first_day:
            raise DomainError(_("Ngày kết thúc phải sau ngày bắt đầu."), field="last_day", code="period_invalid")
        if (last_day - first_day).days > MAX_CLASS_DAYS:
            raise DomainError(_("Một lớp lặp lại dài nhất một năm."), field="last_day", code="period_too_long")
        if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
            raise DomainError(_("Hãy chọn thứ trong tuần."), field="weekday", code="weekday_invalid")
    if course is None and not competences:
        raise DomainError(
            _("Hãy chọn khóa học hoặc năng lực của khung làm nội dung."), field="course", code="topic_required"
        )
    if lessons and (course is None or any(lesson.module.course_id != course.pk for lesson in lessons)):
        raise DomainError(_("Bài học phải thuộc khóa học đã chọn."), field="lessons", code="lesson_outside")
    if commune.level != Level.COMMUNE:
        raise DomainError(_("Lớp học phải thuộc một xã, phường."), field="commune", code="not_a_commune")
    return title, place, last_day, weekday


def schedule_class(
    *,
    commune: AdministrativeUnit,
    title: str,
    place: str,
    target_group: str,
    capacity: int,
    instructors: Sequence[Any],
    recurrence: str,
    first_day: datetime.date,
    starts_at: datetime.time,
    actor: Any,
    last_day: datetime.date | None = None,
    weekday: int | None = None,
    duration_minutes: int = 90,
    course: Course | None = None,
    lessons: Sequence[Lesson] = (),
    competences: Sequence[Competence] = (),
) -> CommunityClass:
    """Schedule a community class of a commune — once on `first_day`, or weekly on `weekday` (0 Monday … 6
    Sunday) from `first_day` to `last_day` — and generate its sessions, each with a fresh check-in code.

    Allowed for those who schedule the commune's classes (`may_schedule_classes`). Returns the class. Raises
    NotFound outside scope; DomainError for an empty title or place, an unknown target group, a capacity outside
    1–500, no instructor, a bad period or weekday, a period over a year, no topic, or lessons of another course."""
    if actor is not None and not may_schedule_classes(actor, commune):
        raise NotFound()
    title, place, end, day_of_week = _clean_schedule(
        commune=commune,
        title=title,
        place=place,
        target_group=target_group,
        capacity=capacity,
        instructors=instructors,
        recurrence=recurrence,
        first_day=first_day,
        last_day=last_day,
        weekday=weekday,
        duration_minutes=duration_minutes,
        course=course,
        lessons=lessons,
        competences=competences,
    )
    with transaction.atomic():
        community_class = CommunityClass.objects.create(
            commune=commune,
            title=title,
            place=place,
            target_group=target_group,
            capacity=capacity,
            recurrence=recurrence,
            weekday=day_of_week,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            first_day=first_day,
            last_day=end,
            course=course,
            created_by=actor,
        )
        community_class.instructors.set(instructors)
        community_class.lessons.set(lessons)
        community_class.competences.set(competences)
        days = _session_days(recurrence, first_day, end, day_of_week)
        ClassSession.objects.bulk_create(
            ClassSession(
                community_class=community_class,
                commune=commune,
                day=day,
                starts_at=starts_at,
                check_in_code=_check_in_code(),
            )
            for day in days
        )
        record_audit(
            actor=actor,
            action="outreach.schedule_class",
            target=community_class,
            details={
                "commune": commune.code,
                "recurrence": recurrence,
                "first_day": first_day.isoformat(),
                "last_day": end.isoformat(),
                "sessions": len(days),
            },
        )
    return community_class


def update_class(
    *,
    community_class: CommunityClass,
    actor: Any,
    title: str,
    place: str,
    capacity: int,
    instructors: Sequence[Any],
    starts_at: datetime.time,
    duration_minutes: int,
    last_day: datetime.date | None = None,
) -> CommunityClass:
    """Change a class's title, place, capacity, instructors, time and (weekly) last day. Sessions from today on
    take the new time; a later last day adds sessions, an earlier one removes the sessions after it that have no
    attendance (one that has some keeps the class from ending before it).

    Allowed for those who schedule the commune's classes. Returns the class. Raises NotFound outside scope,
    DomainError as `schedule_class` does, for a cancelled class, or a last day before a session with attendance."""
    if actor is not None and not may_schedule_classes(actor, community_class.commune):
        raise NotFound()
    if community_class.cancelled_at is not None:
        raise DomainError(_("Lớp học này đã hủy."), code="cancelled")
    recurring = community_class.recurrence == Recurrence.WEEKLY
    title, place, end, _weekday = _clean_schedule(
        commune=community_class.commune,
        title=title,
        place=place,
        target_group=community_class.target_group,
        capacity=capacity,
        instructors=instructors,
        recurrence=community_class.recurrence,
        first_day=community_class.first_day,
        last_day=last_day if recurring and last_day is not None else community_class.last_day,
        weekday=community_class.weekday,
        duration_minutes=duration_minutes,
        course=community_class.course,
        lessons=[],
        competences=list(community_class.competences.all()),
    )
    today = timezone.localdate()
    with transaction.atomic():
        community_class = CommunityClass.objects.select_for_update().get(pk=community_class.pk)
        sessions = ClassSession.objects.filter(community_class=community_class)
        if sessions.filter(day__gt=end, attendances__isnull=False).exists():
            raise DomainError(
                _("Có buổi học sau ngày kết thúc mới đã điểm danh."), field="last_day", code="attended_after_end"
            )
        removed, _by_model = sessions.filter(day__gt=end).delete()
        existing = set(sessions.values_list("day", flat=True))
        days = [
            day
            for day in _session_days(
                community_class.recurrence, community_class.first_day, end, community_class.weekday
            )
            if day not in existing
        ]
        ClassSession.objects.bulk_create(
            ClassSession(
                community_class=community_class,
                commune_id=community_class.commune_id,
                day=day,
                starts_at=starts_at,
                check_in_code=_check_in_code(),
            )
            for day in days
        )
        sessions.filter(day__gte=today).update(starts_at=starts_at)
        community_class.title, community_class.place, community_class.capacity = title, place, capacity
        community_class.starts_at, community_class.duration_minutes, community_class.last_day = (
            starts_at,
            duration_minutes,
            end,
        )
        community_class.save()
        community_class.instructors.set(instructors)
        record_audit(
            actor=actor,
            action="outreach.update_class",
            target=community_class,
            details={"last_day": end.isoformat(), "sessions_added": len(days), "sessions_removed": removed},
        )
    return community_class


def cancel_class(*, community_class: CommunityClass, actor: Any, reason: str = "") -> CommunityClass:
    """Cancel a class: its sessions from today on that have no attendance are cancelled (those held stay in its
    record). Allowed for those who schedule the commune's classes. Returns the class; cancelling twice changes
    nothing. Raises NotFound outside scope."""
    if actor is not None and not may_schedule_classes(actor, community_class.commune):
        raise NotFound()
    reason = " ".join(str(reason).split())[:200]
    with transaction.atomic():
        community_class = CommunityClass.objects.select_for_update().get(pk=community_class.pk)
        if community_class.cancelled_at is not None:
            return community_class
        now = timezone.now()
        cancelled = (
            ClassSession.objects.scheduled()
            .filter(community_class=community_class, day__gte=timezone.localdate(), attendances__isnull=True)
            .update(cancelled_at=now, cancel_reason=reason)
        )
        community_class.cancelled_at = now
        community_class.save(update_fields=["cancelled_at", "updated_at"])
        record_audit(
            actor=actor,
            action="outreach.cancel_class",
            target=community_class,
            details={"sessions_cancelled": cancelled, "reason": reason},
        )
    return community_class


def cancel_session(*, session: ClassSession, actor: Any, reason: str = "") -> ClassSession:
    """Cancel one session (a holiday, a storm). Allowed for those who schedule the commune's classes. Returns the
    session; cancelling twice changes nothing. Raises NotFound outside scope, DomainError for a session that
    already has attendance."""
    if actor is not None and not may_schedule_classes(actor, session.commune):
        raise NotFound()
    reason = " ".join(str(reason).split())[:200]
    with transaction.atomic():
        session = ClassSession.objects.select_for_update().get(pk=session.pk)
        if session.cancelled_at is not None:
            return session
        if session.attendances.exists():
            raise DomainError(_("Buổi học đã có người điểm danh, không hủy được."), code="attended")
        session.cancelled_at, session.cancel_reason = timezone.now(), reason
        session.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
        record_audit(actor=actor, action="outreach.cancel_session", target=session, details={"reason": reason})
    return session


# --- Finding the session and the person ----------------------------------------------------------------------------


def session_for(*, user: Any, session_id: Any, device: FieldDevice | None = None) -> ClassSession:
    """The session with this id if the user may run its class (`may_run_community_class`) — through an instructor's
    class-only phone (`device`), only a class that names them among its instructors. Raises NotFound otherwise, for
    a malformed id, or when it does not exist."""
    try:
        key = session_id if isinstance(session_id, uuid.UUID) else uuid.UUID(str(session_id))
    except (ValueError, TypeError, AttributeError):
        raise NotFound() from None
    session = ClassSession.objects.select_related("community_class__commune", "commune").filter(pk=key).first()
    if session is None or not may_run_community_class(user, session.community_class):
        raise NotFound()
    if device is not None and device.class_only and not session.community_class.instructors.filter(pk=user.pk).exists():
        raise NotFound()
    return session


def classes_run_by(user: Any) -> Any:
    """The community classes the user may run (a QuerySet, newest first)."""
    return (
        CommunityClass.objects.filter(community_class_scope(user))
        .distinct()
        .select_related("commune")
        .order_by("-first_day", "pk")
    )


def search_attendees(*, session: ClassSession, query: str) -> list[Resident]:
    """Residents of the session's commune whose name holds every word of the query (with or without diacritics),
    at most SEARCH_LIMIT; an empty query, or one shorter than two letters, finds nobody. The caller has the session
    through `session_for` (may run its class)."""
    words = [word for word in search_key(str(query or "")[:100]).split() if word]
    if not words or sum(len(word) for word in words) < 2:
        return []
    found = Resident.objects.filter(
        village__in=AdministrativeUnit.objects.within(session.commune), died_on__isnull=True
    )
    for word in words:
        found = found.filter(name_key__contains=word)
    return list(found.select_related("village").order_by("name_key", "birth_date", "pk")[:SEARCH_LIMIT])


def learner_card_payload(resident: Resident) -> str:
    """What a learner card's QR code holds: a signed reference to the resident (no name, no ID number), so a
    scanned card names one person and a made-up code names nobody."""
    return CARD_PREFIX + signing.dumps(resident.pk, salt=CARD_SALT, compress=True)


def resident_from_card(payload: str) -> Resident | None:
    """The resident a scanned learner card names, or None for anything else (a forged or damaged code)."""
    text = str(payload or "").strip()
    if not text.startswith(CARD_PREFIX) or len(text) > 200:
        return None
    try:
        pk = signing.loads(text[len(CARD_PREFIX) :], salt=CARD_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Resident.objects.select_related("village").filter(pk=pk).first()


# --- Attendance ---------------------------------------------------------------------------------------------------


def attendance_hash(
    *,
    session: Any,
    recorded_by: int,
    method: str,
    recorded_at: datetime.datetime,
    resident: int | None = None,
    walk_in: dict[str, Any] | None = None,
) -> str:
    """The hash of what an attendance says, in a canonical form (time in UTC to the second)."""
    body = {
        "session": str(session),
        "by": recorded_by,
        "method": method,
        "at": recorded_at.astimezone(datetime.UTC).replace(microsecond=0).isoformat(),
        "resident": resident,
        "walk_in": walk_in,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _attendance(
    *,
    attendance_id: uuid.UUID,
    session: ClassSession,
    method: str,
    recorder: Any,
    device: FieldDevice | None,
    recorded_at: datetime.datetime,
    resident: Resident | None = None,
    walk_in: dict[str, Any] | None = None,
) -> ClassAttendance:
    """An attendance of the session, not saved yet, with the hash of what it says (`attendance_hash`)."""
    content = attendance_hash(
        session=session.pk,
        recorded_by=recorder.pk,
        method=method,
        recorded_at=recorded_at,
        resident=resident.pk if resident is not None else None,
        walk_in=walk_in,
    )
    return ClassAttendance(
        id=attendance_id,
        session=session,
        commune_id=session.commune_id,
        day=session.day,
        resident=resident,
        method=method,
        recorded_by=recorder,
        device=device,
        recorded_at=recorded_at,
        content_hash=content,
    )


def _check_session_open(
    session: ClassSession, recorded_at: datetime.datetime, today: datetime.date | None = None
) -> None:
    if session.cancelled_at is not None:
        raise DomainError(_("Buổi học này đã hủy."), field="session", code="session_cancelled")
    now = timezone.now()
    if recorded_at > now + CLOCK_SKEW:
        raise DomainError(_("Thời điểm điểm danh ở tương lai."), field="recorded_at", code="in_future")
    today = min(today or timezone.localdate(), timezone.localdate())
    if session.day > today:
        raise DomainError(_("Buổi học chưa diễn ra."), field="session", code="session_not_started")
    if (today - session.day).days > LATE_ATTENDANCE_DAYS:
        raise DomainError(_("Đã quá hạn điểm danh cho buổi học này."), field="session", code="session_too_old")


def _check_capacity(session: ClassSession) -> None:
    if session.attendances.count() >= session.community_class.capacity:
        raise DomainError(_("Buổi học đã đủ số chỗ."), field="session", code="full")


def _existing(attendance_id: uuid.UUID, content: str) -> AttendanceResult | None:
    found = ClassAttendance.objects.filter(pk=attendance_id).first()
    if found is None:
        return None
    if found.content_hash != content:
        raise AttendanceConflict()
    return AttendanceResult(found, UNCHANGED)


def record_attendance(
    *,
    session: ClassSession,
    resident: Resident,
    method: str,
    actor: Any,
    attendance_id: uuid.UUID | None = None,
    recorded_at: datetime.datetime | None = None,
    device: FieldDevice | None = None,
) -> AttendanceResult:
    """Record that a registry resident is present at a session, found by `method` (registry search, card QR,
    check-in code). Idempotent: the person already present at the session gives their first record back
    ("unchanged"); a resend under the same UUID and content is "unchanged"; other content under that UUID raises
    AttendanceConflict.

    Allowed for those who may run the class — or, by the check-in code, for the learner themselves (the actor's own
    resident). A person found by registry search lives in the commune. Returns the result. Raises NotFound outside
    scope; DomainError for a cancelled, future or too old session, a full session, or an unknown method."""
    recorded_at = recorded_at or timezone.now()
    if method not in (AttendanceMethod.REGISTRY, AttendanceMethod.CARD, AttendanceMethod.CODE):
        raise DomainError(_("Cách điểm danh không hợp lệ."), field="method", code="method_invalid")
    own = actor is not None and method == AttendanceMethod.CODE and resident.user_id == actor.pk
    if actor is not None and not own and not may_run_community_class(actor, session.community_class):
        raise NotFound()
    if method == AttendanceMethod.REGISTRY and not path_within(resident.village.path, session.commune.path):
        raise DomainError(_("Người này không sống ở xã của lớp học."), field="resident", code="resident_outside")
    recorder = actor if actor is not None else session.community_class.created_by
    if recorder is None:
        raise DomainError(_("Cần người ghi điểm danh."), code="no_recorder")
    attendance = _attendance(
        attendance_id=attendance_id or uuid.uuid4(),
        session=session,
        method=method,
        recorder=recorder,
        device=device,
        recorded_at=recorded_at,
        resident=resident,
    )
    with transaction.atomic():
        known = _existing(attendance.pk, attendance.content_hash)
        if known is not None:
            return known
        ClassSession.objects.select_for_update().filter(pk=session.pk).first()
        present = ClassAttendance.objects.filter(session=session, resident=resident).first()
        if present is not None:
            return AttendanceResult(present, UNCHANGED)
        _check_session_open(session, recorded_at)
        _check_capacity(session)
        try:
            with transaction.atomic():
                attendance.save(force_insert=True)
        except IntegrityError:
            # the same person recorded at the same moment by another phone: the first record stands
            present = ClassAttendance.objects.filter(session=session, resident=resident).first()
            if present is None:
                raise
            return AttendanceResult(present, UNCHANGED)
        record_audit(
            actor=actor,
            action="outreach.record_attendance",
            target=attendance,
            details={"session": str(session.pk), "resident": resident.pk, "method": method},
        )
    return AttendanceResult(attendance, CREATED)


def _clean_walk_in(
    *, session: ClassSession, full_name: Any, birth_year: Any, sex: Any, ethnicity: Any, village: AdministrativeUnit
) -> dict[str, Any]:
    name = " ".join(str(full_name or "").split())[:150]
    if len(name) < 2:
        raise DomainError(_("Cần họ và tên."), field="full_name", code="required")
    this_year = timezone.localdate().year
    if (
        not isinstance(birth_year, int)
        or isinstance(birth_year, bool)
        or not this_year - 120 <= birth_year <= this_year
    ):
        raise DomainError(_("Năm sinh không hợp lệ."), field="birth_year", code="birth_year_invalid")
    if sex not in Sex.values:
        raise DomainError(_("Giới tính không hợp lệ."), field="sex", code="sex_invalid")
    if not isinstance(ethnicity, int) or isinstance(ethnicity, bool) or not 1 <= ethnicity <= 54:
        raise DomainError(_("Dân tộc không hợp lệ."), field="ethnicity", code="ethnicity_invalid")
    if village.level != Level.VILLAGE or not path_within(village.path, session.commune.path):
        raise DomainError(_("Thôn không thuộc xã của lớp học."), field="village", code="village_outside")
    return {"full_name": name, "birth_year": birth_year, "sex": sex, "ethnicity": ethnicity, "village": village.pk}


def record_walk_in(
    *,
    session: ClassSession,
    full_name: str,
    birth_year: Any,
    sex: Any,
    ethnicity: Any,
    village: AdministrativeUnit,
    actor: Any,
    attendance_id: uuid.UUID | None = None,
    recorded_at: datetime.datetime | None = None,
    device: FieldDevice | None = None,
) -> AttendanceResult:
    """Record someone present who is not in the registry, with the minimum the registry needs (name, birth year,
    sex, ethnicity, a village of the commune): an attendance without a resident and a walk-in the commune confirms
    later (`decide_walk_in`). Idempotent by UUID (same content "unchanged", other content AttendanceConflict).

    Allowed for those who may run the class. Returns the result. Raises NotFound outside scope, DomainError for
    missing or invalid data, or a session that is cancelled, in the future, too old or full."""
    if actor is not None and not may_run_community_class(actor, session.community_class):
        raise NotFound()
    recorded_at = recorded_at or timezone.now()
    data = _clean_walk_in(
        session=session, full_name=full_name, birth_year=birth_year, sex=sex, ethnicity=ethnicity, village=village
    )
    recorder = actor if actor is not None else session.community_class.created_by
    if recorder is None:
        raise DomainError(_("Cần người ghi điểm danh."), code="no_recorder")
    attendance = _attendance(
        attendance_id=attendance_id or uuid.uuid4(),
        session=session,
        method=AttendanceMethod.WALK_IN,
        recorder=recorder,
        device=device,
        recorded_at=recorded_at,
        walk_in=data,
    )
    with transaction.atomic():
        known = _existing(attendance.pk, attendance.content_hash)
        if known is not None:
            return known
        ClassSession.objects.select_for_update().filter(pk=session.pk).first()
        _check_session_open(session, recorded_at)
        _check_capacity(session)
        attendance.save(force_insert=True)
        WalkIn.objects.create(
            attendance=attendance,
            full_name=data["full_name"],
            birth_year=birth_year,
            sex=sex,
            ethnicity=ethnicity,
            village=village,
        )
        record_audit(
            actor=actor,
            action="outreach.record_walk_in",
            target=attendance,
            details={"session": str(session.pk), "village": village.code},
        )
    return AttendanceResult(attendance, CREATED)


def check_in_with_code(*, user: Any, code: str, ip_address: str | None = None) -> AttendanceResult:
    """A learner signed in on their own phone types the code the room shows: they are recorded present at today's
    session with that code in force (not cancelled). Returns the result (idempotent as `record_attendance`).
    Raises DomainError for an account not linked to the registry, or a code that names no session today (the same
    answer for a wrong code and a session elsewhere).

    Guessing is limited: a code is CHECK_IN_LENGTH characters of a 31-letter alphabet (31⁶ ≈ 887 million codes)
    and works only on its session's day; each try counts against the learner and the client's address like a
    failed sign-in (`reserve_guess`), a right one is taken back. With CHECK_IN_GUESS_LIMIT (5) wrong codes per
    learner and CHECK_IN_ADDRESS_GUESS_LIMIT (30) per address in 30 minutes, an address that tries all day has
    about one chance in a thousand to hit one of 500 sessions of a day. Once the limit is reached every code is
    refused (DomainError code "throttled", audited as `outreach.check_in_throttled`) until the window passes."""
    resident = (
        Resident.objects.select_related("village").filter(user_id=user.pk).first() if user.is_authenticated else None
    )
    if resident is None:
        raise DomainError(
            _("Tài khoản của bạn chưa gắn với sổ dân cư. Hãy nhờ người hướng dẫn điểm danh."), code="no_resident"
        )
    try:
        guess = reserve_guess(
            purpose="diem-danh",
            key=str(user.pk),
            ip_address=ip_address,
            limit=settings.CHECK_IN_GUESS_LIMIT,
            address_limit=settings.CHECK_IN_ADDRESS_GUESS_LIMIT,
        )
    except Throttled as throttled:
        record_audit(
            actor=user,
            action="outreach.check_in_throttled",
            object_type="outreach.classsession",
            details={"until": throttled.until.isoformat()},
        )
        raise DomainError(
            _(
                "Bạn đã nhập sai mã điểm danh quá nhiều lần. Hãy thử lại sau %(time)s, hoặc nhờ người hướng dẫn "
                "điểm danh cho bạn."
            )
            % {"time": timezone.localtime(throttled.until).strftime("%H:%M")},
            field="code",
            code="throttled",
        ) from throttled
    text = "".join(str(code or "").split()).upper()[: CHECK_IN_LENGTH + 2]
    session = (
        ClassSession.objects.scheduled()
        .select_related("community_class__commune", "commune")
        .filter(day=timezone.localdate(), check_in_code=text)
        .first()
        if len(text) == CHECK_IN_LENGTH
        else None
    )
    if session is None:
        raise DomainError(_("Mã điểm danh không đúng hoặc không có buổi học hôm nay."), field="code", code="code_wrong")
    guess.right()
    return record_attendance(session=session, resident=resident, method=AttendanceMethod.CODE, actor=user)


def decide_walk_in(*, walk_in: WalkIn, confirm: bool, actor: Any, resident: Resident | None = None) -> WalkIn:
    """A commune officer confirms a walk-in — naming the registry resident they already are (`resident`), or else
    registering them with what was recorded (birth year only) — or rejects it. A confirmed walk-in's attendance
    becomes the resident's (if the resident was already recorded at that session, the walk-in's attendance is
    dropped: one person, one record).

    Allowed for those who schedule the commune's classes (and, when registering, may manage people in the
    village). Returns the walk-in. Raises NotFound outside scope, DomainError for a walk-in already decided or a
    named resident outside the commune."""
    attendance = ClassAttendance.objects.select_related("session__commune").get(pk=walk_in.attendance_id)
    commune = attendance.session.commune
    if actor is not None and not may_schedule_classes(actor, commune):
        raise NotFound()
    with transaction.atomic():
        walk_in = WalkIn.objects.select_for_update().select_related("village").get(pk=walk_in.pk)
        if walk_in.status != ReportStatus.PENDING:
            raise DomainError(_("Người học này đã được xử lý."), field="status", code="already_decided")
        if confirm:
            if resident is None:
                resident = register_resident(
                    full_name=walk_in.full_name,
                    birth_date=datetime.date(walk_in.birth_year, 1, 1),
                    birth_date_precision="year",
                    sex=walk_in.sex,
                    ethnicity=walk_in.ethnicity,
                    village=walk_in.village,
                    actor=actor,
                )
            elif not path_within(resident.village.path, commune.path):
                raise DomainError(
                    _("Người này không sống ở xã của lớp học."), field="resident", code="resident_outside"
                )
            walk_in.resident = resident
        walk_in.status = ReportStatus.CONFIRMED if confirm else ReportStatus.REJECTED
        walk_in.decided_by, walk_in.decided_at = actor, timezone.now()
        walk_in.save()
        duplicate = (
            confirm and ClassAttendance.objects.filter(session_id=attendance.session_id, resident=resident).exists()
        )
        if duplicate:
            # the resident was recorded at that session already: one person, one record (the walk-in goes with it)
            attendance.delete()
        elif confirm:
            ClassAttendance.objects.filter(pk=attendance.pk).update(resident=resident)
        record_audit(
            actor=actor,
            action="outreach.decide_walk_in",
            object_type="outreach.walkin",
            object_id=walk_in.pk,
            details={
                "status": walk_in.status,
                "resident": resident.pk if resident else None,
                "duplicate_dropped": bool(duplicate),
            },
        )
    return walk_in


def pending_walk_ins(*, user: Any, commune: AdministrativeUnit) -> list[WalkIn]:
    """The commune's walk-ins waiting for a decision, oldest first (at most 200). Raises NotFound unless the user
    schedules the commune's classes."""
    if not may_schedule_classes(user, commune):
        raise NotFound()
    return list(
        WalkIn.objects.filter(status=ReportStatus.PENDING, attendance__commune=commune)
        .select_related("village", "attendance__session__community_class")
        .order_by("created_at", "pk")[:200]
    )


# --- Supervised assessment -----------------------------------------------------------------------------------------


def open_class_assessment(
    *, session: ClassSession, actor: Any, assessment: Assessment | None = None, valid_hours: int = 3
) -> OpenedSession:
    """Open a supervised assessment session (learning's supervised mode) tied to this class session, for its
    attendees: those without a smartphone take the final assessment on the class device. Allowed for those who may
    run the class and run classes in its commune. Returns the supervised session and its PIN (shown once).
    Raises NotFound outside scope, DomainError for a cancelled session or one not held today."""
    if not may_run_community_class(actor, session.community_class):
        raise NotFound()
    if session.cancelled_at is not None or session.day != timezone.localdate():
        raise DomainError(_("Chỉ mở bài đánh giá trong ngày của buổi học."), field="session", code="not_today")
    return open_supervised_session(
        instructor=actor,
        unit_code=session.commune.code,
        assessment=assessment,
        class_session=str(session.pk),
        valid_hours=valid_hours,
    )


# --- Offline sync --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncedAttendance:
    id: str
    status: str  # "created", "unchanged", "conflict", "rejected"
    message: str = ""
    field: str | None = None


@dataclass
class _Pending:
    """A registry or card record of a batch, checked and waiting to be stored with the others."""

    index: int
    attendance: ClassAttendance


def _resident_of(record: dict[str, Any], session: ClassSession, residents: dict[int, Resident]) -> Resident:
    method = record.get("method")
    if method == AttendanceMethod.CARD:
        resident = resident_from_card(str(record.get("card", "")))
    else:
        resident_id = record.get("resident")
        ok = isinstance(resident_id, int) and not isinstance(resident_id, bool)
        resident = residents.get(resident_id) if ok else None  # type: ignore[arg-type]
        if resident is not None and not path_within(resident.village.path, session.commune.path):
            resident = None
    if resident is None:
        raise DomainError(_("Không tìm thấy người học."), field="resident", code="resident_unknown")
    return resident


def sync_attendances(
    *,
    actor: Any,
    records: Iterable[Any],
    device: FieldDevice | None = None,
    as_of: datetime.date | None = None,
) -> list[SyncedAttendance]:
    """Apply a phone's queued attendances, one result per record in order (created, unchanged, conflict,
    rejected with a message); one refused record never blocks the others. A record: {"id": UUID, "session": UUID,
    "recorded_at": aware datetime (or ISO 8601 text), "method": …, and "resident": id, or "card": the scanned QR
    text, or "walk_in": {full_name, birth_year, sex, ethnicity, village (code)}}. A session the actor may not run is
    refused like one that does not exist.

    Registry and card records are checked together and stored in one transaction of a few statements (the same
    rules as `record_attendance`, one audit entry each); should that fail (another phone stored one of them
    meanwhile), each is stored on its own by `record_attendance`. Walk-ins are stored one by one. `as_of` (an
    earlier day, for loading a history: the demo) judges how late a record is as on that day; a phone never sends
    it (the API does not read it)."""
    records = list(records)
    results: list[SyncedAttendance | None] = [None] * len(records)
    sessions: dict[str, ClassSession] = {}
    wanted = [record.get("resident") for record in records if isinstance(record, dict)]
    residents = Resident.objects.select_related("village").in_bulk(
        [pk for pk in wanted if isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**31]
    )
    pending: list[_Pending] = []
    for index, raw in enumerate(records):
        record: dict[str, Any] = raw if isinstance(raw, dict) else {}
        record_id = str(record.get("id", ""))[:64]
        try:
            attendance_id = uuid.UUID(record_id)
            key = str(record.get("session", ""))[:64]
            if key not in sessions:
                sessions[key] = session_for(user=actor, session_id=key, device=device)
            session = sessions[key]
            recorded_at = record.get("recorded_at")
            if isinstance(recorded_at, str):
                recorded_at = parse_datetime(recorded_at[:40])
            if not isinstance(recorded_at, datetime.datetime) or timezone.is_naive(recorded_at):
                raise DomainError(_("Thời điểm điểm danh không hợp lệ."), field="recorded_at", code="recorded_at")
            method = record.get("method")
            if method == AttendanceMethod.WALK_IN:
                data = record.get("walk_in")
                data = data if isinstance(data, dict) else {}
                village = AdministrativeUnit.objects.filter(code=str(data.get("village", ""))[:40]).first()
                if village is None:
                    raise DomainError(_("Thôn không thuộc xã của lớp học."), field="village", code="village_outside")
                result = record_walk_in(
                    session=session,
                    full_name=data.get("full_name", ""),
                    birth_year=data.get("birth_year"),
                    sex=data.get("sex"),
                    ethnicity=data.get("ethnicity"),
                    village=village,
                    actor=actor,
                    attendance_id=attendance_id,
                    recorded_at=recorded_at,
                    device=device,
                )
                results[index] = SyncedAttendance(str(result.attendance.pk), result.status)
                continue
            if method not in (AttendanceMethod.REGISTRY, AttendanceMethod.CARD):
                raise DomainError(_("Cách điểm danh không hợp lệ."), field="method", code="method_invalid")
            resident = _resident_of(record, session, residents)
            _check_session_open(session, recorded_at, as_of)
            attendance = _attendance(
                attendance_id=attendance_id,
                session=session,
                method=method,
                recorder=actor,
                device=device,
                recorded_at=recorded_at,
                resident=resident,
            )
            pending.append(_Pending(index, attendance))
        except AttendanceConflict as error:
            results[index] = SyncedAttendance(record_id, "conflict", str(error.message), error.field)
        except (ValueError, TypeError, AttributeError):
            results[index] = SyncedAttendance(record_id, "rejected", _("Dữ liệu điểm danh không hợp lệ."), "id")
        except NotFound:
            results[index] = SyncedAttendance(record_id, "rejected", _("Không tìm thấy buổi học."), "session")
        except DomainError as error:
            results[index] = SyncedAttendance(record_id, "rejected", str(error.message), error.field)
    if pending:
        _store_pending(pending, results, actor=actor, device=device)
    return [result for result in results if result is not None]


def _store_pending(
    pending: list[_Pending], results: list[SyncedAttendance | None], *, actor: Any, device: FieldDevice | None
) -> None:
    """Store the checked registry and card records of a batch together (see `sync_attendances`)."""
    try:
        with transaction.atomic():
            session_ids = sorted({item.attendance.session_id for item in pending})
            list(ClassSession.objects.select_for_update().filter(pk__in=session_ids).values_list("pk", flat=True))
            stored = dict(
                ClassAttendance.objects.filter(pk__in=[item.attendance.pk for item in pending]).values_list(
                    "pk", "content_hash"
                )
            )
            present: dict[tuple[Any, Any], Any] = {
                (session_id, resident_id): pk
                for pk, session_id, resident_id in ClassAttendance.objects.filter(
                    session_id__in=session_ids,
                    resident_id__in={item.attendance.resident_id for item in pending},
                ).values_list("pk", "session_id", "resident_id")
            }
            counts = dict(
                ClassAttendance.objects.filter(session_id__in=session_ids)
                .values("session_id")
                .annotate(n=Count("id"))
                .values_list("session_id", "n")
            )
            created: list[ClassAttendance] = []
            for item in pending:
                attendance = item.attendance
                place = (attendance.session_id, attendance.resident_id)
                if attendance.pk in stored:
                    same = stored[attendance.pk] == attendance.content_hash
                    results[item.index] = (
                        SyncedAttendance(str(attendance.pk), UNCHANGED)
                        if same
                        else SyncedAttendance(str(attendance.pk), "conflict", str(AttendanceConflict().message), "id")
                    )
                elif place in present:
                    results[item.index] = SyncedAttendance(str(present[place]), UNCHANGED)
                elif counts.get(attendance.session_id, 0) >= attendance.session.community_class.capacity:
                    results[item.index] = SyncedAttendance(
                        str(attendance.pk), "rejected", _("Buổi học đã đủ số chỗ."), "session"
                    )
                else:
                    counts[attendance.session_id] = counts.get(attendance.session_id, 0) + 1
                    present[place] = attendance.pk
                    stored[attendance.pk] = attendance.content_hash
                    created.append(attendance)
                    results[item.index] = SyncedAttendance(str(attendance.pk), CREATED)
            ClassAttendance.objects.bulk_create(created)
            record_audits(
                [
                    audit_entry(
                        actor=actor,
                        action="outreach.record_attendance",
                        target=attendance,
                        details={
                            "session": str(attendance.session_id),
                            "resident": attendance.resident_id,
                            "method": attendance.method,
                        },
                    )
                    for attendance in created
                ]
            )
    except IntegrityError:
        for item in pending:
            attendance = item.attendance
            assert attendance.resident is not None
            try:
                result = record_attendance(
                    session=attendance.session,
                    resident=attendance.resident,
                    method=attendance.method,
                    actor=actor,
                    attendance_id=attendance.pk,
                    recorded_at=attendance.recorded_at,
                    device=device,
                )
                results[item.index] = SyncedAttendance(str(result.attendance.pk), result.status)
            except AttendanceConflict as error:
                results[item.index] = SyncedAttendance(str(attendance.pk), "conflict", str(error.message), "id")
            except DomainError as error:
                results[item.index] = SyncedAttendance(str(attendance.pk), "rejected", str(error.message), error.field)


# --- Reads ---------------------------------------------------------------------------------------------------------


def attendance_counts(sessions: Iterable[ClassSession]) -> dict[Any, int]:
    """{session id: attendances} for the sessions, in one query."""
    ids = [session.pk for session in sessions]
    rows = ClassAttendance.objects.filter(session_id__in=ids).values("session_id").annotate(n=Count("id"))
    return {row["session_id"]: row["n"] for row in rows}


def sessions_in(*, units: Any, first_day: datetime.date, last_day: datetime.date) -> Any:
    """The sessions of classes in communes among `units` (a QuerySet of communes) between two days, by day."""
    return (
        ClassSession.objects.filter(commune__in=units)
        .between(first_day, last_day)
        .select_related("community_class", "commune")
        .order_by("day", "starts_at", "commune__name", "pk")
    )
