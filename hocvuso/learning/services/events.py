"""The xAPI statements of learning events, written to the outbox in the caller's transaction."""

from datetime import datetime
from typing import Any

from hocvuso.learning import xapi
from hocvuso.learning.xapi.statements import activity_iri

from ..models import Assessment, AssessmentKind, Attempt, Course, Enrolment, Lesson


def actor_key(user: Any) -> str:
    """The internal key an xAPI actor is hashed from: the user's id (stable when a resident is linked later)."""
    return f"user:{user.pk}"


def course_path(course: Course) -> str:
    return f"courses/{course.slug}"


def assessment_path(assessment: Assessment) -> str:
    if assessment.kind == AssessmentKind.QUIZ and assessment.lesson is not None:
        return f"{course_path(assessment.course)}/lessons/{assessment.lesson.slug}/quiz"
    return f"{course_path(assessment.course)}/assessment"


def _context(enrolment: Enrolment | None, course: Course) -> dict[str, Any]:
    context: dict[str, Any] = {
        "contextActivities": {"parent": [{"id": activity_iri(course_path(course)), "objectType": "Activity"}]}
    }
    if enrolment is not None:
        context["registration"] = str(enrolment.registration)
    return context


def enrolled(enrolment: Enrolment) -> None:
    xapi.queue_statement(
        actor_key=actor_key(enrolment.user),
        verb=xapi.REGISTERED,
        object_id=course_path(enrolment.course),
        object_name=enrolment.course.title,
        object_type=xapi.COURSE,
        context={"registration": str(enrolment.registration)},
        timestamp=enrolment.enrolled_at,
    )


def lesson_completed(enrolment: Enrolment, lesson: Lesson, moment: datetime) -> None:
    xapi.queue_statement(
        actor_key=actor_key(enrolment.user),
        verb=xapi.COMPLETED,
        object_id=f"{course_path(lesson.course)}/lessons/{lesson.slug}",
        object_name=lesson.title,
        object_type=xapi.LESSON,
        result={"completion": True},
        context=_context(enrolment, lesson.course),
        timestamp=moment,
    )


def _duration(seconds: float) -> str:
    return f"PT{max(seconds, 0):.0f}S"


def attempt_submitted(attempt: Attempt, enrolment: Enrolment | None) -> None:
    """Two statements: "attempted" with the result, then "passed" or "failed" with the same score."""
    assessment = attempt.assessment
    assert attempt.score is not None and attempt.submitted_at is not None
    ended = attempt.ended_at or attempt.submitted_at
    score = {"scaled": round(float(attempt.score) / 100, 4), "raw": float(attempt.score), "min": 0, "max": 100}
    common: dict[str, Any] = {
        "actor_key": actor_key(attempt.user),
        "object_id": assessment_path(assessment),
        "object_name": assessment.title,
        "object_type": xapi.ASSESSMENT,
        "context": _context(enrolment, assessment.course),
        "timestamp": ended,
    }
    result = {
        "score": score,
        "success": bool(attempt.passed),
        "completion": True,
        "duration": _duration((ended - attempt.started_at).total_seconds()),
    }
    xapi.queue_statement(verb=xapi.ATTEMPTED, result=result, **common)
    xapi.queue_statement(verb=xapi.PASSED if attempt.passed else xapi.FAILED, result=result, **common)
