"""On a phone (390 × 844) the header and the menu take at most a quarter of the first screen: the account and
the navigation fold behind a menu button that opens by keyboard; the page stays accessible, menu open or closed."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import PASSWORD

from .browser import assert_accessible, screenshot, sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
QUARTER = PHONE["height"] // 4  # 211 px


def header_height(page) -> float:
    return page.locator("header.site-header").bounding_box()["height"]


def test_the_phone_header_keeps_to_a_quarter_and_the_menu_opens_by_keyboard(
    page, live_server, transactional_db, territory, make_user
) -> None:
    admin = make_user(Role.PROVINCE_ADMIN, territory.province, username="admin.tinh", full_name="Nguyễn Văn An")
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    page.set_viewport_size(PHONE)
    sign_in_staff(page, live_server, "admin.tinh", device)
    page.goto(live_server.url + "/")

    menu = page.get_by_role("button", name="Trình đơn")
    navigation = page.get_by_role("navigation", name="Điều hướng chính")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(navigation).to_be_hidden()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_hidden()
    assert header_height(page) <= QUARTER, header_height(page)
    assert_accessible(page, "phone home, menu closed")
    screenshot(page, "phone-header-closed")

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(navigation).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Nguyễn Văn An")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(navigation.get_by_role("link", name="Trang chủ")).to_be_focused()
    assert_accessible(page, "phone home, menu open")
    screenshot(page, "phone-header-open")

    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(navigation).to_be_hidden()
    page.keyboard.press("Space")
    expect(navigation.get_by_role("link", name="Nhật ký kiểm toán")).to_be_visible()
    navigation.get_by_role("link", name="Nhật ký kiểm toán").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nhật ký")


def test_without_scripts_the_navigation_stays_open(browser, live_server, transactional_db, territory, make_user):
    """Without JavaScript there is no menu button: the navigation is on the page as before."""
    make_user(Role.LEARNER, username="hoc.vien", full_name="K'Brơi")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/tai-khoan/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill("hoc.vien")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Tiếp tục").click()
        expect(
            page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Khóa học")
        ).to_be_visible()
        expect(page.locator("[data-menu-button]")).to_be_hidden()
    finally:
        context.close()
