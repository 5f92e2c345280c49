"""The monitoring dashboards (hocvuso/web/monitoring/): who may see them, the figures they show (equal to the
dashboard selectors'), the drill-down, the XLSX export (the page's numbers, formulas neutralised), pinned query
counts that do not grow with the number of children, and hostile URLs answering 404."""

import dataclasses
import html
import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone, translation
from openpyxl import load_workbook

from hocvuso.accounts.roles import Role
from hocvuso.indicators.models import DirtyUnit, Indicator, Target
from hocvuso.indicators.selectors import Figure, organisation_dashboard, unit_dashboard
from hocvuso.indicators.services import rebuild_facts, refresh_facts
from hocvuso.indicators.tests.conftest import confirm_literacy, resident
from hocvuso.people.models import Membership
from hocvuso.people.tests.factories import OrganisationFactory, ResidentFactory
from hocvuso.territory.tests import factories as units
from hocvuso.web.monitoring.display import show

pytestmark = pytest.mark.django_db
__all__ = ["resident"]  # a fixture of the monitoring tests

ADULTS = "adults-digital-skills"
WORKER_NEEDED = override_settings(CELERY_TASK_ALWAYS_EAGER=False)  # as in production: pages never compute

STATUS_TEXT = {
    "met": "Đạt mục tiêu",
    "on_track": "Đúng tiến độ",
    "at_risk": "Có nguy cơ chậm",
    "off_track": "Chậm tiến độ",
    "no_target": "Chưa có mục tiêu",
    "no_data": "Chưa có số liệu",
    "no_source": "Chưa có nguồn số liệu",
    "not_applicable": "Không áp dụng",
}


class History:
    """Adults: Thôn 1 (24631.001) 10, Bon Bu Đăng (24631.002) 6, Thôn 3 (24751.001) 2. Literate adults: 2/0/0
    two weeks ago, 4/3/0 a week ago, 6/6/1 today; facts built on each of the three days."""

    def __init__(self, territory: Any, resident: Callable[..., Any]) -> None:
        self.territory = territory
        self.today = timezone.localdate()
        self.v1a = [resident(territory.village, age=30) for _ in range(10)]
        self.v1b = [resident(territory.village_b, age=40) for _ in range(6)]
        self.v2a = [resident(territory.other_village, age=50) for _ in range(2)]
        for person in self.v1a[:2]:
            confirm_literacy(person)
        rebuild_facts(on=self.today - timedelta(days=14))
        for person in self.v1a[2:4] + self.v1b[:3]:
            confirm_literacy(person)
        rebuild_facts(on=self.today - timedelta(days=7))
        for person in self.v1a[4:6] + self.v1b[3:] + self.v2a[:1]:
            confirm_literacy(person)
        rebuild_facts(on=self.today)


@pytest.fixture
def history(territory: Any, resident: Callable[..., Any]) -> History:
    return History(territory, resident)


# --- reading the page ---------------------------------------------------------------------------------------


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _figures(chunk: str) -> dict[str, str]:
    found = {}
    for match in re.finditer(r'data-figure="(\w+)"[^>]*>(.*?)</(?:span|td|dd)>', chunk, re.S):
        found.setdefault(match.group(1), _text(match.group(2)))
    return found


def cards(body: str) -> dict[str, dict[str, str]]:
    """{indicator code: {figure: text}} of the indicator cards (and the list of indicators without a source)."""
    parts = re.split(r'data-indicator="([^"]+)"', body)
    return {code: _figures(chunk.split("</li>")[0]) for code, chunk in zip(parts[1::2], parts[2::2], strict=True)}


def children(body: str) -> dict[str, dict[str, str]]:
    """{child code: {figure: text}} of the children's table."""
    parts = re.split(r'data-child="([^"]+)"', body)
    return {code: _figures(chunk.split("</tr>")[0]) for code, chunk in zip(parts[1::2], parts[2::2], strict=True)}


def number(text: str | None) -> Decimal | None:
    """ "72,2 %" → Decimal("72.2"), "1.234" → 1234 (Vietnamese separators); "—" or nothing → None."""
    cleaned = (text or "").replace("%", "").replace("\xa0", " ").strip()
    if cleaned in ("", "—"):
        return None
    return Decimal(cleaned.replace(".", "").replace(",", "."))


