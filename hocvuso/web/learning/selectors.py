"""Reads the learning pages need beyond the learning selectors: a course page (built on the lesson page's
outline), the assessment a page is about, the active self-assessment, a supervised session found by the short
code the instructor reads out. Each is a fixed, small number of queries."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hocvuso.core.errors import NotFound
from hocvuso.learning.models import (
    Assessment,
    AssessmentKind,
    Attempt,
    Course,
    CourseMedia,
    Lesson,
    Module,
    SelfAssessment,
    SelfAssessmentResult,
    SupervisedSession,
)
from hocvuso.learning.selectors import (
    OPEN,
    AssessmentStatus,
    OutlineModule,
    assessment_status,
    lesson_page,
)
from hocvuso.learning.services.progress import resident_of

SESSION_CODE_LENGTH = 8


def signed_in(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


@dataclass(frozen=True)
class CoursePage:
    """A course with its outline (each lesson done, open or locked for this learner), the learner's progress,
    the lesson to study next and the final assessment with what the learner may do with it."""

    course: Course
    outline: list[OutlineModule]
    lesson_count: int
    is_enrolled: bool
    completed_count: int
    required_count: int
    next_lesson_slug: str | None
    final: Assessment | None
    final_status: AssessmentStatus | None

    @property
    def progress_percent(self) -> int:
        return round(100 * self.completed_count / self.required_count) if self.required_count else 0


def course_page(*, user: Any, course_slug: str) -> CoursePage:
    """The course page of a published course: the lesson page's outline read for the first lesson (the course
    and, for a signed-in learner, their progress: two queries once the course content is cached), the final
    assessment (one) and, for a signed-in learner, its status (three). Raises NotFound for a missing or closed
    course."""
    course = Course.objects.published().filter(slug=course_slug).select_related("framework").first()
    if course is None:
        raise NotFound
    first = Lesson.objects.active().filter(course=course).order_by("position").values_list("slug", flat=True).first()
    outline: list[OutlineModule] = []
    is_enrolled, completed, required, next_slug = False, 0, 0, None
    if first is not None:
        page = lesson_page(user=user, course_slug=course.slug, lesson_slug=first)
        outline, is_enrolled = page.outline, page.is_enrolled
        completed, required = page.completed_count, page.required_count
        start = page.start_position  # the learner's starting lesson, if any
        next_slug = next(
            (
                lesson.slug
                for module in outline
                for lesson in module.lessons
                if lesson.state == OPEN and lesson.position >= start
            ),
            None,
        )
    final = Assessment.objects.filter(course=course, kind=AssessmentKind.FINAL).first()
    status = assessment_status(user=user, assessment=final) if final is not None and signed_in(user) else None
    return CoursePage(
        course=course,
        outline=outline,
        lesson_count=sum(len(module.lessons) for module in outline),
        is_enrolled=is_enrolled,
        completed_count=completed,
        required_count=required,
        next_lesson_slug=next_slug,
        final=final,
        final_status=status,
    )


def published_assessment(*, assessment_id: Any) -> Assessment:
    """A quiz or final assessment of a published course (with its course and lesson). Raises NotFound."""
    try:
        key = int(assessment_id)
    except (TypeError, ValueError):
        raise NotFound from None
    assessment = Assessment.objects.filter(pk=key, course__is_published=True).select_related("course", "lesson").first()
    if assessment is None or (assessment.lesson is not None and not assessment.lesson.is_active):
        raise NotFound
    return assessment


def published_course_file(*, name: str) -> CourseMedia:
    """A file of a published course by its stored name ("learning/<course>/<hash>/<file>"): the pictures, audio and
    downloads its lessons and questions show. Only course files are served this way — nothing else kept under
    MEDIA_ROOT (certificates, reports, imports). Raises NotFound."""
    if not name.startswith("learning/") or ".." in name.split("/"):
        raise NotFound
    media = CourseMedia.objects.filter(file=name, course__is_published=True).first()
    if media is None:
        raise NotFound
    return media


def active_lesson(*, lesson_id: Any) -> Lesson:
    """An active lesson of a published course, with its course. Raises NotFound."""
    try:
        key = int(lesson_id)
    except (TypeError, ValueError):
        raise NotFound from None
    lesson = Lesson.objects.active().filter(pk=key, course__is_published=True).select_related("course").first()
    if lesson is None:
        raise NotFound
    return lesson


def lesson_after(lesson: Lesson) -> Lesson | None:
    """The next active lesson of the same course, or None after the last."""
    return (
        Lesson.objects.active()
        .filter(course_id=lesson.course_id, position__gt=lesson.position)
        .order_by("position")
        .only("slug", "title")
        .first()
    )


def owns_attempt(*, user: Any, attempt_id: Any) -> bool:
    """True when the attempt exists and is the user's own."""
    if not signed_in(user):
        return False
    try:
        key = attempt_id if isinstance(attempt_id, uuid.UUID) else uuid.UUID(str(attempt_id))
    except (TypeError, ValueError, AttributeError):
        return False
    return Attempt.objects.filter(pk=key, user_id=user.pk).exists()


