"""Weekly community classes: scheduling generates the sessions, attendance is one record per person and session
whatever way it comes (and however often), walk-ins wait for the commune, and only the right people act."""

import datetime
import itertools
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from hocvuso.accounts.models import LoginFailure
from hocvuso.accounts.roles import Role
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.learning.models import SupervisedSession
from hocvuso.outreach import classes
from hocvuso.outreach.models import (
    AttendanceMethod,
    ClassAttendance,
    ClassSession,
    CommunityClass,
    Recurrence,
    WalkIn,
)
from hocvuso.people.models import Resident
from hocvuso.people.tests.factories import ResidentFactory

from .class_fixtures import weekly_class


def test_a_weekly_class_generates_one_session_per_week_on_its_weekday(setup, territory, commune_officer):
    ClassSession.objects.all().delete()
    first = datetime.date(2026, 3, 2)  # a Monday
    community_class = classes.schedule_class(
        commune=territory.commune,
        title="  Lớp   dùng VNeID ",
        place="Nhà văn hóa thôn 1",
        target_group="elderly",
        capacity=30,
        instructors=[setup.instructor],
        recurrence=Recurrence.WEEKLY,
        weekday=3,  # Thursday
        first_day=first,
        last_day=datetime.date(2026, 3, 31),
        starts_at=datetime.time(19, 0),
        course=setup.course,
        actor=commune_officer,
    )
    days = list(
        ClassSession.objects.filter(community_class=community_class).order_by("day").values_list("day", flat=True)
    )
    assert days == [datetime.date(2026, 3, 5), datetime.date(2026, 3, 12), datetime.date(2026, 3, 19),
                    datetime.date(2026, 3, 26)]  # fmt: skip
    assert community_class.title == "Lớp dùng VNeID"
    codes = set(ClassSession.objects.filter(community_class=community_class).values_list("check_in_code", flat=True))
    assert all(len(code) == 6 for code in codes)
    assert (
        AuditEntry.objects.filter(action="outreach.schedule_class", object_id=str(community_class.pk))
        .get()
        .details["sessions"]
        == 4
    )


def test_a_one_off_class_has_one_session(setup, territory, commune_officer):
    community_class = classes.schedule_class(
        commune=territory.commune,
        title="Buổi an toàn trên mạng",
        place="Trường tiểu học",
        target_group="citizens",
        capacity=50,
        instructors=[setup.instructor],
        recurrence=Recurrence.ONCE,
        first_day=datetime.date(2026, 4, 10),
        last_day=datetime.date(2027, 1, 1),  # ignored for a one-off
        weekday=2,
        starts_at=datetime.time(8, 0),
        competences=[setup.competence],
        actor=commune_officer,
    )
    assert community_class.weekday is None and community_class.last_day == datetime.date(2026, 4, 10)
    assert community_class.sessions.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"place": ""}, "place"),
        ({"target_group": "aliens"}, "target_group"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 501}, "capacity"),
        ({"capacity": "30"}, "capacity"),
        ({"instructors": []}, "instructors"),
        ({"recurrence": "daily"}, "recurrence"),
        ({"weekday": 7}, "weekday"),
        ({"weekday": None}, "weekday"),
        ({"last_day": datetime.date(2026, 2, 1)}, "last_day"),
        ({"last_day": datetime.date(2027, 6, 1)}, "last_day"),
        ({"course": None}, "course"),
        ({"duration_minutes": 5}, "duration_minutes"),
    ],
)
def test_a_bad_schedule_is_refused_and_nothing_is_written(setup, territory, commune_officer, changes, field):
    arguments: dict[str, Any] = {
        "commune": territory.commune,
        "title": "Lớp",
        "place": "Nhà văn hóa",
        "target_group": "citizens",
        "capacity": 20,
        "instructors": [setup.instructor],
        "recurrence": Recurrence.WEEKLY,
        "weekday": 1,
        "first_day": datetime.date(2026, 3, 1),
        "last_day": datetime.date(2026, 5, 1),
        "starts_at": datetime.time(19, 0),
        "course": setup.course,
        "actor": commune_officer,
    }
    arguments.update(changes)
    before = (ClassSession.objects.count(), CommunityClass.objects.count())
    with pytest.raises(DomainError) as refused:
        classes.schedule_class(**arguments)
    assert refused.value.field == field
    assert (ClassSession.objects.count(), CommunityClass.objects.count()) == before


