"""Questions as form fields and back: what the attempt page shows for each question type (with the learner's
saved answer ticked), how a posted form becomes an answer in display keys, and how an answer reads on the
result page. Nothing here knows the answer key; scoring stays in hocvuso.learning.

Field names: ``q<id>`` for a single, image, true/false (radio) or multiple (checkbox) question;
``q<id>-<key>`` for each item of an ordering question (its position, 1…n) and each left of a matching
question (the key of the right chosen for it).
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError
from hocvuso.learning.models import QuestionType
from hocvuso.learning.selectors import AttemptQuestion

FIELD = re.compile(r"^q(\d{1,12})(?:-(\d{1,3}))?$")


@dataclass(frozen=True)
class Option:
    value: str
    text: str
    checked: bool = False


@dataclass(frozen=True)
class Row:
    """One item of an ordering question or one left of a matching question, with its select."""

    key: int
    text: str
    name: str
    options: list[Option]


@dataclass(frozen=True)
class QuestionForm:
    question: AttemptQuestion
    name: str
    widget: str  # radio, checkbox, ordering or matching
    options: list[Option] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.question.id

    @property
    def answered(self) -> bool:
        return self.question.answer is not None


def question_form(question: AttemptQuestion) -> QuestionForm:
    """The question as form fields, with the learner's saved answer selected."""
    name = f"q{question.id}"
    answer = question.answer
    if question.type == QuestionType.TRUE_FALSE:
        return QuestionForm(
            question,
            name,
            "radio",
            [
                Option("true", _("Đúng"), answer is True),
                Option("false", _("Sai"), answer is False),
            ],
        )
    if question.type in (QuestionType.SINGLE, QuestionType.IMAGE):
        choices = question.as_dict()["choices"]
        return QuestionForm(
            question, name, "radio", [Option(str(c["key"]), c["text"], answer == c["key"]) for c in choices]
        )
    if question.type == QuestionType.MULTIPLE:
        chosen = set(answer or [])
        choices = question.as_dict()["choices"]
        return QuestionForm(
            question, name, "checkbox", [Option(str(c["key"]), c["text"], c["key"] in chosen) for c in choices]
        )
    data = question.as_dict()
    if question.type == QuestionType.ORDERING:
        items = data["items"]
        places = {key: index + 1 for index, key in enumerate(answer)} if answer else {}
        rows = [
            Row(
                item["key"],
                item["text"],
                f"{name}-{item['key']}",
                [
                    Option(str(place), str(place), places.get(item["key"]) == place)
                    for place in range(1, len(items) + 1)
                ],
            )
            for item in items
        ]
        return QuestionForm(question, name, "ordering", rows=rows)
    rights = data["right"]
    matched = answer or [None] * len(data["left"])
    rows = [
        Row(
            left["key"],
            left["text"],
            f"{name}-{left['key']}",
            [Option(str(right["key"]), right["text"], matched[index] == right["key"]) for right in rights],
        )
        for index, left in enumerate(data["left"])
    ]
    return QuestionForm(
        question, name, "matching", options=[Option(str(r["key"]), r["text"]) for r in rights], rows=rows
    )


def posted_question_ids(post: QueryDict) -> set[int]:
    """Every question a posted form names, in its list of questions shown or in a field name."""
    ids = {int(value) for value in post.getlist("questions") if value.isdigit() and len(value) <= 12}
    for name in post:
        match = FIELD.match(name)
        if match:
            ids.add(int(match.group(1)))
    return ids


def answer_from_post(question: AttemptQuestion, post: QueryDict) -> Any:
    """The answer the form gives for the question, in display keys (None: not answered). Raises DomainError
    when an ordering gives two items the same place."""
    name = f"q{question.id}"
    if question.type == QuestionType.MULTIPLE:
        values = post.getlist(name)
        return values or None
    if question.type in (QuestionType.SINGLE, QuestionType.IMAGE, QuestionType.TRUE_FALSE):
        return post.get(name) or None
    data = question.as_dict()
    if question.type == QuestionType.ORDERING:
        places = {item["key"]: post.get(f"{name}-{item['key']}", "") for item in data["items"]}
        if not any(places.values()):
            return None
        if not all(value.isdigit() for value in places.values()) or len(set(places.values())) != len(places):
            raise DomainError(
                _("Câu %(number)s: hãy chọn cho mỗi mục một vị trí khác nhau.") % {"number": question.number},
                code="invalid_answer",
            )
        return sorted(places, key=lambda key: int(places[key]))
    matched = [post.get(f"{name}-{left['key']}", "") or None for left in data["left"]]
    return matched if any(value is not None for value in matched) else None


def describe(question: AttemptQuestion, answer: Any) -> list[str]:
    """An answer in words, one line per part, for the result page."""
    if answer is None:
        return []
    if question.type == QuestionType.TRUE_FALSE:
        return [_("Đúng") if answer else _("Sai")]
    data = question.as_dict()
    if question.type in (QuestionType.SINGLE, QuestionType.IMAGE):
        return [data["choices"][answer]["text"]]
    if question.type == QuestionType.MULTIPLE:
        return [data["choices"][key]["text"] for key in answer]
    if question.type == QuestionType.ORDERING:
        return [f"{place}. {data['items'][key]['text']}" for place, key in enumerate(answer, start=1)]
    return [
        f"{left['text']} → {data['right'][right]['text'] if right is not None else '—'}"
        for left, right in zip(data["left"], answer, strict=False)
    ]
