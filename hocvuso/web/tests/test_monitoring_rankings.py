"""The emulation ranking, the "leave no one behind" page and the public progress page: who may open them, the
figures equal the selectors', the breakdown, the quarter parameter, small counts withheld from the public, and
query counts that do not grow with the number of units."""

import re
from collections.abc import Callable
from datetime import date
from html import unescape
from typing import Any

import pytest
from django.template.defaultfilters import floatformat
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from hocvuso.accounts.roles import Role
from hocvuso.indicators.selectors import Quarter, emulation_ranking, furthest_from_target, public_progress
from hocvuso.indicators.services import rebuild_facts
from hocvuso.indicators.tests.conftest import birthday, confirm_literacy, set_vneid
from hocvuso.people.models import Membership, Resident
from hocvuso.people.tests.factories import OrganisationFactory, ResidentFactory
from hocvuso.territory.tests import factories as units

pytestmark = pytest.mark.django_db

RANKING = "/theo-doi/thi-dua/"
GAPS = "/theo-doi/chua-tiep-can/"
PUBLIC = "/tien-do/"
ADULTS = "adults-digital-skills"
IDENTITY = "digital-identity"


def person(village: Any, name: str, *, age: int = 30) -> Resident:
    return ResidentFactory(village=village, full_name=name, birth_date=birthday(age, timezone.localdate()))


class Scenario:
    """Xã Quảng Khê (24631): Thôn 1 with 10 adults (5 literate, 8 with VNeID), Bon Bu Đăng with 6 adults (2
    literate). Xã Nhân Cơ (24751): Thôn 3 with 2 adults (1 literate) — the small commune. A workers' cooperative
    in Xã Quảng Khê with 6 workers of Thôn 1 (1 of them also confirmed as a worker). Facts built today."""

    def __init__(self, territory: Any) -> None:
        self.territory = territory
        self.village_a = [person(territory.village, f"Hồ Thị Mai {index}") for index in range(10)]
        self.village_b = [person(territory.village_b, f"Y Bhin Niê {index}") for index in range(6)]
        self.small = [person(territory.other_village, f"Lò Văn Páo {index}") for index in range(2)]
        for resident in self.village_a[:5] + self.village_b[:2] + self.small[:1]:
            confirm_literacy(resident)
        for resident in self.village_a[:8]:
            set_vneid(resident, 2)
        self.cooperative = OrganisationFactory(
            code="HTX-1", name="Hợp tác xã Cà phê Quảng Khê", kind="cooperative", unit=territory.commune
        )
        for resident in self.village_a[4:10]:
            Membership.objects.create(
                resident=resident, organisation=self.cooperative, kind="worker", valid_from=date(2024, 1, 1)
            )
        confirm_literacy(self.village_a[4], "workers")
        rebuild_facts()


@pytest.fixture
def scenario(territory: Any) -> Scenario:
    return Scenario(territory)


def body_of(response: Any) -> str:
    return response.content.decode()


def entry_block(body: str, name: str) -> str:
    """The HTML of the ranking entry of the place with that name (one <li class="card">)."""
    blocks = [block for block in body.split('<li class="card">')[1:] if name in block]
    assert len(blocks) == 1, f"{name}: {len(blocks)} entries"
    return blocks[0].split("</li>")[0]


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def vi(number: float, digits: Any = 1) -> str:
    with translation.override("vi"):
        return str(floatformat(number, digits))


# --- Emulation ranking ------------------------------------------------------------------------------------


def test_the_ranking_needs_a_sign_in_and_view_progress(client: Client, scenario: Scenario, make_user: Any) -> None:
    anonymous = client.get(RANKING)
    assert anonymous.status_code == 302 and "/tai-khoan/" in anonymous["Location"]

    client.force_login(make_user(Role.LEARNER, scenario.territory.province))
    assert client.get(RANKING).status_code == 404


