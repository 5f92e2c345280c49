"""Attempts at quizzes and final assessments: start (limits, cool-down, random draw by blueprint, deadline), save
one answer at a time, submit once. Scoring happens here, on the server, and only here.

Every refusal raises DomainError with a message for the learner and changes nothing. Another learner's attempt
is NotFound, exactly like a missing one.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, TypeVar

from django.db import connections, router, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.rows import Columns, instance, select_list
from hocvuso.core.services import record_audit

from ..models import (
    Assessment,
    AssessmentKind,
    Attempt,
    AttemptAnswer,
    AttemptState,
    Enrolment,
    Question,
    SupervisedSession,
)
from ..scoring import make_layout, normalise_answer, score_answer
from . import events
from .progress import enrol, is_unlocked, previous_lesson, required_lessons, resident_of, update_literacy_status
from .supervision import verify_supervision

_random = random.SystemRandom()
_T = TypeVar("_T")
MAX_IDEMPOTENCY_KEY = 64


# What saving an answer reads: the whole answer row, what the refusals look at in the attempt, what checking
# the answer needs of the question (the rest of the attempt and question loads only if something asks).
@dataclass(frozen=True)
class AttemptResult:
    """The outcome of a submission, the same however often it is asked for."""

    attempt_id: uuid.UUID
    state: str
    score: Decimal
    passed: bool
    points: Decimal
    max_points: int
    submitted_at: datetime
    replayed: bool = False
    literacy_confirmed: tuple[str, ...] = ()


def _local_time(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "H:i d/m/Y")


def _attempt_key(user: Any, attempt_id: Any) -> uuid.UUID:
    """The attempt id as a UUID for a signed-in user; NotFound otherwise (as for a missing attempt)."""
    try:
        key = attempt_id if isinstance(attempt_id, uuid.UUID) else uuid.UUID(str(attempt_id))
    except (ValueError, TypeError, AttributeError):
        raise NotFound(_("Không tìm thấy lượt làm bài.")) from None
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotFound(_("Không tìm thấy lượt làm bài."))
    return key


def _owned_attempt(user: Any, attempt_id: Any, *, lock: bool, related: bool = True) -> Attempt:
    """The user's attempt with this id, locked for update; NotFound for a missing id and for another's."""
    key = _attempt_key(user, attempt_id)
    queryset = Attempt.objects.filter(pk=key, user=user)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    if related:
        queryset = queryset.select_related("assessment__course", "assessment__lesson")
    attempt = queryset.first()
    if attempt is None:
        raise NotFound(_("Không tìm thấy lượt làm bài."))
    return attempt


# --- start ------------------------------------------------------------------------------------------------


def _draw(assessment: Assessment) -> list[Question]:
    """The questions of a new attempt, in random order: a quiz takes every active question of its lesson; a
    final assessment draws, per competence of its blueprint, that many distinct questions at random."""
    bank = Question.objects.active().filter(course_id=assessment.course_id).select_related("competence")
    if assessment.kind == AssessmentKind.QUIZ:
        drawn = list(bank.filter(lesson=assessment.lesson))
    else:
        by_competence: dict[str, list[Question]] = {}
        for question in bank.filter(competence__key__in=list(assessment.blueprint)):
            by_competence.setdefault(question.competence.key, []).append(question)
        drawn = draw_by_blueprint(by_competence, assessment.blueprint, _random)
    if not drawn:
        raise DomainError(_("Bài này chưa có câu hỏi."), code="no_questions")
    _random.shuffle(drawn)
    return drawn


def draw_by_blueprint(by_competence: dict[str, list[_T]], blueprint: dict[str, Any], rng: random.Random) -> list[_T]:
    """A final assessment's draw: per competence of its blueprint, that many distinct questions of the bank's (in
    the blueprint's order; the caller shuffles them). Raises DomainError when the bank has too few."""
    drawn: list[_T] = []
    for code, count in blueprint.items():
        candidates = by_competence.get(code, [])
        if len(candidates) < int(count):
            raise DomainError(
                _("Ngân hàng câu hỏi chưa đủ câu cho năng lực %(code)s; hãy báo quản trị khóa học.") % {"code": code},
                code="bank_too_small",
            )
        drawn.extend(rng.sample(candidates, int(count)))
    return drawn


def _check_prerequisites(user: Any, assessment: Assessment, enrolment: Enrolment, *, supervised: bool) -> None:
    """A quiz needs its lesson unlocked; a final assessment needs every required lesson completed, unless it
    is supervised, or the self-assessment invited the learner to take it first and they have not tried yet."""
    if assessment.kind == AssessmentKind.QUIZ:
        lesson = assessment.lesson
        if lesson is None or not lesson.is_active:
            raise NotFound(_("Không tìm thấy bài luyện tập."))
        if not is_unlocked(user=user, lesson=lesson, enrolment=enrolment):
            before = previous_lesson(lesson)
            assert before is not None
            raise DomainError(
                _("Bài này chưa mở: hãy học xong bài «%(previous)s» trước.") % {"previous": before.title},
                code="lesson_locked",
            )
        return
    if supervised:
        return
    if enrolment.assessment_first and not Attempt.objects.filter(user=user, assessment=assessment).exists():
        return
    left = required_lessons(enrolment).exclude(completions__user=user).count()
    if left:
        raise DomainError(
            _("Hãy học xong tất cả bài học trước khi làm bài đánh giá (còn %(count)s bài).") % {"count": left},
            code="lessons_left",
        )


def _check_limits(user: Any, assessment: Assessment, now: datetime) -> int:
    """Refuse a new attempt beyond the limits; returns the number of the new attempt."""
    attempts = list(Attempt.objects.filter(user=user, assessment=assessment).order_by("number"))
    number = attempts[-1].number + 1 if attempts else 1
    if assessment.kind != AssessmentKind.FINAL:
        return number
    if any(attempt.passed for attempt in attempts):
        raise DomainError(_("Bạn đã đạt bài đánh giá này rồi."), code="already_passed")
    if assessment.max_attempts is not None and len(attempts) >= assessment.max_attempts:
        raise DomainError(
            _("Bạn đã dùng hết %(count)s lượt làm bài đánh giá này. Hãy liên hệ người hướng dẫn ở xã, phường.")
            % {"count": assessment.max_attempts},
            code="no_attempts_left",
        )
    last = attempts[-1] if attempts else None
    if last is not None and last.passed is False and assessment.cooldown_hours and last.ended_at is not None:
        available = last.ended_at + timedelta(hours=assessment.cooldown_hours)
        if now < available:
            raise DomainError(
                _("Hãy ôn lại bài rồi làm lại từ %(time)s.") % {"time": _local_time(available)}, code="cooldown"
            )
    return number


def start_attempt(
    *,
    user: Any,
    assessment: Assessment,
    supervised_by: Any = None,
    instructor_pin: str | None = None,
) -> Attempt:
    """Start an attempt at a quiz or final assessment, or return the one in progress (resuming it). Checks,
    in order: the PIN when supervised (``supervised_by`` is a SupervisedSession id), enrolment (a supervised
    learner is enrolled on the spot), the lesson being unlocked (quiz) or every lesson completed (final,
    unless supervised), already passed, the attempt limit and the cool-down after a failed attempt. Draws
    the questions at random by the blueprint, shuffles each question's options for this attempt and sets the
    deadline. An attempt in progress whose deadline passed is scored first (with the answers saved in time).
    Returns the attempt. Raises DomainError for every refusal; nothing is changed then, except that a wrong
    PIN is counted."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise DomainError(_("Hãy đăng nhập để làm bài."), code="not_signed_in")
    session: SupervisedSession | None = None
    if supervised_by is not None or instructor_pin is not None:
        session = verify_supervision(session_id=supervised_by, pin=instructor_pin, assessment=assessment, learner=user)
    with transaction.atomic():
        course = assessment.course
        if not course.is_published:
            raise DomainError(_("Khóa học này đang đóng."), code="course_closed")
        enrolment = Enrolment.objects.select_for_update().filter(user=user, course=course).first()
        if enrolment is None:
            if session is None:
                raise DomainError(
                    _("Hãy ghi danh khóa học «%(course)s» trước.") % {"course": course.title}, code="not_enrolled"
                )
            enrolment = enrol(user=user, course=course)
        now = timezone.now()
        open_attempt = (
            Attempt.objects.select_for_update()
            .filter(user=user, assessment=assessment, state=AttemptState.IN_PROGRESS)
            .first()
        )
        if open_attempt is not None:
            if not open_attempt.is_past_deadline(now):
                return open_attempt
            _score(open_attempt, now=now, idempotency_key="", enrolment=enrolment)
        _check_prerequisites(user, assessment, enrolment, supervised=session is not None)
        number = _check_limits(user, assessment, now)
        questions = _draw(assessment)
        attempt = Attempt.objects.create(
            user=user,
            resident=resident_of(user),
            assessment=assessment,
            number=number,
            started_at=now,
            deadline=now + timedelta(minutes=assessment.time_limit_minutes) if assessment.time_limit_minutes else None,
            question_ids=[question.pk for question in questions],
            supervised_session=session,
            instructor=session.instructor if session else None,
            class_session=session.class_session if session else "",
        )
        AttemptAnswer.objects.bulk_create(
            AttemptAnswer(
                attempt=attempt,
                question=question,
                position=position,
                layout=make_layout(question.type, question.data, _random),
            )
            for position, question in enumerate(questions, start=1)
        )
        record_audit(
            actor=user,
            action="learning.attempt_started",
            target=attempt,
            details={"assessment": assessment.pk, "number": number, "supervised": session is not None},
        )
        return attempt


# --- answer -----------------------------------------------------------------------------------------------


def save_answer(*, user: Any, attempt_id: Any, question_id: Any, answer: Any) -> AttemptAnswer:
    """Save (or replace, or with ``None`` clear) the learner's answer to one question of their attempt in
    progress, so a dropped connection loses nothing. Saving the same answer again changes nothing. Refused
    with a clear message: a question not in this attempt, an answer that does not fit the question, an
    attempt already submitted, or an answer after the deadline. (No audit entry: answers are many; the
    attempt's start and submission are audited.) Raises NotFound for a missing or another learner's attempt.

    One query reads the answer row with its question and the learner's attempt, locking the attempt (as a
    submission does, so an answer is never saved while the attempt is being scored); only when there is no
    such row (a missing or another learner's attempt, a question not in it) is the attempt read on its own to
    give the right refusal."""
    key = _attempt_key(user, attempt_id)
    try:
        question_pk = int(question_id)
    except (TypeError, ValueError):
        question_pk = None
    with transaction.atomic():
        row = _locked_answer(user, key, question_pk) if question_pk is not None else None
        attempt = row.attempt if row is not None else _owned_attempt(user, key, lock=True, related=False)
        if not attempt.is_open:
            raise DomainError(
                _("Bài làm đã nộp lúc %(time)s; không thể sửa câu trả lời.")
                % {"time": _local_time(attempt.submitted_at)}
                if attempt.submitted_at
                else _("Bài làm đã nộp; không thể sửa câu trả lời."),
                code="already_submitted",
            )
        now = timezone.now()
        if attempt.is_past_deadline(now):
            assert attempt.deadline is not None
            raise DomainError(
                _(
                    "Đã hết giờ làm bài lúc %(time)s: câu trả lời này không được lưu. "
                    "Các câu đã lưu trước đó vẫn được chấm."
                )
                % {"time": _local_time(attempt.deadline)},
                code="deadline_passed",
            )
        if row is None:
            raise DomainError(_("Câu hỏi này không thuộc bài làm của bạn."), code="not_in_attempt")
        value = normalise_answer(row.question.type, row.question.data, answer)
        if row.answer == value and (value is None or row.answered_at is not None):
            return row
        row.answer = value
        row.answered_at = now if value is not None else None
        _write_answer(row)
        return row


# The answer row with its question and the learner's attempt, the attempt locked (as a submission locks it), and
# the write of the answer: the statements of every saved answer, written once as SQL (core/rows.py) because
# building them through the ORM cost more than running them (bench/profile_lesson.py). They load and write what
# `AttemptAnswer.objects.select_related("attempt", "question").select_for_update(of=("attempt",)).only(…)` and
# `row.save(update_fields=["answer", "answered_at"])` would.
_ANSWER = Columns(AttemptAnswer, "answer")
_ATTEMPT = Columns(Attempt, "attempt", ("user", "state", "deadline", "submitted_at"))
_QUESTION = Columns(Question, "question", ("type", "data"))
_ANSWER_WRITTEN = ("answer", "answered_at")


@lru_cache(maxsize=8)
def _answer_statements(alias: str, vendor: str) -> tuple[str, str]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    features = connection.features
    lock = " FOR UPDATE OF attempt" if features.has_select_for_update_of else ""
    columns = select_list(connection, [_ANSWER, _ATTEMPT, _QUESTION])
    answers, attempts = quote(AttemptAnswer._meta.db_table), quote(Attempt._meta.db_table)
    questions = quote(Question._meta.db_table)
    select = f"""
        SELECT {columns} FROM {answers} answer
        INNER JOIN {attempts} attempt ON attempt.id = answer.attempt_id
        INNER JOIN {questions} question ON question.id = answer.question_id
        WHERE answer.attempt_id = %s AND attempt.user_id = %s AND answer.question_id = %s LIMIT 1{lock}
    """  # noqa: S608 - names from the models, values as parameters
    written = ", ".join(f"{quote(name)} = %s" for name in _ANSWER_WRITTEN)  # the fields' columns have their names
    update = f"UPDATE {answers} SET {written} WHERE {quote('id')} = %s"  # noqa: S608
    return select, update


def _locked_answer(user: Any, attempt_id: uuid.UUID, question_pk: int) -> AttemptAnswer | None:
    """The learner's answer row to this question of this attempt, with the attempt (locked) and the question
    loaded; None when there is none (a missing or another learner's attempt, a question not in it)."""
    connection = connections[router.db_for_write(AttemptAnswer)]
    select, _update = _answer_statements(connection.alias, connection.vendor)
    attempt_key = AttemptAnswer._meta.get_field("attempt").get_db_prep_value(attempt_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(select, [attempt_key, user.pk, question_pk])
        values = cursor.fetchone()
    if values is None:
        return None
    first, second = len(_ANSWER), len(_ANSWER) + len(_ATTEMPT)
    row: AttemptAnswer = instance(connection, _ANSWER, values[:first])
    AttemptAnswer._meta.get_field("attempt").set_cached_value(row, instance(connection, _ATTEMPT, values[first:second]))
    AttemptAnswer._meta.get_field("question").set_cached_value(row, instance(connection, _QUESTION, values[second:]))
    return row


def _write_answer(row: AttemptAnswer) -> None:
    connection = connections[router.db_for_write(AttemptAnswer)]
    _select, update = _answer_statements(connection.alias, connection.vendor)
    fields = [AttemptAnswer._meta.get_field(name) for name in _ANSWER_WRITTEN]
    values = [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(update, [*values, row.pk])


# --- submit -----------------------------------------------------------------------------------------------


def _result_of(attempt: Attempt, *, replayed: bool, confirmed: tuple[str, ...] = ()) -> AttemptResult:
    assert attempt.score is not None and attempt.points is not None and attempt.submitted_at is not None
    return AttemptResult(
        attempt_id=attempt.pk,
        state=attempt.state,
        score=attempt.score,
        passed=bool(attempt.passed),
        points=attempt.points,
        max_points=attempt.max_points,
        submitted_at=attempt.submitted_at,
        replayed=replayed,
        literacy_confirmed=confirmed,
    )


@dataclass(frozen=True)
class ScoredRows:
    """An attempt's answers scored: each row's points (0–1, as stored), the attempt's points, maximum, score (%)
    and its detailed result, as `_score` stores them."""

    row_points: tuple[Decimal, ...]
    points: Decimal
    max_points: int
    score: Decimal
    result: dict[str, Any]


@lru_cache(maxsize=256)
def _row_points(points: Fraction) -> Decimal:
    """A question's points as stored (4 decimals); the few values there are (0, 1, halves, thirds…) computed once."""
    return (Decimal(points.numerator) / Decimal(points.denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def score_rows(rows: list[tuple[str, Any, Any, Any, str]]) -> ScoredRows:
    """Score an attempt's answers — (question type, data, layout, stored answer, competence key) in position order —
    by the question types' rules (hocvuso.learning.scoring). Pure: the one scoring of an attempt, shared by the
    submission and by the demo's replay of past attempts."""
    total = Fraction(0)
    row_points = []
    by_competence: dict[str, dict[str, Any]] = {}
    for question_type, data, layout, answer, competence in rows:
        points = score_answer(question_type, data, layout, answer)
        row_points.append(_row_points(points))
        total += points
        entry = by_competence.setdefault(competence, {"points": Fraction(0), "questions": 0})
        entry["points"] += points
        entry["questions"] += 1
    count = len(rows)
    percent = total * 100 / count if count else Fraction(0)
    return ScoredRows(
        row_points=tuple(row_points),
        points=(Decimal(total.numerator) / Decimal(total.denominator)).quantize(Decimal("0.001")),
        max_points=count,
        score=(Decimal(percent.numerator) / Decimal(percent.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        ),
        result={
            "answered": sum(1 for row in rows if row[3] is not None),
            "competences": {
                code: {"points": float(round(entry["points"], 3)), "questions": entry["questions"]}
                for code, entry in by_competence.items()
            },
        },
    )


def _score(attempt: Attempt, *, now: datetime, idempotency_key: str, enrolment: Enrolment | None) -> tuple[str, ...]:
    """Score the attempt from its saved answers, once, and record everything that follows from the result:
    the xAPI statements, and for a passed final assessment the literacy status. Returns the groups newly
    confirmed literate."""
    rows = list(attempt.answers.select_related("question__competence").order_by("position"))
    scored = score_rows(
        [(row.question.type, row.question.data, row.layout, row.answer, row.question.competence.key) for row in rows]
    )
    for row, points in zip(rows, scored.row_points, strict=True):
        row.points = points
    AttemptAnswer.objects.bulk_update(rows, ["points"])
    attempt.points = scored.points
    attempt.max_points = scored.max_points
    attempt.score = score = scored.score
    attempt.passed = score >= attempt.assessment.pass_mark
    attempt.state = AttemptState.TIMED_OUT if attempt.is_past_deadline(now) else AttemptState.SUBMITTED
    attempt.submitted_at = now
    attempt.idempotency_key = idempotency_key
    attempt.result = scored.result
    attempt.save()
    events.attempt_submitted(attempt, enrolment)
    confirmed: tuple[str, ...] = ()
    if attempt.passed and attempt.assessment.kind == AssessmentKind.FINAL:
        confirmed = tuple(status.group for status in update_literacy_status(user=attempt.user, attempt=attempt))
    record_audit(
        actor=attempt.user,
        action="learning.attempt_submitted",
        target=attempt,
        details={"score": str(score), "passed": attempt.passed, "state": attempt.state},
    )
    return confirmed


def submit_attempt(*, user: Any, attempt_id: Any, idempotency_key: str) -> AttemptResult:
    """Submit the learner's attempt and score it on the server from the answers saved (after the deadline:
    from those saved before it — later ones were refused). The same submission sent again (same
    ``idempotency_key``, e.g. a double tap or a resend after a dropped connection), or one reaching an attempt
    already closed at its deadline, returns the same result without scoring again; a different submission of
    an attempt already submitted is refused with its result unchanged. Returns an AttemptResult. Raises
    NotFound for a missing or another learner's attempt, DomainError otherwise."""
    key = str(idempotency_key or "").strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise DomainError(_("Thiếu mã nộp bài; hãy tải lại trang rồi nộp lại."), code="idempotency_key")
    with transaction.atomic():
        attempt = _owned_attempt(user, attempt_id, lock=True)
        if not attempt.is_open:
            # The same submission again, or one reaching an attempt the system closed at its deadline.
            if attempt.idempotency_key in (key, ""):
                return _result_of(attempt, replayed=True)
            assert attempt.submitted_at is not None
            raise DomainError(
                _("Bài làm này đã được nộp lúc %(time)s; kết quả giữ nguyên: %(score)s%%.")
                % {"time": _local_time(attempt.submitted_at), "score": attempt.score},
                code="already_submitted",
            )
        enrolment = Enrolment.objects.filter(user=user, course_id=attempt.assessment.course_id).first()
        confirmed = _score(attempt, now=timezone.now(), idempotency_key=key, enrolment=enrolment)
        return _result_of(attempt, replayed=False, confirmed=confirmed)


def close_expired_attempts(*, now: datetime | None = None) -> int:
    """Score every attempt in progress whose deadline has passed (with the answers saved in time), as if the
    learner had submitted at the deadline. For a periodic job; returns how many were closed."""
    moment = now or timezone.now()
    closed = 0
    expired = Attempt.objects.filter(state=AttemptState.IN_PROGRESS, deadline__lte=moment).values_list("pk", flat=True)
    for attempt_id in list(expired[:1000]):
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update(of=("self",))
                .select_related("assessment__course", "assessment__lesson", "user")
                .filter(pk=attempt_id, state=AttemptState.IN_PROGRESS)
                .first()
            )
            if attempt is None:
                continue
            enrolment = Enrolment.objects.filter(
                user_id=attempt.user_id, course_id=attempt.assessment.course_id
            ).first()
            _score(attempt, now=moment, idempotency_key="", enrolment=enrolment)
            closed += 1
    return closed