def assert_shows(shown: dict[str, str], figure: Figure, where: str) -> None:
    """The page's texts for a figure against the selector's figure (one decimal, half up); a count shows its
    numerator and no percentage."""
    if figure.indicator.measure == "count":
        assert (number(shown.get("count")), shown.get("value")) == (figure.numerator, None), where
        assert shown["status"] == STATUS_TEXT[figure.status], f"{where} status"
        return
    for name in ("value", "target", "gap"):
        expected = getattr(figure, name)
        if expected is None:
            assert number(shown.get(name)) is None, f"{where} {name}"
        else:
            assert abs(number(shown[name]) - Decimal(repr(expected))) <= Decimal("0.05"), f"{where} {name}"
    assert number(shown.get("to_reach")) == figure.to_reach, f"{where} to_reach"
    assert shown["status"] == STATUS_TEXT[figure.status], f"{where} status"
    if figure.forecast is not None:
        assert shown["forecast"] == figure.forecast.strftime("%d/%m/%Y"), f"{where} forecast"


def sheet_rows(data: bytes, title: str) -> list[dict[str, Any]]:
    workbook = load_workbook(io.BytesIO(data))
    rows = list(workbook[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# --- access -------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, territory: Any) -> None:
    for url in ["/theo-doi/", "/theo-doi/don-vi/68/", "/theo-doi/don-vi/68/xuat.xlsx", "/theo-doi/co-quan/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/tai-khoan/dang-nhap/"), url


def test_a_role_without_progress_is_refused(client: Client, territory: Any, make_user: Callable[..., Any]) -> None:
    client.force_login(make_user(Role.LEARNER, territory.province))

    for url in ["/theo-doi/", "/theo-doi/don-vi/68/", "/theo-doi/don-vi/68/xuat.xlsx", "/theo-doi/co-quan/"]:
        assert client.get(url).status_code == 404, url


def test_staff_see_their_subtree_and_nothing_outside_it(history: History, client: Client, commune_officer: Any) -> None:
    client.force_login(commune_officer)

    for code in ["24631", "24631.001", "24631.002"]:
        assert client.get(f"/theo-doi/don-vi/{code}/").status_code == 200, code
        assert client.get(f"/theo-doi/don-vi/{code}/xuat.xlsx").status_code == 200, code
    for code in ["68", "24751", "24751.001", "00004"]:
        response = client.get(f"/theo-doi/don-vi/{code}/")
        assert response.status_code == 404, code
        assert client.get(f"/theo-doi/don-vi/{code}/xuat.xlsx").status_code == 404, code
        assert "Xã Nhân Cơ" not in response.content.decode()


def test_monitoring_start_sends_each_role_to_its_own_dashboard(
    client: Client, territory: Any, province_admin: Any, commune_officer: Any, make_user: Callable[..., Any]
) -> None:
    school = OrganisationFactory(code="THPT-1", name="Trường THPT Chu Văn An", kind="school", unit=territory.commune)
    firm = OrganisationFactory(code="DN-1", name="Công ty Cà phê", kind="enterprise", unit=territory.other_commune)
    one = make_user(Role.AGENCY_OFFICER, organisation=school)
    two = make_user(Role.AGENCY_OFFICER, organisation=school)
    from hocvuso.accounts.tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(user=two, role=Role.AGENCY_OFFICER, organisation=firm)
    member = make_user(Role.TEAM_MEMBER, territory.village)

    expected = [
        (province_admin, "/theo-doi/don-vi/68/"),
        (commune_officer, "/theo-doi/don-vi/24631/"),
        (member, "/theo-doi/don-vi/24631.001/"),
        (one, "/theo-doi/co-quan/THPT-1/"),
        (two, "/theo-doi/co-quan/"),
    ]
    for user, location in expected:
        client.force_login(user)
        response = client.get("/theo-doi/")
        assert (response.status_code, response["Location"]) == (302, location), user.username


def test_an_agency_officer_follows_only_their_organisation(
    client: Client, territory: Any, make_user: Callable[..., Any]
) -> None:
    school = OrganisationFactory(code="THPT-1", name="Trường THPT Chu Văn An", kind="school", unit=territory.commune)
    firm = OrganisationFactory(code="DN-1", name="Công ty Cà phê", kind="enterprise", unit=territory.commune)
    client.force_login(make_user(Role.AGENCY_OFFICER, organisation=school))

    assert client.get("/theo-doi/co-quan/THPT-1/").status_code == 200
    assert client.get("/theo-doi/co-quan/THPT-1/xuat.xlsx").status_code == 200
    for url in ["/theo-doi/co-quan/DN-1/", "/theo-doi/co-quan/DN-1/xuat.xlsx", "/theo-doi/don-vi/24631/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert firm.name not in response.content.decode()


# --- what the unit page shows -------------------------------------------------------------------------------


def test_the_province_page_shows_the_selectors_figures(history: History, client: Client, province_admin: Any) -> None:
    client.force_login(province_admin)

    response = client.get("/theo-doi/don-vi/68/")

    assert response.status_code == 200
    body = response.content.decode()
    shown = cards(body)
    dashboard = unit_dashboard(user=province_admin, unit=history.territory.province)
    # the measured indicators in their order, then those whose source is not built yet
    measured = [info.code for info in dashboard.indicators if info.computable]
    assert list(shown) == measured + [info.code for info in dashboard.indicators if not info.computable]
    for figure in dashboard.unit.figures:
        assert_shows(shown[figure.indicator.code], figure, figure.indicator.code)
    adults = shown[ADULTS]
    assert (adults["value"], adults["target"], adults["gap"], adults["to_reach"]) == ("72,2", "80", "7,8", "2")
    assert adults["status"] in ("Đúng tiến độ", "Có nguy cơ chậm")  # depends on how near the year's end today is
    assert "13/18 người" in body
    # Issue 13 built the weekly classes, Gia đình số, Chợ số 4T and events: no indicator is left without a source.
    assert [code for code, card in shown.items() if card == {"status": "Chưa có nguồn số liệu"}] == []
    identity = shown["digital-identity"]
    assert (identity["value"], identity["status"], identity["forecast"]) == (
        "0,0",
        "Chậm tiến độ",
        "Không đạt với tốc độ hiện nay",
    )
    assert "Số liệu tính đến" in body
    assert 'id="trend-unit-adults-digital-skills"' in body  # the chart's data, with its table alternative
    assert "Số liệu theo tuần" in body
    assert "/static/vendor/uplot/uPlot.iife.min.js" in body


def test_the_children_table_and_tiles_link_down_with_the_same_figures(
    history: History, client: Client, province_admin: Any
) -> None:
    client.force_login(province_admin)

    body = client.get("/theo-doi/don-vi/68/").content.decode()

    dashboard = unit_dashboard(user=province_admin, unit=history.territory.province)
    rows = children(body)
    assert list(rows) == ["24631", "24751"]
    for child in dashboard.children:
        figure = child.figure(ADULTS)
        assert figure is not None
        assert_shows(rows[child.place.code], figure, child.place.code)
    assert (rows["24631"]["value"], rows["24631"]["to_reach"]) == ("75,0 %", "1")
    assert (rows["24751"]["value"], rows["24751"]["to_reach"]) == ("50,0 %", "1")
    tiles = re.findall(r'<a class="tile tile-(\w+)" href="([^"]+)">(.*?)</a>', body, re.S)
    assert [(href, _text(text)) for _band, href, text in tiles] == [
        ("/theo-doi/don-vi/24631/", f"Xã Quảng Khê 75,0 % {STATUS_TEXT[dashboard.children[0].figure(ADULTS).status]}"),  # type: ignore[union-attr]
        ("/theo-doi/don-vi/24751/", f"Xã Nhân Cơ 50,0 % {STATUS_TEXT[dashboard.children[1].figure(ADULTS).status]}"),  # type: ignore[union-attr]
    ]
    assert 'aria-current="page">Người dân trong độ tuổi trưởng thành có kỹ năng số</a>' in body


def test_another_indicator_can_be_chosen_for_the_children(
    history: History, client: Client, province_admin: Any
) -> None:
    client.force_login(province_admin)

    chosen = children(client.get("/theo-doi/don-vi/68/?chi-tieu=digital-identity").content.decode())
    unknown = children(client.get("/theo-doi/don-vi/68/?chi-tieu=%3Cscript%3E").content.decode())

    assert {code: row["value"] for code, row in chosen.items()} == {"24631": "0,0 %", "24751": "0,0 %"}
    assert {code: row["to_reach"] for code, row in chosen.items()} == {"24631": "16", "24751": "2"}
    assert {code: row["value"] for code, row in unknown.items()} == {"24631": "75,0 %", "24751": "50,0 %"}


def test_the_commune_drills_down_to_villages_and_the_village_back_up(
    history: History, client: Client, province_admin: Any
) -> None:
    client.force_login(province_admin)

    commune = client.get("/theo-doi/don-vi/24631/").content.decode()
    village = client.get("/theo-doi/don-vi/24631.002/").content.decode()

    rows = children(commune)
    assert list(rows) == ["24631.001", "24631.002"]
    assert (rows["24631.001"]["value"], rows["24631.002"]["value"]) == ("60,0 %", "100,0 %")
    assert rows["24631.002"]["status"] == "Đạt mục tiêu"
    assert rows["24631.002"]["forecast"] == "Đã đạt mục tiêu"
    assert 'href="/theo-doi/don-vi/24631.001/"' in commune
    assert '<a href="/theo-doi/don-vi/68/">Lâm Đồng</a>' in commune
    assert children(village) == {}
    assert '<a href="/theo-doi/don-vi/24631/">Xã Quảng Khê</a>' in village
    assert cards(village)[ADULTS]["value"] == "100,0"
    assert "staff-digital-skills" not in cards(village)  # applies to communes and above only


def test_a_commune_officer_sees_the_province_unlinked_in_the_breadcrumb(
    history: History, client: Client, commune_officer: Any
) -> None:
    client.force_login(commune_officer)

    body = client.get("/theo-doi/don-vi/24631.001/").content.decode()

    assert "<span>Lâm Đồng</span>" in body
    assert 'href="/theo-doi/don-vi/68/"' not in body
    assert '<a href="/theo-doi/don-vi/24631/">Xã Quảng Khê</a>' in body


def test_a_unit_target_override_shows_on_the_page(history: History, client: Client, province_admin: Any) -> None:
    Target.objects.create(
        indicator=Indicator.objects.get(code=ADULTS), year=history.today.year, unit=history.territory.commune, value=60
    )
    client.force_login(province_admin)

    rows = children(client.get("/theo-doi/don-vi/68/").content.decode())

    commune = rows["24631"]
    assert (commune["target"], commune["status"], commune["to_reach"]) == ("60 %", "Đạt mục tiêu", "0")
    assert rows["24751"]["target"] == "80 %"


def test_the_page_only_reads_a_change_follows_with_the_next_refresh_not_the_request(
    history: History, client: Client, province_admin: Any
) -> None:
    client.force_login(province_admin)
    confirm_literacy(history.v2a[1])  # queued by the database triggers; no worker runs in tests

    before = children(client.get("/theo-doi/don-vi/68/").content.decode())
    assert DirtyUnit.objects.exists()  # the request refreshed nothing, even with tasks run in the web process
    refresh_facts()  # what the worker, or without Redis the web process's refresher thread, runs
    after = children(client.get("/theo-doi/don-vi/68/").content.decode())

    assert before["24751"]["value"] == "50,0 %"
    assert after["24751"]["value"] == "100,0 %"


def test_the_cards_are_drawn_afresh_when_their_figures_change_and_in_each_language(
    history: History, client: Client, province_admin: Any
) -> None:
    """The cards are kept between requests (display.cards_html), keyed by what they show: a refresh's new
    facts, a new target and another language each draw the card afresh; a request between them changes nothing."""
    client.force_login(province_admin)

    def adults() -> tuple[dict[str, str], str]:
        body = client.get("/theo-doi/don-vi/68/").content.decode()
        return cards(body)[ADULTS], body.split(f'data-indicator="{ADULTS}"')[1].split("</li>")[0]

    first, first_card = adults()
    again, again_card = adults()
    assert (first["value"], first["target"]) == (again["value"], again["target"]) == ("72,2", "80")
    assert again_card == first_card
    assert "72,2&nbsp;%" in first_card  # the trend table's last week

    confirm_literacy(history.v2a[1])
    assert adults()[0]["value"] == "72,2"  # not refreshed yet: the same facts
    refresh_facts()
    refreshed, refreshed_card = adults()
    assert refreshed["value"] == "77,8"  # 14/18
    assert "77,8&nbsp;%" in refreshed_card and "14/18" in refreshed_card

    Target.objects.create(
        indicator=Indicator.objects.get(code=ADULTS), year=history.today.year, unit=history.territory.province, value=90
    )
    targeted, _card = adults()
    assert (targeted["value"], targeted["target"], targeted["gap"]) == ("77,8", "90", "12,2")

    client.cookies["django_language"] = "en"
    english, english_card = adults()
    assert (english["value"], english["target"]) == ("77.8", "90")
    assert "Weekly figures" in english_card
    client.cookies["django_language"] = "vi"
    assert adults()[0]["value"] == "77,8"


def test_a_figure_is_shown_once_per_language_and_an_equal_figure_is_shown_afresh(
    history: History, province_admin: Any
) -> None:
    """display.show keeps what it made for a figure object and a language (the selector keeps its figures while
    the facts and targets stay the same): the same figure is the same Shown; another language, or another
    figure object, is shown afresh."""
    dashboard = unit_dashboard(user=province_admin, unit=history.territory.province)
    figure = dashboard.unit.figure(ADULTS)
    assert figure is not None

    vietnamese = show(figure)
    assert show(figure) is vietnamese and vietnamese.value_text == "72,2"
    with translation.override("en"):
        english = show(figure)
        assert show(figure) is english
    assert english is not vietnamese and english.value_text == "72.2"
    assert english.status_label != vietnamese.status_label
    lowered = dataclasses.replace(figure, value=50.0)
    assert show(lowered).value_text == "50,0" and show(figure) is vietnamese


def test_a_merged_village_shows_the_village_that_absorbed_it(
    history: History, client: Client, province_admin: Any
) -> None:
    from hocvuso.territory.services import merge_units

    merge_units(
        units=[history.territory.village_b], into=history.territory.village, effective=history.today, actor=None
    )
    rebuild_facts(on=history.today)
    client.force_login(province_admin)

    body = client.get("/theo-doi/don-vi/24631.002/").content.decode()

    assert "<h1>Thôn 1</h1>" in body
    assert "Bon Bu Đăng đã sáp nhập" in body
    assert cards(body)[ADULTS]["value"] == "75,0"  # 12 of 16


# --- the organisation dashboard -----------------------------------------------------------------------------


@pytest.fixture
def school(territory: Any, resident: Callable[..., Any]) -> Any:
    """A school of Xã Quảng Khê with 4 students (1 literate) and 2 staff (none yet); facts built today."""
    school = OrganisationFactory(code="THPT-1", name="Trường THPT Chu Văn An", kind="school", unit=territory.commune)
    students = [resident(territory.village, age=16) for _ in range(4)]
    staff = [resident(territory.village, age=35) for _ in range(2)]
    for person in students:
        Membership.objects.create(resident=person, organisation=school, kind="student", valid_from=date(2024, 9, 5))
    for person in staff:
        Membership.objects.create(resident=person, organisation=school, kind="staff", valid_from=date(2020, 1, 1))
    confirm_literacy(students[0], "students")
    rebuild_facts(on=timezone.localdate())
    return school


def test_the_organisation_page_shows_the_selectors_figures(
    school: Any, client: Client, territory: Any, make_user: Callable[..., Any]
) -> None:
    officer = make_user(Role.AGENCY_OFFICER, organisation=school)
    client.force_login(officer)

    body = client.get("/theo-doi/co-quan/THPT-1/").content.decode()

    shown = cards(body)
    dashboard = organisation_dashboard(user=officer, organisation=school)
    assert list(shown) == ["staff-digital-skills", "students-digital-skills", "workers-digital-skills"]
    for figure in dashboard.rows[0].figures:
        assert_shows(shown[figure.indicator.code], figure, figure.indicator.code)
    assert (shown["students-digital-skills"]["value"], shown["students-digital-skills"]["to_reach"]) == ("25,0", "3")
    assert (shown["staff-digital-skills"]["value"], shown["staff-digital-skills"]["to_reach"]) == ("0,0", "2")
    assert shown["workers-digital-skills"]["status"] == "Chưa có số liệu"
    assert "Trường trung học" in body
    assert 'href="/theo-doi/don-vi/24631/"' not in body  # the officer follows the school, not the commune


def test_the_organisation_list_links_each_organisation(school: Any, client: Client, province_admin: Any) -> None:
    client.force_login(province_admin)

    body = client.get("/theo-doi/co-quan/").content.decode()

    assert 'href="/theo-doi/co-quan/THPT-1/"' in body
    assert "25,0&nbsp;%" in body


def test_an_organisation_without_facts_shows_no_data(
    territory: Any, client: Client, province_admin: Any, make_user: Callable[..., Any]
) -> None:
    OrganisationFactory(code="HTX-1", name="HTX Nông nghiệp", kind="cooperative", unit=territory.commune)
    client.force_login(province_admin)

    shown = cards(client.get("/theo-doi/co-quan/HTX-1/").content.decode())

    assert {code: figures["status"] for code, figures in shown.items()} == {
        "staff-digital-skills": "Chưa có số liệu",
        "students-digital-skills": "Chưa có số liệu",
        "workers-digital-skills": "Chưa có số liệu",
    }


# --- the XLSX export ----------------------------------------------------------------------------------------


def test_the_export_holds_the_pages_numbers(history: History, client: Client, province_admin: Any) -> None:
    client.force_login(province_admin)
    body = client.get("/theo-doi/don-vi/68/").content.decode()

    response = client.get("/theo-doi/don-vi/68/xuat.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="theo-doi-68-{history.today.isoformat()}.xlsx"'
    data = response.content
    assert load_workbook(io.BytesIO(data)).sheetnames == [
        "Chỉ tiêu",
        "Đơn vị trực thuộc",
        "Xu hướng theo tuần",
        "Thông tin",
    ]
    indicators = {row["Mã chỉ tiêu"]: row for row in sheet_rows(data, "Chỉ tiêu")}
    assert set(indicators) == set(cards(body))  # the page puts the indicators without a source last
    for code, shown in cards(body).items():
        row = indicators[code]
        assert number(shown.get("value")) == (
            Decimal(str(row["Tỷ lệ đạt (%)"])) if row["Tỷ lệ đạt (%)"] is not None else None
        )
        assert number(shown.get("to_reach")) == row["Số người cần thêm để đạt"]
        assert shown["status"] == row["Tình trạng"]
    adults = indicators[ADULTS]
    assert (adults["Tỷ lệ đạt (%)"], adults["Mục tiêu (%)"], adults["Còn thiếu (điểm %)"]) == (72.2, 80, 7.8)
    assert (adults["Số người đã đạt"], adults["Tổng số người"], adults["Số người chưa đạt"]) == (13, 18, 5)
    children_rows = [row for row in sheet_rows(data, "Đơn vị trực thuộc") if row["Mã chỉ tiêu"] == ADULTS]
    for row in children_rows:
        shown = children(body)[row["Mã đơn vị"]]
        assert number(shown["value"]) == Decimal(str(row["Tỷ lệ đạt (%)"]))
        assert number(shown["to_reach"]) == row["Số người cần thêm để đạt"]
        assert shown["status"] == row["Tình trạng"]
    assert [row["Mã đơn vị"] for row in children_rows] == ["24631", "24751"]
    trend = {row["Mã chỉ tiêu"]: row for row in sheet_rows(data, "Xu hướng theo tuần")}
    assert list(trend[ADULTS].values())[-3:] == [11.1, 38.9, 72.2]
    about = {row["Mục"]: row["Giá trị"] for row in sheet_rows(data, "Thông tin")}
    assert (about["Đơn vị"], about["Mã đơn vị"]) == ("Lâm Đồng", "68")


def test_the_export_neutralises_formulas_in_names(history: History, client: Client, province_admin: Any) -> None:
    hostile = units.village(history.territory.commune, code="24631.009", name='=HYPERLINK("http://x.invalid","Bấm")')
    ResidentFactory(village=hostile, birth_date=history.today.replace(year=history.today.year - 30))
    rebuild_facts(on=history.today)
    client.force_login(province_admin)

    data = client.get("/theo-doi/don-vi/24631/xuat.xlsx").content

    workbook = load_workbook(io.BytesIO(data))
    cells = [row for row in workbook["Đơn vị trực thuộc"].iter_rows() if row[0].value == "24631.009"]
    assert cells, "the village is exported"
    for row in cells:
        assert row[1].value == '\'=HYPERLINK("http://x.invalid","Bấm")'
        assert row[1].data_type == "s"
    formulas = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []


def test_the_organisation_export_holds_the_pages_numbers(school: Any, client: Client, province_admin: Any) -> None:
    client.force_login(province_admin)
    shown = cards(client.get("/theo-doi/co-quan/THPT-1/").content.decode())

    data = client.get("/theo-doi/co-quan/THPT-1/xuat.xlsx").content

    rows = {row["Mã chỉ tiêu"]: row for row in sheet_rows(data, "Chỉ tiêu")}
    assert list(rows) == list(shown)
    assert (
        rows["students-digital-skills"]["Tỷ lệ đạt (%)"],
        rows["students-digital-skills"]["Số người cần thêm để đạt"],
    ) == (25, 3)
    for code, figures in shown.items():
        assert figures["status"] == rows[code]["Tình trạng"]
    about = {row["Mục"]: row["Giá trị"] for row in sheet_rows(data, "Thông tin")}
    assert about["Mã cơ quan, tổ chức"] == "THPT-1"


# --- pinned query counts ------------------------------------------------------------------------------------


def _grow_province(territory: Any, count: int) -> None:
    """More communes, each with a village and an adult, and the facts rebuilt."""
    today = timezone.localdate()
    for index in range(count):
        commune = units.commune(territory.province, code=f"2480{index}", name=f"Xã Thử {index}")
        village = units.village(commune, code=f"2480{index}.001", name=f"Thôn Thử {index}")
        ResidentFactory(village=village, birth_date=today.replace(year=today.year - 30))
    rebuild_facts(on=today)


def _grow_commune(territory: Any, count: int) -> None:
    today = timezone.localdate()
    for index in range(count):
        village = units.village(territory.commune, code=f"24631.1{index:02d}", name=f"Thôn Mới {index}")
        ResidentFactory(village=village, birth_date=today.replace(year=today.year - 30))
    rebuild_facts(on=today)


# session, user, the session's second-factor device, roles, the unit (access), freshness, indicators, targets, facts,
# breadcrumb
UNIT_PAGE_QUERIES = 10


@WORKER_NEEDED
@pytest.mark.parametrize("code", ["68", "24631", "24631.001"])
def test_the_unit_dashboard_takes_a_fixed_number_of_queries(
    code: str, history: History, client: Client, province_admin: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(province_admin)
    with django_assert_num_queries(UNIT_PAGE_QUERIES):
        assert client.get(f"/theo-doi/don-vi/{code}/").status_code == 200
    # the same facts (no refresh since): read once per refresh in a process, not once per request
    with django_assert_num_queries(UNIT_PAGE_QUERIES - 1):
        assert client.get(f"/theo-doi/don-vi/{code}/xuat.xlsx").status_code == 200
    with django_assert_num_queries(UNIT_PAGE_QUERIES - 1):
        assert client.get(f"/theo-doi/don-vi/{code}/").status_code == 200
    rebuild_facts(on=history.today)
    with django_assert_num_queries(UNIT_PAGE_QUERIES):
        assert client.get(f"/theo-doi/don-vi/{code}/xuat.xlsx").status_code == 200


@WORKER_NEEDED
def test_the_query_count_does_not_grow_with_the_children(
    history: History, client: Client, province_admin: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(province_admin)
    _grow_province(history.territory, 6)
    _grow_commune(history.territory, 6)

    with django_assert_num_queries(UNIT_PAGE_QUERIES):
        province = client.get("/theo-doi/don-vi/68/")
    with django_assert_num_queries(UNIT_PAGE_QUERIES):
        commune = client.get("/theo-doi/don-vi/24631/")

    assert len(children(province.content.decode())) == 8
    assert len(children(commune.content.decode())) == 8


# session, user, the session's second-factor device, roles, the organisation with its unit (the scope is decided from
# it), freshness, indicators, targets, facts
ORGANISATION_PAGE_QUERIES = 9
# session, user, the session's second-factor device, roles, freshness, indicators, targets, facts
ORGANISATION_LIST_QUERIES = 8


@WORKER_NEEDED
def test_the_organisation_dashboards_take_a_fixed_number_of_queries(
    school: Any, territory: Any, client: Client, province_admin: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(province_admin)
    with django_assert_num_queries(ORGANISATION_PAGE_QUERIES):
        assert client.get("/theo-doi/co-quan/THPT-1/").status_code == 200
    with django_assert_num_queries(ORGANISATION_PAGE_QUERIES):
        assert client.get("/theo-doi/co-quan/THPT-1/xuat.xlsx").status_code == 200
    with django_assert_num_queries(ORGANISATION_LIST_QUERIES):
        assert client.get("/theo-doi/co-quan/").status_code == 200

    for index in range(5):
        firm = OrganisationFactory(
            code=f"DN-{index}", name=f"Công ty {index}", kind="enterprise", unit=territory.commune
        )
        worker = ResidentFactory(village=territory.village)
        Membership.objects.create(resident=worker, organisation=firm, kind="worker", valid_from=date(2024, 1, 1))
    rebuild_facts(on=timezone.localdate())

    with django_assert_num_queries(ORGANISATION_LIST_QUERIES):
        listing = client.get("/theo-doi/co-quan/")
    assert listing.content.decode().count('data-organisation="') == 6


# --- hostile input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "99",
        "no-such-unit",
        "68%00",
        "%00",
        "6" * 500,
        "..",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "68'--",
        "Lâm Đồng",
        "24631.001%0A",
        "00004",
    ],
)
def test_hostile_unit_codes_are_not_found(code: str, history: History, client: Client, province_admin: Any) -> None:
    client.force_login(province_admin)

    expected = 400 if "%00" in code else 404  # a NUL character is refused before any view (core middleware)
    assert client.get(f"/theo-doi/don-vi/{code}/").status_code == expected
    assert client.get(f"/theo-doi/don-vi/{code}/xuat.xlsx").status_code == expected


@pytest.mark.parametrize("code", ["24631.001", "68", "%00", "x" * 41, "THPT-1%0A", "%E2%80%AE", "NO-SUCH"])
def test_hostile_organisation_codes_are_not_found(code: str, school: Any, client: Client, province_admin: Any) -> None:
    client.force_login(province_admin)

    expected = 400 if "%00" in code else 404  # a NUL character is refused before any view (core middleware)
    assert client.get(f"/theo-doi/co-quan/{code}/").status_code == expected
    assert client.get(f"/theo-doi/co-quan/{code}/xuat.xlsx").status_code == expected


def test_a_village_officer_cannot_climb_to_the_commune_or_a_sibling_village(
    history: History, client: Client, make_user: Callable[..., Any]
) -> None:
    client.force_login(make_user(Role.TEAM_MEMBER, history.territory.village))

    assert client.get("/theo-doi/don-vi/24631.001/").status_code == 200
    for code in ["24631", "24631.002", "68"]:
        assert client.get(f"/theo-doi/don-vi/{code}/").status_code == 404, code


# --- navigation ---------------------------------------------------------------------------------------------


def test_the_navigation_and_the_unit_page_lead_to_the_dashboard(
    territory: Any, client: Client, commune_officer: Any, make_user: Callable[..., Any]
) -> None:
    client.force_login(commune_officer)
    unit_page = client.get("/don-vi/24631/").content.decode()
    dashboard = client.get("/theo-doi/don-vi/24631/").content.decode()

    assert '<a href="/theo-doi/" aria-current="page">Theo dõi chỉ tiêu</a>' in dashboard
    assert 'href="/theo-doi/don-vi/24631/">Theo dõi chỉ tiêu</a>' in unit_page

    client.force_login(make_user(Role.LEARNER))
    assert 'href="/theo-doi/"' not in client.get("/").content.decode()
