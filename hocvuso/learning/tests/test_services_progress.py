"""Enrolment, lessons unlocking in order, and the literacy status that follows the rules per target group."""

from typing import Any

import pytest

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.learning.models import (
    Assessment,
    Course,
    Enrolment,
    LessonCompletion,
    LiteracyRule,
    LiteracyStatus,
    OutboxStatement,
)
from hocvuso.learning.services import (
    complete_lesson,
    enrol,
    import_course_from_folder,
    start_attempt,
    submit_attempt,
    update_literacy_status,
)
from hocvuso.people.models import Resident

from .conftest import COURSE_YAML, answer_all, complete_all_lessons, write_course


def test_enrolling_twice_keeps_one_enrolment(course: Course, learner: Any) -> None:
    first = enrol(user=learner, course=course)

    assert enrol(user=learner, course=course).pk == first.pk
    assert Enrolment.objects.count() == 1
    assert OutboxStatement.objects.count() == 1


def test_a_closed_course_refuses_enrolment(course: Course, learner: Any) -> None:
    Course.objects.filter(pk=course.pk).update(is_published=False)
    course.refresh_from_db()

    with pytest.raises(DomainError) as caught:
        enrol(user=learner, course=course)

    assert caught.value.message == "Khóa học này đang đóng, chưa ghi danh được."
    assert Enrolment.objects.count() == 0


def test_an_enrolment_links_the_learners_resident_record(course: Course, learner: Any, territory: Any) -> None:
    resident = Resident.objects.create(
        full_name="H'Hen Niê", birth_date="1990-01-01", sex="F", ethnicity=12, village=territory.village, user=learner
    )

    assert enrol(user=learner, course=course).resident == resident


def test_lessons_unlock_in_order(course: Course, learner: Any) -> None:
    first, second, third = course.lessons.order_by("position")
    with pytest.raises(DomainError) as caught:
        complete_lesson(user=learner, lesson=first)
    assert caught.value.message == "Hãy ghi danh khóa học «Khóa thử» trước."
    enrol(user=learner, course=course)

    with pytest.raises(DomainError) as caught:
        complete_lesson(user=learner, lesson=third)
    assert (caught.value.code, caught.value.message) == (
        "lesson_locked",
        "Bài này chưa mở: hãy học xong bài «Bài hai» trước.",
    )
    assert LessonCompletion.objects.count() == 0

    complete_lesson(user=learner, lesson=first)
    complete_lesson(user=learner, lesson=second)
    assert complete_lesson(user=learner, lesson=second).lesson == second  # twice: the same completion
    assert Enrolment.objects.get().completed_at is None
    complete_lesson(user=learner, lesson=third)
    assert LessonCompletion.objects.filter(user=learner).count() == 3
    assert Enrolment.objects.get().completed_at is not None


def test_an_inactive_lesson_is_not_found(course: Course, learner: Any) -> None:
    enrol(user=learner, course=course)
    lesson = course.lessons.get(slug="01-bai-mot")
    lesson.is_active = False
    lesson.save()

    with pytest.raises(NotFound):
        complete_lesson(user=learner, lesson=lesson)


def pass_final(learner: Any, course: Course) -> None:
    enrol(user=learner, course=course)
    complete_all_lessons(learner, course)
    final = course.assessments.get(kind="final")
    attempt = start_attempt(user=learner, assessment=final)
    answer_all(attempt, learner, correct=len(attempt.question_ids))
    submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key="pass")


def test_the_default_rule_per_group_confirms_literacy_with_the_resident(
    course: Course, learner: Any, territory: Any
) -> None:
    rule = LiteracyRule.objects.get()
    assert (rule.group, list(rule.required_assessments.all())) == ("citizens", [course.assessments.get(kind="final")])
    resident = Resident.objects.create(
        full_name="Y Moan", birth_date="1980-05-05", sex="M", ethnicity=12, village=territory.village, user=learner
    )

    pass_final(learner, course)

    status = LiteracyStatus.objects.get()
    assert (status.user, status.resident, status.group, status.rule) == (learner, resident, "citizens", rule)


def test_a_rule_needing_two_assessments_confirms_only_when_both_are_passed(
    course: Course, frameworks: None, tmp_path: Any, learner: Any
) -> None:
    staff_course = import_course_from_folder(
        path=write_course(tmp_path / "cb", course=COURSE_YAML.replace("khoa-thu", "khoa-can-bo").replace(
            "group: citizens", "group: staff")),
        actor=None,
    ).course  # fmt: skip
    staff_rule = LiteracyRule.objects.get(group="staff")
    staff_rule.required_assessments.add(course.assessments.get(kind="final"))

    pass_final(learner, staff_course)
    assert list(LiteracyStatus.objects.values_list("group", flat=True)) == []

    pass_final(learner, course)
    assert sorted(LiteracyStatus.objects.values_list("group", flat=True)) == ["citizens", "staff"]


def test_an_inactive_rule_confirms_nobody_and_confirmations_are_kept(
    course: Course, learner: Any, final: Assessment
) -> None:
    LiteracyRule.objects.update(is_active=False)
    pass_final(learner, course)
    assert LiteracyStatus.objects.count() == 0

    LiteracyRule.objects.update(is_active=True)
    created = update_literacy_status(user=learner)

    assert [status.group for status in created] == ["citizens"]
    assert update_literacy_status(user=learner) == []
    assert LiteracyStatus.objects.count() == 1


def test_records_made_before_the_account_was_linked_get_the_resident(
    course: Course, learner: Any, territory: Any
) -> None:
    from hocvuso.learning.services import attach_resident

    pass_final(learner, course)
    assert attach_resident(user=learner) == 0
    resident = Resident.objects.create(
        full_name="Ka Nhi", birth_date="1995-02-02", sex="F", ethnicity=12, village=territory.village, user=learner
    )
    learner.refresh_from_db()

    assert attach_resident(user=learner) == 3  # the enrolment, the attempt, the literacy confirmation
    assert LiteracyStatus.objects.get().resident == resident
    assert attach_resident(user=learner) == 0
