"""The community-class pages: an officer schedules a class, an instructor takes attendance on the session's page
(registry search, card, walk-in; a double submit is one record, a forged card nobody), a learner checks in with
the room's code, the calendars flag a commune without a class, and the commune's calendar stays within its budget."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.outreach import classes
from hocvuso.outreach.models import ClassAttendance, CommunityClass, WalkIn

from .class_fixtures import Classes

CALENDAR_BUDGET = 100 * 1024


def _schedule_data(setup: Classes, **changes: Any) -> dict[str, Any]:
    data = {
        "title": "Lớp buổi tối",
        "place": "Nhà văn hóa thôn 2",
        "target_group": "elderly",
        "course": str(setup.course.pk),
        "instructors": [str(setup.instructor.pk)],
        "capacity": "25",
        "recurrence": "weekly",
        "weekday": "2",
        "first_day": "2026-03-02",
        "last_day": "2026-03-30",
        "starts_at": "19:30",
        "duration_minutes": "90",
    }
    data.update(changes)
    return data


def test_an_officer_schedules_a_weekly_class_from_the_form(client, setup, territory, commune_officer):
    client.force_login(commune_officer)
    url = reverse("web:class_new", kwargs={"code": territory.commune.code})
    assert client.get(url).status_code == 200
    answer = client.post(url, _schedule_data(setup))
    made = CommunityClass.objects.get(title="Lớp buổi tối")
    assert answer.status_code == 302 and answer["Location"] == reverse("web:class_detail", kwargs={"class_id": made.pk})
    assert list(made.sessions.values_list("day", flat=True).order_by("day")) == [
        datetime.date(2026, 3, 4) + datetime.timedelta(weeks=week) for week in range(4)
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"capacity": "0"},
        {"capacity": "abc"},
        {"weekday": ""},
        {"last_day": "2026-01-01"},
        {"instructors": ["999999"]},
        {"course": "", "competences": []},
        {"title": "<script>alert(1)</script>" * 20},
    ],
)
def test_a_bad_schedule_shows_the_form_again_and_creates_nothing(client, setup, territory, commune_officer, changes):
    client.force_login(commune_officer)
    before = CommunityClass.objects.count()
    answer = client.post(
        reverse("web:class_new", kwargs={"code": territory.commune.code}), _schedule_data(setup, **changes)
    )
    assert answer.status_code == 200
    assert CommunityClass.objects.count() == before
    assert b"<script>alert(1)</script>" not in answer.content


def test_the_session_page_takes_attendance_once_per_person(client, setup, territory):
    client.force_login(setup.instructor)
    url = reverse("web:class_session", kwargs={"session_id": setup.today_session.pk})
    page = client.get(url, {"q": "hoang"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Hoàng Thị Cao" in body and setup.today_session.check_in_code in body
    for _twice in range(2):
        answer = client.post(url, {"action": "registry", "resident": str(setup.elder.pk)})
        assert answer.status_code == 302
    card = classes.learner_card_payload(setup.minority)
    assert client.post(url, {"action": "card", "card": card}).status_code == 302
    assert client.post(url, {"action": "card", "card": card[:-3] + "abc"}).status_code == 302  # forged: refused
    assert client.post(url, {"action": "registry", "resident": "1 OR 1=1"}).status_code == 302
    assert client.post(url, {"action": "drop-table"}).status_code == 302
    assert sorted(ClassAttendance.objects.values_list("resident_id", "method")) == sorted(
        [(setup.elder.pk, "registry"), (setup.minority.pk, "card")]
    )


def test_a_walk_in_is_recorded_from_the_session_page_and_a_bad_one_shows_its_errors(client, setup, territory):
    client.force_login(setup.instructor)
    url = reverse("web:class_session", kwargs={"session_id": setup.today_session.pk})
    bad = client.post(url, {"action": "walk_in", "walk_in-full_name": "", "walk_in-birth_year": "abc"})
    assert bad.status_code == 200 and not WalkIn.objects.exists()
    good = {
        "action": "walk_in",
        "walk_in-full_name": "Y Bih",
        "walk_in-birth_year": "1958",
        "walk_in-sex": "F",
        "walk_in-ethnicity": "5",
        "walk_in-village": str(territory.village_b.pk),
    }
    assert client.post(url, good).status_code == 302
    outside = {**good, "walk_in-village": str(territory.other_village.pk)}
    assert client.post(url, outside).status_code == 200
    assert list(WalkIn.objects.values_list("full_name", "status")) == [("Y Bih", "pending")]


def test_an_instructor_of_another_commune_gets_404_everywhere(client, setup, territory, make_user):
    client.force_login(make_user(Role.INSTRUCTOR, territory.other_commune))
    session = setup.today_session
    for url in (
        reverse("web:class_session", kwargs={"session_id": session.pk}),
        reverse("web:class_detail", kwargs={"class_id": setup.community_class.pk}),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "registry", "resident": str(setup.elder.pk)}).status_code == 404
    assert not ClassAttendance.objects.exists()


def test_a_learner_checks_in_with_the_code(client, setup, territory, make_user):
    learner = make_user(Role.LEARNER)
    setup.elder.user = learner
    setup.elder.save()
    client.force_login(learner)
    url = reverse("web:class_check_in")
    wrong = client.post(url, {"code": "ZZZZZZ"})
    assert wrong.status_code == 200 and not ClassAttendance.objects.exists()
    assert client.post(url, {"code": setup.today_session.check_in_code}).status_code == 302
    assert client.post(url, {"code": setup.today_session.check_in_code}).status_code == 302
    assert list(ClassAttendance.objects.values_list("resident_id", "method")) == [(setup.elder.pk, "code")]


def test_a_learner_guessing_codes_is_told_to_wait(client, setup, territory, make_user):
    learner = make_user(Role.LEARNER)
    setup.elder.user = learner
    setup.elder.save()
    client.force_login(learner)
    url = reverse("web:class_check_in")
    for code in ("AAAAAA", "AAAAAB", "AAAAAC", "AAAAAD", "AAAAAE"):
        assert client.post(url, {"code": code}).status_code == 200
    limited = client.post(url, {"code": setup.today_session.check_in_code})
    assert limited.status_code == 429 and limited["Retry-After"] == "1800"
    assert "Bạn đã nhập sai mã điểm danh quá nhiều lần" in limited.content.decode()
    assert not ClassAttendance.objects.exists()


def test_the_calendars_flag_a_commune_without_a_class_this_week(client, setup, territory, province_admin):
    client.force_login(province_admin)
    area = client.get(reverse("web:class_area", kwargs={"code": territory.province.code})).content.decode()
    # Xã Nhân Cơ has no class: it comes first, flagged; Xã Quảng Khê has this week's session.
    assert area.index("Xã Nhân Cơ") < area.index("Xã Quảng Khê")
    assert area.count("data-flagged") == 1
    later = timezone.localdate() + datetime.timedelta(weeks=8)
    calendar = client.get(
        reverse("web:class_calendar", kwargs={"code": territory.commune.code}), {"tu": later.isoformat()}
    )
    assert calendar.status_code == 200
    assert calendar.content.decode().count("tuần từ") == 4  # four weeks with no session, all flagged
    for hostile in ("not-a-date", "9999-99-99", "' OR 1=1"):
        assert (
            client.get(
                reverse("web:class_calendar", kwargs={"code": territory.commune.code}), {"tu": hostile}
            ).status_code
            == 200
        )
    assert client.get(reverse("web:class_calendar", kwargs={"code": territory.village.code})).status_code == 404


def test_the_class_record_shows_the_elderly_and_ethnic_minority_shares(client, setup, territory):
    for resident in (setup.elder, setup.minority):
        classes.record_attendance(
            session=setup.today_session, resident=resident, method="registry", actor=setup.instructor
        )
    client.force_login(setup.instructor)
    body = client.get(reverse("web:class_detail", kwargs={"class_id": setup.community_class.pk})).content.decode()
    assert "1 (50,0%)" in body  # one elder of two, one of an ethnic minority of two (Vietnamese decimal comma)
    record = body[body.index("data-record") :]
    assert record.count("50,0%") == 2


def test_a_busy_communes_calendar_page_stays_within_its_budget(client, setup, territory, commune_officer):
    """Five classes a day for four weeks (140 sessions), the most a commune would hold: under 100 KB."""
    today = timezone.localdate()
    for number in range(5):
        for weekday in range(7):
            classes.schedule_class(
                commune=territory.commune,
                title=f"Lớp kỹ năng số cho người cao tuổi số {number}-{weekday}",
                place="Nhà văn hóa thôn Bon Bu Đăng, xã Quảng Khê",
                target_group="elderly",
                capacity=40,
                instructors=[setup.instructor],
                recurrence="weekly",
                weekday=weekday,
                first_day=today - datetime.timedelta(days=today.weekday()),
                last_day=today + datetime.timedelta(weeks=4),
                starts_at=datetime.time(7 + number * 2, 30),
                course=setup.course,
                actor=commune_officer,
            )
    client.force_login(commune_officer)
    answer = client.get(reverse("web:class_calendar", kwargs={"code": territory.commune.code}))
    assert answer.status_code == 200
    assert answer.content.decode().count('href="/lop-cong-dong/buoi/') >= 140
    assert len(answer.content) <= CALENDAR_BUDGET, len(answer.content)
