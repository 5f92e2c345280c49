"""An instructor's sessions on their phone (/api/v1/field/sessions/) and the registry search at one session
(/api/v1/field/sessions/<id>/people/): only the classes that name the caller, masked people, never the registry; a
phone sees only its team's commune; another instructor's class is not listed, a session out of reach is 404, and
anonymous callers, revoked devices and roles without RUN_CLASS are refused."""

import datetime
import uuid
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import RoleAssignmentFactory
from hocvuso.outreach import classes
from hocvuso.outreach.models import ClassSession
from hocvuso.outreach.services import add_team_member, create_team, issue_device, revoke_device
from hocvuso.people.tests.factories import ResidentFactory

from .class_fixtures import bearer_client, weekly_class

SESSIONS = "/api/v1/field/sessions/"


def people_url(session: Any) -> str:
    return f"/api/v1/field/sessions/{session.pk}/people/"


def _phone(user: Any, territory: Any, commune_officer: Any, commune: Any = None) -> tuple[APIClient, Any]:
    """A device of the user, registered for a team of the commune (C1 by default) they are a member of."""
    commune = commune or territory.commune
    RoleAssignmentFactory(user=user, role=Role.TEAM_MEMBER, unit=commune)
    team = create_team(commune=commune, name=f"Tổ {commune.code}", leader=commune_officer, actor=None)
    village = territory.village if commune == territory.commune else territory.other_village
    membership = add_team_member(
        team=team,
        user=user,
        resident=ResidentFactory(village=village),
        valid_from=datetime.date(2026, 1, 1),
        actor=None,
    )
    device, token = issue_device(membership=membership, name="Điện thoại", actor=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    return client, device


def test_the_instructor_gets_the_sessions_of_their_classes_with_masked_people(setup, territory, make_user):
    today = timezone.localdate()
    last_week = ClassSession.objects.get(community_class=setup.community_class, day=today - datetime.timedelta(weeks=1))
    at = timezone.now() - datetime.timedelta(weeks=1)
    classes.record_attendance(
        session=last_week, resident=setup.elder, method="registry", actor=setup.instructor, recorded_at=at
    )
    classes.record_attendance(
        session=last_week, resident=setup.minority, method="registry", actor=setup.instructor, recorded_at=at
    )
    classes.record_attendance(session=setup.today_session, resident=setup.elder, method="card", actor=setup.instructor)
    # Another instructor's class of the same commune, and a cancelled session of this one: not listed.
    other = make_user(Role.INSTRUCTOR, territory.commune)
    others = weekly_class(type("S", (), {"instructor": other, "course": setup.course}), territory, setup.officer)
    next_week = ClassSession.objects.get(community_class=setup.community_class, day=today + datetime.timedelta(weeks=1))
    classes.cancel_session(session=next_week, actor=setup.officer)

    client = bearer_client(setup.instructor)
    answer = client.get(SESSIONS)
    assert answer.status_code == 200
    body = answer.json()
    assert [session["id"] for session in body["sessions"]] == [str(setup.today_session.pk)]
    session = body["sessions"][0]
    assert session["check_in_code"] == setup.today_session.check_in_code and session["present"] == 1
    assert {village["code"] for village in session["villages"]} == {territory.village.code, territory.village_b.code}
    assert {(person["full_name"], person["present"]) for person in session["attendees"]} == {
        ("Hoàng Thị Cao", True),
        ("H'Hen Niê", False),
    }
    assert set(session["attendees"][0]) == {"id", "full_name", "birth_year", "masked_national_id", "present"}
    text = answer.content.decode()
    assert "1950-03-03" not in text and "birth_date" not in text
    for person in session["attendees"]:
        assert person["masked_national_id"] == "" or person["masked_national_id"].startswith("*********")
    # Unchanged: 304 without a body; a new attendance changes the tag.
    again = client.get(SESSIONS, HTTP_IF_NONE_MATCH=answer["ETag"])
    assert again.status_code == 304 and again.content == b""
    classes.record_attendance(
        session=setup.today_session, resident=setup.minority, method="registry", actor=setup.instructor
    )
    assert client.get(SESSIONS, HTTP_IF_NONE_MATCH=answer["ETag"]).status_code == 200
    # The other instructor sees their own class only.
    assert {session["class_id"] for session in bearer_client(other).get(SESSIONS).json()["sessions"]} == {others.pk}


def test_a_phone_sees_only_its_team_commune_and_a_revoked_one_is_told_to_wipe(
    setup, territory, commune_officer, make_user
):
    client, device = _phone(setup.instructor, territory, commune_officer)
    next_week = setup.today_session.day + datetime.timedelta(weeks=1)
    listed = [(session["id"], session["day"]) for session in client.get(SESSIONS).json()["sessions"]]
    assert listed[0] == (str(setup.today_session.pk), setup.today_session.day.isoformat())
    assert [day for _id, day in listed] == [setup.today_session.day.isoformat(), next_week.isoformat()]
    # The same instructor on a phone registered for a team of another commune: nothing of C1.
    other_officer = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    elsewhere, _device = _phone(setup.instructor, territory, other_officer, commune=territory.other_commune)
    assert elsewhere.get(SESSIONS).json()["sessions"] == []
    assert elsewhere.get(people_url(setup.today_session), {"q": "Cao"}).status_code == 404

    revoke_device(device=device, actor=setup.instructor)
    gone = client.get(SESSIONS)
    assert gone.status_code == 401 and gone.json()["wipe"] is True
    assert client.get(people_url(setup.today_session), {"q": "Cao"}).status_code == 401


def test_callers_without_the_class_are_refused(setup, territory, make_user):
    assert APIClient().get(SESSIONS).status_code == 401
    assert APIClient().get(people_url(setup.today_session), {"q": "Cao"}).status_code == 401
    member = bearer_client(make_user(Role.TEAM_MEMBER, territory.commune))  # no RUN_CLASS
    assert member.get(SESSIONS).status_code == 404
    assert member.get(people_url(setup.today_session), {"q": "Cao"}).status_code == 404
    learner = bearer_client(make_user(Role.LEARNER, territory.commune))
    assert learner.get(SESSIONS).status_code == 404
    outsider = bearer_client(make_user(Role.INSTRUCTOR, territory.other_commune))
    assert outsider.get(SESSIONS).json()["sessions"] == []
    refused = outsider.get(people_url(setup.today_session), {"q": "Cao"})
    assert refused.status_code == 404 and "Hoàng" not in refused.content.decode()
    unknown = bearer_client(setup.instructor).get(f"/api/v1/field/sessions/{uuid.uuid4()}/people/", {"q": "Cao"})
    assert unknown.status_code == 404


def test_the_search_finds_residents_of_the_commune_only_masked(setup, territory):
    ResidentFactory(village=territory.other_village, full_name="Hoàng Văn Cao")  # another commune
    client = bearer_client(setup.instructor)
    found = client.get(people_url(setup.today_session), {"q": "hoang cao"})
    assert found.status_code == 200
    assert [person["full_name"] for person in found.json()["people"]] == ["Hoàng Thị Cao"]
    assert set(found.json()["people"][0]) == {"id", "full_name", "birth_year", "masked_national_id"}
    assert client.get(people_url(setup.today_session), {"q": "h"}).json()["people"] == []  # too short
    assert client.get(people_url(setup.today_session), {"q": "%" * 500}).status_code == 200


def test_the_sessions_take_the_same_queries_whatever_the_attendance(setup, territory):
    """The same number of queries with two people known to the class or with twenty-two."""
    client = bearer_client(setup.instructor)
    last_week = ClassSession.objects.get(
        community_class=setup.community_class, day=timezone.localdate() - datetime.timedelta(weeks=1)
    )
    at = timezone.now() - datetime.timedelta(weeks=1)
    for person in (setup.elder, setup.minority):
        classes.record_attendance(session=last_week, resident=person, method="registry", actor=setup.instructor,
                                  recorded_at=at)  # fmt: skip
    client.get(SESSIONS)  # the caller's grants cached
    counted = []
    for extra in (0, 20):
        for _index in range(extra):
            classes.record_attendance(
                session=setup.today_session,
                resident=ResidentFactory(village=territory.village),
                method="registry",
                actor=setup.instructor,
            )
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(SESSIONS)
        assert answer.status_code == 200
        counted.append(len(queries))
    assert counted[0] == counted[1], counted
    today = answer.json()["sessions"][0]
    assert today["present"] == 20 and len(today["attendees"]) == 22
    assert sum(person["present"] for person in today["attendees"]) == 20
