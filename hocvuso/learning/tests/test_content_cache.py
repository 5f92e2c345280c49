"""The cached part of lesson pages never shows old content: every way course content changes — the admin's
edits, importing the course again (with its bulk writes), a row changed outside the services, closing the
course — shows on the next page view; the learner's own progress is never cached; a page works without the
cache."""

from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from hocvuso.core.errors import NotFound
from hocvuso.learning import content_cache
from hocvuso.learning.models import Course, Lesson, LessonDownload, LessonTranslation
from hocvuso.learning.selectors import LessonPage, lesson_page
from hocvuso.learning.services import complete_lesson, enrol, import_course_from_folder, save_lesson

from .conftest import COURSE_YAML, LESSON, QUESTIONS

UNREACHABLE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


def page(slug: str, user: Any = None, language: str = "") -> LessonPage:
    return lesson_page(user=user, course_slug="khoa-thu", lesson_slug=slug, language=language)


def outline_titles(lesson: LessonPage) -> list[tuple[str, list[str]]]:
    return [(module.title, [item.title for item in module.lessons]) for module in lesson.outline]


def test_a_cached_page_is_read_in_one_query_and_shows_what_the_database_holds(
    course: Course, learner: Any, django_assert_num_queries: Any
) -> None:
    enrol(user=learner, course=course)
    built = page("02-bai-hai", learner)

    with django_assert_num_queries(1):
        cached = page("02-bai-hai", learner)

    assert cached == built
    assert (cached.title, cached.quiz_id) == ("Bài hai", course.lessons.get(slug="02-bai-hai").quiz.pk)
    assert outline_titles(cached) == [("Học phần một", ["Bài một", "Bài hai"]), ("Học phần hai", ["Bài ba"])]


def test_a_process_that_holds_the_course_reads_nothing_from_the_shared_cache(course: Course, monkeypatch: Any) -> None:
    page("01-bai-mot")
    reads: list[list[str]] = []
    monkeypatch.setattr(content_cache.cache, "get_many", lambda keys: reads.append(keys) or {})

    assert page("01-bai-mot").title == "Bài một"
    assert reads == []

    content_cache.forget_process_copies()  # another process, or this one started afresh
    assert page("01-bai-mot").title == "Bài một"
    assert reads == [[content_cache.outline_key(course.pk), content_cache.lesson_key(course.pk, "01-bai-mot")]]


def test_what_invalidates_the_copies_of_every_process_is_the_course_state(course: Course) -> None:
    page("01-bai-mot")
    Lesson.objects.filter(course=course, slug="01-bai-mot").update(title="Bài một (sửa ở nơi khác)")  # no signal
    assert page("01-bai-mot").title == "Bài một"  # the documented gap: nothing moved the course's state

    content_cache.course_content_changed(course.pk)  # what the receivers do in the process that saves a row

    assert page("01-bai-mot").title == "Bài một (sửa ở nơi khác)"


def test_editing_a_lesson_in_the_admin_shows_at_once(course: Course, learner: Any) -> None:
    page("01-bai-mot")
    page("02-bai-hai")
    lesson = course.lessons.get(slug="01-bai-mot")
    lesson.title = "Bài một, viết lại"
    lesson.body_markdown = "# Bài một, viết lại\n\nNội dung **mới**."
    lesson.minutes = 12

    save_lesson(lesson=lesson, actor=None)

    edited = page("01-bai-mot")
    assert (edited.title, edited.lesson.minutes) == ("Bài một, viết lại", 12)
    assert "<strong>mới</strong>" in edited.body_html
    assert outline_titles(page("02-bai-hai"))[0] == ("Học phần một", ["Bài một, viết lại", "Bài hai"])


def test_importing_the_course_again_shows_at_once_even_what_the_importer_writes_in_bulk(
    course: Course, course_folder: Path
) -> None:
    for slug in ("01-bai-mot", "02-bai-hai", "03-bai-ba"):
        page(slug)
    keys = [content_cache.outline_key(course.pk), content_cache.lesson_key(course.pk, "01-bai-mot")]
    before = content_cache.read(keys)
    (course_folder / "lessons" / "01-bai-mot.md").write_text(LESSON.format(title="Bài một (sửa)"), encoding="utf-8")
    (course_folder / "lessons" / "02-bai-hai.ede.md").write_text("---\ntitle: Bài hai (Ê Đê)\n---\n\nÊ Đê.\n")
    (course_folder / "lessons" / "03-bai-ba.md").unlink()
    (course_folder / "questions.yaml").write_text(QUESTIONS.replace("  lesson: 03-bai-ba\n", ""), encoding="utf-8")
    (course_folder / "course.yaml").write_text(
        COURSE_YAML.replace("  - slug: hai\n    title: Học phần hai\n    lessons: [03-bai-ba]\n", ""),
        encoding="utf-8",
    )

    assert import_course_from_folder(path=course_folder, actor=None).status == "updated"
    content_cache.write(before)  # as if a page built from the old rows were kept after the import dropped it

    first = page("01-bai-mot")
    assert first.title == "Bài một (sửa)"
    assert "<strong>Bài một (sửa)</strong>" in first.body_html
    assert outline_titles(first) == [("Học phần một", ["Bài một (sửa)", "Bài hai"])]  # module two dropped
    assert (first.next_slug, first.required_count) == ("02-bai-hai", 2)
    assert page("02-bai-hai").languages == ["ede"]
    assert page("02-bai-hai", language="ede").title == "Bài hai (Ê Đê)"
    with pytest.raises(NotFound):
        page("03-bai-ba")  # dropped from the files: made inactive by a bulk update


