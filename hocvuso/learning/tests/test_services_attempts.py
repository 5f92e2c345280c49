"""The attempt lifecycle: start (prerequisites, draw, resume), fail then pass, the attempt limit, the cool-down,
the deadline, practice quizzes, and the xAPI statements queued with each event."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from hocvuso.core.errors import DomainError
from hocvuso.learning.models import (
    Assessment,
    Attempt,
    AttemptAnswer,
    AttemptState,
    Course,
    LiteracyStatus,
    OutboxStatement,
    Question,
)
from hocvuso.learning.services import (
    close_expired_attempts,
    complete_lesson,
    enrol,
    save_answer,
    start_attempt,
    submit_attempt,
)

from .conftest import answer_all, complete_all_lessons, right


def age(attempt: Attempt, *, hours: float) -> None:
    """Move a finished attempt back in time, as if it had been submitted ``hours`` ago."""
    moment = timezone.now() - timedelta(hours=hours)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=moment - timedelta(minutes=5), submitted_at=moment,
                                                 deadline=moment + timedelta(minutes=25))  # fmt: skip


def ready(learner: Any, course: Course) -> None:
    enrol(user=learner, course=course)
    complete_all_lessons(learner, course)


def refusal(call: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    return caught.value


def test_a_final_attempt_draws_the_blueprint_and_shuffles_each_question(
    course: Course, final: Assessment, learner: Any
) -> None:
    ready(learner, course)

    attempt = start_attempt(user=learner, assessment=final)

    drawn = Question.objects.filter(pk__in=attempt.question_ids)
    assert sorted(drawn.values_list("competence__key", flat=True)) == ["2.6", "4.1", "4.1", "4.1", "4.2", "4.2"]
    assert attempt.number == 1
    assert attempt.state == AttemptState.IN_PROGRESS
    assert attempt.deadline == attempt.started_at + timedelta(minutes=30)
    rows = list(attempt.answers.select_related("question").order_by("position"))
    assert [row.question_id for row in rows] == attempt.question_ids
    ordering = next(row for row in rows if row.question.type == "ordering")
    assert sorted(ordering.layout["items"]) == [0, 1, 2, 3] and ordering.layout["items"] != [0, 1, 2, 3]


def test_starting_again_resumes_the_attempt_in_progress(course: Course, final: Assessment, learner: Any) -> None:
    ready(learner, course)
    attempt = start_attempt(user=learner, assessment=final)

    again = start_attempt(user=learner, assessment=final)

    assert again.pk == attempt.pk
    assert Attempt.objects.count() == 1
    assert AttemptAnswer.objects.count() == 6


def test_a_final_assessment_needs_enrolment_and_every_lesson(course: Course, final: Assessment, learner: Any) -> None:
    assert refusal(start_attempt, user=learner, assessment=final).message == "Hãy ghi danh khóa học «Khóa thử» trước."
    enrol(user=learner, course=course)
    complete_lesson(user=learner, lesson=course.lessons.get(slug="01-bai-mot"))

    error = refusal(start_attempt, user=learner, assessment=final)

    assert error.message == "Hãy học xong tất cả bài học trước khi làm bài đánh giá (còn 2 bài)."
    assert Attempt.objects.count() == 0


def test_fail_then_pass_after_the_cooldown_confirms_literacy(course: Course, final: Assessment, learner: Any) -> None:
    ready(learner, course)
    first = start_attempt(user=learner, assessment=final)
    answer_all(first, learner, correct=2)

    failed = submit_attempt(user=learner, attempt_id=first.pk, idempotency_key="lan-1")

    assert (failed.score, failed.passed, failed.state) == (Decimal("33.33"), False, AttemptState.SUBMITTED)
    assert failed.literacy_confirmed == ()
    error = refusal(start_attempt, user=learner, assessment=final)
    assert error.code == "cooldown"
    assert error.message.startswith("Hãy ôn lại bài rồi làm lại từ ")
    assert Attempt.objects.count() == 1
    age(first, hours=25)
    second = start_attempt(user=learner, assessment=final)
    assert second.number == 2
    answer_all(second, learner, correct=5)

    passed = submit_attempt(user=learner, attempt_id=second.pk, idempotency_key="lan-2")

    assert (passed.score, passed.passed) == (Decimal("83.33"), True)
    assert passed.literacy_confirmed == ("citizens",)
    status = LiteracyStatus.objects.get(user=learner)
    assert (status.group, status.attempt_id, status.rule.group) == ("citizens", second.pk, "citizens")
    assert refusal(start_attempt, user=learner, assessment=final).message == "Bạn đã đạt bài đánh giá này rồi."


def test_the_attempt_limit_is_enforced(course: Course, final: Assessment, learner: Any) -> None:
    ready(learner, course)
    for number in (1, 2, 3):
        attempt = start_attempt(user=learner, assessment=final)
        assert attempt.number == number
        submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key=f"k{number}")
        age(attempt, hours=25)

    error = refusal(start_attempt, user=learner, assessment=final)

    assert error.code == "no_attempts_left"
    assert error.message == "Bạn đã dùng hết 3 lượt làm bài đánh giá này. Hãy liên hệ người hướng dẫn ở xã, phường."
    assert Attempt.objects.count() == 3


def test_after_the_deadline_only_the_answers_saved_in_time_are_scored(
    course: Course, final: Assessment, learner: Any
) -> None:
    ready(learner, course)
    attempt = start_attempt(user=learner, assessment=final)
    rows = list(attempt.answers.select_related("question").order_by("position"))
    for row in rows[:4]:
        save_answer(user=learner, attempt_id=attempt.pk, question_id=row.question_id, answer=right(row))
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))

    late = refusal(
        save_answer, user=learner, attempt_id=attempt.pk, question_id=rows[4].question_id, answer=right(rows[4])
    )

    assert late.code == "deadline_passed"
    assert late.message.startswith("Đã hết giờ làm bài lúc ")
    assert late.message.endswith(": câu trả lời này không được lưu. Các câu đã lưu trước đó vẫn được chấm.")
    assert AttemptAnswer.objects.get(pk=rows[4].pk).answer is None
    result = submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="tre")
    assert (result.state, result.score, result.passed) == (AttemptState.TIMED_OUT, Decimal("66.67"), False)


def test_expired_attempts_are_closed_by_the_periodic_job(course: Course, final: Assessment, learner: Any) -> None:
    ready(learner, course)
    attempt = start_attempt(user=learner, assessment=final)
    answer_all(attempt, learner, correct=6)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))

    assert close_expired_attempts() == 1

    attempt.refresh_from_db()
    assert (attempt.state, attempt.score, attempt.passed) == (AttemptState.TIMED_OUT, Decimal("100.00"), True)
    assert LiteracyStatus.objects.filter(user=learner).count() == 1
    assert close_expired_attempts() == 0


def test_a_practice_quiz_opens_with_its_lesson_and_has_no_limits(course: Course, learner: Any) -> None:
    enrol(user=learner, course=course)
    second_quiz = course.lessons.get(slug="02-bai-hai").quiz
    error = refusal(start_attempt, user=learner, assessment=second_quiz)
    assert (error.code, error.message) == ("lesson_locked", "Bài này chưa mở: hãy học xong bài «Bài một» trước.")
    complete_lesson(user=learner, lesson=course.lessons.get(slug="01-bai-mot"))

    for number in (1, 2, 3, 4):
        attempt = start_attempt(user=learner, assessment=second_quiz)
        assert attempt.number == number
        assert attempt.deadline is None
        assert sorted(Question.objects.filter(pk__in=attempt.question_ids).values_list("key", flat=True)) == [
            "q-ordering", "q-true-false"
        ]  # fmt: skip
        submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key=f"q{number}")
    assert LiteracyStatus.objects.count() == 0


def verbs() -> list[str]:
    return [row.statement["verb"]["display"]["en-US"] for row in OutboxStatement.objects.order_by("pk")]


def test_learning_events_queue_xapi_statements_in_the_same_transaction(
    course: Course, final: Assessment, learner: Any
) -> None:
    enrol(user=learner, course=course)
    enrol(user=learner, course=course)
    complete_all_lessons(learner, course)
    attempt = start_attempt(user=learner, assessment=final)
    answer_all(attempt, learner, correct=6)
    submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="x")
    submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="x")

    assert verbs() == ["registered", "completed", "completed", "completed", "attempted", "passed"]
    passed = OutboxStatement.objects.order_by("pk").last()
    assert passed is not None
    statement = passed.statement
    assert statement["result"]["score"] == {"scaled": 1.0, "raw": 100.0, "min": 0, "max": 100}
    assert statement["result"]["success"] is True
    assert statement["object"]["id"].endswith("courses/khoa-thu/assessment")
    assert statement["context"]["registration"] == str(learner.enrolments.get().registration)
    assert learner.username not in str(statement) and learner.full_name not in str(statement)


def test_a_refused_event_queues_no_statement(course: Course, learner: Any) -> None:
    enrol(user=learner, course=course)

    refusal(complete_lesson, user=learner, lesson=course.lessons.get(slug="03-bai-ba"))

    assert verbs() == ["registered"]


def test_a_submission_reaching_an_attempt_closed_at_its_deadline_gets_its_result(
    course: Course, final: Assessment, learner: Any
) -> None:
    from hocvuso.learning.tasks import close_expired_learning_attempts

    ready(learner, course)
    attempt = start_attempt(user=learner, assessment=final)
    answer_all(attempt, learner, correct=3)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert close_expired_learning_attempts() == 1

    result = submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="late-tap")

    assert (result.replayed, result.state, result.score) == (True, AttemptState.TIMED_OUT, Decimal("50.00"))
    assert Attempt.objects.get(pk=attempt.pk).idempotency_key == ""


def test_saving_an_answer_reads_and_writes_what_the_orm_would(
    course: Course, final: Assessment, learner: Any, other_learner: Any
) -> None:
    # save_answer's read and write are written as SQL (services/attempts.py): the same rows, values and types
    from hocvuso.learning.services.attempts import _locked_answer

    ready(learner, course)
    attempt = start_attempt(user=learner, assessment=final)
    row = attempt.answers.select_related("question").order_by("position").first()
    assert row is not None

    saved = save_answer(user=learner, attempt_id=attempt.pk, question_id=row.question_id, answer=right(row))
    read = _locked_answer(learner, attempt.pk, row.question_id)
    stored = AttemptAnswer.objects.select_related("attempt", "question").get(pk=row.pk)

    assert read is not None and read.pk == row.pk and saved.pk == row.pk
    assert (read.answer, read.answered_at, read.layout, read.position) == (
        stored.answer, stored.answered_at, stored.layout, stored.position
    )  # fmt: skip
    assert stored.answer == saved.answer and stored.answered_at == saved.answered_at is not None
    assert (read.attempt.pk, read.attempt.user_id, read.attempt.state, read.attempt.deadline) == (
        attempt.pk, learner.pk, AttemptState.IN_PROGRESS, stored.attempt.deadline
    )  # fmt: skip
    assert (read.question.type, read.question.data) == (stored.question.type, stored.question.data)
    assert read.attempt.get_deferred_fields() >= {"score", "assessment_id"}
    assert _locked_answer(other_learner, attempt.pk, row.question_id) is None
    assert _locked_answer(learner, attempt.pk, row.question_id + 10_000) is None

    cleared = save_answer(user=learner, attempt_id=attempt.pk, question_id=row.question_id, answer=None)

    stored.refresh_from_db()
    assert cleared.answer is None and stored.answer is None and stored.answered_at is None
    assert AttemptAnswer.objects.filter(pk=row.pk, answer__isnull=True).exists()  # SQL NULL, as the ORM stores
