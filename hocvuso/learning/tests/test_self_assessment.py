"""The self-assessment recommends a course and a starting point by the rules of curricula/self-assessment.yaml,
and the starting point opens earlier lessons (or the final assessment first) for that learner."""

from datetime import date
from typing import Any

import pytest

from hocvuso.core.errors import DomainError
from hocvuso.learning.models import AssessmentKind, Attempt, Course, SelfAssessmentResult
from hocvuso.learning.selectors import assessment_status, lesson_page
from hocvuso.learning.services import (
    complete_lesson,
    enrol,
    load_curricula,
    recommend_from_self_assessment,
    start_attempt,
    submit_attempt,
)
from hocvuso.people.models import Membership, Organisation, Resident

from .conftest import CURRICULA


@pytest.fixture
def curricula(db: None) -> None:
    load_curricula(path=CURRICULA, actor=None)


def answers(value: int, **overrides: int) -> dict[str, int]:
    values = {f"sa-{number:02d}": value for number in range(1, 21)}
    values.update({key.replace("_", "-"): number for key, number in overrides.items()})
    return values


def test_a_citizen_with_a_basic_score_starts_at_payments(curricula: None, learner: Any) -> None:
    result = recommend_from_self_assessment(user=learner, answers=answers(3), group="citizens")

    assert (result.score, result.band, result.group) == (66, "co-ban", "citizens")
    assert result.recommended_course is not None and result.recommended_course.slug == "cong-dan-so"
    assert result.start_lesson is not None and result.start_lesson.slug == "04-thanh-toan-qr"
    assert result.details["skip_earlier"] is False
    assert result.details["weak_competences"] == []
    assert result.competence_scores["4.1"] == 3.0


def test_a_low_safety_answer_sends_the_learner_to_the_safety_module_first(curricula: None, learner: Any) -> None:
    result = recommend_from_self_assessment(user=learner, answers=answers(4, sa_14=1, sa_07=1), group="citizens")

    assert (result.score, result.band) == (90, "thanh-thao")
    assert result.start_lesson is not None and result.start_lesson.module.slug == "an-toan-so"
    assert result.details["skip_earlier"] is False
    assert result.details["take_assessment_first"] is False
    assert result.details["notes"] == ["danh-tinh-so"]
    assert result.message.startswith("Bạn nên học phần an toàn trước")
    assert "Hãy đăng ký tài khoản VNeID mức 2" in result.message
    assert result.details["weak_competences"] == ["2.6"]
    assert "01-danh-tinh-so-vneid" in result.details["attention_lessons"]


def test_the_group_comes_from_the_registry_and_an_elderly_citizen_is_offered_the_elderly_course(
    curricula: None, learner: Any, other_learner: Any, territory: Any
) -> None:
    staff = Resident.objects.create(full_name="Trần B", birth_date=date(1985, 1, 1), sex="F", ethnicity=1,
                                    village=territory.village, user=learner)  # fmt: skip
    office = Organisation.objects.create(code="UB", name="UBND xã", kind="state_agency", unit=territory.commune)
    Membership.objects.create(resident=staff, organisation=office, kind="staff", valid_from=date(2020, 1, 1))
    Resident.objects.create(full_name="Bà K'Brơi", birth_date=date(1950, 1, 1), sex="F", ethnicity=12,
                            village=territory.village, user=other_learner)  # fmt: skip

    for_staff = recommend_from_self_assessment(user=learner, answers=answers(1), group="traders")
    for_elder = recommend_from_self_assessment(user=other_learner, answers=answers(2))

    assert (for_staff.group, for_staff.recommended_course.slug) == ("staff", "can-bo-cong-chuc")  # type: ignore[union-attr]
    assert (for_elder.group, for_elder.band) == ("elderly", "moi-bat-dau")
    assert for_elder.recommended_course.slug == "nguoi-cao-tuoi"  # type: ignore[union-attr]


def test_invalid_self_assessments_are_refused(curricula: None, learner: Any) -> None:
    cases = [
        ({"sa-01": 3}, "citizens", "Hãy trả lời ít nhất 15 câu (bạn đã trả lời 1)."),
        (answers(3, sa_02=5), "citizens", "Câu «sa-02»: hãy chọn một mức từ 1 đến 4."),
        ({**answers(3), "sa-99": 2}, "citizens", "Câu «sa-99» không có trong bài tự đánh giá."),
        (answers(3), None, "Hãy chọn nhóm của bạn để nhận gợi ý khóa học."),
        (answers(3), "aliens", "Nhóm đối tượng không hợp lệ."),
    ]
    for given, group, message in cases:
        with pytest.raises(DomainError) as caught:
            recommend_from_self_assessment(user=learner, answers=given, group=group)
        assert caught.value.message == message
    assert SelfAssessmentResult.objects.count() == 0


def test_a_skipping_recommendation_opens_earlier_lessons_and_shortens_the_course(curricula: None, learner: Any) -> None:
    result = recommend_from_self_assessment(
        user=learner, answers=answers(3, sa_01=4, sa_03=4, sa_05=4), group="citizens"
    )
    assert (result.band, result.details["skip_earlier"]) == ("kha", True)
    course = Course.objects.get(slug="cong-dan-so")
    enrolment = enrol(user=learner, course=course, recommendation=result)
    start = result.start_lesson
    assert start is not None and start.slug == "06-nhan-dien-lua-dao"
    assert enrolment.start_lesson == start

    complete_lesson(user=learner, lesson=start)  # earlier lessons skipped
    page = lesson_page(user=learner, course_slug="cong-dan-so", lesson_slug="03-dich-vu-cong-truc-tuyen")
    assert page.is_locked is False
    assert (page.completed_count, page.required_count) == (1, 3)
    complete_lesson(user=learner, lesson=course.lessons.get(slug="07-bao-ve-du-lieu-ca-nhan"))
    complete_lesson(user=learner, lesson=course.lessons.get(slug="08-tro-ly-ai-va-nen-tang-so"))
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    assert assessment_status(user=learner, assessment=course.assessments.get(kind=AssessmentKind.FINAL)).can_start


def test_taking_the_assessment_first_is_allowed_once_then_lessons_are_needed(curricula: None, learner: Any) -> None:
    result = recommend_from_self_assessment(user=learner, answers=answers(4), group="citizens")
    assert result.details["take_assessment_first"] is True
    course = Course.objects.get(slug="cong-dan-so")
    enrol(user=learner, course=course, recommendation=result)
    final = course.assessments.get(kind=AssessmentKind.FINAL)

    attempt = start_attempt(user=learner, assessment=final)
    submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="first")
    Attempt.objects.filter(pk=attempt.pk).update(submitted_at="2020-01-01T00:00:00Z", deadline="2020-01-01T00:10:00Z")

    with pytest.raises(DomainError) as caught:
        start_attempt(user=learner, assessment=final)
    assert caught.value.message == "Hãy học xong tất cả bài học trước khi làm bài đánh giá (còn 1 bài)."


def test_someone_elses_recommendation_cannot_be_used(curricula: None, learner: Any, other_learner: Any) -> None:
    result = recommend_from_self_assessment(user=learner, answers=answers(4), group="citizens")

    with pytest.raises(DomainError):
        enrol(user=other_learner, course=Course.objects.get(slug="cong-dan-so"), recommendation=result)
