"""What a learner may do next with an assessment, their dashboard, the catalogue, supervised sessions."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Assessment,
    AssessmentKind,
    Attempt,
    AttemptState,
    Course,
    Enrolment,
    Lesson,
    LiteracyStatus,
    SelfAssessmentResult,
    SupervisedSession,
)
from ._common import signed_in

# --- what the learner may do with an assessment -----------------------------------------------------------


@dataclass(frozen=True)
class AssessmentStatus:
    """Whether the learner may start (or resume) an attempt now, and if not, why — the same rules the
    start_attempt service enforces, for showing the right button."""

    assessment: Assessment
    attempts_used: int
    attempts_left: int | None
    best_score: Decimal | None
    passed: bool
    open_attempt_id: uuid.UUID | None
    available_at: datetime | None
    can_start: bool
    reason: str
    open_answered: int = 0  # in the open attempt: questions answered so far, out of ``open_questions``
    open_questions: int = 0


def assessment_status(*, user: Any, assessment: Assessment) -> AssessmentStatus:
    """What the learner may do next with this assessment (see AssessmentStatus), in three queries (four with an
    attempt in progress: how far it got)."""
    attempts = list(Attempt.objects.filter(user_id=user.pk, assessment=assessment).order_by("number"))
    enrolment = (
        Enrolment.objects.filter(user_id=user.pk, course_id=assessment.course_id).select_related("start_lesson").first()
    )
    finished = [attempt for attempt in attempts if not attempt.is_open]
    now = timezone.now()
    open_attempt = next((a for a in attempts if a.is_open and not a.is_past_deadline(now)), None)
    passed = any(attempt.passed for attempt in finished)
    scores = [attempt.score for attempt in finished if attempt.score is not None]
    used = len(attempts)
    is_final = assessment.kind == AssessmentKind.FINAL
    left = max(assessment.max_attempts - used, 0) if is_final and assessment.max_attempts is not None else None
    available_at = None
    reason = ""
    if enrolment is None:
        reason = _("Hãy ghi danh khóa học trước.")
    elif open_attempt is not None:
        reason = ""
    elif is_final and passed:
        reason = _("Bạn đã đạt bài đánh giá này rồi.")
    elif left == 0:
        reason = _("Bạn đã dùng hết lượt làm bài.")
    else:
        last = finished[-1] if finished else None
        if is_final and last is not None and last.passed is False and assessment.cooldown_hours and last.ended_at:
            moment = last.ended_at + timedelta(hours=assessment.cooldown_hours)
            if now < moment:
                available_at = moment
                reason = _("Hãy ôn lại bài rồi làm lại sau.")
        if not reason:
            start = enrolment.start_lesson.position if enrolment.start_lesson else 0
            if is_final and not (enrolment.assessment_first and not attempts):
                left_lessons = (
                    Lesson.objects.active()
                    .filter(course_id=assessment.course_id, position__gte=start)
                    .exclude(completions__user_id=user.pk)
                    .count()
                )
                if left_lessons:
                    reason = _("Hãy học xong tất cả bài học trước (còn %(count)s bài).") % {"count": left_lessons}
    answers = list(open_attempt.answers.values_list("answer", flat=True)) if open_attempt is not None else []
    return AssessmentStatus(
        assessment=assessment,
        attempts_used=used,
        attempts_left=left,
        best_score=max(scores) if scores else None,
        passed=passed,
        open_attempt_id=open_attempt.pk if open_attempt else None,
        available_at=available_at,
        can_start=not reason,
        reason=reason,
        open_answered=sum(1 for answer in answers if answer is not None),
        open_questions=len(answers),
    )


# --- dashboard and catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseProgress:
    enrolment: Enrolment
    course: Course
    completed_lessons: int
    required_lessons: int
    next_lesson_slug: str | None
    next_lesson_title: str | None
    final_assessment_id: int | None
    attempts_used: int
    best_score: Decimal | None
    passed: bool
    open_attempt_id: uuid.UUID | None

    @property
    def percent(self) -> int:
        return round(100 * self.completed_lessons / self.required_lessons) if self.required_lessons else 0


@dataclass(frozen=True)
class Dashboard:
    courses: list[CourseProgress]
    literacy: list[LiteracyStatus]
    last_self_assessment: SelfAssessmentResult | None

    @property
    def literacy_confirmed(self) -> bool:
        return bool(self.literacy)


def learner_dashboard(*, user: Any) -> Dashboard:
    """The learner's dashboard in four queries, however many courses: each enrolment with its progress
    (lessons completed of those required, the next lesson), the final assessment's attempts, best score and
    whether it is passed; the literacy confirmations; the last self-assessment and its recommendation."""
    required = Lesson.objects.active().filter(course_id=OuterRef("course_id"), position__gte=OuterRef("start_from"))
    next_lesson = required.exclude(completions__user_id=user.pk).order_by("position")
    enrolments = list(
        Enrolment.objects.filter(user_id=user.pk)
        .select_related("course")
        .annotate(start_from=Coalesce("start_lesson__position", 0))
        .annotate(
            required_count=Subquery(
                required.order_by().values("course_id").annotate(count=Count("pk")).values("count")[:1],
                output_field=IntegerField(),
            ),
            completed_count=Subquery(
                required.filter(completions__user_id=user.pk)
                .order_by()
                .values("course_id")
                .annotate(count=Count("pk"))
                .values("count")[:1],
                output_field=IntegerField(),
            ),
            next_slug=Subquery(next_lesson.values("slug")[:1]),
            next_title=Subquery(next_lesson.values("title")[:1]),
            final_pk=Subquery(
                Assessment.objects.filter(course_id=OuterRef("course_id"), kind=AssessmentKind.FINAL).values("pk")[:1]
            ),
        )
        .order_by("-enrolled_at")
    )
    finals = [enrolment.final_pk for enrolment in enrolments if enrolment.final_pk]
    attempts: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(user_id=user.pk, assessment_id__in=finals).order_by("number"):
        attempts.setdefault(attempt.assessment_id, []).append(attempt)
    now = timezone.now()
    courses = []
    for enrolment in enrolments:
        tries = attempts.get(enrolment.final_pk, [])
        scores = [attempt.score for attempt in tries if attempt.score is not None]
        open_attempt = next((a for a in tries if a.is_open and not a.is_past_deadline(now)), None)
        courses.append(
            CourseProgress(
                enrolment=enrolment,
                course=enrolment.course,
                completed_lessons=enrolment.completed_count or 0,
                required_lessons=enrolment.required_count or 0,
                next_lesson_slug=enrolment.next_slug,
                next_lesson_title=enrolment.next_title,
                final_assessment_id=enrolment.final_pk,
                attempts_used=len(tries),
                best_score=max(scores) if scores else None,
                passed=any(attempt.passed for attempt in tries),
                open_attempt_id=open_attempt.pk if open_attempt else None,
            )
        )
    literacy = list(LiteracyStatus.objects.filter(user_id=user.pk).select_related("rule").order_by("confirmed_at"))
    last = (
        SelfAssessmentResult.objects.filter(user_id=user.pk)
        .select_related("recommended_course", "start_lesson")
        .order_by("-created_at")
        .first()
    )
    return Dashboard(courses=courses, literacy=literacy, last_self_assessment=last)


@dataclass(frozen=True)
class CatalogueEntry:
    course: Course
    lessons: int
    minutes: int
    is_enrolled: bool
    audio_lessons: int = 0  # active lessons with narration (a file or a link): what the catalogue may promise


def course_catalogue(*, user: Any = None, group: str = "") -> list[CatalogueEntry]:
    """Published courses (of one target group, if given) with their lesson count, how many of those lessons
    have narration, and whether the user is enrolled, in one query."""
    user_pk: int = user.pk if signed_in(user) else 0  # no account has id 0
    courses = (
        Course.objects.published()
        .annotate(
            lesson_count=Count("lessons", filter=Q(lessons__is_active=True)),
            audio_count=Count(
                "lessons",
                filter=Q(lessons__is_active=True) & (Q(lessons__audio__isnull=False) | ~Q(lessons__audio_url="")),
            ),
            enrolled=Exists(Enrolment.objects.filter(user_id=user_pk, course=OuterRef("pk"))),
        )
        .order_by("title")
    )
    if group:
        courses = courses.filter(group=group)
    return [
        CatalogueEntry(course, course.lesson_count, course.estimated_minutes, course.enrolled, course.audio_count)
        for course in courses
    ]


def literacy_statuses(*, user: Any) -> list[LiteracyStatus]:
    """The user's literacy confirmations, oldest first."""
    return list(LiteracyStatus.objects.filter(user_id=user.pk).select_related("rule").order_by("confirmed_at"))


def supervised_sessions_for(*, user: Any) -> list[SupervisedSession]:
    """The supervised sessions the instructor opened that are still open now, newest first."""
    now = timezone.now()
    return list(
        SupervisedSession.objects.filter(instructor_id=user.pk, closed_at__isnull=True, expires_at__gt=now)
        .select_related("unit", "assessment")
        .annotate(attempt_count=Count("attempts"))
        .order_by("-opened_at")
    )


def open_attempts_count(*, assessment: Assessment) -> int:
    """How many attempts at the assessment are in progress (for operators)."""
    return Attempt.objects.filter(assessment=assessment, state=AttemptState.IN_PROGRESS).count()
