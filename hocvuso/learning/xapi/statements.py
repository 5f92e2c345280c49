"""Building xAPI 1.0.3 statements: the ADL verbs we use, an anonymous account actor, activities under our IRI base.

A statement never names a person: the actor is an account whose name is a keyed hash (HMAC-SHA256 with
LOOKUP_HASH_KEY) of a key the caller chooses (a resident's or user's internal key), so the LRS can group one
learner's statements without learning who they are. ``statement_problems`` checks a statement against the parts
of the specification we rely on; the tests run every statement we build through it and through a real LRS.
"""

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from hocvuso.core.crypto import lookup_hash

XAPI_VERSION = "1.0.3"
PLATFORM = "Học Vụ Số"

REGISTERED = "http://adlnet.gov/expapi/verbs/registered"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
FAILED = "http://adlnet.gov/expapi/verbs/failed"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"

VERB_DISPLAY: dict[str, dict[str, str]] = {
    REGISTERED: {"en-US": "registered", "vi": "đã đăng ký"},
    COMPLETED: {"en-US": "completed", "vi": "đã hoàn thành"},
    ATTEMPTED: {"en-US": "attempted", "vi": "đã làm bài"},
    PASSED: {"en-US": "passed", "vi": "đã đạt"},
    FAILED: {"en-US": "failed", "vi": "chưa đạt"},
    ANSWERED: {"en-US": "answered", "vi": "đã trả lời"},
    EXPERIENCED: {"en-US": "experienced", "vi": "đã xem"},
}

LESSON = "http://adlnet.gov/expapi/activities/lesson"
COURSE = "http://adlnet.gov/expapi/activities/course"
MODULE = "http://adlnet.gov/expapi/activities/module"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
QUESTION = "http://adlnet.gov/expapi/activities/cmi.interaction"

