"""The field API's attendance batch (/api/v1/field/attendances/): one result per record, a resend answered 200, other
content under a stored UUID 409, a session out of reach 404, bad records 400 — and nothing stored twice."""

import uuid
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from hocvuso.accounts.roles import Role
from hocvuso.outreach import classes
from hocvuso.outreach.models import ClassAttendance

from .class_fixtures import Classes, bearer_client

URL = "/api/v1/field/attendances/"


def _record(setup: Classes, **changes: Any) -> dict[str, Any]:
    record = {
        "id": str(uuid.uuid4()),
        "session": str(setup.today_session.pk),
        "recorded_at": timezone.now().replace(microsecond=0).isoformat(),
        "method": "registry",
        "resident": setup.elder.pk,
    }
    record.update(changes)
    return record


def test_a_batch_gets_one_result_per_record_and_a_resend_changes_nothing(setup, territory):
    client = bearer_client(setup.instructor)
    first = _record(setup)
    batch = [
        first,
        _record(setup, method="card", resident=None, card=classes.learner_card_payload(setup.minority)),
        _record(setup, session=str(uuid.uuid4())),
        _record(setup, id="not-a-uuid"),
        _record(setup, recorded_at="hôm qua"),
        _record(setup, method="walk_in", resident=None, walk_in={"full_name": "Y Bih", "birth_year": 1958, "sex": "F",
                                                                  "ethnicity": 5, "village": territory.village_b.code}),
        "not an object",
    ]  # fmt: skip
    answer = client.post(URL, {"attendances": batch}, format="json")
    assert answer.status_code == 200
    assert [result["status"] for result in answer.json()["results"]] == [201, 201, 404, 400, 400, 201, 400]
    again = client.post(URL, {"attendances": batch[:2]}, format="json")
    assert [result["status"] for result in again.json()["results"]] == [200, 200]
    conflict = client.post(URL, {"attendances": [{**first, "resident": setup.minority.pk}]}, format="json")
    assert conflict.json()["results"][0]["status"] == 409
    assert ClassAttendance.objects.count() == 3


def test_callers_without_the_class_are_refused(setup, territory, make_user):
    outsider = bearer_client(make_user(Role.INSTRUCTOR, territory.other_commune))
    answer = outsider.post(URL, {"attendances": [_record(setup)]}, format="json")
    assert answer.json()["results"][0]["status"] == 404
    member = bearer_client(make_user(Role.TEAM_MEMBER, territory.commune))
    assert member.post(URL, {"attendances": [_record(setup)]}, format="json").status_code == 404
    assert APIClient().post(URL, {"attendances": []}, format="json").status_code == 401
    too_many = bearer_client(setup.instructor).post(URL, {"attendances": [_record(setup)] * 501}, format="json")
    assert too_many.status_code == 400
    assert not ClassAttendance.objects.exists()