def test_the_province_administrator_sees_every_commune_with_the_selectors_scores(
    client: Client, scenario: Scenario, province_admin: Any
) -> None:
    quarter = Quarter.of(timezone.localdate())
    ranking = emulation_ranking(user=province_admin, level="commune", quarter=quarter)
    client.force_login(province_admin)

    response = client.get(RANKING)

    body = body_of(response)
    assert response.status_code == 200
    assert [(entry.rank, entry.place.code) for entry in ranking.entries] == [(1, "24631"), (2, "24751")]
    for entry in ranking.entries:
        block = text_of(entry_block(body, entry.place.name))
        assert f"Hạng {entry.rank}/2" in block
        assert f"{vi(entry.score)} điểm" in block
    # Xã Quảng Khê: 100 × (3 × 43.75/80 + 2 × 0/70 + 1 × 16.67/80 + 2 × 50/100) / 8 (adults, certified, workers,
    # identity); Xã Nhân Cơ: 100 × (3 × 50/80 + 0 + 0) / 7 (no workers there).
    assert "35,6 điểm" in text_of(entry_block(body, "Xã Quảng Khê"))
    assert "26,8 điểm" in text_of(entry_block(body, "Xã Nhân Cơ"))
    assert body.index("Xã Quảng Khê") < body.index("Xã Nhân Cơ")
    assert f'value="{quarter}" selected' in body


