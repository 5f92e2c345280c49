"""Attempt pages without answer keys, and the results of finished attempts."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.core.errors import NotFound

from ..models import (
    AssessmentKind,
    Attempt,
    Competence,
    Lesson,
    LiteracyStatus,
)
from ..scoring import public_options, right_answer
from ._common import signed_in

# --- attempts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptQuestion:
    """One question as the browser may see it: no answer key, no explanation, options in this attempt's
    shuffled order keyed by display position, and the learner's saved answer in the same keys."""

    id: int
    number: int
    type: str
    prompt: str
    image_url: str
    image_alt: str
    options: dict[str, Any]
    answer: Any

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "type": self.type,
            "prompt": self.prompt,
            "image_url": self.image_url,
            "image_alt": self.image_alt,
            **self.options,
            "answer": self.answer,
        }


@dataclass(frozen=True)
class AttemptPage:
    id: uuid.UUID
    assessment_id: int
    title: str
    kind: str
    course_slug: str
    number: int
    state: str
    started_at: datetime
    deadline: datetime | None
    seconds_left: int | None
    questions: list[AttemptQuestion]
    supervised: bool

    @property
    def answered_count(self) -> int:
        return sum(1 for question in self.questions if question.answer is not None)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values, for the API or a page script."""
        return {
            "id": str(self.id),
            "assessment_id": self.assessment_id,
            "title": self.title,
            "kind": self.kind,
            "number": self.number,
            "state": self.state,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "seconds_left": self.seconds_left,
            "questions": [question.as_dict() for question in self.questions],
        }


def _attempt_of(user: Any, attempt_id: Any) -> Attempt:
    try:
        key = attempt_id if isinstance(attempt_id, uuid.UUID) else uuid.UUID(str(attempt_id))
    except (ValueError, TypeError, AttributeError):
        raise NotFound(_("Không tìm thấy lượt làm bài.")) from None
    if not signed_in(user):
        raise NotFound(_("Không tìm thấy lượt làm bài."))
    attempt = (
        Attempt.objects.filter(pk=key, user_id=user.pk)
        .select_related("assessment__course", "assessment__lesson")
        .first()
    )
    if attempt is None:
        raise NotFound(_("Không tìm thấy lượt làm bài."))
    return attempt


def attempt_page(*, user: Any, attempt_id: Any) -> AttemptPage:
    """The learner's own attempt as the attempt page shows it, in two queries, WITHOUT anything that tells the
    right answer: per question its prompt, image, options shuffled for this attempt and the saved answer.
    Raises NotFound for a missing id or another learner's attempt (the same answer)."""
    attempt = _attempt_of(user, attempt_id)
    rows = attempt.answers.select_related("question", "question__image").order_by("position")
    questions = [
        AttemptQuestion(
            id=row.question_id,
            number=row.position,
            type=row.question.type,
            prompt=row.question.prompt,
            image_url=row.question.image.url if row.question.image else "",
            image_alt=row.question.image_alt,
            options=public_options(row.question.type, row.question.data, row.layout),
            answer=row.answer,
        )
        for row in rows
    ]
    now = timezone.now()
    seconds_left = None
    if attempt.deadline is not None and attempt.is_open:
        seconds_left = max(0, int((attempt.deadline - now).total_seconds()))
    return AttemptPage(
        id=attempt.pk,
        assessment_id=attempt.assessment_id,
        title=attempt.assessment.title,
        kind=attempt.assessment.kind,
        course_slug=attempt.assessment.course.slug,
        number=attempt.number,
        state=attempt.state,
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        seconds_left=seconds_left,
        questions=questions,
        supervised=attempt.supervised_session_id is not None,
    )


@dataclass(frozen=True)
class ReviewQuestion:
    """A practice quiz's question after submission: the learner's answer, the right one, the explanation."""

    question: AttemptQuestion
    right_answer: Any
    points: Decimal
    explanation: str