# Result and context properties we accept from callers (xAPI 1.0.3, 2.4.5 and 2.4.6). Context "instructor" and
# "team" are left out on purpose: they would name people.
RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
CONTEXT_KEYS = frozenset(
    {"registration", "contextActivities", "revision", "platform", "language", "statement", "extensions"}
)
SCORE_KEYS = frozenset({"scaled", "raw", "min", "max"})
STATEMENT_KEYS = frozenset(
    {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version"}
)
_DURATION = re.compile(
    r"^P(?!$)(\d+(?:\.\d+)?Y)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?W)?(\d+(?:\.\d+)?D)?"
    r"(T(?=\d)(\d+(?:\.\d+)?H)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?S)?)?$"
)
_ACTOR_HASH_PREFIX = "xapi-actor:"


def anonymous_actor(actor_key: str) -> dict[str, Any]:
    """The xAPI agent for a learner: an account on our home page named by a keyed hash of `actor_key`.

    The same key always gives the same agent; nobody without LOOKUP_HASH_KEY can turn it back into the key.
    The prefix keeps these hashes apart from the lookup hashes of national IDs and phones.
    """
    if not actor_key:
        raise ValueError("actor_key is required.")
    return {
        "objectType": "Agent",
        "account": {
            "homePage": settings.XAPI_ACCOUNT_HOMEPAGE,
            "name": lookup_hash(_ACTOR_HASH_PREFIX + actor_key),
        },
    }


def activity_iri(path: str) -> str:
    """The IRI of one of our activities: settings.XAPI_ACTIVITY_BASE followed by `path` (e.g. "lessons/12")."""
    if not path or "://" in path or path.startswith("/") or any(character.isspace() for character in path):
        raise ValueError(f"An activity path is relative and has no spaces: {path!r}.")
    base = settings.XAPI_ACTIVITY_BASE
    return base + path if base.endswith("/") else f"{base}/{path}"


def build_statement(
    *,
    statement_id: uuid.UUID,
    actor_key: str,
    verb: str,
    object_id: str,
    object_name: str,
    object_type: str = LESSON,
    result: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """A complete xAPI 1.0.3 statement as plain JSON values.

    `verb` is one of the verb constants, `object_id` a path under XAPI_ACTIVITY_BASE, `object_name` the
    activity's Vietnamese title. `result` and `context` take the xAPI properties of those objects (context
    without instructor or team); the context gets our platform and the site language unless given. Raises
    ValueError for an unknown verb, a bad path, a naive timestamp or a result or context xAPI would refuse.
    """
    if verb not in VERB_DISPLAY:
        raise ValueError(f"Unknown xAPI verb: {verb!r}.")
    if not object_name:
        raise ValueError("object_name is required.")
    moment = timestamp or timezone.now()
    if timezone.is_naive(moment):
        raise ValueError("The timestamp must carry a time zone.")
    statement: dict[str, Any] = {
        "id": str(statement_id),
        "actor": anonymous_actor(actor_key),
        "verb": {"id": verb, "display": dict(VERB_DISPLAY[verb])},
        "object": {
            "objectType": "Activity",
            "id": activity_iri(object_id),
            "definition": {"name": {"vi": object_name}, "type": object_type},
        },
        "timestamp": moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "version": XAPI_VERSION,
        "context": {"platform": PLATFORM, "language": settings.LANGUAGE_CODE, **dict(context or {})},
    }
    if result:
        statement["result"] = dict(result)
    problems = statement_problems(statement)
    if problems:
        raise ValueError("Invalid xAPI statement: " + "; ".join(problems))
    return statement


def _is_iri(value: Any) -> bool:
    if not isinstance(value, str) or any(character.isspace() for character in value):
        return False
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _is_language_map(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(key, str) and key and isinstance(text, str) for key, text in value.items())
    )


def _result_problems(result: Any) -> list[str]:
    if not isinstance(result, dict):
        return ["result is not an object"]
    problems = [f"result.{key} is not an xAPI result property" for key in result if key not in RESULT_KEYS]
    for flag in ("success", "completion"):
        if flag in result and not isinstance(result[flag], bool):
            problems.append(f"result.{flag} is not a boolean")
    if "response" in result and not isinstance(result["response"], str):
        problems.append("result.response is not a string")
    if "duration" in result and not (isinstance(result["duration"], str) and _DURATION.match(result["duration"])):
        problems.append("result.duration is not an ISO 8601 duration")
    score = result.get("score")
    if score is not None:
        if not isinstance(score, dict) or not score or set(score) - SCORE_KEYS:
            return [*problems, "result.score has properties other than scaled, raw, min and max"]
        if any(isinstance(value, bool) or not isinstance(value, int | float) for value in score.values()):
            return [*problems, "result.score values are not numbers"]
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            problems.append("result.score.scaled is outside -1..1")
        low, high = score.get("min"), score.get("max")
        if low is not None and high is not None and low >= high:
            problems.append("result.score.min is not below max")
        raw = score.get("raw")
        if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
            problems.append("result.score.raw is outside min..max")
    return problems


def _context_problems(context: Any) -> list[str]:
    if not isinstance(context, dict):
        return ["context is not an object"]
    problems = [f"context.{key} is not an allowed context property" for key in context if key not in CONTEXT_KEYS]
    if "registration" in context and not _is_uuid(context["registration"]):
        problems.append("context.registration is not a UUID")
    activities = context.get("contextActivities", {})
    if not isinstance(activities, dict):
        problems.append("context.contextActivities is not an object")
    else:
        for kind, items in activities.items():
            if kind not in {"parent", "grouping", "category", "other"}:
                problems.append(f"context.contextActivities.{kind} is not parent, grouping, category or other")
            listed = items if isinstance(items, list) else [items]
            if not all(isinstance(item, dict) and _is_iri(item.get("id")) for item in listed):
                problems.append(f"context.contextActivities.{kind} holds an activity without an IRI id")
    return problems


def statement_problems(statement: Mapping[str, Any]) -> list[str]:
    """What is wrong with `statement` as an xAPI 1.0.3 statement from this platform (empty when nothing).

    Checks the required properties (id, actor, verb, object), their types, the timestamp, and that the actor is
    an anonymous account agent (no name, mbox or openid) on XAPI_ACCOUNT_HOMEPAGE.
    """
    problems = [f"{key} is not a statement property" for key in statement if key not in STATEMENT_KEYS]
    if not _is_uuid(statement.get("id")):
        problems.append("id is not a UUID")
    actor = statement.get("actor")
    if not isinstance(actor, dict):
        problems.append("actor is missing")
    else:
        account = actor.get("account")
        if actor.get("objectType") != "Agent" or set(actor) != {"objectType", "account"}:
            problems.append("actor is not an anonymous account agent (objectType and account only)")
        if not isinstance(account, dict) or set(account) != {"homePage", "name"}:
            problems.append("actor.account needs exactly homePage and name")
        elif account["homePage"] != settings.XAPI_ACCOUNT_HOMEPAGE or not _is_iri(account["homePage"]):
            problems.append("actor.account.homePage is not our home page")
        elif not re.fullmatch(r"[0-9a-f]{64}", str(account["name"])):
            problems.append("actor.account.name is not a keyed hash")
    verb = statement.get("verb")
    if not isinstance(verb, dict) or not _is_iri(verb.get("id")):
        problems.append("verb.id is missing or not an IRI")
    elif "display" in verb and not _is_language_map(verb["display"]):
        problems.append("verb.display is not a language map")
    activity = statement.get("object")
    if not isinstance(activity, dict) or activity.get("objectType", "Activity") != "Activity":
        problems.append("object is not an activity")
    elif not _is_iri(activity.get("id")):
        problems.append("object.id is not an IRI")
    else:
        definition = activity.get("definition", {})
        if not isinstance(definition, dict):
            problems.append("object.definition is not an object")
        else:
            if "name" in definition and not _is_language_map(definition["name"]):
                problems.append("object.definition.name is not a language map")
            if "type" in definition and not _is_iri(definition["type"]):
                problems.append("object.definition.type is not an IRI")
    timestamp = statement.get("timestamp")
    if timestamp is not None:
        try:
            parsed = datetime.fromisoformat(str(timestamp).replace("Z", "+00:00"))
        except ValueError:
            problems.append("timestamp is not ISO 8601")
        else:
            if parsed.tzinfo is None:
                problems.append("timestamp has no time zone")
    if statement.get("version", XAPI_VERSION) != XAPI_VERSION:
        problems.append(f"version is not {XAPI_VERSION}")
    if "result" in statement:
        problems.extend(_result_problems(statement["result"]))
    if "context" in statement:
        problems.extend(_context_problems(statement["context"]))
    return problems
