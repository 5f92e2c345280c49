"""Sign in with VNeID in Chromium through a real OpenID Connect provider (oidc-provider on node, VNeID's claim
names): someone not in the registry signs in, says where they live, signs out at the provider too; the commune's
officer confirms them into the registry; they sign in again and land in the same account."""

import pytest
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Role
from hocvuso.people.models import DigitalIdentity, EvidenceSource, Resident
from hocvuso.vneid.models import PendingRegistration, RegistrationStatus
from hocvuso.vneid.tests.conftest import start_provider
from hocvuso.vneid.tests.provider import CLIENT_ID, CLIENT_SECRET

from .browser import assert_accessible, open_menu, sign_in_staff
from .conftest import guarded_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def vneid(live_server, settings):
    provider = start_provider(
        redirect_uris=[f"{live_server.url}/tai-khoan/vneid/xong/"],
        post_logout_redirect_uris=[f"{live_server.url}/"],
    )
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_ALLOW_HTTP = True
    settings.OIDC_SCOPES = "openid vneid"
    settings.OIDC_ACR_VALUES = "1 2"
    cache.clear()
    yield provider
    provider.stop()
    cache.clear()


@pytest.fixture
def phone(browser, live_server, vneid, csp_violations):
    """A phone-sized tab that may reach the site and the identity provider, nothing else; every page is held to
    the Content-Security-Policy (the provider's pages send none of theirs)."""
    yield from guarded_tab(browser, live_server, csp_violations, also_allowed=(vneid.issuer, "data:"))


def sign_in_with_vneid(page, live_server, login: str, level: str = "2") -> None:
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.get_by_role("button", name="Đăng nhập bằng VNeID").click()
    page.get_by_label("Tài khoản").fill(login)
    page.get_by_label("Mức").select_option(level)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(open_menu(page).get_by_role("button", name="Đăng xuất")).to_be_visible()


def test_a_resident_signs_in_with_vneid_and_the_commune_confirms_them(phone, live_server, territory, make_user):
    page = phone
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    assert_accessible(page, "sign-in with the VNeID button")

    sign_in_with_vneid(page, live_server, "binh")

    assert page.url == f"{live_server.url}/tai-khoan/"
    expect(page.get_by_text("Bạn chưa có trong sổ dân cư")).to_be_visible()
    user = User.objects.get(full_name="K'Brơi Thị Bình")
    page.get_by_label("Xã, phường nơi bạn đang sống").select_option(label="Xã Quảng Khê")
    page.get_by_role("button", name="Gửi để xã, phường xác nhận").click()
    expect(page.get_by_text("Đã gửi đăng ký tới UBND xã, phường để xác nhận.")).to_be_visible()
    assert_accessible(page, "account with a registration")
    assert PendingRegistration.objects.get(user=user).commune == territory.commune

    # signing out ends the session at the provider too, which sends the browser back home
    open_menu(page).get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("button", name="Đăng xuất VNeID").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Đăng nhập")).to_be_visible()
    assert page.url == f"{live_server.url}/"

    # the commune's officer confirms the registration into a village
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune, username="canbo.xa.vneid")
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    sign_in_staff(page, live_server, officer.username, device)
    page.goto(live_server.url + "/nguoi-dan/dang-ky-vneid/")
    assert_accessible(page, "registrations to confirm")
    page.get_by_role("link", name="K'Brơi Thị Bình").click()
    assert_accessible(page, "one registration")
    page.get_by_label("Thôn, tổ dân phố").select_option(label="Bon Bu Đăng")
    page.get_by_label("Dân tộc").select_option(label="Cơ Ho")
    page.get_by_role("button", name="Xác nhận và ghi vào sổ dân cư").click()
    expect(page.get_by_text("Đã xác nhận và ghi vào sổ dân cư.")).to_be_visible()
    resident = Resident.objects.get(user=user)
    assert (resident.village, resident.full_name) == (territory.village_b, "K'Brơi Thị Bình")
    identity = DigitalIdentity.objects.get(resident=resident)
    assert (identity.vneid_level, identity.vneid_source) == (2, EvidenceSource.VNEID)
    assert PendingRegistration.objects.get(user=user).status == RegistrationStatus.CONFIRMED
    open_menu(page).get_by_role("button", name="Đăng xuất").click()

    # signing in again lands in the same account, now a resident's
    sign_in_with_vneid(page, live_server, "binh", level="1")
    assert page.url == f"{live_server.url}/"
    assert User.objects.filter(full_name="K'Brơi Thị Bình").count() == 1
    page.goto(live_server.url + "/tai-khoan/")
    expect(page.get_by_text("Tài khoản đã liên kết với VNeID")).to_be_visible()
