"""The targets page (theo-doi/chi-tieu/<code>/): who may see it and who may change a target, the target in force
and where it comes from (plan default, the unit's own, inherited from the unit above), changes through the form
(audited, POST-redirect-GET), every hostile value refused with its message and nothing changed, the year chosen
with ?nam=, and a pinned query count that does not grow with the number of targets set."""

import html
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.core.models import AuditEntry
from hocvuso.indicators.models import Indicator, Target
from hocvuso.indicators.selectors import unit_dashboard
from hocvuso.people.tests.factories import OrganisationFactory
from hocvuso.territory.tests import factories as units

pytestmark = pytest.mark.django_db

ADULTS = "adults-digital-skills"
STAFF = "staff-digital-skills"
YEAR = timezone.localdate().year
PLAN_YEAR = 2025
COMMUNE_PAGE = "/theo-doi/chi-tieu/24631/"
VILLAGE_PAGE = "/theo-doi/chi-tieu/24631.001/"
# The outcome indicators at each level, in their order (staff, students and workers are not counted per village).
COMMUNE_CODES = [
    "staff-digital-skills",
    "students-digital-skills",
    "adults-digital-skills",
    "adults-certified-vneid",
    "workers-digital-skills",
    "digital-families",
    "digital-identity",
]
VILLAGE_CODES = ["adults-digital-skills", "adults-certified-vneid", "digital-families", "digital-identity"]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def cards(body: str) -> dict[str, dict[str, str]]:
    """{indicator code: {"value", "source", "kind", "form", "error"}} of the page's indicator cards."""
    found = {}
    parts = re.split(r'<li class="card" id="target-[^"]+" data-indicator="([^"]+)">', body)
    for code, chunk in zip(parts[1::2], parts[2::2], strict=True):
        chunk = chunk.split("\n</li>")[0]  # the card's own end (an error list has its own <li>)
        value = re.search(r'data-target="value">(.*?)</span>', chunk, re.S)
        source = re.search(r'data-target="source" data-source="(\w+)">(.*?)</span>', chunk, re.S)
        error = re.search(r'<ul class="errorlist" id="target-[^"]+-value_error">(.*?)</ul>', chunk, re.S)
        assert value and source, chunk
        found[code] = {
            "value": _text(value.group(1)),
            "kind": source.group(1),
            "source": _text(source.group(2)),
            "form": "yes" if 'name="value"' in chunk else "",
            "error": _text(error.group(1)) if error else "",
        }
    return found


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def post(client: Client, url: str, **fields: Any) -> Any:
    data = {"indicator": ADULTS, "year": str(YEAR), "value": "75"}
    data.update({key: value for key, value in fields.items() if value is not None})
    for key in [key for key, value in fields.items() if value is None]:
        del data[key]
    return client.post(url, data)


def unit_targets() -> list[tuple[str, int, str, Decimal]]:
    return sorted(
        (code, year, unit or "", value)
        for code, year, unit, value in Target.objects.values_list("indicator__code", "year", "unit__code", "value")
    )


def audit_count() -> int:
    return AuditEntry.objects.filter(action="indicators.set_target").count()


# --- access -------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(client: Client, territory: Any) -> None:
    before = unit_targets()

    for response in (client.get(COMMUNE_PAGE), post(client, COMMUNE_PAGE)):
        assert response.status_code == 302
        assert response["Location"].startswith("/tai-khoan/dang-nhap/")
    assert unit_targets() == before


def test_a_role_without_progress_and_an_agency_officer_are_refused(
    client: Client, territory: Any, make_user: Callable[..., Any]
) -> None:
    school = OrganisationFactory(code="THPT-1", name="Trường THPT Chu Văn An", kind="school", unit=territory.commune)
    for user in [make_user(Role.LEARNER, territory.province), make_user(Role.AGENCY_OFFICER, organisation=school)]:
        client.force_login(user)
        for url in ["/theo-doi/chi-tieu/68/", COMMUNE_PAGE, VILLAGE_PAGE]:
            assert client.get(url).status_code == 404, url
            assert post(client, url).status_code == 404, url
    assert not Target.objects.filter(unit__isnull=False).exists()


