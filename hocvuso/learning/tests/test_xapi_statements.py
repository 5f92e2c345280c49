"""xAPI statements: valid 1.0.3, anonymous actor, no personal data, only the verbs and properties we allow."""

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hocvuso.core.crypto import lookup_hash
from hocvuso.learning.models import OutboxStatement
from hocvuso.learning.xapi import (
    ANSWERED,
    ASSESSMENT,
    ATTEMPTED,
    COMPLETED,
    EXPERIENCED,
    FAILED,
    PASSED,
    REGISTERED,
    queue_statement,
)
from hocvuso.learning.xapi.statements import VERB_DISPLAY, anonymous_actor, build_statement, statement_problems

STATEMENT_ID = uuid.UUID("7fe92891-9824-4648-a3a0-0a27c2ecd1d2")
REGISTRATION = "fa540954-7edc-4885-a694-a50795c42ecb"


def a_statement(**overrides: object) -> dict:
    arguments: dict = {
        "statement_id": STATEMENT_ID,
        "actor_key": "resident:41f0c1d2",
        "verb": PASSED,
        "object_id": "courses/cong-dan-so/assessment",
        "object_name": "Bài kiểm tra cuối khóa: Công dân số",
        "object_type": ASSESSMENT,
        "result": {"score": {"scaled": 0.8, "raw": 16, "min": 0, "max": 20}, "success": True, "duration": "PT12M30S"},
        "context": {"registration": REGISTRATION},
        "timestamp": datetime(2026, 3, 2, 8, 15, 0, tzinfo=timezone(timedelta(hours=7))),
    }
    arguments.update(overrides)
    return build_statement(**arguments)


def test_statement_is_complete_xapi_103(settings):
    settings.XAPI_ACCOUNT_HOMEPAGE = "https://hocvuso.example"
    settings.XAPI_ACTIVITY_BASE = "https://hocvuso.example/xapi/activities/"

    statement = a_statement()

    assert statement == {
        "id": "7fe92891-9824-4648-a3a0-0a27c2ecd1d2",
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "https://hocvuso.example", "name": lookup_hash("xapi-actor:resident:41f0c1d2")},
        },
        "verb": {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-US": "passed", "vi": "đã đạt"}},
        "object": {
            "objectType": "Activity",
            "id": "https://hocvuso.example/xapi/activities/courses/cong-dan-so/assessment",
            "definition": {
                "name": {"vi": "Bài kiểm tra cuối khóa: Công dân số"},
                "type": "http://adlnet.gov/expapi/activities/assessment",
            },
        },
        "timestamp": "2026-03-02T01:15:00.000Z",
        "version": "1.0.3",
        "context": {"platform": "Học Vụ Số", "language": "vi", "registration": REGISTRATION},
        "result": {"score": {"scaled": 0.8, "raw": 16, "min": 0, "max": 20}, "success": True, "duration": "PT12M30S"},
    }
    assert statement_problems(statement) == []


def test_actor_is_an_anonymous_account_named_by_a_keyed_hash(settings):
    actor = anonymous_actor("resident:41f0c1d2")

    assert set(actor) == {"objectType", "account"}
    assert actor["account"]["name"] != lookup_hash("resident:41f0c1d2")  # apart from the ID lookup hashes
    assert len(actor["account"]["name"]) == 64
    assert anonymous_actor("resident:41f0c1d2") == actor
    assert anonymous_actor("resident:41f0c1d3")["account"]["name"] != actor["account"]["name"]
    settings.LOOKUP_HASH_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="
    assert anonymous_actor("resident:41f0c1d2")["account"]["name"] != actor["account"]["name"]


