"""The question bank of a course folder (questions.yaml): each question checked and made canonical, and the final
assessment's blueprint checked against what the bank holds. `checker` is the reader's problem collector."""

import re
from typing import Any

from django.utils.translation import gettext as _

from ..scoring import CHOICE_TYPES, MATCHING, ORDERING, TRUE_FALSE, TYPES, answer_key_problems
from .yaml_lines import CourseFormatError, at, clean_text, load_yaml, to_json

QUESTIONS_FILE = "questions.yaml"
QUESTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")
PICTURE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp")
# A prompt that points at a picture ("như trong hình", "màn hình trong hình", "in the picture"): it needs one.
REFERS_TO_PICTURE = re.compile(r"\b(?:trong|như|theo|ở) (?:hình|ảnh)\b|\bin the (?:picture|image)\b", re.IGNORECASE)
QUESTION_KEYS = {"id", "type", "competence", "difficulty", "lesson", "prompt", "explanation", "image", "image_alt",
                 "choices", "answer", "items", "pairs"}  # fmt: skip
DATA_KEYS = {"single": "choices", "multiple": "choices", "image": "choices", TRUE_FALSE: "answer", ORDERING: "items",
             MATCHING: "pairs"}  # fmt: skip


def read_questions(
    text: str | None, lesson_stems: set[str], checker: Any, media: dict[str, bytes], places: dict[str, str]
) -> list[dict[str, Any]]:
    """The questions of questions.yaml (its `text`; None when it could not be read) as canonical data, each
    checked by `check_question`, ids unique; records where each was found in `places`."""
    where = QUESTIONS_FILE
    if text is None:
        return []
    try:
        raw = load_yaml(text, where)
    except CourseFormatError as error:
        checker.problems.extend(error.problems)
        return []
    if not isinstance(raw, list) or not raw:
        checker.add(where, _("phải là danh sách câu hỏi"))
        return []
    questions = []
    seen: dict[str, int] = {}
    for item in raw:
        if not isinstance(item, dict):
            checker.add(where, _("mỗi câu hỏi phải là các cặp khóa: giá trị"))
            continue
        question = check_question(item, where, checker, lesson_stems, media)
        if question is None:
            continue
        key = question["id"]
        if key in seen:
            checker.add(
                at(where, item, "id"),
                _("mã câu hỏi «%(id)s» trùng với câu ở dòng %(line)s") % {"id": key, "line": seen[key]},
            )
            continue
        seen[key] = getattr(item, "line", 0)
        places[f"question:{key}"] = at(where, item)
        questions.append(question)
    return questions


def check_question(
    item: dict[str, Any], where: str, checker: Any, lesson_stems: set[str], media: dict[str, bytes]
) -> dict[str, Any] | None:
    """Check one question of questions.yaml; returns it as canonical data, or None after adding problems."""
    before = len(checker.problems)
    key = item.get("id")
    if not isinstance(key, str) or not QUESTION_ID.match(key):
        checker.add(at(where, item, "id"), _("mã câu hỏi thiếu hoặc không hợp lệ (chữ, số, - _ .; tối đa 60)"))
        key = "?"
    place = at(where, item) + f" ({key})"
    checker.unknown_keys(item, QUESTION_KEYS, place, with_line=False)
    question_type = item.get("type")
    if question_type not in TYPES:
        checker.add(place, _("trường «type» phải là một trong: %(types)s") % {"types": ", ".join(TYPES)})
        return None
    lesson = item.get("lesson")
    if lesson is not None and lesson not in lesson_stems:
        checker.add(place, _("trường «lesson»: không có bài «%(lesson)s» trong khóa") % {"lesson": lesson})
    competence = item.get("competence")
    if not isinstance(competence, str) or not competence:
        checker.add(place, _('trường «competence» phải là mã năng lực trong ngoặc kép, ví dụ "4.2"'))
    difficulty = item.get("difficulty")
    if isinstance(difficulty, bool) or difficulty not in (1, 2, 3):
        checker.add(place, _("trường «difficulty» phải là 1, 2 hoặc 3"))
    data_key = DATA_KEYS[question_type]
    for other in set(DATA_KEYS.values()) - {data_key}:
        if other in item:
            checker.add(
                place, _("câu loại %(type)s không dùng trường «%(key)s»") % {"type": question_type, "key": other}
            )
    data = {data_key: to_json(item.get(data_key))}
    if question_type in CHOICE_TYPES and isinstance(data["choices"], list):
        for choice in data["choices"]:
            if isinstance(choice, dict) and set(choice) - {"text", "correct"}:
                checker.add(place, _("mỗi phương án chỉ có «text» và «correct»"))
                break
    for problem in answer_key_problems(question_type, data):
        checker.add(place, problem)
    prompt = checker.text(item, "prompt", place, with_line=False)
    explanation = checker.text(item, "explanation", place, with_line=False)
    image = checker.media_path(item.get("image"), place + ", " + _("trường «image»"), media)
    image_alt = checker.text(item, "image_alt", place, required=question_type == "image", with_line=False)
    if image is None and "image" not in item and (question_type == "image" or REFERS_TO_PICTURE.search(str(prompt))):
        # The picture itself must be in the folder: a description alone shows the learner nothing to look at.
        checker.add(place, _("câu hỏi nói đến một hình nhưng không có trường «image» (tệp hình trong media/)"))
    elif image is not None and not image.lower().endswith(PICTURE_EXTENSIONS):
        checker.add(place, _("trường «image» phải là tệp hình (%(ext)s)") % {"ext": ", ".join(PICTURE_EXTENSIONS)})
    if len(checker.problems) > before:
        return None
    if question_type in CHOICE_TYPES:
        data["choices"] = [{"text": clean_text(choice["text"]), "correct": choice["correct"]} for choice in
                           data["choices"]]  # fmt: skip
    elif question_type == ORDERING:
        data["items"] = [clean_text(text) for text in data["items"]]
    elif question_type == MATCHING:
        data["pairs"] = [{"left": clean_text(pair["left"]), "right": clean_text(pair["right"])} for pair in
                         data["pairs"]]  # fmt: skip
    return {
        "id": key,
        "type": question_type,
        "competence": competence,
        "difficulty": difficulty,
        "lesson": lesson,
        "prompt": prompt,
        "explanation": explanation,
        "image": image,
        "image_alt": image_alt,
        **data,
    }


def check_blueprint(course: dict[str, Any], questions: list[dict[str, Any]], checker: Any) -> None:
    """Every competence the final assessment's blueprint draws from has as many questions as it asks for."""
    blueprint = course.get("assessment", {}).get("blueprint", {})
    available: dict[str, int] = {}
    for question in questions:
        available[question["competence"]] = available.get(question["competence"], 0) + 1
    for code, count in blueprint.items():
        if available.get(code, 0) < count:
            checker.add(
                "course.yaml, " + _("trường «blueprint»"),
                _("năng lực %(code)s cần %(count)s câu nhưng ngân hàng chỉ có %(available)s")
                % {"code": code, "count": count, "available": available.get(code, 0)},
            )
