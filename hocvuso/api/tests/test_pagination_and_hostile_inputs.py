"""Pagination (`limit`/`offset`) and inputs meant to break things: each is a clear 400 or 404, never a 500."""

import pytest
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from hocvuso.api.base import ApiPagination
from hocvuso.core.services import record_audit
from hocvuso.territory.tests import factories as units

UNITS = reverse("api:unit-list")
NOT_FOUND = {"detail": "Không tìm thấy.", "code": "not_found", "field": None}


@pytest.fixture
def officer_client(session_for, commune_officer):
    return session_for(commune_officer)


def test_pages_carry_count_and_links(officer_client):
    first = officer_client.get(UNITS, {"limit": 2})
    second = officer_client.get(UNITS, {"limit": 2, "offset": 2})

    assert first.json()["count"] == 3
    assert [row["code"] for row in first.json()["results"]] == ["24631", "24631.001"]
    assert first.json()["next"] == "http://testserver/api/v1/units/?limit=2&offset=2"
    assert first.json()["previous"] is None
    assert [row["code"] for row in second.json()["results"]] == ["24631.002"]
    assert second.json()["next"] is None
    assert second.json()["previous"] == "http://testserver/api/v1/units/?limit=2"


def test_a_page_past_the_end_is_empty(officer_client):
    response = officer_client.get(UNITS, {"offset": 999_999_999_999_999})

    assert response.status_code == 200
    assert (response.json()["count"], response.json()["results"]) == (3, [])


def test_a_limit_above_the_maximum_is_cut_to_it(officer_client, territory):
    for number in range(6):
        units.village(territory.commune, code=f"24631.{100 + number}", name=f"Thôn mới {number}")
    request = APIRequestFactory().get(UNITS, {"limit": "100000"})
    pagination = ApiPagination()
    pagination.max_limit = 4

    assert pagination.get_limit(Request(request)) == 4
    response = officer_client.get(UNITS, {"limit": 100_000})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 9
    assert response.json()["next"] is None


def test_without_limit_a_page_holds_100(session_for, province_admin, territory):
    for number in range(101):
        units.village(territory.other_commune, code=f"24751.{200 + number}", name=f"Thôn {number}")

    response = session_for(province_admin).get(UNITS)

    assert response.json()["count"] == 107
    assert len(response.json()["results"]) == 100
    assert response.json()["next"] == "http://testserver/api/v1/units/?limit=100&offset=100"


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("limit", "abc"),
        ("limit", "-1"),
        ("limit", "0"),
        ("limit", "1e3"),
        ("limit", "2.5"),
        ("limit", "١٢"),
        ("limit", "9" * 100),
        ("offset", "-5"),
        ("offset", "abc"),
        ("offset", "9" * 16),
        ("offset", " 1"),
        ("offset", "1; DROP TABLE territory_administrativeunit"),
    ],
)
def test_bad_limit_or_offset_is_a_400_naming_it(officer_client, parameter, value):
    response = officer_client.get(UNITS, {parameter: value})

    assert response.status_code == 400
    body = response.json()
    assert (body["field"], body["code"]) == (parameter, "invalid")
    assert body["detail"].startswith("Giá trị phải là một số nguyên từ ")


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"level": "district"}, "level", "invalid_choice"),
        ({"level": "PROVINCE"}, "level", "invalid_choice"),
        ({"parent": "Xã Quảng Khê"}, "parent", "invalid"),
        ({"parent": "' OR 1=1 --"}, "parent", "invalid"),
        ({"parent": "24631%"}, "parent", "invalid"),
        ({"parent": "2" * 21}, "parent", "max_length"),
        ({"parent": "24631\x00"}, "parent", "null_characters_not_allowed"),
    ],
)
def test_unknown_or_hostile_unit_filters_are_a_400(officer_client, query, field, code):
    response = officer_client.get(UNITS, query)

    assert response.status_code == 400
    assert (response.json()["field"], response.json()["code"]) == (field, code)


def test_unit_filters_by_level_and_parent(session_for, province_admin):
    client = session_for(province_admin)

    communes = client.get(UNITS, {"level": "commune"})
    villages = client.get(UNITS, {"parent": "24631"})
    both = client.get(UNITS, {"level": "village", "parent": "24751"})
    elsewhere = client.get(UNITS, {"parent": "00004"})
    unknown = client.get(UNITS, {"parent": "99999", "colour": "blue"})

    assert [row["code"] for row in communes.json()["results"]] == ["24631", "24751"]
    assert [row["code"] for row in villages.json()["results"]] == ["24631.001", "24631.002"]
    assert [row["code"] for row in both.json()["results"]] == ["24751.001"]
    assert elsewhere.json()["results"] == []
    assert unknown.json()["results"] == []


@pytest.mark.parametrize(
    "code",
    [
        "Lâm Đồng",
        "68' OR '1'='1",
        "68%",
        "6_",
        "68\x00",
        "%00",
        "..",
        "2" * 300,
        "<script>",
        "６８",
    ],
)
def test_hostile_unit_codes_in_the_path_are_a_404(officer_client, code):
    detail = officer_client.get(reverse("api:unit-detail", kwargs={"code": code}))
    children = officer_client.get(reverse("api:unit-children", kwargs={"code": code}))

    assert (detail.status_code, children.status_code) == (404, 404)
    assert detail.json() == NOT_FOUND
    assert children.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"kind": "bank"}, "kind", "invalid_choice"),
        ({"unit": "Xã"}, "unit", "invalid"),
        ({"unit": "/68/"}, "unit", "invalid"),
    ],
)
def test_hostile_organisation_filters_are_a_400(officer_client, query, field, code):
    response = officer_client.get(reverse("api:organisation-list"), query)

    assert response.status_code == 400
    assert (response.json()["field"], response.json()["code"]) == (field, code)


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"since": "2025-13-45"}, "since", "invalid"),
        ({"until": "hôm qua"}, "until", "invalid"),
        ({"since": "2025-07-02", "until": "2025-07-01"}, "until", "invalid"),
        ({"actor": "a\x00b"}, "actor", "null_characters_not_allowed"),
        ({"action": "x" * 81}, "action", "max_length"),
        ({"object_id": "1" * 65}, "object_id", "max_length"),
    ],
)
def test_hostile_audit_filters_are_a_400(session_for, province_admin, query, field, code):
    response = session_for(province_admin).get(reverse("api:audit-entry-list"), query)

    assert response.status_code == 400
    assert (response.json()["field"], response.json()["code"]) == (field, code)


@pytest.mark.parametrize("actor", ["' OR 1=1 --", "%", "_", "Nguyễn", "\\"])
def test_sql_like_audit_filters_match_literally(session_for, province_admin, actor):
    record_audit(actor=province_admin, action="unit.view")

    response = session_for(province_admin).get(reverse("api:audit-entry-list"), {"actor": actor, "action": "unit.view"})

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_unknown_query_parameters_are_ignored(officer_client):
    response = officer_client.get(UNITS, {"ordering": "-name", "page": "2", "search": "Thôn"})

    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_an_unknown_path_under_a_unit_is_not_routed(officer_client):
    response = officer_client.get("/api/v1/units/24631/households/")

    assert response.status_code == 404


def test_asking_for_html_only_is_a_406_in_json(officer_client):
    response = officer_client.get(reverse("api:unit-detail", kwargs={"code": "24631"}), HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_acceptable"


def test_a_browser_accept_header_gets_json(officer_client):
    response = officer_client.get(
        reverse("api:unit-detail", kwargs={"code": "24631"}),
        HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
