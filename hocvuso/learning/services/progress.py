"""A learner's progress: enrolment, lesson completion in order, and the literacy status that follows the rules."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import record_audit

from ..models import (
    Assessment,
    AssessmentKind,
    Attempt,
    Course,
    Enrolment,
    Lesson,
    LessonCompletion,
    LiteracyRule,
    LiteracyStatus,
    SelfAssessmentResult,
)
from . import events


def resident_of(user: Any) -> Any:
    """The registry record (people.Resident) linked to the user's account, or None."""
    try:
        return user.resident
    except (ObjectDoesNotExist, AttributeError):
        return None


def _require_learner(user: Any) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise DomainError(_("Hãy đăng nhập để học."), code="not_signed_in")


@transaction.atomic
def enrol(*, user: Any, course: Course, recommendation: SelfAssessmentResult | None = None) -> Enrolment:
    """Enrol the user in the course (once: enrolling again returns the same enrolment). With the learner's
    own self-assessment ``recommendation`` for this course, its starting point applies: when it says to skip
    earlier modules the lessons before the starting lesson open at once and become optional, and it may invite
    the learner to take the final assessment first. Links the user's resident record when there is one;
    queues the xAPI "registered" statement. Raises DomainError when the user is not signed in, the course is
    closed, or the recommendation is someone else's or for another course."""
    _require_learner(user)
    if not course.is_published:
        raise DomainError(_("Khóa học này đang đóng, chưa ghi danh được."), code="course_closed")
    start: dict[str, Any] = {}
    if recommendation is not None:
        if recommendation.user_id != user.pk or recommendation.recommended_course_id != course.pk:
            raise DomainError(_("Kết quả tự đánh giá này không dành cho khóa học này."), code="recommendation")
        details = recommendation.details or {}
        start = {
            "start_lesson": recommendation.start_lesson if details.get("skip_earlier") else None,
            "assessment_first": bool(details.get("take_assessment_first")),
        }
    enrolment, created = Enrolment.objects.get_or_create(
        user=user, course=course, defaults={"resident": resident_of(user), **start}
    )
    if created:
        record_audit(actor=user, action="learning.enrolled", target=enrolment, details={"recommended": bool(start)})
        events.enrolled(enrolment)
    elif start:
        enrolment.start_lesson = start["start_lesson"]
        enrolment.assessment_first = start["assessment_first"]
        enrolment.save(update_fields=["start_lesson", "assessment_first"])
        record_audit(actor=user, action="learning.enrolment_start_changed", target=enrolment)
    return enrolment


def start_position(enrolment: Enrolment | None) -> int:
    """Lessons at or before this position are open from the start (0: only the first lesson)."""
    if enrolment is None or enrolment.start_lesson_id is None or enrolment.start_lesson is None:
        return 0
    return enrolment.start_lesson.position


def required_lessons(enrolment: Enrolment) -> Any:
    """The active lessons the learner must complete: all of them, or those from their starting lesson on."""
    return Lesson.objects.active().filter(course_id=enrolment.course_id, position__gte=start_position(enrolment))


def previous_lesson(lesson: Lesson) -> Lesson | None:
    """The active lesson just before this one in its course, or None for the first."""
    return (
        Lesson.objects.active()
        .filter(course_id=lesson.course_id, position__lt=lesson.position)
        .order_by("-position")
        .first()
    )


def is_unlocked(*, user: Any, lesson: Lesson, enrolment: Enrolment | None = None) -> bool:
    """A lesson is open when it is the first, lies at or before the learner's starting lesson, when the lesson
    before it is completed, or when the learner has already completed it."""
    before = previous_lesson(lesson)
    if before is None or lesson.position <= start_position(enrolment):
        return True
    return LessonCompletion.objects.filter(user=user, lesson_id__in=[before.pk, lesson.pk]).exists()