def active_self_assessment() -> SelfAssessment | None:
    """The self-assessment questionnaire in use."""
    return SelfAssessment.objects.filter(is_active=True).order_by("-updated_at").first()


def needs_group_question(user: Any) -> bool:
    """The learner must say which group they belong to when no registry record tells it."""
    return resident_of(user) is None


@dataclass(frozen=True)
class SelfAssessmentOutcome:
    """The learner's last self-assessment with what its recommendation names: the modules to note and the
    lessons to pay attention to, as titles."""

    result: SelfAssessmentResult
    notes: list[str]
    attention: list[Lesson]
    is_enrolled: bool


def last_self_assessment(*, user: Any) -> SelfAssessmentOutcome | None:
    """The learner's most recent self-assessment and its recommendation (four queries), or None."""
    result = (
        SelfAssessmentResult.objects.filter(user_id=user.pk)
        .select_related("recommended_course", "start_lesson__module")
        .order_by("-created_at")
        .first()
    )
    if result is None:
        return None
    details = result.details or {}
    course_id = result.recommended_course_id or 0  # no course has id 0
    notes = list(
        Module.objects.filter(course_id=course_id, slug__in=details.get("notes") or []).values_list("title", flat=True)
    )
    attention = list(
        Lesson.objects.active()
        .filter(course_id=course_id, slug__in=details.get("attention_lessons") or [])
        .order_by("position")
        .only("slug", "title")
    )
    is_enrolled = user.enrolments.filter(course_id=course_id).exists()
    return SelfAssessmentOutcome(result=result, notes=notes, attention=attention, is_enrolled=is_enrolled)


def final_assessments() -> list[Assessment]:
    """The final assessments of the published courses, by course title (for the supervised-session forms)."""
    return list(
        Assessment.objects.filter(kind=AssessmentKind.FINAL, course__is_published=True)
        .select_related("course")
        .order_by("course__title")
    )


def session_code(session: SupervisedSession) -> str:
    """The short code an instructor reads out so a learner's device finds the session: the first characters
    of its id. The PIN, not this code, is the secret."""
    return session.pk.hex[:SESSION_CODE_LENGTH].upper()


def open_session_by_code(code: str) -> SupervisedSession | None:
    """The open supervised session whose short code this is (there are few open at a time), or None."""
    wanted = "".join(code.split()).lower()
    if len(wanted) != SESSION_CODE_LENGTH:
        return None
    now = timezone.now()
    candidates = SupervisedSession.objects.filter(closed_at__isnull=True, expires_at__gt=now).select_related(
        "assessment__course"
    )
    matches = [session for session in candidates if session.pk.hex.startswith(wanted)]
    return matches[0] if len(matches) == 1 else None
