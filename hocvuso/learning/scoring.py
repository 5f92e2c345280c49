"""The question types: what a valid answer key is, how options are shuffled per attempt, what the browser may
see, what a valid answer is, and how an answer is scored. Pure functions, no database.

Every option the browser sees is named by its position in this attempt's shuffled display ("key" 0, 1, 2…),
never by its place in the answer key, so nothing sent to the browser tells which option is right.

Answers, in display keys:
- single, image: one key (int) · multiple: a list of distinct keys · true_false: true or false
- ordering: every item key once, in the learner's order · matching: for each left (in display order) the key
  of the right chosen for it, or null; a right may be used once.

Scoring, each question worth 1 point:
- single, image, true_false: 1 when right, else 0.
- multiple: (right options ticked − wrong options ticked) / number of right options, never below 0.
- ordering: the share of neighbouring pairs in the learner's order that are also neighbours, in that order, in
  the right order — (n − 1) pairs; so a fully right order scores 1 and one item moved loses one or two pairs.
- matching: the share of lefts matched to their own right.
No answer scores 0.
"""

import random
from collections.abc import Sequence
from fractions import Fraction
from itertools import pairwise
from typing import Any

from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"
ORDERING = "ordering"
MATCHING = "matching"
IMAGE = "image"
TYPES = (SINGLE, MULTIPLE, TRUE_FALSE, ORDERING, MATCHING, IMAGE)
CHOICE_TYPES = (SINGLE, MULTIPLE, IMAGE)
MAX_OPTIONS = 12

_system_random = random.SystemRandom()


# --- the answer key ---------------------------------------------------------------------------------------


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def answer_key_problems(question_type: str, data: Any) -> list[str]:
    """What is wrong with the answer key ``data`` of a question of this type (empty when nothing)."""
    if question_type not in TYPES:
        return [_("loại câu hỏi «%(type)s» không có; dùng một trong: %(types)s") % {
            "type": question_type, "types": ", ".join(TYPES)}]  # fmt: skip
    if not isinstance(data, dict):
        return [_("thiếu phương án và đáp án")]
    if question_type in CHOICE_TYPES:
        choices = data.get("choices")
        if not isinstance(choices, list) or not 2 <= len(choices) <= MAX_OPTIONS:
            return [_("«choices» phải là danh sách từ 2 đến %(max)s phương án") % {"max": MAX_OPTIONS}]
        problems = []
        for number, choice in enumerate(choices, start=1):
            if not isinstance(choice, dict) or not _is_text(choice.get("text")):
                problems.append(_("phương án %(number)s thiếu «text»") % {"number": number})
            elif not isinstance(choice.get("correct"), bool):
                problems.append(_("phương án %(number)s thiếu «correct: true/false»") % {"number": number})
        if problems:
            return problems
        texts = [choice["text"].strip() for choice in choices]
        if len(set(texts)) != len(texts):
            problems.append(_("có hai phương án giống hệt nhau"))
        correct = sum(1 for choice in choices if choice["correct"])
        if question_type in (SINGLE, IMAGE) and correct != 1:
            problems.append(
                _("câu một lựa chọn phải có đúng 1 phương án đúng (đang có %(count)s)") % {"count": correct}
            )
        if question_type == MULTIPLE and correct < 1:
            problems.append(_("câu nhiều lựa chọn phải có ít nhất 1 phương án đúng"))
        return problems
    if question_type == TRUE_FALSE:
        return (
            [] if isinstance(data.get("answer"), bool) else [_("câu Đúng/Sai cần «answer: true» hoặc «answer: false»")]
        )
    if question_type == ORDERING:
        items = data.get("items")
        if not isinstance(items, list) or not 2 <= len(items) <= MAX_OPTIONS or not all(map(_is_text, items)):
            return [_("«items» phải là danh sách từ 2 đến %(max)s mục (theo thứ tự đúng)") % {"max": MAX_OPTIONS}]
        if len({item.strip() for item in items}) != len(items):
            return [_("có hai mục giống hệt nhau")]
        return []
    pairs = data.get("pairs")
    if not isinstance(pairs, list) or not 2 <= len(pairs) <= MAX_OPTIONS:
        return [_("«pairs» phải là danh sách từ 2 đến %(max)s cặp {left, right}") % {"max": MAX_OPTIONS}]
    if not all(isinstance(pair, dict) and _is_text(pair.get("left")) and _is_text(pair.get("right")) for pair in pairs):
        return [_("mỗi cặp cần «left» và «right»")]
    if len({pair["left"].strip() for pair in pairs}) != len(pairs) or len(
        {pair["right"].strip() for pair in pairs}
    ) != len(pairs):
        return [_("có hai vế trái hoặc hai vế phải giống hệt nhau")]
    return []


def _option_count(question_type: str, data: dict[str, Any]) -> int:
    if question_type in CHOICE_TYPES:
        return len(data["choices"])
    if question_type == ORDERING:
        return len(data["items"])
    if question_type == MATCHING:
        return len(data["pairs"])
    return 0


# --- the per-attempt shuffle ------------------------------------------------------------------------------


def _shuffled(count: int, rng: random.Random, *, avoid: Sequence[int] | None = None) -> list[int]:
    order = list(range(count))
    while True:
        rng.shuffle(order)
        if count < 2 or avoid is None or order != list(avoid):
            return order


