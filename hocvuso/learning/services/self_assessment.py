"""The self-assessment: load the questionnaire and its rules (curricula/self-assessment.yaml), score a learner's
answers and recommend a course and a starting point."""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit

from ..course_files import CourseFormatError, at, content_hash, load_yaml, to_json
from ..models import Course, Lesson, SelfAssessment, SelfAssessmentResult, TargetGroup
from .progress import resident_of

# Registry membership kinds (people.MembershipKind) that decide a learner's group.
MEMBERSHIP_GROUPS = {"staff": TargetGroup.STAFF, "student": TargetGroup.STUDENTS, "worker": TargetGroup.WORKERS}


def _check(doc: Any, where: str) -> list[str]:
    if not isinstance(doc, dict):
        return [f"{where}: " + _("phải là các cặp khóa: giá trị")]
    problems = []
    for key in ("id", "title"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            problems.append(f"{at(where, doc, key)}: " + _("thiếu hoặc để trống"))
    scale = doc.get("scale")
    if not isinstance(scale, list) or not all(
        isinstance(step, dict) and isinstance(step.get("value"), int) for step in scale
    ):
        problems.append(f"{at(where, doc, 'scale')}: " + _("phải là danh sách {value, label}"))
    items = doc.get("items")
    seen: set[str] = set()
    if not isinstance(items, list) or not items:
        problems.append(f"{at(where, doc, 'items')}: " + _("phải là danh sách câu {id, competence, text}"))
        items = []
    for item in items:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(key), str) for key in ("id", "competence", "text")
        ):
            problems.append(f"{at(where, item, 'items')}: " + _("mỗi câu cần id, competence (trong ngoặc kép) và text"))
            continue
        if item["id"] in seen:
            problems.append(f"{at(where, item, 'id')}: " + _("mã câu «%(id)s» lặp lại") % {"id": item["id"]})
        seen.add(item["id"])
    scoring = doc.get("scoring")
    bands = scoring.get("bands") if isinstance(scoring, dict) else None
    if not isinstance(bands, list) or not all(
        isinstance(band, dict) and isinstance(band.get("code"), str) and isinstance(band.get("min"), int)
        and isinstance(band.get("max"), int) for band in bands
    ):  # fmt: skip
        problems.append(f"{at(where, scoring, 'scoring')}: " + _("cần bands: [{code, min, max, label}]"))
    else:
        covered = sorted(value for band in bands for value in range(band["min"], band["max"] + 1))
        if covered != list(range(101)):
            problems.append(
                f"{at(where, scoring, 'bands')}: " + _("các mức phải phủ đúng một lần mọi điểm từ 0 đến 100")
            )
    recommendation = doc.get("recommendation")
    rules = recommendation.get("rules") if isinstance(recommendation, dict) else None
    if not isinstance(rules, dict):
        problems.append(f"{at(where, recommendation, 'recommendation')}: " + _("cần rules theo nhóm và mức"))
    else:
        band_codes = {band["code"] for band in bands or [] if isinstance(band, dict)}
        for group, by_band in rules.items():
            if group not in TargetGroup.values:
                problems.append(f"{at(where, rules, 'rules')}: " + _("nhóm «%(group)s» không có") % {"group": group})
                continue
            if not isinstance(by_band, dict) or set(by_band) != band_codes:
                problems.append(f"{at(where, by_band, group)}: " + _("cần một gợi ý cho mỗi mức"))
                continue
            for band_code, rule in by_band.items():
                if not isinstance(rule, dict) or not isinstance(rule.get("course"), str):
                    problems.append(f"{at(where, rule, band_code)}: " + _("cần course và start_module"))
    return problems