@dataclass(frozen=True)
class CompetenceResult:
    code: str
    name: str
    points: float
    questions: int

    @property
    def percent(self) -> int:
        return round(100 * self.points / self.questions) if self.questions else 0


@dataclass(frozen=True)
class CompetenceToReview:
    """A competence the learner scored below the pass mark on, with the course's lessons that teach it
    (slug and title, in course order) — what to read again, never which question was wrong."""

    code: str
    name: str
    percent: int
    lessons: list[tuple[str, str]]


@dataclass(frozen=True)
class AttemptReview:
    """The result of a finished attempt. A practice quiz shows each question with the right answer and its
    explanation; a final assessment shows only the score per competence, so the bank is not given away."""

    attempt: Attempt
    score: Decimal
    passed: bool
    state: str
    competences: list[CompetenceResult]
    questions: list[ReviewQuestion] = field(default_factory=list)
    literacy_confirmed: bool = False
    to_review: list[CompetenceToReview] = field(default_factory=list)


def attempt_result(*, user: Any, attempt_id: Any) -> AttemptReview:
    """The result of the learner's finished attempt (see AttemptReview). Raises NotFound for a missing or
    another learner's attempt, and for one still in progress (its result does not exist yet)."""
    attempt = _attempt_of(user, attempt_id)
    if attempt.is_open or attempt.score is None:
        raise NotFound(_("Bài làm chưa nộp nên chưa có kết quả."))
    codes = list((attempt.result or {}).get("competences", {}))
    names = dict(
        Competence.objects.filter(framework=attempt.assessment.course.framework, key__in=codes).values_list(
            "key", "name"
        )
    )
    competences = [
        CompetenceResult(code, names.get(code, ""), float(entry["points"]), int(entry["questions"]))
        for code, entry in sorted(attempt.result.get("competences", {}).items())
    ]
    questions = []
    to_review = _competences_to_review(attempt, competences)
    if attempt.assessment.kind == AssessmentKind.QUIZ:
        for row in attempt.answers.select_related("question", "question__image").order_by("position"):
            shown = AttemptQuestion(
                id=row.question_id,
                number=row.position,
                type=row.question.type,
                prompt=row.question.prompt,
                image_url=row.question.image.url if row.question.image else "",
                image_alt=row.question.image_alt,
                options=public_options(row.question.type, row.question.data, row.layout),
                answer=row.answer,
            )
            questions.append(
                ReviewQuestion(
                    question=shown,
                    right_answer=right_answer(row.question.type, row.question.data, row.layout),
                    points=row.points or Decimal(0),
                    explanation=row.question.explanation,
                )
            )
    return AttemptReview(
        attempt=attempt,
        score=attempt.score,
        passed=bool(attempt.passed),
        state=attempt.state,
        competences=competences,
        questions=questions,
        literacy_confirmed=LiteracyStatus.objects.filter(attempt=attempt).exists(),
        to_review=to_review,
    )


def _competences_to_review(attempt: Attempt, competences: list[CompetenceResult]) -> list[CompetenceToReview]:
    """The competences of a final assessment scored below its pass mark, weakest first, each with the active
    lessons of the course that teach it (one query). A practice quiz shows its questions instead."""
    if attempt.assessment.kind != AssessmentKind.FINAL:
        return []
    weak = [result for result in competences if result.percent < attempt.assessment.pass_mark]
    if not weak:
        return []
    lessons: dict[str, list[tuple[str, str]]] = {}
    rows = (
        Lesson.objects.active()
        .filter(course_id=attempt.assessment.course_id, competences__key__in=[result.code for result in weak])
        .order_by("position")
        .values_list("competences__key", "slug", "title")
    )
    for code, slug, title in rows:
        lessons.setdefault(code, []).append((slug, title))
    weak.sort(key=lambda result: (result.percent, result.code))
    return [
        CompetenceToReview(result.code, result.name, result.percent, lessons.get(result.code, [])) for result in weak
    ]
