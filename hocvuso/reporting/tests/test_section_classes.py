"""The community classes section: supervised tests opened in the commune (or below it) during the quarter up to
the freeze day, finished and passed — none from another commune or before the quarter; none for an agency."""

from datetime import timedelta

from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.learning.models import Attempt, SupervisedSession
from hocvuso.learning.services import open_supervised_session, start_attempt, submit_attempt
from hocvuso.learning.tests.conftest import answer_all, course, course_folder, final, frameworks  # noqa: F401
from hocvuso.reporting.models import ReportingAssignment
from hocvuso.reporting.services import draft_consolidated_report, draft_report

from .conftest import quarter_of_today


def _rows(report):
    section = next(part for part in report.content["sections"] if part["key"] == "classes")
    return {row[0]: row[1] for row in section["rows"]}, section["note"]


def test_the_classes_section_counts_the_quarters_supervised_tests_in_the_commune(
    territory,
    registry,
    plan,
    commune_assignment,
    agency,
    final,  # noqa: F811 — the learning tests' fixture, imported above
    make_user,
):
    instructor = make_user(Role.INSTRUCTOR, territory.commune)
    opened = open_supervised_session(instructor=instructor, unit_code=territory.village.code, assessment=final)
    for index, correct in enumerate((99, 0, None)):
        learner = make_user(Role.LEARNER, username=f"hoc.vien.{index}")
        attempt = start_attempt(
            user=learner, assessment=final, supervised_by=opened.session.pk, instructor_pin=opened.pin
        )
        if correct is not None:  # the third is still answering
            answer_all(attempt, learner, correct=min(correct, attempt.answers.count()))
            submit_attempt(user=learner, attempt_id=attempt.pk, idempotency_key=f"k{index}")
    elsewhere = make_user(Role.INSTRUCTOR, territory.other_commune)
    open_supervised_session(instructor=elsewhere, unit_code=territory.other_village.code, assessment=final)
    old = open_supervised_session(instructor=instructor, unit_code=territory.commune.code, assessment=final)
    before = timezone.make_aware(
        timezone.datetime.combine(quarter_of_today().first_day - timedelta(days=3), timezone.datetime.min.time())
    )
    SupervisedSession.objects.filter(pk=old.session.pk).update(opened_at=before, expires_at=before + timedelta(hours=3))

    rows, note = _rows(draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=None))
    assert rows == {
        "Số buổi kiểm tra có giám sát": 1,
        "Số người hướng dẫn, giám sát": 1,
        "Số bài kiểm tra đã làm xong": 2,
        "Số bài kiểm tra đạt": Attempt.objects.filter(supervised_session=opened.session, passed=True).count(),
    }
    assert rows["Số bài kiểm tra đạt"] == 1 and quarter_of_today().first_day.strftime("%d/%m/%Y") in note

    province_rows, _note = _rows(
        draft_consolidated_report(province=territory.province, quarter=quarter_of_today(), actor=None)
    )
    assert province_rows["Số buổi kiểm tra có giám sát"] == 2 and province_rows["Số người hướng dẫn, giám sát"] == 2

    agency_assignment = ReportingAssignment.objects.get(organisation=agency, valid_to__isnull=True)
    agency_report = draft_report(assignment=agency_assignment, quarter=quarter_of_today(), actor=None)
    assert "classes" not in [part["key"] for part in agency_report.content["sections"]]


def test_without_sessions_the_section_says_so(territory, registry, commune_assignment):
    rows, note = _rows(draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=None))
    assert set(rows.values()) == {0} and note.startswith("Chưa có buổi kiểm tra có giám sát nào")
