"""The Content-Security-Policy header on every kind of response, and the endpoint browsers report violations to."""

import json
import logging

import pytest
from django.template.loader import render_to_string
from django.test import Client

from hocvuso.web.middleware import CONTENT_SECURITY_POLICY

REPORT = "/csp-report/"


@pytest.mark.parametrize(
    "path", ["/", "/tai-khoan/dang-nhap/", "/tien-do/", "/api/v1/me/", "/api/v1/docs/", "/admin/login/", "/khong-co/"]
)
def test_every_kind_of_response_carries_the_policy(client: Client, db: None, path: str) -> None:
    response = client.get(path)

    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_swagger_page_has_no_inline_script_or_style(client: Client, db: None) -> None:
    page = client.get("/api/v1/docs/").content.decode()
    script = client.get("/api/v1/docs/?script=")

    assert "<style" not in page and "style=" not in page
    assert "<script>" not in page and '<script src="/api/v1/docs/?script=' in page
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_server_error_page_has_no_inline_style() -> None:
    page = render_to_string("500.html")

    assert "style=" not in page and "<style" not in page and "/static/web/error.css" in page


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "application/csp-report",
            {
                "csp-report": {
                    "document-uri": "https://hocvuso.example/nguoi-dan/?q=068190004321",
                    "effective-directive": "style-src-attr",
                    "blocked-uri": "inline",
                    "source-file": "https://hocvuso.example/nguoi-dan/?q=068190004321",
                    "line-number": 12,
                }
            },
        ),
        (
            "application/reports+json",
            [
                {
                    "type": "csp-violation",
                    "body": {
                        "documentURL": "https://hocvuso.example/nguoi-dan/?q=068190004321",
                        "effectiveDirective": "style-src-attr",
                        "blockedURL": "inline",
                        "sourceFile": "https://hocvuso.example/nguoi-dan/?q=068190004321",
                        "lineNumber": 12,
                    },
                }
            ],
        ),
    ],
    ids=["report-uri", "reporting-api"],
)
def test_a_report_is_logged_without_query_strings(client: Client, caplog, content_type: str, body: object) -> None:
    caplog.set_level(logging.WARNING, logger="hocvuso.web.csp")

    response = client.post(REPORT, json.dumps(body), content_type=content_type)

    assert response.status_code == 204
    assert [record.getMessage() for record in caplog.records] == [
        "Content-Security-Policy violation: style-src-attr blocked inline on https://hocvuso.example/nguoi-dan/ "
        "(https://hocvuso.example/nguoi-dan/:12)"
    ]


@pytest.mark.parametrize("body", [b"[" * 5000, b"\xff\xfe", b"x" * 20_000, b'{"csp-report": 1}'])
def test_a_malformed_report_is_refused_or_ignored_never_a_server_error(client: Client, caplog, body: bytes) -> None:
    caplog.set_level(logging.WARNING, logger="hocvuso.web.csp")

    response = client.post(REPORT, body, content_type="application/csp-report")

    assert response.status_code in {204, 400}
    assert [record for record in caplog.records if record.name == "hocvuso.web.csp"] == []


def test_the_report_endpoint_takes_only_post_and_needs_no_csrf_token(db: None) -> None:
    client = Client(enforce_csrf_checks=True)

    assert client.get(REPORT).status_code == 405
    assert client.post(REPORT, "{}", content_type="application/csp-report").status_code == 204
