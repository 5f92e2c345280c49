"""The public progress page on a phone: finding one's commune (search without diacritics, "xã của tôi" from the
account or a remembered choice), the compact list paged by 25, and the page's weight with a province's number
of communes (the demo province has more than 120)."""

import gzip
import re
from typing import Any

import pytest
from django.test import Client

from hocvuso.accounts.roles import Role
from hocvuso.indicators.selectors import public_progress
from hocvuso.indicators.services import rebuild_facts
from hocvuso.territory.tests import factories as units
from hocvuso.web.monitoring.public import CHOSEN_COOKIE, COMMUNES_PER_PAGE

from .test_monitoring_rankings import PUBLIC, Scenario, body_of, person, public_cells, text_of

pytestmark = pytest.mark.django_db

MAX_BYTES = 200_000
EXTRA_COMMUNES = 124  # with Xã Quảng Khê and Xã Nhân Cơ: 126 communes, as many as the demo province


@pytest.fixture
def scenario(territory: Any) -> Scenario:
    return Scenario(territory)


@pytest.fixture
def province(scenario: Scenario) -> Scenario:
    """The scenario and 124 more communes of 6 adults each, with long names as real ones ("Phường ...")."""
    for index in range(EXTRA_COMMUNES):
        commune = units.commune(
            scenario.territory.province, code=f"29{index:03d}", name=f"Phường Đồng Xoài Mở Rộng Số {index:03d}"
        )
        village = units.village(commune, code=f"29{index:03d}.001", name="Tổ dân phố 1")
        for number in range(6):
            person(village, f"Người mới {index}.{number}")
    rebuild_facts()
    return scenario


def rows(body: str) -> list[str]:
    return re.findall(r'<tr id="xa-([^"]+)">', body)


def mine(body: str) -> str:
    heading = re.search(r'<h2 id="public-mine-title">(.*?)</h2>', body, re.S)
    return text_of(heading[1]) if heading else ""


@pytest.mark.parametrize("query", ["Quảng Khê", "quang khe", "QUANG  KHÊ", "xa quang"])
def test_the_search_finds_a_commune_with_or_without_diacritics(client: Client, scenario: Scenario, query: str) -> None:
    body = body_of(client.get(PUBLIC, {"q": query}))

    assert rows(body) == ["24631"]
    assert "1 xã, phường khớp với" in text_of(body)
    assert f'value="{query}"' in body  # the query stays in the box


def test_the_search_with_no_match_says_so_and_offers_the_whole_list(client: Client, scenario: Scenario) -> None:
    body = body_of(client.get(PUBLIC, {"q": "đà lạt"}))

    assert rows(body) == []
    assert "Không có xã, phường nào có tên như vậy." in body
    assert "0 xã, phường khớp với “đà lạt”." in text_of(body)
    assert rows(body_of(client.get(PUBLIC, {"q": "  "}))) == ["24751", "24631"]  # blank: every commune (by name)


def test_the_search_form_works_without_javascript(client: Client, scenario: Scenario) -> None:
    body = body_of(client.get(PUBLIC))

    form = re.search(r'<form class="search-form" method="get" action="/tien-do/[^"]*"[^>]*>(.*?)</form>', body, re.S)
    assert form is not None
    assert '<label for="public-q">' in form[1] and 'id="public-q" name="q"' in form[1]
    assert 'type="submit"' in form[1]


def test_choosing_a_commune_shows_all_its_figures_and_remembers_it_on_the_device(
    client: Client, scenario: Scenario
) -> None:
    assert mine(body_of(client.get(PUBLIC))) == ""

    chosen = client.get(PUBLIC, {"xa": "24751"})

    assert mine(body_of(chosen)) == "Xã của tôi: Xã Nhân Cơ"
    cookie = chosen.cookies[CHOSEN_COOKIE]
    assert cookie.value == "24751" and cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"]
    assert "Cookie" in chosen["Vary"]
    later = body_of(client.get(PUBLIC))  # the client sends the cookie back
    assert mine(later) == "Xã của tôi: Xã Nhân Cơ"
    assert 'href="?xa=bo"' in later

    forgotten = client.get(PUBLIC, {"xa": "bo"})

    assert forgotten.cookies[CHOSEN_COOKIE].value == "" and mine(body_of(forgotten)) == ""
    assert mine(body_of(client.get(PUBLIC))) == ""


def test_an_unknown_commune_code_is_neither_shown_nor_remembered(client: Client, scenario: Scenario) -> None:
    response = client.get(PUBLIC, {"xa": "99999"})

    assert CHOSEN_COOKIE not in response.cookies and mine(body_of(response)) == ""
    client.cookies[CHOSEN_COOKIE] = "<script>"
    assert mine(body_of(client.get(PUBLIC))) == ""


def test_a_signed_in_officers_commune_is_theirs_before_any_remembered_choice(
    client: Client, scenario: Scenario, make_user: Any
) -> None:
    leader = make_user(Role.TEAM_LEADER, scenario.territory.village)  # a village's role: its commune
    client.cookies[CHOSEN_COOKIE] = "24751"
    client.force_login(leader)

    body = body_of(client.get(PUBLIC))

    assert mine(body) == "Xã của tôi: Xã Quảng Khê"
    assert "Xã nơi bạn làm việc theo tài khoản." in body
    assert mine(body_of(client.get(PUBLIC, {"xa": "24751"}))) == "Xã của tôi: Xã Nhân Cơ"  # picking one shows it


def test_a_province_administrator_has_no_commune_of_their_own(
    client: Client, scenario: Scenario, make_user: Any
) -> None:
    client.force_login(make_user(Role.PROVINCE_ADMIN, scenario.territory.province))

    assert mine(body_of(client.get(PUBLIC))) == ""


def test_the_list_pages_communes_by_25_and_keeps_the_search_across_pages(client: Client, province: Scenario) -> None:
    names = [row.place.code for row in public_progress().communes]
    assert len(names) == EXTRA_COMMUNES + 2

    first = body_of(client.get(PUBLIC))
    third = body_of(client.get(PUBLIC, {"trang": "3"}))
    last = body_of(client.get(PUBLIC, {"trang": "999"}))

    assert rows(first) == names[:COMMUNES_PER_PAGE]
    assert rows(third) == names[2 * COMMUNES_PER_PAGE : 3 * COMMUNES_PER_PAGE]
    assert rows(last) == names[5 * COMMUNES_PER_PAGE :]
    assert "Trang 1/6" in first and "Trang 6/6" in last
    assert 'href="?trang=2#public-communes-title" rel="next"' in first
    searched = body_of(client.get(PUBLIC, {"q": "dong xoai", "trang": "2", "xa": "24631"}))
    assert len(rows(searched)) == COMMUNES_PER_PAGE and "Trang 2/5" in searched
    # the pages keep the search and drop the choice (already remembered)
    assert 'href="?q=dong+xoai&amp;trang=3#public-communes-title" rel="next"' in searched


def test_the_page_weighs_under_200_kb_with_a_provinces_communes(client: Client, province: Scenario) -> None:
    for params in [{}, {"xa": "24631"}, {"q": "phuong", "trang": "4"}]:
        response = client.get(PUBLIC, params)
        size, compressed = len(response.content), len(gzip.compress(response.content))

        assert response.status_code == 200
        assert size < MAX_BYTES, (params, size)
        assert compressed < size // 3, (params, compressed)
        # the list shows each commune's headline figures only, never every indicator of every commune
        assert len(rows(response.content.decode())) == COMMUNES_PER_PAGE
    assert len(public_cells(body_of(response), "29075")) == 3
