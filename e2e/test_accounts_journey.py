"""Accounts people can get (issue 11), in a real browser: a commune officer makes a resident's account and reads
its one-time code; the resident signs in with it, must choose a password first, and then reaches their pages."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hocvuso.accounts.roles import Role
from hocvuso.people.tests.factories import ResidentFactory

from .browser import assert_accessible, main_nav, screenshot, sign_in_staff
from .conftest import guarded_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learner(browser, live_server, csp_violations):
    """A second guarded tab, with its own cookies: the resident's phone."""
    yield from guarded_tab(browser, live_server, csp_violations)


@pytest.fixture
def officer(transactional_db, territory, make_user):
    user = make_user(Role.COMMUNE_OFFICER, territory.commune, username="can.bo.xa", full_name="Lê Văn Xã")
    ResidentFactory(village=territory.village, full_name="Hoàng Thị Mai")
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_an_officer_makes_an_account_and_the_resident_signs_in_with_the_one_time_code(
    page, learner, live_server, officer
) -> None:
    sign_in_staff(page, live_server, "can.bo.xa", officer)
    page.goto(live_server.url + "/nguoi-dan/?q=Hoang+Thi+Mai")
    page.get_by_role("link", name="Hoàng Thị Mai").first.click()
    page.get_by_role("link", name="Tạo tài khoản").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tạo tài khoản người học cho Hoàng Thị Mai")
    assert_accessible(page, "new resident account")
    page.get_by_role("button", name="Tạo tài khoản").click()

    code = page.locator("[data-one-time-code]").inner_text()
    status = page.get_by_role("status").filter(has_text="Mã đăng nhập một lần").inner_text()
    username = re.search(r"của (\S+):", status).group(1)
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code)
    assert_accessible(page, "one-time code shown")
    screenshot(page, "account-one-time-code")

    learner.goto(live_server.url + "/tai-khoan/dang-nhap/")
    learner.get_by_label("Tên đăng nhập").fill(username)
    learner.get_by_label("Mật khẩu").fill(code)
    learner.get_by_role("button", name="Tiếp tục").click()

    expect(learner).to_have_url(re.compile(r"/tai-khoan/dat-mat-khau/$"))
    expect(learner.get_by_role("heading", level=1)).to_have_text("Đặt mật khẩu")
    assert_accessible(learner, "set password")
    learner.goto(live_server.url + "/khoa-hoc/")
    expect(learner).to_have_url(re.compile(r"/tai-khoan/dat-mat-khau/$"))  # nothing else before a password
    learner.get_by_label("Mật khẩu mới", exact=True).fill("mat-khau-cua-mai")
    learner.get_by_label("Nhập lại mật khẩu mới").fill("mat-khau-cua-mai")
    learner.get_by_role("button", name="Lưu mật khẩu").click()

    expect(learner.get_by_text("Đã lưu mật khẩu mới.")).to_be_visible()
    learner.goto(live_server.url + "/du-lieu-cua-toi/")
    expect(learner.get_by_role("heading", level=1)).to_have_text(re.compile("Dữ liệu của tôi"))
    expect(learner.get_by_role("main").get_by_text("Hoàng Thị Mai").first).to_be_visible()


def test_the_account_pages_are_accessible_and_a_class_gets_its_cards(page, learner, live_server, officer) -> None:
    learner.goto(live_server.url + "/tai-khoan/dang-nhap/")
    learner.get_by_role("link", name="Đăng ký tài khoản người học").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("Đăng ký tài khoản người học")
    assert_accessible(learner, "self-registration")
    learner.get_by_label("Số điện thoại di động").fill("0912345678")
    learner.get_by_label("Họ và tên").fill("Người Tự Đăng Ký")
    learner.get_by_label("Ngày sinh").fill("1990-01-02")
    learner.get_by_label("Mật khẩu", exact=True).fill("mat-khau-dai-1")
    learner.get_by_label("Nhập lại mật khẩu").fill("mat-khau-dai-1")
    learner.get_by_role("button", name="Đăng ký").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("Đã nhận đăng ký")
    assert_accessible(learner, "registration received")
    learner.goto(live_server.url + "/tai-khoan/quen-mat-khau/")
    assert_accessible(learner, "password reset")

    sign_in_staff(page, live_server, "can.bo.xa", officer)
    main_nav(page).get_by_role("link", name="Tài khoản").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản")
    assert_accessible(page, "account list")
    expect(page.get_by_role("link", name="can.bo.xa")).to_have_count(0)  # their own account is not theirs to manage
    page.get_by_role("link", name="Tạo tài khoản cán bộ").click()
    assert_accessible(page, "new staff account")

    page.goto(live_server.url + "/tai-khoan/lop/24631/")
    assert_accessible(page, "class accounts")
    page.get_by_label(re.compile("Hoàng Thị Mai")).check()
    page.get_by_role("button", name="Tạo tài khoản và in phiếu").click()
    expect(page.locator(".sign-in-card")).to_have_count(1)
    expect(page.locator(".sign-in-card [data-one-time-code]")).to_have_text(re.compile(r"^[0-9A-Z]{5}-[0-9A-Z]{5}$"))
    assert_accessible(page, "sign-in cards")
    screenshot(page, "account-sign-in-cards")
