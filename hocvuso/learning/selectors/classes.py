"""Supervised tests at community classes over a period, for reports: how many sessions instructors opened in an
area, how many tests learners finished in them and how many passed. Two queries, whatever the area's size."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from hocvuso.territory.models import AdministrativeUnit

from ..models import Attempt, AttemptState, SupervisedSession


@dataclass(frozen=True)
class ClassActivity:
    sessions: int
    instructors: int
    tests_finished: int
    tests_passed: int


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def supervised_class_activity(*, unit: AdministrativeUnit, first_day: date, last_day: date) -> ClassActivity:
    """Sessions opened from `first_day` to `last_day` (both included, local time) in the unit or below it, and
    the tests finished in them."""
    start, end = _start_of(first_day), _start_of(last_day + timedelta(days=1))
    sessions = SupervisedSession.objects.filter(
        unit__in=AdministrativeUnit.objects.within(unit), opened_at__gte=start, opened_at__lt=end
    )
    counts = sessions.aggregate(sessions=Count("id"), instructors=Count("instructor", distinct=True))
    tests = Attempt.objects.filter(supervised_session__in=sessions.values("id")).aggregate(
        finished=Count("id", filter=~Q(state=AttemptState.IN_PROGRESS)),
        passed=Count("id", filter=Q(passed=True)),
    )
    return ClassActivity(
        sessions=counts["sessions"] or 0,
        instructors=counts["instructors"] or 0,
        tests_finished=tests["finished"] or 0,
        tests_passed=tests["passed"] or 0,
    )


@dataclass(frozen=True)
class InstructorClasses:
    """An instructor's own supervised tests: the sessions they opened (in all, and still open now) and the
    learners who took a test under their supervision (how many, and how many of them passed one)."""

    sessions: int
    open_sessions: int
    learners: int
    learners_passed: int


def instructor_classes(*, user: Any) -> InstructorClasses:
    """The instructor's own supervised sessions and the learners they supervised (InstructorClasses). Two
    queries; only the instructor's own sessions and attempts are counted."""
    now = timezone.now()
    sessions = SupervisedSession.objects.filter(instructor_id=user.pk).aggregate(
        sessions=Count("id"),
        open=Count("id", filter=Q(closed_at__isnull=True, expires_at__gt=now, opened_at__lte=now)),
    )
    learners = Attempt.objects.filter(instructor_id=user.pk).aggregate(
        learners=Count("user", distinct=True),
        passed=Count("user", distinct=True, filter=Q(passed=True)),
    )
    return InstructorClasses(
        sessions=sessions["sessions"] or 0,
        open_sessions=sessions["open"] or 0,
        learners=learners["learners"] or 0,
        learners_passed=learners["passed"] or 0,
    )
