"""Hole 8 of issue 8: a strict Content-Security-Policy on every response, and zero violations in the browser.

Every browser test fails on any violation its pages meet (conftest's `page`). This file proves that detection
works — a page that breaks the policy is caught, by the browser's event and by the report endpoint — and visits
the pages no journey reaches: the authenticator enrolment (QR code), the admin site, the API's Swagger UI, the
transfer requests and enrolment codes.
"""

import logging
import re
import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import issue_enrolment_code
from hocvuso.accounts.tests.factories import PASSWORD
from hocvuso.web.middleware import CONTENT_SECURITY_POLICY

from .browser import assert_accessible, current_code, open_menu, sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_policy_is_strict() -> None:
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))

    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == directives["style-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert (directives["object-src"], directives["base-uri"]) == ("'none'", "'self'")
    assert (directives["frame-ancestors"], directives["form-action"]) == ("'none'", "'self'")
    assert directives["report-uri"] == "/csp-report/"


def test_a_page_that_breaks_the_policy_is_caught_and_reported(page, live_server, csp_violations, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="hocvuso.web.csp")
    response = page.goto(live_server.url + "/tien-do/?q=secret")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY

    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true;";
            document.body.appendChild(script);
            document.body.setAttribute("style", "background: red");
        }"""
    )

    expect(page.locator("body")).to_be_visible()
    assert page.evaluate("() => window.injected === undefined")
    deadline = time.monotonic() + 10
    reports = []  # the report endpoint's log lines only (a "Not Found" of the page itself is no report)
    while len(csp_violations) < 2 or len(reports) < 2:
        assert time.monotonic() < deadline, (csp_violations, caplog.records)
        page.wait_for_timeout(100)
        reports = [record for record in caplog.records if record.name == "hocvuso.web.csp"]
    assert {violation["directive"] for violation in csp_violations} == {"script-src-elem", "style-src-attr"}
    logged = " | ".join(record.getMessage() for record in reports)
    assert "script-src-elem blocked inline on " + live_server.url + "/tien-do/" in logged
    assert "secret" not in logged
    csp_violations.clear()  # caught as it should be: the fixture's own check is for pages that break it by mistake


def test_pages_no_journey_reaches_keep_to_the_policy(page, live_server, territory, make_user) -> None:
    admin = make_user(Role.PROVINCE_ADMIN, territory.province, username="quan.tri", is_staff=True, is_superuser=True)
    sign_in_staff(page, live_server, "quan.tri", TOTPDevice.objects.create(user=admin, name="phone", confirmed=True))
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune, username="can.bo")

    for path in ["/nguoi-dan/yeu-cau-chuyen/", "/nguoi-dan/yeu-cau-chuyen/moi/", "/tai-khoan/ma-kich-hoat/"]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert_accessible(page, path)
    page.goto(live_server.url + "/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(live_server.url + f"/admin/accounts/user/{officer.pk}/change/")
    expect(page.locator("#user_form")).to_be_visible()
    page.get_by_role("link", name=re.compile("Thêm|Add another", re.IGNORECASE)).first.click()  # inline rows (JS)
    page.goto(live_server.url + "/admin/people/resident/?q=068190004321")
    page.goto(live_server.url + "/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()


def test_the_enrolment_page_with_its_qr_code_keeps_to_the_policy(page, live_server, territory, make_user) -> None:
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune, username="can.bo")
    code = issue_enrolment_code(user=officer, issued_by=make_user(Role.PROVINCE_ADMIN, territory.province))

    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("can.bo")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Mã kích hoạt").fill(code.plain_text)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator(".qr svg")).to_be_visible()
    assert_accessible(page, "enrolment QR")
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    page.get_by_label("Mã 6 số").fill(current_code(device))
    page.get_by_role("button", name="Xác nhận").click()

    expect(open_menu(page).get_by_role("button", name="Đăng xuất")).to_be_visible()
