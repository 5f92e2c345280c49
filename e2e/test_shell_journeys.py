"""Acceptance journeys of the UI shell in a real browser on a 360-pixel-wide phone screen."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import PASSWORD

from .browser import assert_accessible, axe_violations, current_code, main_nav, open_menu, screenshot, sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(transactional_db, territory, make_user):
    admin = make_user(Role.PROVINCE_ADMIN, territory.province, username="admin.tinh", full_name="Nguyễn Văn An")
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    return device


def test_staff_signs_in_with_totp_switches_language_and_drills_down(page, live_server, staff) -> None:
    device = staff
    page.goto(live_server.url + "/")
    assert_accessible(page, "public home")
    screenshot(page, "home-public")

    page.get_by_role("link", name="Đăng nhập").first.click()
    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/$"))
    assert_accessible(page, "sign in")
    page.get_by_label("Tên đăng nhập").fill("admin.tinh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Tiếp tục").click()

    expect(page).to_have_url(re.compile(r"/tai-khoan/xac-thuc/$"))
    assert_accessible(page, "second factor")
    page.get_by_label("Mã 6 số").fill(current_code(device))
    page.get_by_role("button", name="Xác nhận").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Nguyễn Văn An")
    assert_accessible(page, "staff home")
    screenshot(page, "home-staff-vi")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Nguyễn Văn An")
    expect(main_nav(page, "Main navigation")).to_be_visible()
    assert_accessible(page, "staff home (English)")
    screenshot(page, "home-staff-en")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    main_nav(page).get_by_role("link", name="Đơn vị hành chính").click()
    expect(page).to_have_url(re.compile(r"/don-vi/68/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lâm Đồng")
    assert_accessible(page, "province")
    screenshot(page, "unit-province")

    page.get_by_role("link", name=re.compile("Xã Quảng Khê")).click()
    expect(page).to_have_url(re.compile(r"/don-vi/24631/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xã Quảng Khê")
    assert_accessible(page, "commune")
    screenshot(page, "unit-commune")

    page.get_by_role("link", name=re.compile("Thôn 1")).click()
    expect(page).to_have_url(re.compile(r"/don-vi/24631\.001/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thôn 1")
    breadcrumb = page.get_by_role("navigation", name="Vị trí đơn vị")
    expect(breadcrumb.get_by_role("link")).to_have_text(["Lâm Đồng", "Xã Quảng Khê"])
    assert_accessible(page, "village")
    screenshot(page, "unit-village")

    open_menu(page).get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("link", name="Đăng nhập").first).to_be_visible()


def test_sign_in_works_with_the_keyboard_alone(page, live_server, transactional_db, make_user) -> None:
    make_user(Role.LEARNER, username="hoc.vien", full_name="K'Brơi")
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")

    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.get_by_label("Tên đăng nhập").focus()
    page.keyboard.type("hoc.vien")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, K'Brơi")
    assert_accessible(page, "learner home")
    screenshot(page, "home-learner")


def test_large_text_option_survives_navigation(page, live_server, transactional_db) -> None:
    page.goto(live_server.url + "/")
    before = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")

    with page.expect_navigation():
        page.get_by_role("button", name="Chữ lớn").click()
    expect(page.locator("html")).to_have_class("large-text")
    expect(page.get_by_role("button", name="Chữ lớn")).to_have_attribute("aria-pressed", "true")
    after = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")

    assert after == pytest.approx(before * 1.25)
    expect(page.locator("html")).to_have_class("large-text")
    assert_accessible(page, "sign in, large text")
    screenshot(page, "sign-in-large-text")


def test_failed_sign_in_is_announced(page, live_server, transactional_db, make_user) -> None:
    make_user(Role.LEARNER, username="hoc.vien")
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")

    page.get_by_label("Tên đăng nhập").fill("hoc.vien")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Tiếp tục").click()

    expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_label("Tên đăng nhập")).to_have_value("hoc.vien")
    assert_accessible(page, "sign in with error")


def test_commune_officer_imports_villages_after_a_dry_run(page, live_server, territory, make_user) -> None:
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune, username="canbo.xa")
    sign_in_staff(page, live_server, "canbo.xa", TOTPDevice.objects.create(user=officer, name="p", confirmed=True))
    page.goto(live_server.url + "/don-vi/24631/")
    page.get_by_role("link", name="Nhập danh sách thôn từ tệp CSV").click()
    assert_accessible(page, "village import")

    bad = "Tên thôn,Loại\n,thôn\nThôn 7,phố\n".encode()
    page.get_by_label("Tệp CSV danh sách thôn").set_input_files(
        files=[{"name": "thon.csv", "mimeType": "text/csv", "buffer": bad}]
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("table")).to_contain_text("Thiếu tên thôn.")
    assert_accessible(page, "village import with errors")
    screenshot(page, "village-import-errors")

    good = "Tên thôn,Loại\nBuôn Mới,buôn\n".encode()
    page.get_by_label("Tệp CSV danh sách thôn").set_input_files(
        files=[{"name": "thon.csv", "mimeType": "text/csv", "buffer": good}]
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    page.get_by_role("button", name="Xác nhận nhập").click()

    expect(page).to_have_url(re.compile(r"/don-vi/24631/$"))
    expect(page.get_by_role("status").first).to_contain_text("Đã nhập 1 thôn mới.")
    expect(page.get_by_role("link", name=re.compile("Buôn Mới"))).to_be_visible()
    assert_accessible(page, "commune after import")


def test_province_admin_filters_the_audit_log(page, live_server, staff) -> None:
    device = staff
    sign_in_staff(page, live_server, "admin.tinh", device)

    main_nav(page).get_by_role("link", name="Nhật ký kiểm toán").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Đăng nhập")  # the action in Vietnamese; its code only in the export
    expect(table).not_to_contain_text("accounts.login")
    page.get_by_text("Bộ lọc", exact=True).click()
    page.get_by_label("Hành động").select_option(label="Đăng nhập")
    page.get_by_role("button", name="Lọc", exact=True).click()

    expect(page).to_have_url(re.compile(r"action=accounts.login"))
    expect(table.locator("tbody tr")).to_have_count(1)
    assert_accessible(page, "audit log")
    screenshot(page, "audit-log")


def test_axe_harness_catches_a_known_violation(page) -> None:
    page.set_content('<html lang="vi"><body><main><img src="data:,"><button></button></main></body></html>')

    assert {violation["id"] for violation in axe_violations(page)} == {"image-alt", "button-name", "document-title"}
