"""Fixtures of the learning tests: the real frameworks, a small course written to a temporary folder with one
question of every type, and helpers to answer right or wrong."""

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from hocvuso.accounts.roles import Role
from hocvuso.learning.models import Assessment, AssessmentKind, Course
from hocvuso.learning.services import import_course_from_folder, load_frameworks

CURRICULA = Path(settings.BASE_DIR) / "curricula"

COURSE_YAML = """\
slug: khoa-thu
title: Khóa thử
group: citizens
summary: Một khóa nhỏ để kiểm thử.
language: vi
estimated_minutes: 30
framework: tt02-2025
modules:
  - slug: mot
    title: Học phần một
    lessons: [01-bai-mot, 02-bai-hai]
  - slug: hai
    title: Học phần hai
    lessons: [03-bai-ba]
assessment:
  pass_mark: 70
  time_limit_minutes: 30
  max_attempts: 3
  cooldown_hours: 24
  blueprint:
    "4.1": 3
    "4.2": 2
    "2.6": 1
"""

LESSON = """\
---
title: {title}
minutes: 5
competences: ["4.1"]
summary: Tóm tắt {title}.
---

# {title}

Nội dung **{title}**.
"""

QUESTIONS = """\
- id: q-single
  type: single
  competence: "4.1"
  difficulty: 1
  lesson: 01-bai-mot
  prompt: Câu một lựa chọn?
  choices:
    - text: Đúng rồi
      correct: true
    - text: Sai một
      correct: false
    - text: Sai hai
      correct: false
  explanation: Giải thích một lựa chọn.
- id: q-multiple
  type: multiple
  competence: "4.1"
  difficulty: 2
  lesson: 01-bai-mot
  prompt: Câu nhiều lựa chọn?
  choices:
    - text: Đúng A
      correct: true
    - text: Đúng B
      correct: true
    - text: Sai C
      correct: false
    - text: Sai D
      correct: false
  explanation: Giải thích nhiều lựa chọn.
- id: q-true-false
  type: true_false
  competence: "4.1"
  difficulty: 1
  lesson: 02-bai-hai
  prompt: Câu đúng sai.
  answer: false
  explanation: Giải thích đúng sai.
- id: q-ordering
  type: ordering
  competence: "4.2"
  difficulty: 2
  lesson: 02-bai-hai
  prompt: Sắp xếp các bước.
  items:
    - Bước một
    - Bước hai
    - Bước ba
    - Bước bốn
  explanation: Giải thích sắp xếp.
- id: q-matching
  type: matching
  competence: "4.2"
  difficulty: 3
  lesson: 03-bai-ba
  prompt: Ghép đôi.
  pairs:
    - left: Trái một
      right: Phải một
    - left: Trái hai
      right: Phải hai
    - left: Trái ba
      right: Phải ba
  explanation: Giải thích ghép đôi.
- id: q-image
  type: image
  competence: "2.6"
  difficulty: 2
  lesson: 03-bai-ba
  prompt: Nhìn hình và chọn.
  image: media/hinh.png
  image_alt: Ảnh chụp tin nhắn giả mạo.
  choices:
    - text: Không bấm link
      correct: true
    - text: Bấm link ngay
      correct: false
  explanation: Giải thích câu hình.
"""


PICTURE = b"\x89PNG picture of q-image"


def write_course(
    root: Path, *, course: str = COURSE_YAML, questions: str = QUESTIONS, lessons: dict[str, str] | None = None
) -> Path:
    """Write a course folder (the small test course unless told otherwise) and return its path."""
    (root / "lessons").mkdir(parents=True, exist_ok=True)
    (root / "course.yaml").write_text(course, encoding="utf-8")
    (root / "questions.yaml").write_text(questions, encoding="utf-8")
    default = {
        "01-bai-mot": LESSON.format(title="Bài một"),
        "02-bai-hai": LESSON.format(title="Bài hai"),
        "03-bai-ba": LESSON.format(title="Bài ba"),
    }
    for stem, text in (lessons if lessons is not None else default).items():
        (root / "lessons" / f"{stem}.md").write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "media").mkdir(exist_ok=True)
    (root / "media" / "hinh.png").write_bytes(PICTURE)
    return root


@pytest.fixture
def frameworks(db: None) -> None:
    load_frameworks(path=CURRICULA / "frameworks", actor=None)


@pytest.fixture
def course_folder(tmp_path: Path) -> Path:
    return write_course(tmp_path / "khoa-thu")


@pytest.fixture
def course(frameworks: None, course_folder: Path) -> Course:
    return import_course_from_folder(path=course_folder, actor=None).course


@pytest.fixture
def final(course: Course) -> Assessment:
    return course.assessments.get(kind=AssessmentKind.FINAL)


@pytest.fixture
def learner(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.LEARNER)


@pytest.fixture
def other_learner(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.LEARNER)


def right(row: Any) -> Any:
    """The right answer to an attempt's question, in that attempt's display keys."""
    from hocvuso.learning.scoring import right_answer

    return right_answer(row.question.type, row.question.data, row.layout)


def wrong(row: Any) -> Any:
    """A wrong answer (scoring 0) to an attempt's question, in that attempt's display keys."""
    question, layout = row.question, row.layout
    if question.type in ("single", "image"):
        return next(
            key for key, index in enumerate(layout["choices"]) if not question.data["choices"][index]["correct"]
        )
    if question.type == "multiple":
        return [key for key, index in enumerate(layout["choices"]) if not question.data["choices"][index]["correct"]]
    if question.type == "true_false":
        return not question.data["answer"]
    if question.type == "ordering":
        return list(reversed(right(row)))
    rights = right(row)
    return rights[1:] + rights[:1]


def answer_all(attempt: Any, user: Any, *, correct: int) -> None:
    """Answer the attempt's first ``correct`` questions right and the rest wrong."""
    from hocvuso.learning.services import save_answer

    for index, row in enumerate(attempt.answers.select_related("question").order_by("position")):
        value = right(row) if index < correct else wrong(row)
        save_answer(user=user, attempt_id=attempt.pk, question_id=row.question_id, answer=value)


def complete_all_lessons(user: Any, course: Any) -> None:
    from hocvuso.learning.services import complete_lesson

    for lesson in course.lessons.active().order_by("position"):
        complete_lesson(user=user, lesson=lesson)