def test_a_commune_officer_manages_their_commune_and_villages_and_sees_nothing_else(
    client: Client, commune_officer: Any
) -> None:
    client.force_login(commune_officer)

    for url in [COMMUNE_PAGE, VILLAGE_PAGE, "/theo-doi/chi-tieu/24631.002/"]:
        shown = cards(page(client, url))
        assert shown and all(card["form"] for card in shown.values()), url
    for code in ["68", "24751", "24751.001", "00004", "99999", "khong-co"]:
        response = client.get(f"/theo-doi/chi-tieu/{code}/")
        assert response.status_code == 404, code
        assert "Xã Nhân Cơ" not in response.content.decode()


def test_the_province_administrator_manages_every_unit_of_their_province_only(
    client: Client, province_admin: Any
) -> None:
    client.force_login(province_admin)

    for code in ["68", "24631", "24751", "24751.001"]:
        assert all(card["form"] for card in cards(page(client, f"/theo-doi/chi-tieu/{code}/")).values()), code
    assert client.get("/theo-doi/chi-tieu/00004/").status_code == 404
    assert client.get("/theo-doi/chi-tieu/01/").status_code == 404


def test_users_who_only_follow_progress_see_the_targets_without_a_form_and_may_not_change_them(
    client: Client, territory: Any, make_user: Callable[..., Any]
) -> None:
    for role in [Role.TEAM_MEMBER, Role.TEAM_LEADER, Role.INSTRUCTOR]:
        client.force_login(make_user(role, territory.commune))
        body = page(client, COMMUNE_PAGE)

        shown = cards(body)
        assert shown[ADULTS]["value"] == "80 %", role
        assert not any(card["form"] for card in shown.values()), role
        assert "Bạn được xem mục tiêu." in _text(body)
        assert post(client, COMMUNE_PAGE).status_code == 404, role
    assert not Target.objects.filter(unit__isnull=False).exists()
    assert audit_count() == 0


def test_a_commune_officer_may_not_change_another_units_target(
    client: Client, territory: Any, commune_officer: Any, province_admin: Any
) -> None:
    client.force_login(commune_officer)
    for url in ["/theo-doi/chi-tieu/24751/", "/theo-doi/chi-tieu/24751.001/", "/theo-doi/chi-tieu/68/"]:
        assert post(client, url).status_code == 404, url
    client.force_login(province_admin)
    assert post(client, "/theo-doi/chi-tieu/00004/").status_code == 404

    assert not Target.objects.filter(unit__isnull=False).exists()
    assert Target.objects.get(indicator__code=ADULTS).value == Decimal(80)  # the plan default, untouched
    assert audit_count() == 0


def test_other_methods_are_refused(client: Client, commune_officer: Any) -> None:
    client.force_login(commune_officer)

    assert client.put(COMMUNE_PAGE).status_code == 405
    assert client.delete(COMMUNE_PAGE).status_code == 405


# --- the target in force and where it comes from -----------------------------------------------------------


def test_the_plan_default_applies_everywhere_until_a_unit_sets_its_own(client: Client, province_admin: Any) -> None:
    client.force_login(province_admin)

    province = cards(page(client, "/theo-doi/chi-tieu/68/"))
    village = cards(page(client, VILLAGE_PAGE))

    assert list(village) == VILLAGE_CODES
    assert list(cards(page(client, COMMUNE_PAGE))) == COMMUNE_CODES
    assert (province[ADULTS]["value"], province[ADULTS]["kind"]) == ("80 %", "default")
    assert province[ADULTS]["source"] == f"Mục tiêu chung của kế hoạch (đặt cho năm {PLAN_YEAR}, vẫn áp dụng)"
    assert province["students-digital-skills"]["value"] == "100 %"
    assert village["adults-certified-vneid"]["value"] == "70 %"