@transaction.atomic
def load_self_assessment(*, path: str | Path, actor: Any) -> SelfAssessment:
    """Load (or update, when its content changed) the self-assessment questionnaire from its YAML file; it
    becomes the active one. Returns it. Raises CourseFormatError naming the line of every problem."""
    file = Path(path)
    where = file.name
    doc = load_yaml(file.read_text(encoding="utf-8-sig"), where)
    problems = _check(doc, where)
    if problems:
        raise CourseFormatError(problems)
    data = to_json(doc)
    digest = content_hash(data)
    existing = SelfAssessment.objects.filter(code=data["id"]).first()
    if existing is not None and existing.content_hash == digest:
        return existing
    self_assessment, created = SelfAssessment.objects.update_or_create(
        code=data["id"],
        defaults={
            "version": int(data.get("version") or 1),
            "title": data["title"],
            "instructions": data.get("instructions") or "",
            "items": data["items"],
            "scale": data["scale"],
            "scoring": data["scoring"],
            "recommendation": data["recommendation"],
            "is_active": True,
            "content_hash": digest,
        },
    )
    SelfAssessment.objects.exclude(pk=self_assessment.pk).update(is_active=False)
    record_audit(
        actor=actor,
        action="learning.self_assessment_" + ("created" if created else "updated"),
        target=self_assessment,
        details={"hash": digest},
    )
    return self_assessment


@dataclass(frozen=True)
class _Answers:
    values: dict[str, int]
    percent: int
    band: dict[str, Any]
    competence_scores: dict[str, float]


def _score(self_assessment: SelfAssessment, answers: Any) -> _Answers:
    if not isinstance(answers, dict):
        raise DomainError(_("Câu trả lời không hợp lệ."), code="invalid_answer")
    items = {item["id"]: item for item in self_assessment.items}
    scale = sorted(step["value"] for step in self_assessment.scale)
    low, high = scale[0], scale[-1]
    values: dict[str, int] = {}
    for item_id, value in answers.items():
        if item_id not in items:
            raise DomainError(
                _("Câu «%(id)s» không có trong bài tự đánh giá.") % {"id": item_id}, code="invalid_answer"
            )
        if value in (None, ""):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = low - 1
        if isinstance(value, bool) or number not in scale:
            raise DomainError(
                _("Câu «%(id)s»: hãy chọn một mức từ %(low)s đến %(high)s.")
                % {"id": item_id, "low": low, "high": high},
                code="invalid_answer",
            )
        values[item_id] = number
    scoring = self_assessment.scoring
    minimum = int(scoring.get("min_answered") or 1)
    if len(values) < minimum:
        raise DomainError(
            _("Hãy trả lời ít nhất %(count)s câu (bạn đã trả lời %(answered)s).")
            % {"count": minimum, "answered": len(values)},
            code="too_few_answers",
        )
    span = high - low
    percent = math.floor((sum(values.values()) - low * len(values)) * 100 / (span * len(values)))
    band = next(band for band in scoring["bands"] if band["min"] <= percent <= band["max"])
    by_competence: dict[str, list[int]] = {}
    for item_id, value in values.items():
        by_competence.setdefault(items[item_id]["competence"], []).append(value)
    competence_scores = {code: round(sum(found) / len(found), 2) for code, found in sorted(by_competence.items())}
    return _Answers(values=values, percent=percent, band=band, competence_scores=competence_scores)


def _group_of(user: Any, chosen: str | None) -> tuple[str, Any]:
    """The learner's group: from their registry record (staff, student, worker memberships in force), else
    the group they chose, else citizens when they have a registry record. Raises DomainError when unknown."""
    resident = resident_of(user)
    if resident is not None:
        today = timezone.localdate()
        kinds = set(resident.memberships.in_force(today).values_list("kind", flat=True))
        for kind in ("staff", "student", "worker"):
            if kind in kinds:
                return MEMBERSHIP_GROUPS[kind], resident
    if chosen:
        if chosen not in TargetGroup.values:
            raise DomainError(_("Nhóm đối tượng không hợp lệ."), field="group", code="invalid_group")
        return chosen, resident
    if resident is not None:
        return TargetGroup.CITIZENS, resident
    raise DomainError(_("Hãy chọn nhóm của bạn để nhận gợi ý khóa học."), field="group", code="group_required")


def _suggested_group(recommendation: dict[str, Any], group: str, percent: int, resident: Any) -> str:
    for suggestion in recommendation.get("suggestions") or []:
        when = suggestion.get("when") or {}
        if when.get("group", group) != group or not suggestion.get("suggest_group"):
            continue
        if "score_below" in when and not percent < when["score_below"]:
            continue
        if "age_at_least" in when and (
            resident is None or resident.age_on(timezone.localdate()) < when["age_at_least"]
        ):
            continue
        return str(suggestion["suggest_group"])
    return group


