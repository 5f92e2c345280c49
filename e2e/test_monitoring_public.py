"""Browser journeys of the public progress page and the emulation ranking on a 360-pixel-wide phone: an anonymous
visitor goes from the home page to the public page (no personal data, small counts withheld; axe finds nothing
serious), finds their commune on a 390 × 844 phone among a province's 126 communes in a page at most six screens
tall, and a province administrator opens the ranking from the menu and expands a score's breakdown with
the keyboard alone."""

import re

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hocvuso.accounts.roles import Role
from hocvuso.indicators.services import rebuild_facts
from hocvuso.indicators.tests.conftest import birthday, confirm_literacy, set_vneid
from hocvuso.people.tests.factories import ResidentFactory
from hocvuso.territory.tests import factories as units

from .browser import assert_accessible, main_nav, screenshot, sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 60


@pytest.fixture
def facts(transactional_db, territory) -> list:
    """Thôn 1 and Bon Bu Đăng (Xã Quảng Khê): 16 adults, 7 literate, 8 with VNeID; Thôn 3 (Xã Nhân Cơ): 2 adults, 1
    literate — a commune whose counts the public page must withhold. Facts built today."""
    today = timezone.localdate()
    people = [
        ResidentFactory(village=territory.village, full_name=f"Hồ Thị Mai {index}", birth_date=birthday(30, today))
        for index in range(10)
    ]
    people += [
        ResidentFactory(village=territory.village_b, full_name=f"Y Bhin Niê {index}", birth_date=birthday(40, today))
        for index in range(6)
    ]
    small = [
        ResidentFactory(
            village=territory.other_village, full_name=f"Lò Văn Páo {index}", birth_date=birthday(50, today)
        )
        for index in range(2)
    ]
    for person in people[:5] + people[10:12] + small[:1]:
        confirm_literacy(person)
    for person in people[:8]:
        set_vneid(person, 2)
    rebuild_facts()
    return people + small


def test_an_anonymous_visitor_reads_the_public_progress_page(page, live_server, facts) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Xem tiến độ của tỉnh").click()

    expect(page).to_have_url(re.compile(r"/tien-do/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tiến độ phổ cập kỹ năng số — Lâm Đồng")
    table = page.get_by_role("table", name="Tỷ lệ đạt chỉ tiêu của từng xã, phường, đặc khu")
    quang_khe = table.locator("#xa-24631")
    # 7/16 is withheld with the small commune: the province's 8/18 minus it would give the small one away
    expect(quang_khe.locator('[data-indicator="adults-digital-skills"]')).to_have_text("Không công bố")
    small = table.locator("#xa-24751")
    expect(small.locator('[data-indicator="adults-digital-skills"]')).to_have_text("Không công bố")
    expect(small).not_to_contain_text(re.compile(r"\d"))
    content = page.content()
    assert not any(person.full_name in content for person in facts)
    assert_accessible(page, "public progress")
    screenshot(page, "monitoring-public")


PHONE_390 = {"width": 390, "height": 844}
MAX_SCREENS = 6


def test_a_visitor_finds_their_commune_on_a_phone_among_a_provinces_communes(page, live_server, facts, territory):
    today = timezone.localdate()
    for index in range(124):
        commune = units.commune(territory.province, code=f"29{index:03d}", name=f"Phường Đồng Xoài Số {index:03d}")
        village = units.village(commune, code=f"29{index:03d}.001", name="Tổ dân phố 1")
        for number in range(6):
            ResidentFactory(village=village, full_name=f"Người {index}.{number}", birth_date=birthday(35, today))
    rebuild_facts()
    page.set_viewport_size(PHONE_390)

    response = page.goto(live_server.url + "/tien-do/")

    assert len(response.body()) < 200_000
    expect(page.locator("tbody tr[id^=xa-]")).to_have_count(25)
    expect(page.get_by_text("Trang 1/6")).to_be_visible()
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height <= MAX_SCREENS * PHONE_390["height"], height
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_390["width"]
    assert_accessible(page, "public progress, 126 communes")
    screenshot(page, "monitoring-public-phone")

    page.get_by_label("Tìm xã, phường, đặc khu của bạn").fill("quang khe")
    page.get_by_role("button", name="Tìm", exact=True).click()
    table = page.get_by_role("table", name="Tỷ lệ đạt chỉ tiêu của từng xã, phường, đặc khu")
    expect(table.locator("tbody tr")).to_have_count(1)
    table.get_by_role("link", name="Xã Quảng Khê").click()

    expect(page.get_by_role("heading", level=2, name="Xã của tôi: Xã Quảng Khê")).to_be_visible()
    mine = page.get_by_role("table", name="Tỷ lệ đạt từng chỉ tiêu — Xã Quảng Khê")
    expect(mine.locator("tbody tr")).to_have_count(7)
    assert_accessible(page, "public progress, a commune chosen")
    page.goto(live_server.url + "/tien-do/")  # remembered on this device
    expect(page.get_by_role("heading", level=2, name="Xã của tôi: Xã Quảng Khê")).to_be_visible()
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height <= MAX_SCREENS * PHONE_390["height"], height  # with the chosen commune's table too
    screenshot(page, "monitoring-public-phone-mine")


@pytest.fixture
def admin(transactional_db, territory, make_user) -> TOTPDevice:
    user = make_user(Role.PROVINCE_ADMIN, territory.province, username="admin.tinh", full_name="Nguyễn Văn An")
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_the_province_administrator_expands_a_breakdown_with_the_keyboard(page, live_server, facts, admin) -> None:
    sign_in_staff(page, live_server, "admin.tinh", admin)
    main_nav(page).get_by_role("link", name="Thi đua").click()

    expect(page).to_have_url(re.compile(r"/theo-doi/thi-dua/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xếp hạng thi đua")
    first = page.locator("ol.cards > li").first
    expect(first.get_by_role("heading", level=3)).to_contain_text("Hạng 1/2")
    expect(first.get_by_role("heading", level=3)).to_contain_text("Xã Quảng Khê")
    breakdown = first.get_by_role("table", name="Cách tính điểm của Xã Quảng Khê")
    expect(breakdown).to_be_hidden()
    assert_accessible(page, "ranking")

    # Tab through the page until the first "Cách tính điểm" has the focus, then open it with Enter.
    for _press in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.tagName === 'SUMMARY'"):
            break
    else:
        pytest.fail("the breakdown's summary never got the keyboard focus")
    expect(first.locator("summary")).to_be_focused()
    page.keyboard.press("Enter")

    expect(breakdown).to_be_visible()
    expect(breakdown.locator("tbody tr")).to_have_count(3)  # adults, certified on VNeID, digital identity
    expect(breakdown.locator("tbody tr").first).to_contain_text("43,8% (7/16)")
    score = first.locator(".ranking-score").inner_text()
    expect(first.locator(".ranking-total")).to_have_text(f"Cộng điểm đóng góp: {score}.")
    assert_accessible(page, "ranking with an open breakdown")
    screenshot(page, "monitoring-ranking-breakdown")

    page.keyboard.press("Enter")
    expect(breakdown).to_be_hidden()