def make_layout(question_type: str, data: dict[str, Any], rng: random.Random | None = None) -> dict[str, list[int]]:
    """A fresh shuffle of the question's options for one attempt: answer-key indexes in display order.

    An ordering question is never shown in its right order, and a matching question never lines each left up
    with its own right, so the display itself is never the answer.
    """
    rng = rng or _system_random
    count = _option_count(question_type, data)
    if question_type in CHOICE_TYPES:
        return {"choices": _shuffled(count, rng)}
    if question_type == ORDERING:
        return {"items": _shuffled(count, rng, avoid=range(count))}
    if question_type == MATCHING:
        left = _shuffled(count, rng)
        return {"left": left, "right": _shuffled(count, rng, avoid=left)}
    return {}


def public_options(question_type: str, data: dict[str, Any], layout: dict[str, list[int]]) -> dict[str, Any]:
    """What the browser may see of the options: texts in this attempt's display order, keyed by display
    position. Nothing here says which option is right."""
    if question_type in CHOICE_TYPES:
        return {"choices": [{"key": key, "text": data["choices"][index]["text"]} for key, index in
                            enumerate(layout["choices"])]}  # fmt: skip
    if question_type == ORDERING:
        return {"items": [{"key": key, "text": data["items"][index]} for key, index in enumerate(layout["items"])]}
    if question_type == MATCHING:
        return {
            "left": [{"key": key, "text": data["pairs"][index]["left"]} for key, index in enumerate(layout["left"])],
            "right": [{"key": key, "text": data["pairs"][index]["right"]} for key, index in enumerate(layout["right"])],
        }
    return {"choices": [{"key": True, "text": _("Đúng")}, {"key": False, "text": _("Sai")}]}


# --- answers ----------------------------------------------------------------------------------------------


def _as_key(value: Any, count: int) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 0 <= value < count:
        raise ValueError
    return value


def normalise_answer(question_type: str, data: dict[str, Any], answer: Any) -> Any:
    """The answer in its stored form (display keys), or None to clear it. Accepts numbers given as text (form
    posts). Raises DomainError when the answer does not fit the question."""
    if answer is None or answer == "":
        return None
    count = _option_count(question_type, data)
    try:
        if question_type in (SINGLE, IMAGE):
            return _as_key(answer, count)
        if question_type == TRUE_FALSE:
            if isinstance(answer, str) and answer.lower() in {"true", "false", "đúng", "sai"}:
                return answer.lower() in {"true", "đúng"}
            if not isinstance(answer, bool):
                raise ValueError
            return answer
        if not isinstance(answer, list | tuple):
            raise ValueError
        if question_type == MULTIPLE:
            keys = sorted({_as_key(value, count) for value in answer})
            if len(keys) != len(answer):
                raise ValueError
            return keys
        if question_type == ORDERING:
            keys = [_as_key(value, count) for value in answer]
            if sorted(keys) != list(range(count)):
                raise ValueError
            return keys
        if len(answer) != count:
            raise ValueError
        matched = [None if value is None or value == "" else _as_key(value, count) for value in answer]
        chosen = [value for value in matched if value is not None]
        if len(set(chosen)) != len(chosen):
            raise DomainError(_("Mỗi phương án bên phải chỉ được ghép một lần."), code="invalid_answer")
        return matched
    except ValueError as error:
        raise DomainError(_("Câu trả lời không hợp lệ với câu hỏi này."), code="invalid_answer") from error


def score_answer(question_type: str, data: dict[str, Any], layout: dict[str, list[int]], answer: Any) -> Fraction:
    """Points (0 to 1) for a stored answer, by the rules in this module's docstring."""
    if answer is None:
        return Fraction(0)
    if question_type in (SINGLE, IMAGE):
        return Fraction(int(data["choices"][layout["choices"][answer]]["correct"]))
    if question_type == TRUE_FALSE:
        return Fraction(int(answer is data["answer"]))
    if question_type == MULTIPLE:
        right = {index for index, choice in enumerate(data["choices"]) if choice["correct"]}
        ticked = {layout["choices"][key] for key in answer}
        return max(Fraction(0), Fraction(len(ticked & right) - len(ticked - right), len(right)))
    if question_type == ORDERING:
        order = [layout["items"][key] for key in answer]
        neighbours = sum(1 for first, second in pairwise(order) if second == first + 1)
        return Fraction(neighbours, len(order) - 1)
    lefts, rights = layout["left"], layout["right"]
    matched = sum(1 for left_key, right_key in enumerate(answer) if right_key is not None and
                  lefts[left_key] == rights[right_key])  # fmt: skip
    return Fraction(matched, len(lefts))


def right_answer(question_type: str, data: dict[str, Any], layout: dict[str, list[int]]) -> Any:
    """The right answer in this attempt's display keys (shown in a practice quiz's review, after submission)."""
    if question_type in (SINGLE, IMAGE):
        return next(key for key, index in enumerate(layout["choices"]) if data["choices"][index]["correct"])
    if question_type == MULTIPLE:
        return [key for key, index in enumerate(layout["choices"]) if data["choices"][index]["correct"]]
    if question_type == TRUE_FALSE:
        return data["answer"]
    if question_type == ORDERING:
        return sorted(range(len(layout["items"])), key=lambda key: layout["items"][key])
    return [layout["right"].index(index) for index in layout["left"]]
