"""Hole 7 of issue 8, from the attacker's side: whatever body is sent to the API — nested ten thousand deep, not
UTF-8, not JSON, numbers no column can hold, a key given twice — the answer is a 4xx in the API's one JSON error
shape, never a server error, and nothing is written."""

import pytest
from django.urls import reverse

from hocvuso.api.models import ApiToken

TOKENS = reverse("api:token-list")


@pytest.fixture
def officer_client(session_for, commune_officer):
    return session_for(commune_officer)


def send(client, body: bytes, content_type: str = "application/json"):
    return client.generic("POST", TOKENS, body, content_type=content_type)


BAD_BODIES = {
    "nested arrays": b"[" * 100_000 + b"]" * 100_000,
    "nested objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "nested just past the limit": b'{"name": "x", "v": ' + b"[" * 33 + b"]" * 33 + b"}",
    "not UTF-8": b'{"name": "M\xe1y t\xednh"}',
    "overlong UTF-8": b'{"name": "\xc0\xaf"}',
    "lone surrogate": b'{"name": "\\ud800"}',
    "truncated": b'{"name": "M\xc3\xa1y',
    "not JSON": b"name=May",
    "empty object key twice": b'{"name": "A", "name": "B"}',
    "NaN": b'{"name": "A", "x": NaN}',
    "Infinity": b'{"name": "A", "x": -Infinity}',
    "float overflow": b'{"name": "A", "x": 1e999}',
    "integer past 64 bits": b'{"name": "A", "x": 9223372036854775808}',
    "integer of 5000 digits": b'{"name": "A", "x": ' + b"9" * 5000 + b"}",
    "a bare string": '"Máy"'.encode(),
    "trailing garbage": b'{"name": "A"} {"name": "B"}',
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_malformed_body_is_a_400_in_json_and_writes_nothing(officer_client, body):
    response = send(officer_client, body)

    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    error = response.json()
    assert set(error) >= {"detail", "code", "field"}
    assert error["detail"]
    assert ApiToken.objects.count() == 0


def test_the_parse_errors_say_what_is_wrong(officer_client):
    deep = send(officer_client, BAD_BODIES["nested arrays"]).json()
    twice = send(officer_client, BAD_BODIES["empty object key twice"]).json()
    utf8 = send(officer_client, BAD_BODIES["not UTF-8"]).json()
    number = send(officer_client, BAD_BODIES["float overflow"]).json()

    assert (deep["code"], twice["code"], utf8["code"], number["code"]) == (
        "too_deep",
        "duplicate_key",
        "not_utf8",
        "number_out_of_range",
    )
    assert "name" in twice["detail"]


def test_a_body_larger_than_the_upload_limit_is_refused_unread(officer_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = send(officer_client, b'{"name": "' + b"a" * 5000 + b'"}')

    assert (response.status_code, response.json()["code"]) == (400, "too_large")
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"],
)
def test_a_body_that_is_not_json_by_its_content_type_is_a_415_in_json(officer_client, content_type):
    response = send(officer_client, '{"name": "Máy"}'.encode(), content_type)

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert ApiToken.objects.count() == 0


def test_a_well_formed_body_still_works_with_a_byte_order_mark_and_nesting_within_the_limit(officer_client):
    response = send(officer_client, "\ufeff".encode() + '{"name": "Máy tính bảng", "extra": [[[1.5]]]}'.encode())

    assert response.status_code == 201
    assert ApiToken.objects.get().name == "Máy tính bảng"