def test_only_the_communes_officers_schedule(setup, territory, make_user):
    other_officer = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    before = ClassSession.objects.count()
    for actor in (setup.instructor, other_officer, make_user(Role.TEAM_LEADER, territory.commune)):
        with pytest.raises(NotFound):
            weekly_class(setup, territory, actor)
    assert ClassSession.objects.count() == before


def test_attendance_is_one_record_per_person_and_session(setup, territory):
    session = setup.today_session
    first = classes.record_attendance(
        session=session, resident=setup.elder, method=AttendanceMethod.REGISTRY, actor=setup.instructor
    )
    again = classes.record_attendance(
        session=session, resident=setup.elder, method=AttendanceMethod.CARD, actor=setup.officer
    )
    assert (first.status, again.status) == (classes.CREATED, classes.UNCHANGED)
    assert again.attendance.pk == first.attendance.pk
    assert ClassAttendance.objects.count() == 1
    assert AuditEntry.objects.filter(action="outreach.record_attendance").count() == 1


def test_a_resend_under_the_same_uuid_is_unchanged_and_other_content_is_a_conflict(setup):
    session, at = setup.today_session, timezone.now().replace(microsecond=0)
    key = uuid.uuid4()
    arguments = {"session": session, "method": AttendanceMethod.REGISTRY, "actor": setup.instructor, "recorded_at": at}
    created = classes.record_attendance(resident=setup.elder, attendance_id=key, **arguments)
    resent = classes.record_attendance(resident=setup.elder, attendance_id=key, **arguments)
    assert (created.status, resent.status) == ("created", "unchanged")
    with pytest.raises(classes.AttendanceConflict):
        classes.record_attendance(resident=setup.minority, attendance_id=key, **arguments)
    assert list(ClassAttendance.objects.values_list("resident_id", flat=True)) == [setup.elder.pk]


def test_attendance_is_refused_for_a_cancelled_future_old_or_full_session(setup, territory, commune_officer):
    future = ClassSession.objects.filter(community_class=setup.community_class, day__gt=timezone.localdate()).first()
    old = ClassSession.objects.filter(
        community_class=setup.community_class, day__lt=timezone.localdate() - datetime.timedelta(days=8)
    ).first()
    assert future is not None and old is not None
    for session, code in ((future, "session_not_started"), (old, "session_too_old")):
        with pytest.raises(DomainError) as refused:
            classes.record_attendance(
                session=session, resident=setup.elder, method=AttendanceMethod.REGISTRY, actor=setup.instructor
            )
        assert refused.value.code == code
    classes.cancel_session(session=future, actor=commune_officer, reason="Bão")
    future.refresh_from_db()
    assert future.cancelled_at is not None
    setup.community_class.capacity = 1
    setup.community_class.save()
    session = ClassSession.objects.get(pk=setup.today_session.pk)
    classes.record_attendance(session=session, resident=setup.elder, method="registry", actor=setup.instructor)
    with pytest.raises(DomainError) as full:
        classes.record_attendance(session=session, resident=setup.minority, method="registry", actor=setup.instructor)
    assert full.value.code == "full"
    with pytest.raises(DomainError):
        classes.cancel_session(session=session, actor=commune_officer)  # attended: cannot be cancelled
    assert ClassAttendance.objects.count() == 1


def test_only_those_who_run_classes_in_the_commune_take_attendance(setup, territory, make_user):
    stranger_instructor = make_user(Role.INSTRUCTOR, territory.other_commune)
    far_officer = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    member = make_user(Role.TEAM_MEMBER, territory.commune)
    for actor in (stranger_instructor, far_officer, member, make_user(Role.LEARNER, territory.commune)):
        with pytest.raises(NotFound):
            classes.record_attendance(session=setup.today_session, resident=setup.elder, method="registry", actor=actor)
        with pytest.raises(NotFound):
            classes.session_for(user=actor, session_id=setup.today_session.pk)
    with pytest.raises(NotFound):
        classes.session_for(user=setup.instructor, session_id="not-a-uuid")
    assert not ClassAttendance.objects.exists()


