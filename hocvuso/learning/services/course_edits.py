"""The admin's edits of a course, its lessons, questions, assessments, literacy rules and media: each keeps the
lesson HTML and the course's content hash and version right (so importing the old files again is seen as a
change), and is audited. Import and export of course folders are in courses.py."""

import hashlib
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit

from ..course_files import (
    MEDIA_EXTENSIONS,
    MEDIA_PATH,
    content_hash,
)
from ..models import (
    Assessment,
    AttemptAnswer,
    Course,
    CourseMedia,
    Lesson,
    LiteracyRule,
    Question,
)
from ..scoring import answer_key_problems
from .courses import course_as_data, render_lesson_html


def _media_of(course: Course) -> dict[str, CourseMedia]:
    return {row.path: row for row in course.media.all()}


def _refresh_course_hash(course: Course) -> None:
    digest = content_hash(course_as_data(course))
    if digest != course.content_hash:
        course.content_hash = digest
        course.version += 1
        course.save(update_fields=["content_hash", "version", "updated_at"])


@transaction.atomic
def save_course(*, course: Course, actor: Any) -> Course:
    """Save a course (and its modules, once the admin saved them) edited in the admin: its content hash and
    version follow the change, so importing the old files again is seen as a change. Audited."""
    course.save()
    _refresh_course_hash(course)
    record_audit(actor=actor, action="learning.course_edited", target=course)
    return course


def blueprint_problems(*, course: Course, blueprint: Any) -> list[str]:
    """What is wrong with a final assessment's blueprint for this course (empty when nothing): each entry must
    name a competence with between 1 and as many active questions as the bank has."""
    if not isinstance(blueprint, dict) or not blueprint:
        return [_("Cấu trúc đề phải là các cặp «mã năng lực»: số câu.")]
    problems = []
    for code, count in blueprint.items():
        available = course.questions.active().filter(competence__key=code).count()
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= available:
            problems.append(
                _("Năng lực %(code)s: số câu phải từ 1 đến %(available)s (số câu đang có trong ngân hàng).")
                % {"code": code, "available": available}
            )
    return problems


@transaction.atomic
def save_assessment(*, assessment: Assessment, actor: Any) -> Assessment:
    """Save a quiz or final assessment edited in the admin (pass mark, time limit, attempts, cool-down,
    blueprint). A blueprint must name competences of the course's framework with enough active questions.
    Raises DomainError otherwise. Audited."""
    if assessment.is_final:
        problems = blueprint_problems(course=assessment.course, blueprint=assessment.blueprint)
        if problems:
            raise DomainError(" ".join(problems), field="blueprint")
    assessment.save()
    _refresh_course_hash(assessment.course)
    record_audit(actor=actor, action="learning.assessment_edited", target=assessment)
    return assessment


@transaction.atomic
def save_literacy_rule(*, rule: LiteracyRule, actor: Any) -> LiteracyRule:
    """Save a literacy rule edited in the admin (its required assessments are saved by the admin form right
    after). Confirmations already given are kept; new ones follow the rule from the next passed assessment
    (or ``update_literacy_status``). Audited."""
    rule.save()
    record_audit(actor=actor, action="learning.literacy_rule_saved", target=rule, details={"group": rule.group})
    return rule


@transaction.atomic
def save_lesson(*, lesson: Lesson, actor: Any) -> Lesson:
    """Save a lesson edited in the admin: re-render its sanitised HTML, bump the course version and hash
    (so importing the old files again is seen as a change). Raises CourseFormatError when the Markdown refers
    to a file the course does not have."""
    media = _media_of(lesson.course)
    lesson.body_html = render_lesson_html(lesson.body_markdown, media, lesson.slug)
    lesson.save()
    for translation in lesson.translations.all():
        translation.body_html = render_lesson_html(
            translation.body_markdown, media, f"{lesson.slug} ({translation.language})"
        )
        translation.save(update_fields=["body_html", "updated_at"])
    _refresh_course_hash(lesson.course)
    record_audit(actor=actor, action="learning.lesson_edited", target=lesson)
    return lesson


@transaction.atomic
def save_question(*, question: Question, actor: Any) -> Question:
    """Save a question edited in the admin. Its answer key is checked like an imported one; a question that
    attempts already used is not changed but replaced by a new version (the old one is kept inactive).
    Returns the saved (possibly new) question. Raises DomainError when the answer key is invalid."""
    problems = answer_key_problems(question.type, question.data)
    if problems:
        raise DomainError("; ".join(problems), field="data")
    if question.pk and AttemptAnswer.objects.filter(question_id=question.pk).exists():
        Question.objects.filter(pk=question.pk).update(is_active=False)
        question.pk = None
        question._state.adding = True
    question.save()
    _refresh_course_hash(question.course)
    record_audit(actor=actor, action="learning.question_edited", target=question)
    return question


@transaction.atomic
def store_course_media(*, media: CourseMedia, actor: Any) -> CourseMedia:
    """Save a file of the course uploaded in the admin: its hash and size are computed from the content, its
    path must be a media path ("media/name.ext" with an accepted extension). Refreshes the course's content
    hash. Raises DomainError for a bad path or type."""
    path = media.path.strip()
    if not MEDIA_PATH.match(path) or Path(path).suffix.lower() not in MEDIA_EXTENSIONS:
        raise DomainError(
            _("Đường dẫn phải có dạng media/ten-tep.duoi, đuôi một trong: %(ext)s")
            % {"ext": ", ".join(sorted(MEDIA_EXTENSIONS))},
            field="path",
        )
    media.path = path
    media.file.open("rb")
    content = media.file.read()
    media.sha256, media.size = hashlib.sha256(content).hexdigest(), len(content)
    if media.file.name and not media.file.name.startswith(f"learning/{media.course.slug}/"):
        media.file.save(Path(media.file.name).name, ContentFile(content), save=False)
    media.save()
    _refresh_course_hash(media.course)
    record_audit(actor=actor, action="learning.media_stored", target=media, details={"size": media.size})
    return media
