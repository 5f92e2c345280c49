"""The API says what it does: nullable references are null in the schema, `limit`/`offset` carry their bounds,
an empty filter is refused as the schema says, every 404 under /api/ is the API's JSON error (also for a path no
route matches), and what one token may revoke (only itself) is decided, documented and enforced."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from hocvuso.api.models import ApiToken
from hocvuso.api.services import issue_api_token
from hocvuso.core.models import AuditEntry

UNITS = reverse("api:unit-list")
NOT_FOUND = {"detail": "Không tìm thấy.", "code": "not_found", "field": None}
BLANK = "Tham số không được để trống: bỏ hẳn tham số nếu không lọc theo nó."


@pytest.fixture
def schema(db):
    response = APIClient().get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _parameters(schema, path, method="get"):
    return {parameter["name"]: parameter for parameter in schema["paths"][path][method].get("parameters", [])}


def test_a_unit_without_parent_or_successor_shows_null_as_the_schema_says(session_for, province_admin, schema):
    response = session_for(province_admin).get(reverse("api:unit-detail", kwargs={"code": "68"}))

    assert response.status_code == 200
    assert (response.json()["parent"], response.json()["successor"]) == (None, None)
    unit = schema["components"]["schemas"]["Unit"]["properties"]
    assert unit["parent"]["nullable"] is True
    assert unit["successor"]["nullable"] is True
    report = schema["components"]["schemas"]["Report"]["properties"]
    assert report["unit"]["nullable"] is True and report["organisation"]["nullable"] is True


def test_the_schema_gives_the_bounds_of_limit_and_offset(schema):
    for path in ("/api/v1/units/", "/api/v1/tokens/", "/api/v1/units/{code}/children/", "/api/v1/reports/"):
        parameters = _parameters(schema, path)
        assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 10**15 - 1}
        assert parameters["offset"]["schema"] == {"type": "integer", "minimum": 0, "maximum": 10**15 - 1}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": ""}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": ""}, "offset"),
        ({"offset": str(10**15)}, "offset"),
        ({"limit": "1e3"}, "limit"),
    ],
)
def test_limit_below_1_or_offset_below_0_or_empty_is_a_400_naming_it(session_for, commune_officer, query, field):
    response = session_for(commune_officer).get(UNITS, query)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid", field)


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("api:unit-list", "parent"),
        ("api:unit-list", "level"),
        ("api:organisation-list", "unit"),
        ("api:organisation-list", "kind"),
        ("api:audit-entry-list", "until"),
        ("api:audit-entry-list", "since"),
        ("api:audit-entry-list", "actor"),
        ("api:report-list", "period"),
        ("api:report-list", "status"),
    ],
)
def test_an_empty_filter_is_a_400_naming_it(session_for, province_admin, schema, path, parameter):
    url = reverse(path)

    response = session_for(province_admin).get(url, {parameter: ""})

    assert response.status_code == 400
    assert response.json()["field"] == parameter
    assert response.json()["detail"] == BLANK
    assert response.json()["code"] == "blank"
    # the schema says the same: a string of at least one character, or a date, or one of a list
    declared = _parameters(schema, url)[parameter]["schema"]
    assert declared.get("minLength") == 1 or declared.get("format") == "date"


def test_a_filter_left_out_still_means_no_filter(session_for, province_admin):
    response = session_for(province_admin).get(reverse("api:audit-entry-list"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tokens/abc/",
        "/api/v1/tokens/1.5/",
        "/api/v1/tokens/-1/",
        "/api/v1/reports/x/",
        "/api/v1/units/24631/nothing/",
        "/api/v1/nothing/",
        "/api/v2/units/",
        "/api/",
    ],
)
def test_a_path_under_api_that_names_no_endpoint_is_the_json_404(token_for, commune_officer, path):
    for client in (APIClient(), token_for(commune_officer)):
        response = client.get(path)

        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == NOT_FOUND


def test_an_id_too_large_for_the_database_is_a_404(token_for, commune_officer):
    client = token_for(commune_officer)

    for path in ("/api/v1/tokens/99999999999999999999999/", "/api/v1/reports/99999999999999999999999/"):
        response = client.get(path)

        assert response.status_code == 404
        assert response.json() == NOT_FOUND


def test_a_page_that_does_not_exist_is_still_the_404_page(client):
    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_token_may_revoke_itself(commune_officer):
    issued = issue_api_token(user=commune_officer, name="Máy tính bảng")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plain_text}")

    response = client.delete(reverse("api:token-detail", kwargs={"token_id": issued.token.pk}))

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert client.get(reverse("api:me")).status_code == 401


def test_a_token_cannot_revoke_another_token_of_its_user(commune_officer):
    device = issue_api_token(user=commune_officer, name="Máy tính bảng")
    integration = issue_api_token(user=commune_officer, name="Hệ thống báo cáo")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {device.plain_text}")
    audits = AuditEntry.objects.count()

    response = client.delete(reverse("api:token-detail", kwargs={"token_id": integration.token.pk}))

    assert response.status_code == 403
    assert response.json()["code"] == "session_required"
    assert ApiToken.objects.get(pk=integration.token.pk).revoked_at is None
    assert ApiToken.objects.get(pk=device.token.pk).revoked_at is None
    assert AuditEntry.objects.count() == audits


def test_a_signed_in_session_may_revoke_any_of_the_users_tokens(session_for, commune_officer):
    first = issue_api_token(user=commune_officer, name="Máy tính bảng")
    second = issue_api_token(user=commune_officer, name="Hệ thống báo cáo")
    client = session_for(commune_officer)

    for issued in (first, second):
        response = client.delete(reverse("api:token-detail", kwargs={"token_id": issued.token.pk}))
        assert response.status_code == 200

    assert ApiToken.objects.filter(user=commune_officer, revoked_at__isnull=True).count() == 0


def test_the_schema_documents_what_a_token_may_revoke(schema):
    operation = schema["paths"]["/api/v1/tokens/{token_id}/"]["delete"]

    assert "403" in operation["responses"]
    assert "chỉ thu hồi được chính khóa đó" in operation["description"]
