"""The field sync API: device tokens, the worklist, batches of visits (idempotent, per-visit results)."""

import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from hocvuso.api.tests.conftest import sign_in
from hocvuso.outreach.models import HouseholdAssignment, Outcome, Visit
from hocvuso.outreach.services import issue_device, revoke_device

from .conftest import now, people_of

VISITS = reverse("api:field-visits")
WORKLIST = reverse("api:field-worklist")


def device_client(membership, actor=None):
    _device, token = issue_device(membership=membership, name="Điện thoại", actor=actor or membership.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    return client, _device


def assigned(membership):
    return [a.household for a in HouseholdAssignment.objects.filter(membership=membership).order_by("household__code")]


def visit_body(household, outcomes=(), note="", visit_id=None, at=None):
    return {
        "id": str(visit_id or uuid.uuid4()),
        "form_version": 1,
        "household": household.pk,
        "visited_at": (at or now()).isoformat(),
        "note": note,
        "outcomes": [{"resident": r, "outcome": o} for r, o in outcomes],
    }


def test_the_worklist_of_a_device_is_its_members_households_without_full_ids(field):
    client, _device = device_client(field.alice_membership)
    response = client.get(WORKLIST)
    assert response.status_code == 200
    body = response.json()
    assert {h["id"] for h in body["households"]} == {h.pk for h in assigned(field.alice_membership)}
    person = body["households"][0]["people"][0]
    assert set(person) == {
        "id",
        "full_name",
        "birth_year",
        "masked_national_id",
        "identity_age",
        "adult",
        "elderly",
        "vneid_level_2",
        "has_bank_account",
        "literate",
        "lives_alone",
        "ethnic_minority",
    }
    assert "birth_date" not in response.content.decode()
    repeat = client.get(WORKLIST, HTTP_IF_NONE_MATCH=response["ETag"])
    assert repeat.status_code == 304
    assert repeat.content == b""


def test_the_worklist_etag_survives_compression(field):
    """Sent compressed, the tag is weakened (W/"…") by the GZip middleware: sent back so, it still means unchanged;
    another tag, or the worklist changed, is a full answer."""
    client, _device = device_client(field.alice_membership)
    first = client.get(WORKLIST, HTTP_ACCEPT_ENCODING="gzip")
    assert first.status_code == 200 and first["Content-Encoding"] == "gzip"
    assert first["ETag"].startswith('W/"')

    again = client.get(WORKLIST, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    other = client.get(WORKLIST, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH='W/"0123", "abcd"')
    assert other.status_code == 200
    HouseholdAssignment.objects.filter(membership=field.alice_membership).first().delete()
    changed = client.get(WORKLIST, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_a_batch_gets_one_result_per_visit_and_a_resend_changes_nothing(field):
    client, device = device_client(field.alice_membership)
    mine, other_mine = assigned(field.alice_membership)
    bobs = assigned(field.bob_membership)[0]
    elder = people_of(mine)[0]
    first = visit_body(mine, [(elder.pk, Outcome.INSTALLED_VNEID)], "lần 1")
    conflicting = {**first, "note": "sửa lại"}
    batch = [
        first,
        visit_body(other_mine),
        visit_body(bobs),  # not hers
        {"id": "not-a-uuid", "form_version": 1},
        visit_body(mine, [(people_of(bobs)[0].pk, Outcome.REFUSED)]),
    ]
    response = client.post(VISITS, {"visits": batch}, format="json")
    assert response.status_code == 200
    statuses = [(r["status"], r["code"]) for r in response.json()["results"]]
    assert statuses == [
        (201, "created"),
        (201, "created"),
        (404, "not_found"),
        (400, "invalid"),
        (400, "resident_outside"),
    ]
    again = client.post(VISITS, {"visits": [first, conflicting]}, format="json").json()["results"]
    assert [(r["id"], r["status"]) for r in again] == [(first["id"], 200), (first["id"], 409)]
    assert again[1]["code"] == "conflict"
    assert Visit.objects.count() == 2
    assert set(Visit.objects.values_list("device_id", flat=True)) == {device.pk}


def test_a_revoked_device_is_told_to_wipe(field):
    client, device = device_client(field.alice_membership)
    assert client.get(WORKLIST).status_code == 200
    revoke_device(device=device, actor=field.leader)
    response = client.get(WORKLIST)
    assert response.status_code == 401
    assert response.json()["wipe"] is True
    assert response.json()["code"] == "device_wipe"
    posted = client.post(VISITS, {"visits": [visit_body(assigned(field.alice_membership)[0])]}, format="json")
    assert posted.status_code == 401
    assert Visit.objects.count() == 0


def test_devices_are_issued_from_a_session_and_revoked_by_the_leader(field):
    member = sign_in(APIClient(), field.alice)
    issued = member.post(reverse("api:field-device-list"), {"name": "Máy của An"}, format="json")
    assert issued.status_code == 201
    token = issued.json()["token"]
    device_id = issued.json()["id"]
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    assert phone.post(reverse("api:field-device-list"), {"name": "Máy khác"}, format="json").status_code == 403
    # Bob, another member, cannot revoke Alice's device; the leader can.
    bob = sign_in(APIClient(), field.bob)
    assert bob.post(reverse("api:field-device-revoke"), {"device": device_id}, format="json").status_code == 404
    leader = sign_in(APIClient(), field.leader)
    assert [d["id"] for d in leader.get(reverse("api:field-device-list")).json()["results"]] == [device_id]
    revoked = leader.post(reverse("api:field-device-revoke"), {"device": device_id}, format="json")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert phone.get(WORKLIST).json()["wipe"] is True


@pytest.mark.parametrize("header", ["Device nonsense", "Device 0123abcd.wrong-secret-wrong-secret-x"])
def test_a_bad_device_token_is_refused(field, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(WORKLIST)
    assert response.status_code == 401
    assert "wipe" not in response.json()


def test_the_sync_is_rate_limited(field, settings):
    from django.core.cache import cache

    settings.OUTREACH_SYNC_RATE = "3/min"
    client, device = device_client(field.alice_membership)
    key = f"throttle:field:device:{device.pk}"  # only this device's count: the cache is shared with other tests
    cache.delete(key)  # (on SQLite a rolled-back test's device may have had the same id)
    answers = [client.get(WORKLIST).status_code for _ in range(4)]
    cache.delete(key)
    assert answers == [200, 200, 200, 429]


def test_the_schema_describes_the_field_endpoints(db):
    schema = APIClient().get(reverse("api:schema") + "?format=json").json()
    assert {"/api/v1/field/visits/", "/api/v1/field/worklist/", "/api/v1/field/devices/"} <= set(schema["paths"])
    assert "fieldDevice" in schema["components"]["securitySchemes"]
    batch = schema["paths"]["/api/v1/field/visits/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert batch["properties"]["visits"]["maxItems"] == 500