def test_a_commune_override_applies_to_its_villages_and_not_to_other_communes(
    client: Client, territory: Any, province_admin: Any
) -> None:
    adults = Indicator.objects.get(code=ADULTS)
    Target.objects.create(indicator=adults, year=YEAR, unit=territory.commune, value=Decimal("72.5"))
    Target.objects.create(indicator=adults, year=YEAR, unit=territory.village_b, value=Decimal(90))
    client.force_login(province_admin)

    province = cards(page(client, "/theo-doi/chi-tieu/68/"))[ADULTS]
    commune = cards(page(client, COMMUNE_PAGE))[ADULTS]
    village = cards(page(client, VILLAGE_PAGE))[ADULTS]
    own_village = cards(page(client, "/theo-doi/chi-tieu/24631.002/"))[ADULTS]
    other = cards(page(client, "/theo-doi/chi-tieu/24751.001/"))[ADULTS]

    assert (province["value"], province["kind"]) == ("80 %", "default")
    assert (commune["value"], commune["kind"], commune["source"]) == ("72,5 %", "own", "Mục tiêu riêng của đơn vị này")
    assert (village["value"], village["kind"], village["source"]) == (
        "72,5 %",
        "inherited",
        "Theo mục tiêu của Xã Quảng Khê",
    )
    assert (own_village["value"], own_village["kind"]) == ("90 %", "own")
    assert (other["value"], other["kind"]) == ("80 %", "default")


def test_the_page_shows_the_target_the_dashboard_uses(client: Client, territory: Any, province_admin: Any) -> None:
    adults = Indicator.objects.get(code=ADULTS)
    Target.objects.create(indicator=adults, year=PLAN_YEAR, unit=territory.commune, value=Decimal(65))
    Target.objects.create(indicator=adults, year=YEAR, unit=territory.province, value=Decimal(85))
    client.force_login(province_admin)

    for unit, url in [(territory.village, VILLAGE_PAGE), (territory.other_village, "/theo-doi/chi-tieu/24751.001/")]:
        figure = unit_dashboard(user=province_admin, unit=unit).unit.figure(ADULTS)
        assert figure is not None
        shown = cards(page(client, url))[ADULTS]
        # a newer target of the province outranks an older one of the commune (the dashboards' rule)
        assert (shown["value"], figure.target) == ("85 %", 85.0), url
        assert shown["source"] == "Theo mục tiêu của Lâm Đồng", url


def test_the_year_is_chosen_with_nam(client: Client, territory: Any, province_admin: Any) -> None:
    adults = Indicator.objects.get(code=ADULTS)
    Target.objects.create(indicator=adults, year=YEAR + 1, unit=territory.commune, value=Decimal(95))
    client.force_login(province_admin)

    this_year = cards(page(client, COMMUNE_PAGE))[ADULTS]
    next_year = cards(page(client, f"{COMMUNE_PAGE}?nam={YEAR + 1}"))[ADULTS]
    plan_year = cards(page(client, f"{COMMUNE_PAGE}?nam={PLAN_YEAR}"))[ADULTS]

    assert (this_year["value"], this_year["kind"]) == ("80 %", "default")  # next year's target is not in force yet
    assert (next_year["value"], next_year["kind"]) == ("95 %", "own")
    assert plan_year["source"] == "Mục tiêu chung của kế hoạch"  # set for that very year
    assert f"Mục tiêu năm {YEAR + 1}" in _text(page(client, f"{COMMUNE_PAGE}?nam={YEAR + 1}"))


@pytest.mark.parametrize("year", ["abc", "2024", "1999", "2100", "-1", "0", "2026.5", "٢٠٢٦", "9" * 400, "2026;--"])
def test_a_year_not_offered_shows_a_clear_message(year: str, client: Client, province_admin: Any) -> None:
    client.force_login(province_admin)

    response = client.get(COMMUNE_PAGE, {"nam": year})

    assert response.status_code == 400
    body = response.content.decode()
    assert f"Năm không hợp lệ. Hãy chọn một năm từ {PLAN_YEAR} đến {YEAR + 5}." in _text(body)
    assert cards(body) == {}