def test_registry_search_finds_only_the_communes_residents(setup, territory):
    ResidentFactory(village=territory.other_village, full_name="Hoàng Văn Xa")
    found = classes.search_attendees(session=setup.today_session, query="hoang")
    assert [resident.full_name for resident in found] == ["Hoàng Thị Cao"]
    assert classes.search_attendees(session=setup.today_session, query="h") == []
    assert classes.search_attendees(session=setup.today_session, query="' OR 1=1 --") == []
    with pytest.raises(DomainError) as outside:
        classes.record_attendance(
            session=setup.today_session,
            resident=Resident.objects.get(full_name="Hoàng Văn Xa"),
            method=AttendanceMethod.REGISTRY,
            actor=setup.instructor,
        )
    assert outside.value.code == "resident_outside"


def test_a_learner_card_names_one_resident_and_a_forged_one_nobody(setup):
    payload = classes.learner_card_payload(setup.elder)
    assert classes.resident_from_card(payload) == setup.elder
    assert payload.startswith("HVS1:") and "Cao" not in payload
    assert classes.resident_from_card(payload[:-2] + "xx") is None
    assert classes.resident_from_card("HVS1:" + "a" * 300) is None
    assert classes.resident_from_card(str(setup.elder.pk)) is None


def test_a_learner_checks_in_with_the_rooms_code_once(setup, territory, make_user):
    learner = make_user(Role.LEARNER, territory.commune)
    setup.minority.user = learner
    setup.minority.save()
    code = setup.today_session.check_in_code
    first = classes.check_in_with_code(user=learner, code=f" {code.lower()} ")
    again = classes.check_in_with_code(user=learner, code=code)
    assert (first.status, again.status, first.attendance.method) == ("created", "unchanged", "code")
    for wrong in ("", "ZZZZZZ", code + "X", "'; DROP"):
        with pytest.raises(DomainError):
            classes.check_in_with_code(user=learner, code=wrong)
    with pytest.raises(DomainError) as unlinked:
        classes.check_in_with_code(user=make_user(Role.LEARNER, territory.commune), code=code)
    assert unlinked.value.code == "no_resident"
    assert ClassAttendance.objects.count() == 1


def _linked_learner(make_user: Any, territory: Any) -> Any:
    learner = make_user(Role.LEARNER, territory.commune)
    ResidentFactory(village=territory.village, user=learner)
    return learner


def _all_codes() -> Iterator[str]:
    """Codes in the order a brute force would try them (the first few thousand of the 31⁶)."""
    alphabet, length = classes.CHECK_IN_ALPHABET, classes.CHECK_IN_LENGTH
    return ("".join(letters) for letters in itertools.product(alphabet, repeat=length))


def test_guessing_codes_hits_the_limit_and_then_even_the_right_code_waits(setup, territory, make_user):
    """A brute force over many codes is stopped at CHECK_IN_GUESS_LIMIT wrong ones; the right code is refused too
    until the window passes (and the refusal is audited); another learner elsewhere is not affected."""
    attacker = _linked_learner(make_user, territory)
    right = setup.today_session.check_in_code
    refused: list[str] = []
    for code in itertools.islice((code for code in _all_codes() if code != right), 200):
        with pytest.raises(DomainError) as error:
            classes.check_in_with_code(user=attacker, code=code, ip_address="203.0.113.7")
        refused.append(error.value.code)
    assert refused[:5] == ["code_wrong"] * 5 and set(refused[5:]) == {"throttled"}
    with pytest.raises(DomainError) as still:
        classes.check_in_with_code(user=attacker, code=right, ip_address="198.51.100.9")  # a new address too
    assert still.value.code == "throttled" and "quá nhiều lần" in str(still.value.message)
    assert AuditEntry.objects.filter(action="outreach.check_in_throttled", actor=attacker).count() == 196
    other = _linked_learner(make_user, territory)
    assert classes.check_in_with_code(user=other, code=right, ip_address="198.51.100.10").status == "created"
    assert not ClassAttendance.objects.filter(resident__user=attacker).exists()
    # Thirty-one minutes later the window has passed: the right code works.
    LoginFailure.objects.update(at=timezone.now() - datetime.timedelta(minutes=31))
    assert classes.check_in_with_code(user=attacker, code=right, ip_address="203.0.113.7").status == "created"