def test_queued_statement_carries_no_name_or_id_of_the_learner(make_user):
    learner = make_user(full_name="Nguyễn Thị Hoa", username="hoa.nguyen", email="hoa@example.vn")
    actor_key = f"user:{learner.pk}:{uuid.UUID(int=learner.pk)}"

    statement_id = queue_statement(
        actor_key=actor_key,
        verb=COMPLETED,
        object_id="lessons/nhan-biet-cuoc-goi-lua-dao",
        object_name="Nhận biết cuộc gọi lừa đảo",
        result={"completion": True},
    )

    text = json.dumps(OutboxStatement.objects.get(statement_id=statement_id).statement, ensure_ascii=False)
    for personal in ("Nguyễn Thị Hoa", "hoa.nguyen", "hoa@example.vn", actor_key, str(uuid.UUID(int=learner.pk))):
        assert personal not in text
    for identifying_property in ('"mbox"', '"mbox_sha1sum"', '"openid"', '"instructor"', '"team"'):
        assert identifying_property not in text


def test_every_verb_is_an_adl_iri_with_english_and_vietnamese_display():
    verbs = [REGISTERED, COMPLETED, ATTEMPTED, PASSED, FAILED, ANSWERED, EXPERIENCED]

    assert [verb.removeprefix("http://adlnet.gov/expapi/verbs/") for verb in verbs] == [
        "registered",
        "completed",
        "attempted",
        "passed",
        "failed",
        "answered",
        "experienced",
    ]
    assert sorted(VERB_DISPLAY) == sorted(verbs)
    assert all(set(display) == {"en-US", "vi"} for display in VERB_DISPLAY.values())


def test_statement_problems_names_each_missing_required_property():
    statement = a_statement()
    for required in ("id", "actor", "verb", "object"):
        del statement[required]

    assert statement_problems(statement) == [
        "id is not a UUID",
        "actor is missing",
        "verb.id is missing or not an IRI",
        "object is not an activity",
    ]


def test_statement_problems_refuses_an_identified_actor():
    statement = a_statement()
    statement["actor"] = {"objectType": "Agent", "name": "Nguyễn Thị Hoa", "mbox": "mailto:hoa@example.vn"}

    assert statement_problems(statement) == [
        "actor is not an anonymous account agent (objectType and account only)",
        "actor.account needs exactly homePage and name",
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"verb": "http://adlnet.gov/expapi/verbs/launched"}, "Unknown xAPI verb"),
        ({"object_id": "https://elsewhere.example/lesson"}, "An activity path is relative"),
        ({"object_id": "lessons/bài 1"}, "An activity path is relative"),
        ({"object_name": ""}, "object_name is required"),
        ({"actor_key": ""}, "actor_key is required"),
        ({"timestamp": datetime(2026, 3, 2, 8, 15)}, "The timestamp must carry a time zone"),
        ({"result": {"score": {"scaled": 1.5}}}, "result.score.scaled is outside -1..1"),
        ({"result": {"score": {"raw": 21, "min": 0, "max": 20}}}, "result.score.raw is outside min..max"),
        ({"result": {"success": "yes"}}, "result.success is not a boolean"),
        ({"result": {"duration": "12 minutes"}}, "result.duration is not an ISO 8601 duration"),
        ({"result": {"learner": "Hoa"}}, "result.learner is not an xAPI result property"),
        ({"context": {"instructor": {"name": "Cô Lan"}}}, "context.instructor is not an allowed context property"),
        ({"context": {"registration": "12"}}, "context.registration is not a UUID"),
    ],
)
def test_invalid_statement_is_refused_and_nothing_is_queued(db, overrides, message):
    arguments = {
        "actor_key": "resident:41f0c1d2",
        "verb": COMPLETED,
        "object_id": "lessons/1",
        "object_name": "Bài 1",
        **overrides,
    }

    with pytest.raises(ValueError, match=message):
        queue_statement(**arguments)

    assert OutboxStatement.objects.count() == 0


def test_timestamp_defaults_to_now_in_utc(db):
    before = datetime.now(UTC)

    statement_id = queue_statement(actor_key="k", verb=EXPERIENCED, object_id="lessons/1", object_name="Bài 1")

    timestamp = OutboxStatement.objects.get(statement_id=statement_id).statement["timestamp"]
    assert timestamp.endswith("Z")
    moment = datetime.fromisoformat(timestamp)
    assert before - timedelta(seconds=1) <= moment <= datetime.now(UTC)
