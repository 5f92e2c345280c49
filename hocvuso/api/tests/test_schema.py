"""The OpenAPI document: generated without a warning, valid, served to anyone, with a local Swagger UI."""

import json

import yaml
from django.core.management import call_command
from django.urls import reverse


def test_the_openapi_document_generates_with_no_warnings(db, tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    document = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert document["info"]["title"] == "Học Vụ Số API"
    assert sorted(document["paths"]) == [
        "/api/v1/audit-entries/",
        "/api/v1/field/attendances/",
        "/api/v1/field/devices/",
        "/api/v1/field/devices/revoke/",
        "/api/v1/field/sessions/",
        "/api/v1/field/sessions/{session_id}/people/",
        "/api/v1/field/visits/",
        "/api/v1/field/worklist/",
        "/api/v1/me/",
        "/api/v1/organisations/",
        "/api/v1/reports/",
        "/api/v1/reports/{report_id}/",
        "/api/v1/roster-imports/",
        "/api/v1/roster-imports/{job_id}/",
        "/api/v1/roster-imports/{job_id}/confirm/",
        "/api/v1/tokens/",
        "/api/v1/tokens/{token_id}/",
        "/api/v1/units/",
        "/api/v1/units/{code}/",
        "/api/v1/units/{code}/children/",
    ]
    assert document["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_every_scoped_operation_documents_401_and_the_error_shape(db, tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target))
    document = yaml.safe_load(target.read_text(encoding="utf-8"))

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }, (path, method)
    assert "404" in document["paths"]["/api/v1/units/{code}/"]["get"]["responses"]
    assert "400" in document["paths"]["/api/v1/units/"]["get"]["responses"]


def test_the_schema_endpoint_serves_json_to_anyone(api, db):
    response = api.get(reverse("api:schema"), {"format": "json"})

    assert response.status_code == 200
    assert "/api/v1/units/" in json.loads(response.content)["paths"]


def test_the_docs_page_loads_its_assets_locally(api, db):
    response = api.get(reverse("api:docs"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "https://" not in page
    assert "http://" not in page