def test_an_empty_year_means_the_current_year(client: Client, province_admin: Any) -> None:
    client.force_login(province_admin)

    body = page(client, f"{COMMUNE_PAGE}?nam=")

    assert f"Mục tiêu năm {YEAR}" in _text(body)
    assert f'<option value="{YEAR}" selected>' in body


def test_an_ended_unit_shows_its_targets_without_a_form(client: Client, territory: Any, province_admin: Any) -> None:
    ended = units.village(territory.commune, code="24631.009", name="Thôn Cũ")
    ended.valid_to = timezone.localdate().replace(year=YEAR - 1)
    ended.successor = territory.village
    ended.save()
    client.force_login(province_admin)

    body = page(client, "/theo-doi/chi-tieu/24631.009/")

    assert cards(body)[ADULTS]["value"] == "80 %"
    assert not any(card["form"] for card in cards(body).values())
    assert "Đơn vị này đã hết hiệu lực" in _text(body)
    assert post(client, "/theo-doi/chi-tieu/24631.009/").status_code == 404
    assert not Target.objects.filter(unit=ended).exists()


# --- setting a target -----------------------------------------------------------------------------------------


def test_a_commune_officer_sets_the_communes_target_and_it_is_audited(
    client: Client, territory: Any, commune_officer: Any
) -> None:
    client.force_login(commune_officer)

    response = post(client, COMMUNE_PAGE, value="72,5")

    assert response.status_code == 302
    assert response["Location"] == f"{COMMUNE_PAGE}?nam={YEAR}#target-{ADULTS}"
    target = Target.objects.get(unit=territory.commune)
    assert (target.indicator.code, target.year, target.value) == (ADULTS, YEAR, Decimal("72.50"))
    entry = AuditEntry.objects.get(action="indicators.set_target")
    assert entry.actor == commune_officer
    assert entry.details == {
        "indicator": ADULTS,
        "year": YEAR,
        "value": "72.5",
        "unit": "24631",
        "organisation": "",
        "created": True,
    }
    body = page(client, response["Location"])
    assert (
        "Đã đặt mục tiêu “Người dân trong độ tuổi trưởng thành có kỹ năng số” năm "
        f"{YEAR} cho Xã Quảng Khê: 72,5 %." in _text(body)
    )
    shown = cards(body)[ADULTS]
    assert (shown["value"], shown["kind"]) == ("72,5 %", "own")
    assert 'value="72,5"' in body  # the form starts from the unit's own target
    village = cards(page(client, VILLAGE_PAGE))[ADULTS]
    assert (village["value"], village["kind"]) == ("72,5 %", "inherited")


def test_the_province_administrator_sets_a_villages_target_for_another_year(
    client: Client, territory: Any, province_admin: Any
) -> None:
    client.force_login(province_admin)

    response = post(
        client, "/theo-doi/chi-tieu/24751.001/", indicator="digital-families", year=str(YEAR + 2), value="95"
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"?nam={YEAR + 2}#target-digital-families")
    assert [row for row in unit_targets() if row[2]] == [("digital-families", YEAR + 2, "24751.001", Decimal(95))]
    assert cards(page(client, "/theo-doi/chi-tieu/24751.001/"))["digital-families"]["value"] == "100 %"  # this year


@pytest.mark.parametrize("value", ["80", "80 %", " 80,00 ", "80.0"])
def test_the_usual_ways_of_writing_a_target_are_accepted(value: str, client: Client, commune_officer: Any) -> None:
    client.force_login(commune_officer)

    assert post(client, COMMUNE_PAGE, value=value).status_code == 302

    assert Target.objects.get(unit__code="24631").value == Decimal(80)