def test_changing_a_translation_in_the_admin_shows_at_once(course: Course) -> None:
    lesson = course.lessons.get(slug="01-bai-mot")
    translation = LessonTranslation.objects.create(
        lesson=lesson, language="koho", title="Bài một (K'Ho)", body_markdown="Cũ."
    )
    save_lesson(lesson=lesson, actor=None)
    assert "<p>Cũ.</p>" in page("01-bai-mot", language="koho").body_html

    translation.title = "Bài một (K'Ho, sửa)"
    translation.body_markdown = "Mới."
    translation.save()
    save_lesson(lesson=lesson, actor=None)  # what the admin does after saving the lesson's translations

    changed = page("01-bai-mot", language="koho")
    assert (changed.language, changed.title, changed.body_html) == ("koho", "Bài một (K'Ho, sửa)", "<p>Mới.</p>")


def test_rows_changed_outside_the_services_show_at_once(course: Course) -> None:
    page("01-bai-mot")
    page("01-bai-mot", language="mnong")
    lesson = course.lessons.get(slug="01-bai-mot")
    version = Course.objects.get(pk=course.pk).version

    LessonTranslation.objects.create(lesson=lesson, language="mnong", title="M'Nông", body_html="<p>M'Nông</p>")
    assert page("01-bai-mot", language="mnong").title == "M'Nông"
    assert page("01-bai-mot").languages == ["mnong"]

    LessonDownload.objects.create(lesson=lesson, title="Phiếu hướng dẫn", url="https://dichvucong.gov.vn")
    assert [download.title for download in page("01-bai-mot").downloads] == ["Phiếu hướng dẫn"]

    lesson.title = "Bài một (sửa tay)"
    lesson.save()
    assert page("01-bai-mot").title == "Bài một (sửa tay)"

    LessonTranslation.objects.filter(lesson=lesson).delete()
    assert page("01-bai-mot", language="mnong").language == "vi"
    assert page("01-bai-mot").languages == []
    assert Course.objects.get(pk=course.pk).version == version  # nothing bumped the version: the receivers did it


def test_closing_a_course_hides_its_cached_lessons_at_once(course: Course) -> None:
    page("01-bai-mot")

    Course.objects.filter(pk=course.pk).update(is_published=False)  # no signal, no new version

    with pytest.raises(NotFound):
        page("01-bai-mot")


def test_the_learners_own_progress_is_never_cached(course: Course, learner: Any) -> None:
    assert page("02-bai-hai", learner).is_locked is True
    enrol(user=learner, course=course)
    complete_lesson(user=learner, lesson=course.lessons.get(slug="01-bai-mot"))

    after = page("02-bai-hai", learner)

    assert (after.is_enrolled, after.is_locked, after.completed_count) == (True, False, 1)
    assert page("02-bai-hai").is_enrolled is False  # someone else, on the same cached content


def test_a_page_is_built_from_the_database_when_the_cache_cannot_be_reached(
    course: Course, learner: Any, django_assert_num_queries: Any
) -> None:
    enrol(user=learner, course=course)
    expected = page("01-bai-mot", learner)

    content_cache.forget_process_copies()  # a process that holds nothing yet
    with override_settings(CACHES=UNREACHABLE_CACHE):
        assert content_cache.read([content_cache.outline_key(course.pk)]) == {}
        lesson = course.lessons.get(slug="01-bai-mot")
        lesson.title = "Bài một (khi Redis tắt)"
        save_lesson(lesson=lesson, actor=None)  # dropping the entry fails quietly
        with django_assert_num_queries(6):  # course and progress, then the course content
            built = page("01-bai-mot", learner)

    assert (built.title, built.is_enrolled, built.quiz_id) == ("Bài một (khi Redis tắt)", True, expected.quiz_id)
    assert outline_titles(built)[0] == ("Học phần một", ["Bài một (khi Redis tắt)", "Bài hai"])
    assert page("01-bai-mot", learner).title == "Bài một (khi Redis tắt)"  # the version moved on meanwhile