def _override_applies(override: dict[str, Any], values: dict[str, int]) -> bool:
    when = override.get("when") or {}
    if "any_item_at_most" in when:
        return any(values.get(item_id, math.inf) <= when["any_item_at_most"] for item_id in when.get("items") or [])
    return False


@transaction.atomic
def recommend_from_self_assessment(
    *, user: Any, answers: dict[str, Any], group: str | None = None
) -> SelfAssessmentResult:
    """Score the learner's self-assessment (``answers``: item id → scale value; unanswered items may be left
    out, but at least ``min_answered`` are needed) and recommend a course and a starting lesson by the rules of
    the active questionnaire: the rule for the learner's group (from the registry, else ``group``) and score
    band, then the overrides (a low answer on a safety item sends the learner to the safety module first) and
    the lessons to pay attention to (competences scored at or below the threshold). Saves and returns the
    SelfAssessmentResult; ``details`` holds start_module, skip_earlier, take_assessment_first, notes and
    attention_lessons. Raises DomainError for invalid answers, too few answers, or an unknown group."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise DomainError(_("Hãy đăng nhập để tự đánh giá."), code="not_signed_in")
    self_assessment = SelfAssessment.objects.filter(is_active=True).order_by("-updated_at").first()
    if self_assessment is None:
        raise DomainError(_("Chưa có bài tự đánh giá."), code="no_self_assessment")
    scored = _score(self_assessment, answers)
    recommendation = self_assessment.recommendation
    learner_group, resident = _group_of(user, group)
    learner_group = _suggested_group(recommendation, learner_group, scored.percent, resident)
    rule = dict(recommendation["rules"][learner_group][scored.band["code"]])
    course = Course.objects.published().filter(slug=rule["course"]).first()
    if course is None:
        raise DomainError(
            _("Khóa học «%(course)s» được gợi ý nhưng chưa có trên hệ thống.") % {"course": rule["course"]},
            code="course_missing",
        )
    start_module = str(rule.get("start_module") or "")
    skip_earlier = bool(rule.get("skip_earlier"))
    assessment_first = bool(rule.get("take_assessment_first"))
    messages, notes = [], []
    for override in recommendation.get("overrides") or []:
        if not _override_applies(override, scored.values):
            continue
        if override.get("start_module_by_course", {}).get(course.slug):
            start_module = override["start_module_by_course"][course.slug]
            skip_earlier = False
            assessment_first = bool(override.get("take_assessment_first"))
        if override.get("note_module_by_course", {}).get(course.slug):
            notes.append(override["note_module_by_course"][course.slug])
        if override.get("message"):
            messages.append(str(override["message"]))
    lessons = list(Lesson.objects.active().filter(course=course).select_related("module").order_by("position"))
    start_lesson = next((lesson for lesson in lessons if lesson.module.slug == start_module), None)
    if start_lesson is None and lessons:
        start_lesson = lessons[0]
    threshold = recommendation.get("weak_competence_threshold")
    weak = sorted(
        code for code, value in scored.competence_scores.items() if threshold is not None and value <= threshold
    )
    attention = []
    if weak:
        attention = list(
            Lesson.objects.active()
            .filter(course=course, competences__key__in=weak)
            .distinct()
            .order_by("position")
            .values_list("slug", flat=True)
        )
    result = SelfAssessmentResult.objects.create(
        user=user,
        resident=resident,
        self_assessment=self_assessment,
        group=learner_group,
        answers=scored.values,
        score=scored.percent,
        competence_scores=scored.competence_scores,
        band=scored.band["code"],
        recommended_course=course,
        start_lesson=start_lesson,
        message="\n".join(messages),
        details={
            "band_label": scored.band.get("label", ""),
            "start_module": start_module,
            "skip_earlier": skip_earlier,
            "take_assessment_first": assessment_first,
            "notes": notes,
            "weak_competences": weak,
            "attention_lessons": attention,
        },
    )
    record_audit(
        actor=user,
        action="learning.self_assessed",
        target=result,
        details={"score": scored.percent, "band": scored.band["code"], "course": course.slug},
    )
    return result