def test_a_double_submit_leaves_one_target(client: Client, territory: Any, commune_officer: Any) -> None:
    client.force_login(commune_officer)

    first = post(client, COMMUNE_PAGE, value="75")
    second = post(client, COMMUNE_PAGE, value="75")

    assert (first.status_code, second.status_code) == (302, 302)
    assert list(Target.objects.filter(unit=territory.commune).values_list("value", flat=True)) == [Decimal(75)]
    assert audit_count() == 2


def test_a_new_value_replaces_the_units_own_target(client: Client, territory: Any, commune_officer: Any) -> None:
    client.force_login(commune_officer)

    post(client, COMMUNE_PAGE, value="75")
    post(client, COMMUNE_PAGE, value="0")

    assert list(Target.objects.filter(unit=territory.commune).values_list("value", flat=True)) == [Decimal(0)]
    assert cards(page(client, COMMUNE_PAGE))[ADULTS]["value"] == "0 %"


HOSTILE_VALUES = [
    ("-1", "Mục tiêu không được là số âm."),
    ("-0.01", "Mục tiêu không được là số âm."),
    ("100.01", "Mục tiêu là tỷ lệ phần trăm, không được lớn hơn 100."),
    ("101", "Mục tiêu là tỷ lệ phần trăm, không được lớn hơn 100."),
    ("999999999999", "Mục tiêu là tỷ lệ phần trăm, không được lớn hơn 100."),
    ("9" * 40, "Mục tiêu phải là một số, ví dụ 80 hoặc 72,5."),
    ("1e5", "Mục tiêu phải là một số, ví dụ 80 hoặc 72,5."),
    ("1E400", "Mục tiêu phải là một số, ví dụ 80 hoặc 72,5."),
    ("abc", "Mục tiêu phải là một số, ví dụ 80 hoặc 72,5."),
    ("tám mươi", "Mục tiêu phải là một số, ví dụ 80 hoặc 72,5."),
    ("NaN", "Mục tiêu phải là một số, ví dụ 80 hoặc 72,5."),
    ("Infinity", "Mục tiêu phải là một số, ví dụ 80 hoặc 72,5."),
    ("٨٠", "Mục tiêu phải là một số, ví dụ 80 hoặc 72,5."),
    ("1.000,5", "Mục tiêu phải là một số, ví dụ 80 hoặc 72,5."),
    ("80<script>", "Mục tiêu phải là một số, ví dụ 80 hoặc 72,5."),
    ("80\x00", "Mục tiêu phải là một số, ví dụ 80 hoặc 72,5."),
    ("72.555", "Mục tiêu chỉ có tối đa hai chữ số sau dấu phẩy."),
    ("", "Hãy nhập mục tiêu."),
    ("   ", "Hãy nhập mục tiêu."),
]


