"""Every tampering case of the acceptance list is refused with a clear message and never changes a score:
answers to questions not in the attempt, answers and submissions after the time limit, replayed or doubled
submissions, another learner's attempt id — plus malformed answers and missing submission keys."""

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.learning.models import Assessment, Attempt, AttemptAnswer, Course, OutboxStatement, Question
from hocvuso.learning.selectors import attempt_page, attempt_result
from hocvuso.learning.services import (
    complete_lesson,
    enrol,
    save_answer,
    start_attempt,
    submit_attempt,
)

from .conftest import answer_all, complete_all_lessons, right, wrong


@pytest.fixture
def attempt(course: Course, final: Assessment, learner: Any) -> Attempt:
    """The learner's final attempt in progress, with the first two questions answered right, the rest wrong."""
    enrol(user=learner, course=course)
    complete_all_lessons(learner, course)
    started = start_attempt(user=learner, assessment=final)
    answer_all(started, learner, correct=2)
    return started


def answers_of(attempt: Attempt) -> list[Any]:
    return list(AttemptAnswer.objects.filter(attempt=attempt).order_by("position").values_list("answer", flat=True))


def snapshot(attempt: Attempt) -> tuple[Any, ...]:
    row = Attempt.objects.get(pk=attempt.pk)
    return (
        row.state,
        row.score,
        row.passed,
        row.submitted_at,
        row.idempotency_key,
        tuple(map(str, answers_of(attempt))),
    )


def test_an_answer_to_a_question_not_in_the_attempt_is_refused(course: Course, learner: Any) -> None:
    enrol(user=learner, course=course)
    complete_lesson(user=learner, lesson=course.lessons.get(slug="01-bai-mot"))
    quiz = start_attempt(user=learner, assessment=course.lessons.get(slug="01-bai-mot").quiz)
    before = snapshot(quiz)
    outsider = Question.objects.get(key="q-ordering")  # a real question of the course, not drawn in this quiz

    for question_id in (outsider.pk, 999_999, "abc", None):
        with pytest.raises(DomainError) as caught:
            save_answer(user=learner, attempt_id=quiz.pk, question_id=question_id, answer=[0, 1, 2, 3])
        assert (caught.value.code, caught.value.message) == (
            "not_in_attempt",
            "Câu hỏi này không thuộc bài làm của bạn.",
        )

    assert snapshot(quiz) == before
    assert AttemptAnswer.objects.filter(attempt=quiz).count() == 2
    result = submit_attempt(user=learner, attempt_id=quiz.pk, idempotency_key="k")
    assert result.score == Decimal("0.00")


def test_a_malformed_answer_is_refused_and_the_saved_one_kept(attempt: Attempt, learner: Any) -> None:
    row = AttemptAnswer.objects.select_related("question").filter(attempt=attempt, question__type="single").get()
    saved = row.answer

    with pytest.raises(DomainError) as caught:
        save_answer(user=learner, attempt_id=attempt.pk, question_id=row.question_id, answer=7)

    assert caught.value.message == "Câu trả lời không hợp lệ với câu hỏi này."
    assert AttemptAnswer.objects.get(pk=row.pk).answer == saved


def test_answers_and_submissions_after_the_time_limit_change_no_score(attempt: Attempt, learner: Any) -> None:
    rows = list(attempt.answers.select_related("question").order_by("position"))
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=5))
    before = snapshot(attempt)

    for row in rows[2:]:
        with pytest.raises(DomainError) as caught:
            save_answer(user=learner, attempt_id=attempt.pk, question_id=row.question_id, answer=right(row))
        assert caught.value.code == "deadline_passed"

    assert snapshot(attempt) == before
    result = submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="late")
    assert (result.state, result.score, result.passed) == ("timed_out", Decimal("33.33"), False)


def test_a_replayed_submission_returns_the_same_result_without_rescoring(attempt: Attempt, learner: Any) -> None:
    first = submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="nop-1")
    statements, audits = OutboxStatement.objects.count(), AuditEntry.objects.count()
    # Even if the stored answers were changed behind the service's back, a replay never scores again.
    for row in attempt.answers.select_related("question"):
        AttemptAnswer.objects.filter(pk=row.pk).update(answer=right(row))

    replay = submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="nop-1")

    assert replay.replayed is True
    assert (replay.score, replay.passed, replay.submitted_at) == (first.score, first.passed, first.submitted_at)
    assert Attempt.objects.get(pk=attempt.pk).score == Decimal("33.33")
    assert (OutboxStatement.objects.count(), AuditEntry.objects.count()) == (statements, audits)


def test_a_doubled_submission_with_another_key_is_refused_with_the_result_unchanged(
    attempt: Attempt, learner: Any
) -> None:
    submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="tab-1")
    before = snapshot(attempt)

    with pytest.raises(DomainError) as caught:
        submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="tab-2")

    assert caught.value.code == "already_submitted"
    assert caught.value.message.startswith("Bài làm này đã được nộp lúc ")
    assert caught.value.message.endswith("; kết quả giữ nguyên: 33.33%.")
    assert snapshot(attempt) == before


def test_answers_after_submission_are_refused(attempt: Attempt, learner: Any) -> None:
    submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="k")
    before = snapshot(attempt)
    row = attempt.answers.select_related("question").order_by("position").last()
    assert row is not None

    with pytest.raises(DomainError) as caught:
        save_answer(user=learner, attempt_id=attempt.pk, question_id=row.question_id, answer=right(row))

    assert caught.value.code == "already_submitted"
    assert caught.value.message.startswith("Bài làm đã nộp lúc ")
    assert snapshot(attempt) == before


def test_a_submission_without_a_key_is_refused(attempt: Attempt, learner: Any) -> None:
    before = snapshot(attempt)
    for key in ("", "   ", "x" * 65):
        with pytest.raises(DomainError) as caught:
            submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key=key)
        assert caught.value.message == "Thiếu mã nộp bài; hãy tải lại trang rồi nộp lại."
    assert snapshot(attempt) == before


def test_another_learners_attempt_id_is_not_found_like_a_missing_one(
    attempt: Attempt, learner: Any, other_learner: Any, course: Course
) -> None:
    enrol(user=other_learner, course=course)
    before = snapshot(attempt)
    row = attempt.answers.select_related("question").order_by("position").last()
    assert row is not None
    calls = [
        lambda attempt_id: save_answer(
            user=other_learner, attempt_id=attempt_id, question_id=row.question_id, answer=wrong(row)
        ),
        lambda attempt_id: submit_attempt(user=other_learner, attempt_id=attempt_id, idempotency_key="steal"),
        lambda attempt_id: attempt_page(user=other_learner, attempt_id=attempt_id),
        lambda attempt_id: attempt_result(user=other_learner, attempt_id=attempt_id),
    ]
    for call in calls:
        messages = []
        for attempt_id in (attempt.pk, uuid.uuid4(), "not-a-uuid"):
            with pytest.raises(NotFound) as caught:
                call(attempt_id)
            messages.append(caught.value.message)
        assert messages == ["Không tìm thấy lượt làm bài."] * 3

    assert snapshot(attempt) == before
    result = submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="mine")
    assert result.score == Decimal("33.33")