@override_settings(CHECK_IN_ADDRESS_GUESS_LIMIT=8)
def test_one_address_guessing_with_many_accounts_is_stopped_but_right_codes_do_not_count(setup, territory, make_user):
    right = setup.today_session.check_in_code
    # A class behind one address: twenty learners checking in with the right code use none of its allowance.
    for _index in range(20):
        classes.check_in_with_code(user=_linked_learner(make_user, territory), code=right, ip_address="192.0.2.1")
    # Four accounts guessing twice each use the address's eight wrong codes; a fifth account is refused at once,
    # even with the right code, while the same account from another address is not.
    wrong = (code for code in _all_codes() if code != right)
    for _account in range(4):
        guesser = _linked_learner(make_user, territory)
        for _guess in range(2):
            with pytest.raises(DomainError):
                classes.check_in_with_code(user=guesser, code=next(wrong), ip_address="192.0.2.1")
    late = _linked_learner(make_user, territory)
    with pytest.raises(DomainError) as refused:
        classes.check_in_with_code(user=late, code=right, ip_address="192.0.2.1")
    assert refused.value.code == "throttled"
    assert classes.check_in_with_code(user=late, code=right, ip_address="192.0.2.2").status == "created"
    assert ClassAttendance.objects.filter(session=setup.today_session).count() == 21


def test_a_walk_in_waits_for_the_commune_and_becomes_a_resident(setup, territory, commune_officer):
    recorded = classes.record_walk_in(
        session=setup.today_session,
        full_name="  Y   Bih ",
        birth_year=1958,
        sex="F",
        ethnicity=5,
        village=territory.village_b,
        actor=setup.instructor,
    )
    walk_in = WalkIn.objects.get()
    assert (walk_in.full_name, walk_in.status, recorded.attendance.resident_id) == ("Y Bih", "pending", None)
    assert classes.pending_walk_ins(user=commune_officer, commune=territory.commune) == [walk_in]
    with pytest.raises(NotFound):
        classes.decide_walk_in(walk_in=walk_in, confirm=True, actor=setup.instructor)
    decided = classes.decide_walk_in(walk_in=walk_in, confirm=True, actor=commune_officer)
    resident = Resident.objects.get(full_name="Y Bih")
    assert (resident.birth_date, resident.birth_date_precision) == (datetime.date(1958, 1, 1), "year")
    assert decided.status == "confirmed"
    assert ClassAttendance.objects.get().resident_id == resident.pk
    with pytest.raises(DomainError):
        classes.decide_walk_in(walk_in=decided, confirm=False, actor=commune_officer)


def test_a_walk_in_who_was_already_recorded_leaves_one_record(setup, territory, commune_officer):
    classes.record_attendance(
        session=setup.today_session, resident=setup.elder, method="registry", actor=setup.instructor
    )
    classes.record_walk_in(
        session=setup.today_session,
        full_name="Hoàng Thị Cao",
        birth_year=1950,
        sex="F",
        ethnicity=1,
        village=territory.village,
        actor=setup.instructor,
    )
    walk_in = WalkIn.objects.get()
    classes.decide_walk_in(walk_in=walk_in, confirm=True, resident=setup.elder, actor=commune_officer)
    assert list(ClassAttendance.objects.values_list("resident_id", flat=True)) == [setup.elder.pk]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"full_name": " "}, "full_name"),
        ({"birth_year": 1800}, "birth_year"),
        ({"birth_year": "1960"}, "birth_year"),
        ({"sex": "X"}, "sex"),
        ({"ethnicity": 55}, "ethnicity"),
        ({"ethnicity": 0}, "ethnicity"),
    ],
)
def test_a_walk_in_without_the_registrys_minimum_is_refused(setup, territory, changes, field):
    arguments: dict[str, Any] = {
        "session": setup.today_session,
        "full_name": "Y Bih",
        "birth_year": 1958,
        "sex": "F",
        "ethnicity": 5,
        "village": territory.village_b,
        "actor": setup.instructor,
    }
    arguments.update(changes)
    with pytest.raises(DomainError) as refused:
        classes.record_walk_in(**arguments)
    assert refused.value.field == field
    with pytest.raises(DomainError):
        classes.record_walk_in(**{**arguments, **changes, "village": territory.other_village})
    assert not ClassAttendance.objects.exists()


def test_cancelling_a_class_keeps_the_sessions_held(setup, territory, commune_officer):
    classes.record_attendance(
        session=setup.today_session, resident=setup.elder, method="registry", actor=setup.instructor
    )
    classes.cancel_class(community_class=setup.community_class, actor=commune_officer)
    sessions = ClassSession.objects.filter(community_class=setup.community_class)
    assert sessions.get(pk=setup.today_session.pk).cancelled_at is None
    assert sessions.filter(day__gt=timezone.localdate(), cancelled_at__isnull=True).count() == 0
    with pytest.raises(NotFound):
        classes.cancel_class(community_class=setup.community_class, actor=setup.instructor)