@pytest.mark.parametrize(("value", "message"), HOSTILE_VALUES)
def test_a_hostile_value_is_refused_next_to_the_field_and_changes_nothing(
    value: str, message: str, client: Client, territory: Any, commune_officer: Any
) -> None:
    adults = Indicator.objects.get(code=ADULTS)
    Target.objects.create(indicator=adults, year=YEAR, unit=territory.commune, value=Decimal(70))
    before = unit_targets()
    client.force_login(commune_officer)

    response = post(client, COMMUNE_PAGE, value=value)

    assert response.status_code == 400
    body = response.content.decode()
    shown = cards(body)
    assert shown[ADULTS]["error"] == message
    field = re.search(r'<input type="text" name="value"[^>]*id="target-adults-digital-skills-value">', body)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert re.search(r'aria-describedby="[^"]*target-adults-digital-skills-value_error"', field.group(0))
    assert body.count('aria-invalid="true"') == 1  # only the field that was sent
    assert "Hãy sửa các lỗi được đánh dấu bên dưới." in _text(body)
    assert all(card["error"] == "" for code, card in shown.items() if code != ADULTS)
    assert shown[ADULTS]["value"] == "70 %"  # the page still shows the target in force
    assert unit_targets() == before
    assert audit_count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"indicator": None}, "Không tìm thấy chỉ tiêu này ở đơn vị. Hãy tải lại trang rồi thử lại."),
        ({"indicator": "khong-co"}, "Không tìm thấy chỉ tiêu này ở đơn vị. Hãy tải lại trang rồi thử lại."),
        ({"indicator": "household-visits"}, "Không tìm thấy chỉ tiêu này ở đơn vị. Hãy tải lại trang rồi thử lại."),
        ({"indicator": STAFF}, "Không tìm thấy chỉ tiêu này ở đơn vị. Hãy tải lại trang rồi thử lại."),
        ({"indicator": "x" * 5000}, "Không tìm thấy chỉ tiêu này ở đơn vị. Hãy tải lại trang rồi thử lại."),
        ({"indicator": f"{ADULTS}\x00"}, "Không tìm thấy chỉ tiêu này ở đơn vị. Hãy tải lại trang rồi thử lại."),
        ({"year": f"{YEAR}\x00"}, f"Năm không hợp lệ. Hãy chọn một năm từ {PLAN_YEAR} đến {YEAR + 5}."),
        ({"year": None}, f"Năm không hợp lệ. Hãy chọn một năm từ {PLAN_YEAR} đến {YEAR + 5}."),
        ({"year": "abc"}, f"Năm không hợp lệ. Hãy chọn một năm từ {PLAN_YEAR} đến {YEAR + 5}."),
        ({"year": "2024"}, f"Năm không hợp lệ. Hãy chọn một năm từ {PLAN_YEAR} đến {YEAR + 5}."),
        ({"year": "99999"}, f"Năm không hợp lệ. Hãy chọn một năm từ {PLAN_YEAR} đến {YEAR + 5}."),
        ({"year": "9" * 5000}, f"Năm không hợp lệ. Hãy chọn một năm từ {PLAN_YEAR} đến {YEAR + 5}."),
        ({"year": "²⁰²⁶"}, f"Năm không hợp lệ. Hãy chọn một năm từ {PLAN_YEAR} đến {YEAR + 5}."),
    ],
)
def test_a_missing_or_foreign_indicator_or_year_is_refused_with_a_message(
    fields: dict[str, str | None], message: str, client: Client, territory: Any, commune_officer: Any
) -> None:
    client.force_login(commune_officer)

    # the village page: staff, students and workers are not counted per village
    response = post(client, VILLAGE_PAGE, **fields)

    assert response.status_code == 400
    assert message in _text(response.content.decode())
    assert not Target.objects.filter(unit__isnull=False).exists()
    assert audit_count() == 0


# --- link and queries -----------------------------------------------------------------------------------------


def test_the_unit_dashboard_links_to_the_targets_page(client: Client, province_admin: Any) -> None:
    client.force_login(province_admin)

    assert 'href="/theo-doi/chi-tieu/24631/"' in page(client, "/theo-doi/don-vi/24631/")


# session, user, the session's second-factor device, roles, the unit (access), indicators, targets, the units above
TARGETS_PAGE_QUERIES = 8


@pytest.mark.parametrize("code", ["68", "24631", "24631.001"])
def test_the_targets_page_takes_a_fixed_number_of_queries(
    code: str, client: Client, territory: Any, province_admin: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(province_admin)
    client.get(f"/theo-doi/chi-tieu/{code}/")  # warm the session

    with django_assert_num_queries(TARGETS_PAGE_QUERIES):
        assert client.get(f"/theo-doi/chi-tieu/{code}/").status_code == 200
    for indicator in Indicator.objects.all():
        for unit in [territory.province, territory.commune, territory.village, territory.other_commune]:
            for year in [PLAN_YEAR, YEAR]:
                Target.objects.create(indicator=indicator, year=year, unit=unit, value=Decimal(50))
    with django_assert_num_queries(TARGETS_PAGE_QUERIES):
        assert client.get(f"/theo-doi/chi-tieu/{code}/").status_code == 200
