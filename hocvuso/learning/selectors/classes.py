"""Supervised tests at community classes over a period, for reports: how many sessions instructors opened in an
area, how many tests learners finished in them and how many passed. Two queries, whatever the area's size."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

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