def test_editing_shortens_and_extends_the_sessions(setup, territory, commune_officer):
    community_class = setup.community_class
    today = timezone.localdate()
    classes.update_class(
        community_class=community_class,
        actor=commune_officer,
        title="Lớp mới",
        place="Hội trường",
        capacity=40,
        instructors=[setup.instructor],
        starts_at=datetime.time(18, 30),
        duration_minutes=120,
        last_day=today,
    )
    assert community_class.sessions.filter(day__gt=today).count() == 0
    assert community_class.sessions.get(day=today).starts_at == datetime.time(18, 30)
    classes.update_class(
        community_class=community_class,
        actor=commune_officer,
        title="Lớp mới",
        place="Hội trường",
        capacity=40,
        instructors=[setup.instructor],
        starts_at=datetime.time(18, 30),
        duration_minutes=120,
        last_day=today + datetime.timedelta(days=14),
    )
    assert community_class.sessions.filter(day__gt=today).count() == 2


def test_a_session_opens_a_supervised_assessment_tied_to_it(setup, territory, make_user):
    opened = classes.open_class_assessment(session=setup.today_session, actor=setup.instructor)
    stored = SupervisedSession.objects.get()
    assert stored.class_session == str(setup.today_session.pk)
    assert (stored.unit, len(opened.pin)) == (territory.commune, 6)
    with pytest.raises(NotFound):
        classes.open_class_assessment(
            session=setup.today_session, actor=make_user(Role.INSTRUCTOR, territory.other_commune)
        )
    past = ClassSession.objects.filter(community_class=setup.community_class, day__lt=timezone.localdate()).first()
    with pytest.raises(DomainError):
        classes.open_class_assessment(session=past, actor=setup.instructor)
    assert SupervisedSession.objects.count() == 1


def test_sync_gives_one_result_per_record(setup, territory):
    at = timezone.now().replace(microsecond=0)
    session = str(setup.today_session.pk)
    records = [
        {"id": str(uuid.uuid4()), "session": session, "recorded_at": at, "method": "registry",
         "resident": setup.elder.pk},
        {"id": str(uuid.uuid4()), "session": session, "recorded_at": at, "method": "card",
         "card": classes.learner_card_payload(setup.minority)},
        {"id": str(uuid.uuid4()), "session": session, "recorded_at": at, "method": "walk_in",
         "walk_in": {"full_name": "Y Bih", "birth_year": 1958, "sex": "F", "ethnicity": 5,
                     "village": territory.village_b.code}},
        {"id": "nope", "session": session, "recorded_at": at, "method": "registry", "resident": setup.elder.pk},
        {"id": str(uuid.uuid4()), "session": str(uuid.uuid4()), "recorded_at": at, "method": "registry",
         "resident": setup.elder.pk},
        {"id": str(uuid.uuid4()), "session": session, "recorded_at": "yesterday", "method": "registry",
         "resident": setup.elder.pk},
        {"id": str(uuid.uuid4()), "session": session, "recorded_at": at, "method": "card", "card": "HVS1:forged"},
    ]  # fmt: skip
    results = classes.sync_attendances(actor=setup.instructor, records=records)
    assert [result.status for result in results] == [
        "created", "created", "created", "rejected", "rejected", "rejected", "rejected"
    ]  # fmt: skip
    again = classes.sync_attendances(actor=setup.instructor, records=records[:3])
    assert [result.status for result in again] == ["unchanged"] * 3
    changed = [{**records[0], "resident": setup.minority.pk}]
    assert classes.sync_attendances(actor=setup.instructor, records=changed)[0].status == "conflict"
    assert ClassAttendance.objects.count() == 3


def test_the_area_week_counts_each_session_once_whatever_its_attendance(setup, territory, django_assert_num_queries):
    from hocvuso.outreach import class_selectors

    for resident in (setup.elder, setup.minority):
        classes.record_attendance(
            session=setup.today_session, resident=resident, method="registry", actor=setup.instructor
        )
    with django_assert_num_queries(3):
        rows = class_selectors.area_week(unit=territory.province, day=timezone.localdate())
    found = {row.commune.code: (row.scheduled, row.held, row.attendance, row.flagged) for row in rows}
    assert found == {territory.commune.code: (1, 1, 2, False), territory.other_commune.code: (0, 0, 0, True)}
    assert rows[0].commune == territory.other_commune  # flagged first
