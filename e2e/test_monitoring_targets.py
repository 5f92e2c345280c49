"""Browser journey of the targets page on a 360-pixel-wide phone: a commune officer goes from the commune's
dashboard to its targets, sees where each target comes from, types a target the form refuses (the message next
to the field), then a good one, and finds it inherited by a village; axe finds nothing serious on the way."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hocvuso.accounts.roles import Role
from hocvuso.indicators.models import Target

from .browser import assert_accessible, screenshot, sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADULTS = "#target-adults-digital-skills"


@pytest.fixture
def officer(transactional_db, territory, make_user) -> TOTPDevice:
    user = make_user(Role.COMMUNE_OFFICER, territory.commune, username="can.bo.xa", full_name="Trần Thị Bình")
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_a_commune_officer_sets_the_communes_target(page, live_server, territory, officer) -> None:
    sign_in_staff(page, live_server, "can.bo.xa", officer)
    page.goto(live_server.url + "/theo-doi/don-vi/24631/")
    page.get_by_role("link", name="Mục tiêu của đơn vị").click()

    expect(page).to_have_url(re.compile(r"/theo-doi/chi-tieu/24631/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mục tiêu: Xã Quảng Khê")
    card = page.locator(ADULTS)
    expect(card.locator('[data-target="value"]')).to_have_text("80 %")
    expect(card.locator('[data-target="source"]')).to_contain_text("Mục tiêu chung của kế hoạch")
    assert_accessible(page, "targets page")

    field = card.get_by_label("Mục tiêu mới (%)")
    field.fill("120")
    card.get_by_role("button", name=re.compile("Lưu mục tiêu năm")).click()

    card = page.locator(ADULTS)
    expect(card.locator(".errorlist")).to_have_text("Mục tiêu là tỷ lệ phần trăm, không được lớn hơn 100.")
    expect(card.get_by_label("Mục tiêu mới (%)")).to_have_attribute("aria-invalid", "true")
    assert not Target.objects.filter(unit=territory.commune).exists()
    assert_accessible(page, "targets page with an error")
    screenshot(page, "monitoring-targets-error")

    card.get_by_label("Mục tiêu mới (%)").fill("72,5")
    card.get_by_role("button", name=re.compile("Lưu mục tiêu năm")).click()

    expect(page.get_by_role("status")).to_contain_text("cho Xã Quảng Khê: 72,5 %.")
    card = page.locator(ADULTS)
    expect(card.locator('[data-target="value"]')).to_have_text("72,5 %")
    expect(card.locator('[data-target="source"]')).to_have_text("Mục tiêu riêng của đơn vị này")
    assert_accessible(page, "targets page after a change")
    screenshot(page, "monitoring-targets")

    page.goto(live_server.url + "/theo-doi/chi-tieu/24631.001/")
    card = page.locator(ADULTS)
    expect(card.locator('[data-target="value"]')).to_have_text("72,5 %")
    expect(card.locator('[data-target="source"]')).to_have_text("Theo mục tiêu của Xã Quảng Khê")
    page.get_by_role("navigation", name="Vị trí đơn vị").get_by_role("link", name="Xã Quảng Khê").click()
    expect(page).to_have_url(re.compile(r"/theo-doi/chi-tieu/24631/\?nam=\d{4}$"))
