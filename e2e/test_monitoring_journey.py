"""Acceptance journey of the monitoring dashboard: a province administrator signs in with TOTP, drills from the
province to a commune to a village (axe: nothing serious on each page), downloads the XLSX exports, and
LibreOffice (headless, Debian's package) opens them and holds the same numbers as the pages."""

import csv
import os
import re
import shutil
import subprocess
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hocvuso.accounts.roles import Role
from hocvuso.indicators.services import rebuild_facts
from hocvuso.indicators.tests.conftest import birthday, confirm_literacy, set_vneid
from hocvuso.people.tests.factories import ResidentFactory

from .browser import assert_accessible, main_nav, screenshot, sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIGURES = ("value", "target", "gap", "to_reach", "status", "forecast")
# LibreOffice's CSV export: comma, double quote, UTF-8, from line 1, cells as shown, every sheet to its own file.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


@pytest.fixture
def admin(transactional_db, territory, make_user) -> TOTPDevice:
    """The province administrator, and three weeks of facts: adults of Thôn 1 (10) and Bon Bu Đăng (6) learn,
    a few record VNeID level 2."""
    today = timezone.localdate()
    first = [ResidentFactory(village=territory.village, birth_date=birthday(30, today)) for _ in range(10)]
    second = [ResidentFactory(village=territory.village_b, birth_date=birthday(45, today)) for _ in range(6)]
    for person in first[:2]:
        confirm_literacy(person)
    rebuild_facts(on=today - timedelta(days=14))
    for person in first[2:4] + second[:3]:
        confirm_literacy(person)
    rebuild_facts(on=today - timedelta(days=7))
    for person in first[4:7] + second[3:4]:
        confirm_literacy(person)
    for person in first[:3]:
        set_vneid(person, 2)
    rebuild_facts(on=today)
    user = make_user(Role.PROVINCE_ADMIN, territory.province, username="admin.tinh", full_name="Nguyễn Văn An")
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def number(text: str) -> Decimal | None:
    """ "72,2 %" (page, Vietnamese) or "72.2" (CSV) → Decimal("72.2"); "—" or "" → None."""
    cleaned = text.replace("\xa0", " ").replace("%", "").strip()
    if cleaned in ("", "—"):
        return None
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    return Decimal(cleaned)


def figure_texts(scope) -> dict[str, str]:
    """{figure: text} of the [data-figure] elements inside a card or a table row. Read as text content, not as
    rendered text: a card or row far below the screen is not rendered yet (`content-visibility: auto`)."""
    texts = {}
    for name in FIGURES:
        found = scope.locator(f'[data-figure="{name}"]')
        texts[name] = " ".join((found.first.text_content() or "").split()) if found.count() else ""
    return texts


def page_cards(page) -> dict[str, dict[str, str]]:
    cards = page.locator("[data-indicator]")
    return {
        cards.nth(index).get_attribute("data-indicator"): figure_texts(cards.nth(index))
        for index in range(cards.count())
    }


def page_children(page) -> dict[str, dict[str, str]]:
    rows = page.locator("tr[data-child]")
    return {rows.nth(index).get_attribute("data-child"): figure_texts(rows.nth(index)) for index in range(rows.count())}


