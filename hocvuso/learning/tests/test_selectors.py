"""Selectors for the pages: a lesson page in one query once its course is cached, an attempt page without any
answer key (every question type), results, the learner's dashboard with pinned query counts."""

import json
from decimal import Decimal
from typing import Any

import pytest

from hocvuso.core.errors import NotFound
from hocvuso.learning.models import Assessment, Course, LessonTranslation, Question
from hocvuso.learning.selectors import (
    assessment_status,
    attempt_page,
    attempt_result,
    course_catalogue,
    learner_dashboard,
    lesson_page,
)
from hocvuso.learning.services import complete_lesson, enrol, save_answer, start_attempt, submit_attempt

from .conftest import answer_all, complete_all_lessons, right


def test_a_lesson_page_reads_one_query_once_its_course_is_cached_with_the_outline_state(
    course: Course, learner: Any, django_assert_num_queries: Any
) -> None:
    enrol(user=learner, course=course)
    complete_lesson(user=learner, lesson=course.lessons.get(slug="01-bai-mot"))
    # the course and the learner's progress; the course, its outline, the lesson, translations, downloads
    with django_assert_num_queries(6):
        lesson_page(user=learner, course_slug="khoa-thu", lesson_slug="02-bai-hai")

    with django_assert_num_queries(1):
        page = lesson_page(user=learner, course_slug="khoa-thu", lesson_slug="02-bai-hai")

    assert (page.title, page.is_enrolled, page.is_locked, page.is_completed) == ("Bài hai", True, False, False)
    assert [[(item.slug, item.state) for item in module.lessons] for module in page.outline] == [
        [("01-bai-mot", "done"), ("02-bai-hai", "open")],
        [("03-bai-ba", "locked")],
    ]
    assert (page.previous_slug, page.next_slug, page.progress_percent) == ("01-bai-mot", "03-bai-ba", 33)
    assert page.quiz_id == course.lessons.get(slug="02-bai-hai").quiz.pk
    assert "<strong>Bài hai</strong>" in page.body_html


def test_a_lesson_page_for_a_locked_lesson_says_so_and_a_missing_one_is_not_found(course: Course, learner: Any) -> None:
    page = lesson_page(user=learner, course_slug="khoa-thu", lesson_slug="03-bai-ba")
    assert (page.is_enrolled, page.is_locked) == (False, True)
    with pytest.raises(NotFound):
        lesson_page(user=learner, course_slug="khoa-thu", lesson_slug="99-khong-co")
    with pytest.raises(NotFound):
        lesson_page(user=None, course_slug="khac", lesson_slug="01-bai-mot")


def test_a_lesson_page_shows_the_translation_when_asked(
    course: Course, learner: Any, django_assert_num_queries: Any
) -> None:
    lesson = course.lessons.get(slug="01-bai-mot")
    LessonTranslation.objects.create(lesson=lesson, language="ede", title="Bài một (Ê Đê)", body_html="<p>Ê Đê</p>")
    lesson_page(user=learner, course_slug="khoa-thu", lesson_slug="01-bai-mot")

    with django_assert_num_queries(1):
        page = lesson_page(user=learner, course_slug="khoa-thu", lesson_slug="01-bai-mot", language="ede")

    assert (page.language, page.title, page.body_html) == ("ede", "Bài một (Ê Đê)", "<p>Ê Đê</p>")
    assert lesson_page(user=learner, course_slug="khoa-thu", lesson_slug="01-bai-mot", language="koho").language == "vi"


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _keys(item)}
    return set()


def test_an_attempt_page_never_carries_an_answer_key_for_any_question_type(
    course: Course, final: Assessment, learner: Any, django_assert_num_queries: Any
) -> None:
    enrol(user=learner, course=course)
    complete_all_lessons(learner, course)
    attempt = start_attempt(user=learner, assessment=final)

    with django_assert_num_queries(2):
        page = attempt_page(user=learner, attempt_id=attempt.pk)

    data = page.as_dict()
    assert sorted(question["type"] for question in data["questions"]) == [
        "image", "matching", "multiple", "ordering", "single", "true_false"
    ]  # fmt: skip
    assert _keys(data) <= {
        "id", "assessment_id", "title", "kind", "number", "state", "deadline", "seconds_left", "questions",
        "type", "prompt", "image_url", "image_alt", "choices", "items", "left", "right", "key", "text", "answer",
    }  # fmt: skip
    text = json.dumps(data, ensure_ascii=False)
    for question in Question.objects.filter(pk__in=attempt.question_ids):
        assert question.explanation not in text
    assert all(question["answer"] is None for question in data["questions"])
    by_type = {question["type"]: question for question in data["questions"]}
    ordering = Question.objects.get(key="q-ordering").data["items"]
    assert [item["text"] for item in by_type["ordering"]["items"]] != ordering
    matching = by_type["matching"]
    assert [pair["key"] for pair in matching["left"]] == [0, 1, 2]
    assert set(by_type["true_false"]) == {
        "id",
        "number",
        "type",
        "prompt",
        "image_url",
        "image_alt",
        "choices",
        "answer",
    }
    assert 0 < data["seconds_left"] <= 30 * 60