@transaction.atomic
def complete_lesson(*, user: Any, lesson: Lesson) -> LessonCompletion:
    """Record that the user finished the lesson. Lessons unlock in order: the lesson before it must be
    completed first. Completing a lesson twice returns the first completion. When it was the last lesson left,
    the enrolment is marked completed. Queues the xAPI "completed" statement. (No audit entry: the xAPI
    statement is the record of learning events, which are many.) Raises DomainError when the user is not
    enrolled or the lesson is still locked, NotFound for an inactive lesson."""
    _require_learner(user)
    if not lesson.is_active or not lesson.course.is_published:
        raise NotFound(_("Không tìm thấy bài học."))
    enrolment = Enrolment.objects.select_for_update().filter(user=user, course_id=lesson.course_id).first()
    if enrolment is None:
        raise DomainError(_("Hãy ghi danh khóa học «%(course)s» trước.") % {"course": lesson.course.title},
                          code="not_enrolled")  # fmt: skip
    existing = LessonCompletion.objects.filter(user=user, lesson=lesson).first()
    if existing is not None:
        return existing
    if not is_unlocked(user=user, lesson=lesson, enrolment=enrolment):
        before = previous_lesson(lesson)
        assert before is not None
        raise DomainError(
            _("Bài này chưa mở: hãy học xong bài «%(previous)s» trước.") % {"previous": before.title},
            code="lesson_locked",
        )
    now = timezone.now()
    completion = LessonCompletion.objects.create(user=user, lesson=lesson, enrolment=enrolment, completed_at=now)
    remaining = required_lessons(enrolment).exclude(completions__user=user).exists()
    if not remaining and enrolment.completed_at is None:
        enrolment.completed_at = now
        enrolment.save(update_fields=["completed_at"])
    events.lesson_completed(enrolment, lesson, now)
    return completion


def update_literacy_status(*, user: Any, attempt: Attempt | None = None) -> list[LiteracyStatus]:
    """Confirm the user digitally literate for every target group whose active rule they now satisfy (all of
    the rule's final assessments passed) and that was not confirmed yet. Called by the service that scores an
    assessment, in its transaction; confirmations are never withdrawn. Returns the new confirmations."""
    passed = set(
        Attempt.objects.filter(user=user, passed=True, assessment__kind=AssessmentKind.FINAL).values_list(
            "assessment_id", flat=True
        )
    )
    if not passed:
        return []
    confirmed = set(LiteracyStatus.objects.filter(user=user).values_list("group", flat=True))
    created = []
    rules = LiteracyRule.objects.filter(is_active=True).prefetch_related("required_assessments").order_by("pk")
    for rule in rules:
        required = {assessment.pk for assessment in rule.required_assessments.all()}
        if rule.group in confirmed or not required or not required <= passed:
            continue
        status = LiteracyStatus.objects.create(
            user=user, resident=resident_of(user), group=rule.group, rule=rule, attempt=attempt
        )
        confirmed.add(rule.group)
        created.append(status)
        record_audit(
            actor=user,
            action="learning.literacy_confirmed",
            target=status,
            details={"rule": rule.pk, "group": rule.group},
        )
    return created


def final_assessment_of(course: Course) -> Assessment | None:
    """The course's final assessment, if it has one."""
    return course.assessments.filter(kind=AssessmentKind.FINAL).first()


@transaction.atomic
def attach_resident(*, user: Any) -> int:
    """After the user's account is linked to their registry record (people.Resident.user), attach that
    resident to the user's enrolments, attempts, literacy confirmations and self-assessments recorded before
    the link, so the monitoring counts them. Returns how many rows changed; 0 when the user has no resident."""
    resident = resident_of(user)
    if resident is None:
        return 0
    changed = 0
    for model in (Enrolment, Attempt, LiteracyStatus, SelfAssessmentResult):
        changed += model.objects.filter(user=user, resident__isnull=True).update(resident=resident)
    if changed:
        record_audit(actor=None, action="learning.resident_attached", target=resident, details={"rows": changed})
    return changed