def open_in_libreoffice(path: Path) -> dict[str, list[dict[str, str]]]:
    """Every sheet of the workbook as LibreOffice reads it: {sheet name: rows as {header: cell}}."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice is missing: run `make browser-deps` (installs Debian's libreoffice-calc-nogui)")
    out = Path(tempfile.mkdtemp(prefix="hocvuso-soffice-"))
    profile = out / "profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(out)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    sheets = {}
    for produced in out.glob(f"{path.stem}-*.csv"):
        with produced.open(encoding="utf-8", newline="") as handle:
            sheets[produced.stem[len(path.stem) + 1 :]] = list(csv.DictReader(handle))
    assert sheets, f"LibreOffice wrote no sheet: {result.stdout} {result.stderr}"
    return sheets


def download(page, directory: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải về tệp Excel (XLSX)").click()
    target = directory / info.value.suggested_filename
    info.value.save_as(target)
    return target


def assert_same(shown: dict[str, str], row: dict[str, str], where: str) -> None:
    """A card or a table row of the page against a row of the spreadsheet, as LibreOffice shows it."""
    assert number(shown["value"]) == number(row["Tỷ lệ đạt (%)"]), where
    assert number(shown["target"]) == number(row["Mục tiêu (%)"]), where
    assert number(shown["gap"]) == number(row["Còn thiếu (điểm %)"]), where
    assert number(shown["to_reach"]) == number(row["Số người cần thêm để đạt"]), where
    assert shown["status"] == row["Tình trạng"], where
    assert (shown["forecast"] or "—") == (row["Dự báo ngày đạt"] or row["Ghi chú dự báo"] or "—"), where


def test_province_admin_drills_down_and_exports_the_same_numbers(page, live_server, admin, tmp_path) -> None:
    sign_in_staff(page, live_server, "admin.tinh", admin)

    main_nav(page).get_by_role("link", name="Theo dõi chỉ tiêu").click()
    expect(page).to_have_url(re.compile(r"/theo-doi/don-vi/68/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lâm Đồng")
    adults = page.locator('[data-indicator="adults-digital-skills"]')
    expect(adults.locator('[data-figure="value"]')).to_have_text("68,8")  # 11 of 16 adults
    expect(adults.locator('[data-figure="to_reach"]')).to_have_text("2")
    page.locator(".trend-chart").first.scroll_into_view_if_needed()  # charts are drawn when they come near
    expect(page.locator(".trend-chart canvas").first).to_be_visible()  # uPlot drew the weekly trend
    expect(page.get_by_role("link", name=re.compile("Xã Quảng Khê.*")).first).to_be_visible()
    assert_accessible(page, "province dashboard")
    screenshot(page, "monitoring-province")
    province_children = page_children(page)
    assert set(province_children) == {"24631", "24751"}
    province_file = download(page, tmp_path)

    page.get_by_role("list").filter(has=page.locator(".tile")).get_by_role(
        "link", name=re.compile("Xã Quảng Khê")
    ).click()
    expect(page).to_have_url(re.compile(r"/theo-doi/don-vi/24631/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xã Quảng Khê")
    assert_accessible(page, "commune dashboard")
    screenshot(page, "monitoring-commune")
    commune_cards = page_cards(page)
    commune_children = page_children(page)
    assert set(commune_children) == {"24631.001", "24631.002"}
    commune_file = download(page, tmp_path)

    page.locator("tr[data-child='24631.001']").get_by_role("link", name="Thôn 1").click()
    expect(page).to_have_url(re.compile(r"/theo-doi/don-vi/24631\.001/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thôn 1")
    breadcrumb = page.get_by_role("navigation", name="Vị trí đơn vị")
    expect(breadcrumb.get_by_role("link")).to_have_text(["Lâm Đồng", "Xã Quảng Khê"])
    expect(page.locator("[data-indicator='adults-digital-skills'] [data-figure='value']")).to_have_text("70,0")
    page.get_by_text("Số liệu theo tuần").first.click()  # the chart's table alternative opens
    expect(page.locator("details.trend-table table").first).to_be_visible()
    assert_accessible(page, "village dashboard")
    screenshot(page, "monitoring-village")
    village_cards = page_cards(page)
    village_file = download(page, tmp_path)

    for path, cards, children in [
        (commune_file, commune_cards, commune_children),
        (village_file, village_cards, {}),
        (province_file, None, province_children),
    ]:
        sheets = open_in_libreoffice(path)
        if cards is not None:
            rows = {row["Mã chỉ tiêu"]: row for row in sheets["Chỉ tiêu"]}
            assert set(rows) == set(cards)
            for code, shown in cards.items():
                assert_same(shown, rows[code], f"{path.name} {code}")
        if children:
            chosen = "adults-digital-skills"  # the table shows the first indicator with figures
            rows = {row["Mã đơn vị"]: row for row in sheets["Đơn vị trực thuộc"] if row["Mã chỉ tiêu"] == chosen}
            assert set(rows) == set(children)
            for code, shown in children.items():
                assert_same(shown, rows[code], f"{path.name} {code}")
        else:
            assert "Đơn vị trực thuộc" not in sheets


def test_phone_dashboard_draws_each_chart_when_it_comes_near(page, live_server, admin) -> None:
    """On a phone the province's page is long: a chart far below the first screen is drawn only when the reader
    scrolls near it (Lighthouse counted drawing them all at once as a third of a second of a busy phone)."""
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_staff(page, live_server, "admin.tinh", admin)
    page.goto(live_server.url + "/theo-doi/don-vi/68/")
    holders = page.locator(".trend-chart")
    count = holders.count()
    assert count >= 2, count
    holders.first.scroll_into_view_if_needed()
    expect(holders.first.locator("canvas")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    last = holders.nth(count - 1)
    assert last.bounding_box()["y"] > 844 + 400  # far below the first screen (charts are drawn 200 px ahead)
    expect(last.locator("canvas")).to_have_count(0)
    last.scroll_into_view_if_needed()
    expect(last.locator("canvas")).to_be_visible()
    assert_accessible(page, "phone province dashboard, scrolled")
