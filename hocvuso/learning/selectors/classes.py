"""Supervised tests at community classes: over a period, for reports, how many sessions instructors opened in an
area, how many tests learners finished in them and how many passed (two queries, whatever the area's size); and
for an instructor, the learners they supervised with their progress and results."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from hocvuso.territory.models import AdministrativeUnit

from ..models import (
    AssessmentKind,
    Attempt,
    AttemptState,
    Enrolment,
    Lesson,
    LiteracyStatus,
    SupervisedSession,
)


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


# --- an instructor's learners ---------------------------------------------------------------------------------

MAX_LEARNERS = 300


@dataclass(frozen=True)
class LearnerCourse:
    """One course of a learner: lessons done out of the course's active lessons, the best final score, passed."""

    course_slug: str
    course_title: str
    lessons_done: int
    lessons_total: int
    best_score: Decimal | None
    passed: bool


@dataclass(frozen=True)
class ClassLearner:
    """A learner an instructor supervised: their courses with progress and results, whether their digital
    literacy is confirmed, and when they last took a supervised test with this instructor."""

    user_id: int
    name: str
    courses: list[LearnerCourse]
    literacy_confirmed: bool
    last_test_at: datetime | None


def instructor_learners(*, instructor: Any, units: Any) -> list[ClassLearner]:
    """The learners who took a test in a supervised session that `instructor` opened in one of `units` (the units
    where they may run classes today, from access.units_visible_to): each with every course they are enrolled in
    (lessons done, best final score, passed) and their literacy status; newest tests first, at most MAX_LEARNERS.
    Five queries whatever the number of learners. Nothing about answers or questions."""
    supervised = Attempt.objects.filter(
        supervised_session__instructor_id=instructor.pk, supervised_session__unit__in=units
    )
    latest = list(
        supervised.values("user_id", "user__full_name", "user__username")
        .annotate(last=Max("started_at"))
        .order_by("-last", "user_id")[:MAX_LEARNERS]
    )
    user_ids = [row["user_id"] for row in latest]
    enrolments = list(
        Enrolment.objects.filter(user_id__in=user_ids)
        .select_related("course")
        .annotate(done=Count("completions", filter=Q(completions__lesson__is_active=True), distinct=True))
        .order_by("enrolled_at", "pk")
    )
    course_ids = {enrolment.course_id for enrolment in enrolments}
    totals = dict(
        Lesson.objects.active()
        .filter(course_id__in=course_ids)
        .values("course_id")
        .annotate(total=Count("id"))
        .values_list("course_id", "total")
    )
    finals: dict[tuple[int, int], dict[str, Any]] = {
        (row["user_id"], row["assessment__course_id"]): dict(row)
        for row in Attempt.objects.filter(
            user_id__in=user_ids, assessment__kind=AssessmentKind.FINAL, assessment__course_id__in=course_ids
        )
        .exclude(state=AttemptState.IN_PROGRESS)
        .values("user_id", "assessment__course_id")
        .annotate(best=Max("score"), passed=Count("id", filter=Q(passed=True)))
    }
    literate = set(LiteracyStatus.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    courses: dict[int, list[LearnerCourse]] = {}
    for enrolment in enrolments:
        final: dict[str, Any] = finals.get((enrolment.user_id, enrolment.course_id), {})
        courses.setdefault(enrolment.user_id, []).append(
            LearnerCourse(
                course_slug=enrolment.course.slug,
                course_title=enrolment.course.title,
                lessons_done=enrolment.done,
                lessons_total=totals.get(enrolment.course_id, 0),
                best_score=final.get("best"),
                passed=bool(final.get("passed")),
            )
        )
    return [
        ClassLearner(
            user_id=row["user_id"],
            name=row["user__full_name"] or row["user__username"],
            courses=courses.get(row["user_id"], []),
            literacy_confirmed=row["user_id"] in literate,
            last_test_at=row["last"],
        )
        for row in latest
    ]
