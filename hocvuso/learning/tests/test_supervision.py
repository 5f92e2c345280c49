"""Supervised mode: an instructor's 6-digit PIN lets a learner take the final assessment on the class device;
a wrong, expired or locked PIN, a PIN of another unit's session, or an instructor outside the unit is refused."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.learning.models import Assessment, Attempt, Course, Enrolment, SupervisedSession
from hocvuso.learning.selectors import supervised_sessions_for
from hocvuso.learning.services import close_supervised_session, open_supervised_session, start_attempt
from hocvuso.learning.services.supervision import MAX_FAILED_PINS


@pytest.fixture
def instructor(territory: Any, make_user: Any) -> Any:
    return make_user(Role.INSTRUCTOR, territory.commune)


def refused(learner: Any, final: Assessment, session_id: Any, pin: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        start_attempt(user=learner, assessment=final, supervised_by=session_id, instructor_pin=pin)
    assert Attempt.objects.count() == 0
    return caught.value


def test_a_learner_takes_the_assessment_at_class_with_the_instructors_pin(
    course: Course, final: Assessment, learner: Any, instructor: Any
) -> None:
    opened = open_supervised_session(
        instructor=instructor, unit_code="24631.001", assessment=final, class_session="lop-2026-03-07"
    )
    assert len(opened.pin) == 6 and opened.pin.isdigit()
    assert opened.pin not in opened.session.pin_hash

    attempt = start_attempt(user=learner, assessment=final, supervised_by=opened.session.pk, instructor_pin=opened.pin)

    assert (attempt.instructor, attempt.supervised_session, attempt.class_session) == (
        instructor,
        opened.session,
        "lop-2026-03-07",
    )
    assert Enrolment.objects.filter(user=learner, course=course).count() == 1  # enrolled on the spot
    assert [session.pk for session in supervised_sessions_for(user=instructor)] == [opened.session.pk]


def test_a_wrong_pin_is_refused_and_counted_until_the_session_locks(
    course: Course, final: Assessment, learner: Any, instructor: Any
) -> None:
    opened = open_supervised_session(instructor=instructor, unit_code="24631")
    wrong_pin = f"{(int(opened.pin) + 1) % 1_000_000:06d}"

    error = refused(learner, final, opened.session.pk, wrong_pin)

    assert (error.code, error.message) == ("pin_wrong", "Mã PIN không đúng.")
    assert SupervisedSession.objects.get().failed_pins == 1
    for _ in range(MAX_FAILED_PINS - 1):
        refused(learner, final, opened.session.pk, wrong_pin)
    locked = refused(learner, final, opened.session.pk, opened.pin)
    assert locked.message == "Buổi kiểm tra đã bị khóa vì nhập sai mã PIN quá nhiều lần."


def test_an_expired_or_closed_pin_is_refused(course: Course, final: Assessment, learner: Any, instructor: Any) -> None:
    opened = open_supervised_session(instructor=instructor, unit_code="24631", valid_hours=2)
    SupervisedSession.objects.filter(pk=opened.session.pk).update(
        opened_at=timezone.now() - timedelta(hours=3), expires_at=timezone.now() - timedelta(hours=1)
    )

    expired = refused(learner, final, opened.session.pk, opened.pin)

    assert (expired.code, expired.message) == (
        "pin_expired",
        "Mã PIN đã hết hạn hoặc buổi kiểm tra đã đóng. Hãy nhờ người giám sát mở buổi mới.",
    )
    fresh = open_supervised_session(instructor=instructor, unit_code="24631")
    close_supervised_session(instructor=instructor, session_id=fresh.session.pk)
    assert refused(learner, final, fresh.session.pk, fresh.pin).code == "pin_expired"


def test_the_pin_of_another_units_session_is_refused(
    course: Course, final: Assessment, learner: Any, instructor: Any, territory: Any, make_user: Any
) -> None:
    other_instructor = make_user(Role.INSTRUCTOR, territory.other_commune)
    here = open_supervised_session(instructor=instructor, unit_code="24631")
    there = open_supervised_session(instructor=other_instructor, unit_code="24751")
    while there.pin == here.pin:  # one chance in a million
        there = open_supervised_session(instructor=other_instructor, unit_code="24751")

    error = refused(learner, final, here.session.pk, there.pin)

    assert error.message == "Mã PIN không đúng."


def test_a_session_for_another_assessment_or_without_a_pin_is_refused(
    course: Course, final: Assessment, learner: Any, instructor: Any
) -> None:
    quiz = course.lessons.get(slug="01-bai-mot").quiz
    assert quiz is not None
    opened = open_supervised_session(instructor=instructor, unit_code="24631", assessment=final)

    assert (
        refused(learner, quiz, opened.session.pk, opened.pin).message
        == "Buổi kiểm tra này dành cho một bài đánh giá khác."
    )
    assert refused(learner, final, opened.session.pk, "").message == "Cần mã PIN của người giám sát để làm bài tại lớp."
    assert refused(learner, final, "not-a-uuid", opened.pin).code == "pin_required"


def test_only_someone_who_runs_classes_in_the_unit_opens_a_session(
    course: Course, learner: Any, instructor: Any, territory: Any
) -> None:
    for user, code in ((instructor, "24751"), (instructor, "00004"), (learner, "24631"), (instructor, "99999")):
        with pytest.raises(NotFound):
            open_supervised_session(instructor=user, unit_code=code)
    with pytest.raises(DomainError) as caught:
        open_supervised_session(instructor=instructor, unit_code="24631", valid_hours=12)
    assert caught.value.message == "Thời hạn mã PIN phải từ 1 đến 8 giờ."
    assert SupervisedSession.objects.count() == 0


def test_an_instructor_whose_role_ended_can_no_longer_supervise(
    course: Course, final: Assessment, learner: Any, instructor: Any
) -> None:
    opened = open_supervised_session(instructor=instructor, unit_code="24631")
    instructor.role_assignments.update(valid_to=timezone.localdate() - timedelta(days=1), valid_from="2020-01-01")

    assert refused(learner, final, opened.session.pk, opened.pin).message == (
        "Người giám sát không còn phụ trách lớp ở địa bàn này."
    )


def test_another_instructor_cannot_close_a_session_outside_their_units(
    course: Course, instructor: Any, territory: Any, make_user: Any
) -> None:
    opened = open_supervised_session(instructor=instructor, unit_code="24631")
    outsider = make_user(Role.INSTRUCTOR, territory.other_commune)
    colleague = make_user(Role.COMMUNE_OFFICER, territory.commune)

    with pytest.raises(NotFound):
        close_supervised_session(instructor=outsider, session_id=opened.session.pk)
    assert SupervisedSession.objects.get().closed_at is None
    assert close_supervised_session(instructor=colleague, session_id=opened.session.pk).closed_at is not None
