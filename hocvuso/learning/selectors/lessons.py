"""The lesson page: the lesson, its course outline with each lesson done, open or locked, its media."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q
from django.utils.translation import gettext as _

from hocvuso.core.errors import NotFound

from ..models import (
    Course,
    Lesson,
    LessonCompletion,
    LessonDownload,
)
from ._common import media_url, signed_in

# --- lesson page ------------------------------------------------------------------------------------------

DONE = "done"
OPEN = "open"
LOCKED = "locked"


@dataclass(frozen=True)
class OutlineLesson:
    slug: str
    title: str
    minutes: int
    position: int
    state: str  # done, open or locked
    is_current: bool = False


@dataclass(frozen=True)
class OutlineModule:
    slug: str
    title: str
    lessons: list[OutlineLesson]


@dataclass(frozen=True)
class Download:
    title: str
    href: str


@dataclass(frozen=True)
class LessonPage:
    """Everything a lesson page shows. ``is_locked`` lessons are shown with their outline and a notice, but
    the page should not offer "complete"; ``body_html`` is sanitised at import and safe to mark safe."""

    course: Course
    lesson: Lesson
    language: str
    title: str
    summary: str
    body_html: str
    audio_url: str
    video_url: str
    downloads: list[Download]
    outline: list[OutlineModule]
    is_enrolled: bool
    is_completed: bool
    is_locked: bool
    quiz_id: int | None
    previous_slug: str | None
    next_slug: str | None
    completed_count: int
    required_count: int

    @property
    def progress_percent(self) -> int:
        return round(100 * self.completed_count / self.required_count) if self.required_count else 0


def _outline(
    lessons: Sequence[Lesson], done: set[int], start_position: int, current_pk: int | None
) -> tuple[list[OutlineModule], dict[int, str]]:
    modules: list[OutlineModule] = []
    states: dict[int, str] = {}
    previous_done = True
    for lesson in lessons:
        if lesson.pk in done:
            state = DONE
        elif previous_done or lesson.position <= start_position:
            state = OPEN
        else:
            state = LOCKED
        previous_done = lesson.pk in done
        states[lesson.pk] = state
        entry = OutlineLesson(
            lesson.slug, lesson.title, lesson.minutes, lesson.position, state, lesson.pk == current_pk
        )
        if not modules or modules[-1].slug != lesson.module.slug:
            modules.append(OutlineModule(lesson.module.slug, lesson.module.title, []))
        modules[-1].lessons.append(entry)
    return modules, states


def lesson_page(*, user: Any, course_slug: str, lesson_slug: str, language: str = "") -> LessonPage:
    """The data of a lesson page in three queries: the lesson with its course, media, quiz, the learner's
    enrolment and (if ``language`` is one of its translations) the translated text; the course outline with
    each lesson done, open or locked for this learner; the lesson's downloads. Falls back to the course's own
    language when there is no translation. Raises NotFound for a missing or inactive lesson or closed course."""
    user_pk: int = user.pk if signed_in(user) else 0  # no account has id 0
    # Joins rather than subqueries: at most one enrolment per (user, course) and one translation per (lesson,
    # language), so no row is repeated, and the query is cheaper to build (this page is the hot path).
    lesson = (
        Lesson.objects.active()
        .filter(course__slug=course_slug, slug=lesson_slug, course__is_published=True)
        .select_related("course", "module", "audio", "video")
        .annotate(
            mine=FilteredRelation("course__enrolments", condition=Q(course__enrolments__user_id=user_pk)),
            translated=FilteredRelation("translations", condition=Q(translations__language=language or "-")),
            enrolment_pk=F("mine__pk"),
            start_position=F("mine__start_lesson__position"),
            quiz_pk=F("quiz__pk"),
            translated_title=F("translated__title"),
            translated_summary=F("translated__summary"),
            translated_body=F("translated__body_html"),
            translated_audio=F("translated__audio__file"),
            translated_audio_url=F("translated__audio_url"),
        )
        .first()
    )
    if lesson is None:
        raise NotFound(_("Không tìm thấy bài học."))
    course = lesson.course
    lessons = list(
        Lesson.objects.active()
        .filter(course_id=course.pk)
        .select_related("module")
        .only("slug", "title", "minutes", "position", "module__slug", "module__title", "module__position")
        .annotate(done=Exists(LessonCompletion.objects.filter(user_id=user_pk, lesson=OuterRef("pk"))))
        .order_by("position")
    )
    downloads = [
        Download(download.title, download.href)
        for download in LessonDownload.objects.filter(lesson=lesson).select_related("media").order_by("position")
    ]
    start_position = lesson.start_position or 0
    done = {item.pk for item in lessons if item.done}
    outline, states = _outline(lessons, done, start_position, lesson.pk)
    index = next(position for position, item in enumerate(lessons) if item.pk == lesson.pk)
    translated = lesson.translated_title is not None
    return LessonPage(
        course=course,
        lesson=lesson,
        language=language if translated else course.language,
        title=lesson.translated_title if translated else lesson.title,
        summary=lesson.translated_summary if translated else lesson.summary,
        body_html=lesson.translated_body if translated else lesson.body_html,
        audio_url=(
            media_url(lesson.translated_audio) or lesson.translated_audio_url
            if translated
            else (lesson.audio.url if lesson.audio else lesson.audio_url)
        ),
        video_url=lesson.video.url if lesson.video else lesson.video_url,
        downloads=downloads,
        outline=outline,
        is_enrolled=lesson.enrolment_pk is not None,
        is_completed=lesson.pk in done,
        is_locked=states[lesson.pk] == LOCKED,
        quiz_id=lesson.quiz_pk,
        previous_slug=lessons[index - 1].slug if index > 0 else None,
        next_slug=lessons[index + 1].slug if index + 1 < len(lessons) else None,
        completed_count=sum(1 for item in lessons if item.pk in done and item.position >= start_position),
        required_count=sum(1 for item in lessons if item.position >= start_position),
    )


def lesson_languages(*, lesson: Lesson) -> list[str]:
    """The languages the lesson is translated into (besides the course's own)."""
    return list(lesson.translations.order_by("language").values_list("language", flat=True))