def test_each_entry_shows_its_breakdown_inside_a_details_element(
    client: Client, scenario: Scenario, province_admin: Any
) -> None:
    ranking = emulation_ranking(user=province_admin, level="commune", quarter=Quarter.of(timezone.localdate()))
    first = ranking.entries[0]
    client.force_login(province_admin)

    block = entry_block(body_of(client.get(RANKING)), first.place.name)

    assert "<details" in block and "<summary>Cách tính điểm</summary>" in block
    rows = re.findall(r"<tr>(.*?)</tr>", block.split("<tbody>")[1].split("</tbody>")[0], re.S)
    assert len(rows) == len(first.breakdown) == 4
    total_weight = sum(part.weight for part in first.breakdown)
    for row, part in zip(rows, first.breakdown, strict=True):
        cells = [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        assert cells == [
            part.indicator.name,
            f"{vi(part.value)}% ({part.numerator}/{part.denominator})",
            f"{vi(part.target, '-1')}%",
            f"{vi(100 * part.attainment)}%",
            vi(part.weight, "-2"),
            vi(100 * part.points / total_weight),
        ]
    # adults, certified, workers, identity
    assert [text_of(row).split(" ")[-1] for row in rows] == ["20,5", "0,0", "2,6", "12,5"]


def test_a_commune_officer_sees_only_their_communes_place(
    client: Client, scenario: Scenario, commune_officer: Any
) -> None:
    client.force_login(commune_officer)

    body = body_of(client.get(RANKING))

    assert "Hạng 1/2" in text_of(entry_block(body, "Xã Quảng Khê"))
    assert "Xã Nhân Cơ" not in body
    assert "Bạn thấy vị trí của các đơn vị mình phụ trách" in body


def test_staff_of_another_province_or_a_village_see_no_entry(
    client: Client, scenario: Scenario, make_user: Callable[..., Any]
) -> None:
    territory = scenario.territory
    for user in [
        make_user(Role.PROVINCE_ADMIN, territory.other_province),
        make_user(Role.TEAM_MEMBER, territory.village),
    ]:
        client.force_login(user)
        body = body_of(client.get(RANKING))
        assert "Xã Quảng Khê" not in body and "Xã Nhân Cơ" not in body
        assert "Không có đơn vị nào bạn phụ trách trong bảng xếp hạng này." in body


def test_the_agency_ranking_shows_the_organisations_the_user_follows(
    client: Client, scenario: Scenario, make_user: Callable[..., Any], province_admin: Any
) -> None:
    other = OrganisationFactory(code="DN-9", name="Công ty Chè Nhân Cơ", unit=scenario.territory.other_commune)
    Membership.objects.create(
        resident=scenario.small[1], organisation=other, kind="worker", valid_from=date(2024, 1, 1)
    )
    rebuild_facts()
    officer = make_user(Role.AGENCY_OFFICER, organisation=scenario.cooperative)

    client.force_login(officer)
    own = body_of(client.get(RANKING, {"cap": "co-quan"}))
    communes = body_of(client.get(RANKING))
    client.force_login(province_admin)
    everything = body_of(client.get(RANKING, {"cap": "co-quan"}))

    # Cooperative: 1 of 6 workers literate as a worker → 16.7% of 80%; Công ty Chè: 0 of 1.
    assert "Hạng 1/2" in text_of(entry_block(own, "Hợp tác xã Cà phê Quảng Khê"))
    assert "Công ty Chè Nhân Cơ" not in own
    assert "Xã Quảng Khê" not in communes and "Xã Nhân Cơ" not in communes
    assert f"{vi(100 * (1 / 6) / 80 * 100)} điểm" in text_of(entry_block(everything, "Hợp tác xã Cà phê Quảng Khê"))
    assert "Hạng 2/2" in text_of(entry_block(everything, "Công ty Chè Nhân Cơ"))


def test_a_quarter_without_facts_says_so(client: Client, scenario: Scenario, province_admin: Any) -> None:
    client.force_login(province_admin)
    previous = Quarter.of(date(timezone.localdate().year - 1, 1, 15))

    response = client.get(RANKING, {"quy": str(previous).lower()})

    body = body_of(response)
    assert response.status_code == 200
    assert "Chưa có số liệu cho quý này." in body
    assert "Xã Quảng Khê" not in body
    assert f'value="{previous}" selected' in body


@pytest.mark.parametrize(
    "hostile",
    [
        "2026-Q5",
        "2026-Q0",
        "0000-Q1",
        "9999-Q4",
        "26-Q1",
        "<script>alert(1)</script>",
        "2026-Q1' OR '1'='1",
        "%00",
        "2026-Q1" + " " * 5000 + "x",
        "２０２６-Ｑ１",
    ],
)
def test_an_invalid_quarter_gives_a_clear_message_never_an_error(
    client: Client, scenario: Scenario, province_admin: Any, hostile: str
) -> None:
    client.force_login(province_admin)

    response = client.get(RANKING, {"quy": hostile})

    body = body_of(response)
    assert response.status_code == 400
    assert "Quý không hợp lệ (ví dụ: 2026-Q3)." in body
    assert "<script>alert(1)</script>" not in body
    assert "Xã Quảng Khê" not in body  # no ranking is shown for a quarter that was not understood


def test_the_ranking_takes_the_same_queries_whatever_the_number_of_communes(
    client: Client, scenario: Scenario, province_admin: Any, django_assert_num_queries: Any, settings: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production: a worker refreshes, pages only read
    client.force_login(province_admin)
    client.get(RANKING)
    # session, user, the session's second-factor device, roles; province, weights, day, targets, facts
    with django_assert_num_queries(9):
        small = client.get(RANKING)
    for index in range(6):
        commune = units.commune(scenario.territory.province, code=f"2480{index}", name=f"Xã Mới {index}")
        village = units.village(commune, code=f"2480{index}.001", name="Thôn Mới")
        person(village, f"Người mới {index}")
    rebuild_facts()
    with django_assert_num_queries(9):
        large = client.get(RANKING)

    assert body_of(small).count('<li class="card">') == 2
    assert body_of(large).count('<li class="card">') == 8


def test_the_agency_ranking_decides_the_organisations_followed_without_a_query(
    client: Client, scenario: Scenario, province_admin: Any, django_assert_num_queries: Any, settings: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production: a worker refreshes, pages only read
    client.force_login(province_admin)
    client.get(RANKING, {"cap": "co-quan"})
    for index in range(4):
        firm = OrganisationFactory(code=f"DN-{index}", name=f"Doanh nghiệp {index}", unit=scenario.territory.commune)
        Membership.objects.create(
            resident=scenario.village_b[index], organisation=firm, kind="worker", valid_from=date(2024, 1, 1)
        )
    rebuild_facts()
    # session, user, the session's second-factor device, roles; province, weights, day, targets, facts (which
    # organisations the user follows is decided from the facts' rows, with no query)
    with django_assert_num_queries(9):
        response = client.get(RANKING, {"cap": "co-quan"})

    assert body_of(response).count('<li class="card">') == 5


# --- Leave no one behind --------------------------------------------------------------------------------------


def test_the_gaps_pages_need_view_progress_in_the_unit(
    client: Client, scenario: Scenario, make_user: Callable[..., Any], commune_officer: Any
) -> None:
    anonymous = client.get(GAPS)
    assert anonymous.status_code == 302 and "/tai-khoan/" in anonymous["Location"]

    client.force_login(make_user(Role.LEARNER, scenario.territory.province))
    assert client.get(GAPS).status_code == 404
    assert client.get(GAPS + "24631/").status_code == 404

    client.force_login(commune_officer)
    assert client.get(GAPS + "24751/").status_code == 404  # not theirs
    assert client.get(GAPS + "99999/").status_code == 404  # missing
    assert client.get(GAPS + "68/").status_code == 404  # above them
    home = client.get(GAPS, {"cap": "xa"})
    assert home.status_code == 302 and home["Location"] == GAPS + "24631/?cap=xa"
    assert client.get(GAPS + "24631.001/").status_code == 200


def test_the_gaps_page_lists_the_selectors_figures_with_links_to_the_people(
    client: Client, scenario: Scenario, commune_officer: Any
) -> None:
    result = furthest_from_target(user=commune_officer, unit=scenario.territory.commune)
    client.force_login(commune_officer)

    response = client.get(GAPS + "24631/")

    body = body_of(response)
    tables = body.split("<tbody>")
    assert len(tables) == 3
    village_rows = re.findall(r"<tr>(.*?)</tr>", tables[1].split("</tbody>")[0], re.S)
    assert len(village_rows) == len(result.units) > 0
    for row, gap in zip(village_rows, result.units, strict=True):
        cells = [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        assert cells[0] == f"{gap.place.name} {gap.place.code}"
        assert cells[1] == gap.indicator.name
        assert cells[2] == f"{vi(gap.value)}% ({gap.numerator}/{gap.denominator})"
        counted = "hộ" if gap.indicator.counts_households else "người"  # the unit of the count is said
        assert cells[4:6] == [str(gap.to_reach), f"{gap.not_reached} {counted}"]
        assert f'href="/nguoi-dan/?chua_dat={gap.indicator.code}&amp;don_vi={gap.place.code}"' in row
    # Thôn 1, digital identity: 8 of 10 → 2 to reach, 2 not reached; adults 5 of 10 → 3 to reach for 80%.
    summary = [(gap.place.code, gap.indicator.code, gap.to_reach, gap.not_reached) for gap in result.units]
    assert ("24631.001", ADULTS, 3, 5) in summary and ("24631.001", IDENTITY, 2, 2) in summary
    organisation_rows = re.findall(r"<tr>(.*?)</tr>", tables[2].split("</tbody>")[0], re.S)
    assert [gap.place.code for gap in result.organisations] == ["HTX-1"]
    assert len(organisation_rows) == 1
    assert 'href="/nguoi-dan/?chua_dat=workers-digital-skills&amp;to_chuc=HTX-1"' in organisation_rows[0]
    assert "Xã Nhân Cơ" not in body and "Lò Văn Páo" not in body


def test_the_people_link_leads_to_exactly_the_people_not_reached(
    client: Client, scenario: Scenario, commune_officer: Any
) -> None:
    client.force_login(commune_officer)
    body = body_of(client.get(GAPS + "24631/"))
    link = unescape(re.search(r'href="(/nguoi-dan/\?chua_dat=adults-digital-skills&amp;don_vi=24631.001)"', body)[1])

    listing = client.get(link)

    names = sorted(resident.full_name for resident in listing.context["results"])
    assert names == sorted(resident.full_name for resident in scenario.village_a[5:])
    assert "5 người chưa đạt" in body_of(listing)


def test_a_user_without_view_people_gets_no_list_links(
    client: Client, scenario: Scenario, make_user: Callable[..., Any]
) -> None:
    client.force_login(make_user(Role.INSTRUCTOR, scenario.territory.commune))

    body = body_of(client.get(GAPS + "24631/"))

    assert "Thôn 1" in body
    assert "/nguoi-dan/?" not in body


def test_from_the_province_the_gaps_can_be_seen_by_commune(
    client: Client, scenario: Scenario, province_admin: Any
) -> None:
    client.force_login(province_admin)

    by_village = body_of(client.get(GAPS + "68/"))
    by_commune = body_of(client.get(GAPS + "68/", {"cap": "xa"}))
    ignored = body_of(client.get(GAPS + "68/", {"cap": "<b>tinh</b>"}))

    first_table = by_commune.split("<tbody>")[1].split("</tbody>")[0]
    assert "Xã Quảng Khê" in first_table and "Thôn 1" not in first_table
    assert "Thôn 1" in by_village.split("<tbody>")[1]
    assert ignored.split("<tbody>")[1] == by_village.split("<tbody>")[1]
    assert "<b>tinh</b>" not in ignored and "&lt;b&gt;tinh" not in ignored


def test_an_agency_officer_is_told_where_their_figures_are(
    client: Client, scenario: Scenario, make_user: Callable[..., Any]
) -> None:
    client.force_login(make_user(Role.AGENCY_OFFICER, organisation=scenario.cooperative))

    response = client.get(GAPS)

    assert response.status_code == 200
    assert "Trang này theo dõi theo địa bàn" in body_of(response)


def test_the_gaps_page_takes_the_same_queries_whatever_the_number_of_villages(
    client: Client, scenario: Scenario, commune_officer: Any, django_assert_num_queries: Any, settings: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production: a worker refreshes, pages only read
    client.force_login(commune_officer)
    client.get(GAPS + "24631/")
    # session, user, the session's second-factor device, roles, the unit; freshness, indicators, targets, unit facts,
    # organisation facts
    with django_assert_num_queries(10):
        client.get(GAPS + "24631/")
    for index in range(5):
        village = units.village(scenario.territory.commune, code=f"24631.1{index:02d}", name=f"Thôn Mới {index}")
        person(village, f"Người mới {index}")
    rebuild_facts()
    with django_assert_num_queries(10):
        response = client.get(GAPS + "24631/")

    assert "Thôn Mới 4" in body_of(response)


# --- Public page ----------------------------------------------------------------------------------------------


def public_cells(body: str, code: str) -> dict[str, str]:
    """The figure cells of a commune's row in the public page's list (its headline figures), by indicator
    code, as text."""
    row = re.search(rf'<tr id="xa-{re.escape(code)}">(.*?)</tr>', body, re.S)
    assert row is not None, code
    return {
        indicator: text_of(cell)
        for indicator, cell in re.findall(r'<td[^>]*data-indicator="([^"]+)"[^>]*>(.*?)</td>', row[1], re.S)
    }


def chosen_cells(body: str, code: str) -> dict[str, str]:
    """The figure cells of the chosen commune's table ("Xã của tôi": every indicator), by indicator code."""
    table = re.search(rf'<table class="public-table" id="chon-{re.escape(code)}">(.*?)</table>', body, re.S)
    assert table is not None, code
    return {
        indicator: text_of(cell)
        for indicator, cell in re.findall(r'<td[^>]*data-indicator="([^"]+)"[^>]*>(.*?)</td>', table[1], re.S)
    }


def test_the_public_page_is_open_to_everyone_and_shows_the_selectors_aggregates(
    client: Client, scenario: Scenario
) -> None:
    progress = public_progress()

    response = client.get(PUBLIC)

    body = body_of(response)
    assert response.status_code == 200
    assert "Đây chỉ là số tổng hợp" in body
    codes = [info.code for info in progress.indicators]
    province_adults = progress.province.figures[codes.index(ADULTS)]
    assert (province_adults.numerator, province_adults.denominator, province_adults.suppressed) == (8, 18, False)
    assert f"{vi(province_adults.value)}% (8/18)" in text_of(body)
    listed = public_cells(body, "24631")
    assert list(listed) == [ADULTS, IDENTITY, "digital-families"]  # the list shows the headline figures
    cells = chosen_cells(body_of(client.get(PUBLIC, {"xa": "24631"})), "24631")  # the chosen commune: all of them
    row = {row.place.code: row for row in progress.communes}["24631"]
    assert list(cells) == codes
    for figure in row.figures:
        if figure.suppressed:
            assert cells[figure.indicator.code] == "Không công bố"
        elif figure.value is None:
            assert cells[figure.indicator.code] == "Chưa có số liệu"
        else:
            expected = f"{vi(figure.value)}% ({figure.numerator}/{figure.denominator})"
            assert cells[figure.indicator.code] == expected
        if figure.indicator.code in listed:
            assert listed[figure.indicator.code] == cells[figure.indicator.code]
    # 7/16 would be the province's 8/18 minus the small commune's withheld 1/2: it is withheld with it
    assert cells[ADULTS] == "Không công bố"
    assert "7/16" not in text_of(body)


def test_the_public_page_shows_no_personal_data_and_withholds_counts_below_five(
    client: Client, scenario: Scenario
) -> None:
    body = body_of(client.get(PUBLIC))

    assert set(public_cells(body, "24751").values()) <= {"Không công bố", "Chưa có số liệu"}
    body += body_of(client.get(PUBLIC, {"xa": "24751"}))  # and with the small commune chosen, all its figures
    small = chosen_cells(body, "24751")
    assert small and set(small.values()) <= {"Không công bố", "Chưa có số liệu"}
    assert small[ADULTS] == small[IDENTITY] == "Không công bố"
    assert not re.search(r"\d", "".join(small.values()))  # 1 of 2 adults: neither number, nor 50%
    assert "(1/2)" not in body
    assert "(0/2)" not in body
    everyone = scenario.village_a + scenario.village_b + scenario.small
    assert not any(resident.full_name in body for resident in everyone)
    assert "Hồ Thị Mai" not in body and "Lò Văn Páo" not in body
    assert "nhỏ hơn 5" in body
    assert "/nguoi-dan/" not in body


def test_the_public_page_takes_the_same_queries_whatever_the_number_of_communes(
    client: Client, scenario: Scenario, django_assert_num_queries: Any, settings: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production: a worker refreshes, pages only read
    client.get(PUBLIC)
    with django_assert_num_queries(5):  # province, freshness, indicators, targets, facts
        client.get(PUBLIC)
    for index in range(6):
        commune = units.commune(scenario.territory.province, code=f"2480{index}", name=f"Xã Mới {index}")
        village = units.village(commune, code=f"2480{index}.001", name="Thôn Mới")
        for number in range(6):
            person(village, f"Người mới {index}.{number}")
    rebuild_facts()
    with django_assert_num_queries(5):
        response = client.get(PUBLIC)

    assert body_of(response).count("<tr id=") == 8


def test_before_any_facts_the_public_and_gaps_pages_say_there_are_none(
    client: Client, territory: Any, province_admin: Any, settings: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production: pages never compute, the worker has not yet
    person(territory.village, "Hồ Thị Mai")

    public = client.get(PUBLIC)
    client.force_login(province_admin)
    gaps = client.get(GAPS + "68/")

    assert public.status_code == gaps.status_code == 200
    assert "Chưa có số liệu tổng hợp." in body_of(public) and "Chưa có số liệu tổng hợp." in body_of(gaps)
    assert "Hồ Thị Mai" not in body_of(public)
    assert "Chưa có số liệu của xã, phường nào." in body_of(public)
    assert "<tr id=" not in body_of(public)


def test_the_anonymous_home_links_the_public_page(client: Client, territory: Any) -> None:
    body = body_of(client.get("/"))

    assert f'href="{reverse("web:public_progress")}"' in body


def test_the_navigation_offers_the_pages_to_roles_with_view_progress(
    client: Client, scenario: Scenario, commune_officer: Any, make_user: Callable[..., Any]
) -> None:
    client.force_login(commune_officer)
    body = body_of(client.get(RANKING))
    navigation = body.split('class="main-nav"')[1].split("</nav>")[0]
    assert f'<a href="{RANKING}" aria-current="page">Thi đua</a>' in navigation
    assert f'<a href="{GAPS}">Chưa tiếp cận</a>' in navigation
    assert navigation.count('aria-current="page"') == 1  # not also the dashboards' "/theo-doi/" entry
    gaps = body_of(client.get(GAPS + "24631/")).split('class="main-nav"')[1].split("</nav>")[0]
    assert f'<a href="{GAPS}" aria-current="page">Chưa tiếp cận</a>' in gaps
    assert gaps.count('aria-current="page"') == 1

    client.force_login(make_user(Role.LEARNER))
    body = body_of(client.get("/"))
    assert RANKING not in body and GAPS not in body