def test_an_attempt_page_shows_saved_answers(course: Course, final: Assessment, learner: Any) -> None:
    enrol(user=learner, course=course)
    complete_all_lessons(learner, course)
    attempt = start_attempt(user=learner, assessment=final)
    row = attempt.answers.select_related("question").get(question__type="ordering")
    save_answer(user=learner, attempt_id=attempt.pk, question_id=row.question_id, answer=right(row))

    page = attempt_page(user=learner, attempt_id=str(attempt.pk))

    assert next(question for question in page.questions if question.type == "ordering").answer == right(row)
    assert page.answered_count == 1


def test_a_quiz_result_explains_each_question_and_a_final_result_only_scores_competences(
    course: Course, final: Assessment, learner: Any
) -> None:
    enrol(user=learner, course=course)
    complete_all_lessons(learner, course)
    quiz = start_attempt(user=learner, assessment=course.lessons.get(slug="01-bai-mot").quiz)
    with pytest.raises(NotFound):
        attempt_result(user=learner, attempt_id=quiz.pk)
    answer_all(quiz, learner, correct=1)
    submit_attempt(user=learner, attempt_id=quiz.pk, idempotency_key="q")
    attempt = start_attempt(user=learner, assessment=final)
    answer_all(attempt, learner, correct=6)
    submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="f")

    quiz_review = attempt_result(user=learner, attempt_id=quiz.pk)
    final_review = attempt_result(user=learner, attempt_id=attempt.pk)

    assert (quiz_review.score, quiz_review.passed) == (Decimal("50.00"), False)
    assert sorted(question.explanation for question in quiz_review.questions) == [
        "Giải thích một lựa chọn.", "Giải thích nhiều lựa chọn."
    ]  # fmt: skip
    assert sorted(question.points for question in quiz_review.questions) == [Decimal("0"), Decimal("1")]
    assert final_review.questions == []
    assert final_review.literacy_confirmed is True
    assert [(item.code, item.name, item.questions, item.percent) for item in final_review.competences] == [
        ("2.6", "Quản lý danh tính số", 1, 100),
        ("4.1", "Bảo vệ thiết bị", 3, 100),
        ("4.2", "Bảo vệ dữ liệu cá nhân và quyền riêng tư", 2, 100),
    ]


def test_the_dashboard_reads_a_fixed_number_of_queries(
    course: Course, final: Assessment, learner: Any, frameworks: None, tmp_path: Any, django_assert_num_queries: Any
) -> None:
    from hocvuso.learning.services import import_course_from_folder

    from .conftest import COURSE_YAML, write_course

    other = import_course_from_folder(
        path=write_course(tmp_path / "b", course=COURSE_YAML.replace("khoa-thu", "khoa-hai")), actor=None
    ).course
    enrol(user=learner, course=course)
    enrol(user=learner, course=other)
    complete_all_lessons(learner, course)
    complete_lesson(user=learner, lesson=other.lessons.get(slug="01-bai-mot"))
    attempt = start_attempt(user=learner, assessment=final)
    answer_all(attempt, learner, correct=6)
    submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="k")

    with django_assert_num_queries(4):
        dashboard = learner_dashboard(user=learner)

    progress = {entry.course.slug: entry for entry in dashboard.courses}
    assert (progress["khoa-thu"].percent, progress["khoa-thu"].next_lesson_slug) == (100, None)
    assert (progress["khoa-thu"].best_score, progress["khoa-thu"].passed) == (Decimal("100.00"), True)
    assert (progress["khoa-hai"].percent, progress["khoa-hai"].next_lesson_slug) == (33, "02-bai-hai")
    assert (progress["khoa-hai"].attempts_used, progress["khoa-hai"].best_score) == (0, None)
    assert dashboard.literacy_confirmed is True
    assert [status.group for status in dashboard.literacy] == ["citizens"]


def test_the_catalogue_and_assessment_status(course: Course, final: Assessment, learner: Any) -> None:
    enrol(user=learner, course=course)

    entries = course_catalogue(user=learner, group="citizens")
    status = assessment_status(user=learner, assessment=final)

    assert [(entry.course.slug, entry.lessons, entry.is_enrolled) for entry in entries] == [("khoa-thu", 3, True)]
    assert course_catalogue(group="staff") == []
    assert (status.can_start, status.reason, status.attempts_left) == (
        False,
        "Hãy học xong tất cả bài học trước (còn 3 bài).",
        3,
    )
    complete_all_lessons(learner, course)
    assert assessment_status(user=learner, assessment=final).can_start is True
