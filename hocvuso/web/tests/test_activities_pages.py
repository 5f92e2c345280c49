"""The activities' pages (issue 13): the household's Gia đình số standing, a village's printable list of digital
families, a commune's markets with the 4T forms, the province calendar and a commune's events — what they show, what
a POST changes, and what a hostile POST (another commune's ids, bad values, a double submit) does not."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.sessions import SignInClient
from hocvuso.core.models import AuditEntry
from hocvuso.indicators.tests.conftest import confirm_literacy, set_vneid
from hocvuso.learning.models import Course, Enrolment
from hocvuso.outreach.events import record_event
from hocvuso.outreach.markets import create_market, register_trader
from hocvuso.outreach.models import Event, Market, Trader, TraderStep
from hocvuso.people.tests.factories import DAO_ID, HouseholdFactory, ResidentFactory, register_dao

pytestmark = pytest.mark.django_db


def learned_literate_and_online(resident: Any) -> None:
    course, _made = Course.objects.get_or_create(slug="khoa", defaults={"title": "Khóa", "group": "citizens"})
    from hocvuso.accounts.tests.factories import UserFactory

    Enrolment.objects.create(user=UserFactory(), resident=resident, course=course)
    confirm_literacy(resident)
    set_vneid(resident, 2)


def test_the_household_page_says_what_is_missing_for_gia_dinh_so(
    client: Client, territory: Any, commune_officer: Any
) -> None:
    household = HouseholdFactory(village=territory.village, code="HO-7")
    parent = ResidentFactory(household=household, full_name="Hà Văn Gần")
    learned_literate_and_online(parent)
    client.force_login(commune_officer)

    body = client.get("/ho/HO-7/").content.decode()

    assert "Chưa đạt Gia đình số" in body
    assert "Gần đạt nhất: Hà Văn Gần, còn thiếu:" in body
    assert "Hướng dẫn lại người thân trong gia đình." in body
    assert "/gia-dinh-so/24631.001/" in body
    # the section is in the page once, and the window's title is only the household's code
    assert body.count('id="family-title"') == 1
    assert body.split("<title>", 1)[1].split("</title>", 1)[0].startswith("Hộ HO-7")
    assert "<" not in body.split("<title>", 1)[1].split("</title>", 1)[0]


def test_the_village_list_of_digital_families_prints_only_recognised_ones(
    client: Client, territory: Any, commune_officer: Any, make_user: Any
) -> None:
    from hocvuso.outreach.tests.test_families import Home

    home = Home(territory)
    learned_literate_and_online(home.parent)
    home.outcome(home.parent, "guides_family")
    client.force_login(commune_officer)

    body = client.get("/gia-dinh-so/24631.001/").content.decode()
    commune = client.get("/gia-dinh-so/24631/").content.decode()

    assert "Lò Văn Học" in body and "042" in body
    assert "Người Hộ Khác" not in body and "043" not in body
    assert "Lò Văn Học" in commune and "Bon Bu Đăng" in commune  # every village of the commune, empty ones too
    assert client.get("/gia-dinh-so/24751.001/").status_code == 404  # another commune's village
    assert client.get("/gia-dinh-so/68/").status_code == 404  # a province is not listed
    assert client.get("/gia-dinh-so/%3Cscript%3E/").status_code == 404


def test_an_officer_registers_a_market_a_trader_and_a_t_and_hostile_posts_change_nothing(
    client: Client, territory: Any, commune_officer: Any
) -> None:
    client.force_login(commune_officer)
    resident = ResidentFactory(village=territory.village, full_name="Bà Bán Rau")
    outsider = ResidentFactory(village=territory.other_village, full_name="Người Xã Khác")
    today = timezone.localdate().isoformat()

    response = client.post("/cho-so/xa/24631/cho/", {"market-name": "Chợ Quảng Khê", "market-kind": "market"})
    assert response.status_code == 302
    market = Market.objects.get()
    again = client.post("/cho-so/xa/24631/cho/", {"market-name": "Chợ Quảng Khê", "market-kind": "market"})
    assert again.status_code == 200 and "Xã đã có chợ mang tên này." in again.content.decode()

    refused = client.post(
        "/cho-so/xa/24631/tieu-thuong/",
        {"trader-market": market.pk, "trader-resident": outsider.pk, "trader-stall": "A"},
    )
    assert "Không tìm thấy người dân này trong xã." in refused.content.decode()
    assert "Người Xã Khác" not in refused.content.decode()
    for bad in ("-1", "abc", str(2**70)):
        response = client.post(
            "/cho-so/xa/24631/tieu-thuong/", {"trader-market": market.pk, "trader-resident": bad, "trader-stall": ""}
        )
        assert response.status_code == 200, bad
    assert Trader.objects.count() == 0
    client.post(
        "/cho-so/xa/24631/tieu-thuong/",
        {"trader-market": market.pk, "trader-resident": resident.pk, "trader-stall": "Sạp 3"},
    )
    trader = Trader.objects.get()
    assert (trader.resident, trader.stall) == (resident, "Sạp 3")

    step = {"step-trader": trader.pk, "step-step": "cashless", "step-evidence": "Mã QR", "step-achieved_on": today}
    assert client.post("/cho-so/xa/24631/4t/", step).status_code == 302
    twice = client.post("/cho-so/xa/24631/4t/", step)
    assert "Tiêu chí này đã được ghi nhận." in twice.content.decode()
    for bad in ({"step-step": "bitcoin"}, {"step-evidence": ""}, {"step-achieved_on": "31/02/2026"}):
        assert client.post("/cho-so/xa/24631/4t/", {**step, **bad}).status_code == 200
    assert TraderStep.objects.count() == 1

    page = client.get("/cho-so/xa/24631/").content.decode()
    assert "Bà Bán Rau" in page and "Mã QR" in page and "Chưa đạt Chợ số" in page
    assert client.get("/cho-so/xa/24631/cho/").status_code == 405


def test_a_trader_or_market_of_another_commune_cannot_be_reached_through_this_one(
    client: Client, territory: Any, make_user: Any
) -> None:
    theirs = create_market(commune=territory.other_commune, name="Chợ Nhân Cơ", kind="market", actor=None)
    their_trader = register_trader(
        market=theirs, resident=ResidentFactory(village=territory.other_village), stall="", actor=None
    )
    client.force_login(make_user(Role.COMMUNE_OFFICER, territory.commune))
    mine = ResidentFactory(village=territory.village)

    client.post("/cho-so/xa/24631/tieu-thuong/", {"trader-market": theirs.pk, "trader-resident": mine.pk})
    client.post(
        "/cho-so/xa/24631/4t/",
        {
            "step-trader": their_trader.pk,
            "step-step": "trained",
            "step-evidence": "x",
            "step-achieved_on": "2026-01-01",
        },
    )
    assert client.post("/cho-so/xa/24751/cho/", {"market-name": "Chợ Lạ", "market-kind": "market"}).status_code == 404

    assert Trader.objects.count() == 1 and TraderStep.objects.count() == 0
    assert Market.objects.count() == 1


def test_an_officer_records_an_event_that_the_province_calendar_shows(
    client: Client, territory: Any, commune_officer: Any, province_admin: Any, make_user: Any
) -> None:
    client.force_login(commune_officer)
    data = {
        "event-kind": "festival",
        "event-title": "Ngày hội toàn dân học tập số",
        "event-place": "Nhà văn hóa xã",
        "event-starts_on": "2026-10-10",
        "event-organiser": f"unit:{territory.commune.pk}",
        "event-registered": "120",
        "event-participants": "135",
    }

    assert client.post("/su-kien/xa/24631/", data).status_code == 302
    assert "Sự kiện này đã được ghi nhận." in client.post("/su-kien/xa/24631/", data).content.decode()
    hostile = [
        {"event-organiser": f"unit:{territory.other_commune.pk}"},
        {"event-organiser": "org:999999"},
        {"event-ends_on": "2026-10-09"},
        {"event-registered": "-5"},
        {"event-kind": "<script>"},
    ]
    for bad in hostile:
        response = client.post("/su-kien/xa/24631/", {**data, **bad, "event-title": "Khác"})
        assert response.status_code == 200, bad
    assert Event.objects.count() == 1
    event = Event.objects.get()
    assert (event.organiser_unit, event.registered, event.participants) == (territory.commune, 120, 135)

    client.force_login(province_admin)
    calendar = client.get("/su-kien/?nam=2026").content.decode()
    assert "Ngày hội toàn dân học tập số" in calendar and "10/10/2026 ✓" in calendar
    other = SignInClient()  # signed in through both steps, as the sign-in leaves a member of staff
    other.force_login(make_user(Role.COMMUNE_OFFICER, territory.other_commune))
    elsewhere = other.get("/su-kien/?nam=2026")
    assert elsewhere.status_code == 200 and "Nhà văn hóa xã" not in elsewhere.content.decode()
    bad_query = client.get("/su-kien/?nam=abc&thang=13")
    assert bad_query.status_code == 200 and "Ngày hội toàn dân học tập số" in bad_query.content.decode()


def test_the_calendar_of_a_month_shows_only_that_month(client: Client, territory: Any, province_admin: Any) -> None:
    for day, title in ((datetime.date(2026, 10, 10), "Ngày hội tháng Mười"), (datetime.date(2026, 11, 1), "Ngày hội")):
        record_event(commune=territory.commune, kind="festival", title=title, place="Sân", starts_on=day, actor=None)
    client.force_login(province_admin)

    body = client.get("/su-kien/?nam=2026&thang=11").content.decode()

    assert "Ngày hội tháng Mười" not in body and "01/11/2026" in body


def test_an_officer_edits_an_event_with_the_recording_form_and_deletes_one(
    client: Client, territory: Any, commune_officer: Any, make_user: Any
) -> None:
    event = record_event(
        commune=territory.commune, kind="festival", title="Ngày hội", place="Sân",
        starts_on=datetime.date(2026, 10, 10), registered=10, actor=None,
    )  # fmt: skip
    other = record_event(
        commune=territory.commune, kind="training_4t", title="Tập huấn 4T", place="Chợ",
        organiser_unit=territory.province, starts_on=datetime.date(2026, 10, 12), actor=None,
    )  # fmt: skip
    client.force_login(commune_officer)
    listing = client.get("/su-kien/xa/24631/").content.decode()
    assert f"/su-kien/{event.pk}/sua/" in listing and f"/su-kien/{other.pk}/sua/" not in listing
    page = client.get(f"/su-kien/{event.pk}/sua/").content.decode()
    assert 'value="Ngày hội"' in page and f'value="unit:{territory.commune.pk}" selected' in page
    data = {
        "event-kind": "festival",
        "event-title": "Ngày hội toàn dân học tập số",
        "event-place": "Nhà văn hóa",
        "event-starts_on": "2026-10-10",
        "event-organiser": f"unit:{territory.commune.pk}",
        "event-registered": "120",
    }
    for bad in ({"event-ends_on": "2026-10-01"}, {"event-organiser": f"unit:{territory.other_commune.pk}"},
                {"event-registered": "-1"}, {"event-title": ""}):  # fmt: skip
        assert client.post(f"/su-kien/{event.pk}/sua/", {**data, **bad}).status_code == 200, bad
    assert Event.objects.get(pk=event.pk).title == "Ngày hội"
    assert client.post(f"/su-kien/{event.pk}/sua/", data).status_code == 302
    assert (Event.objects.get(pk=event.pk).title, Event.objects.get(pk=event.pk).registered) == (
        data["event-title"],
        120,
    )
    # The province's training held in the commune is not the commune's to change or delete.
    assert client.get(f"/su-kien/{other.pk}/sua/").status_code == 404
    assert client.post(f"/su-kien/{other.pk}/xoa/").status_code == 404
    assert client.get(f"/su-kien/{event.pk}/xoa/").status_code == 405
    assert client.post(f"/su-kien/{event.pk}/xoa/", {"reason": "Ghi nhầm"}).status_code == 302
    assert list(Event.objects.values_list("pk", flat=True)) == [other.pk]


def test_a_trader_is_found_with_the_registry_search_within_the_commune_and_chosen(
    client: Client, territory: Any, commune_officer: Any, make_user: Any
) -> None:
    market = create_market(commune=territory.commune, name="Chợ Quảng Khê", kind="market", actor=None)
    dao = register_dao(territory.village)
    namesake = ResidentFactory(village=territory.other_village, full_name="Nguyễn Thị Đào")  # in another commune
    seller = ResidentFactory(village=territory.village_b, full_name="Trần Văn Đào")
    register_trader(market=market, resident=seller, stall="A1", actor=None)
    client.force_login(commune_officer)

    page = client.get("/cho-so/xa/24631/", {"q": "nguyen thi dao"}).content.decode()
    assert "Nguyễn Thị Đào" in page and "*********321" in page and DAO_ID not in page
    assert f"nguoi={dao.pk}" in page and f"nguoi={namesake.pk}" not in page
    assert "đã là tiểu thương" in client.get("/cho-so/xa/24631/", {"q": "dao"}).content.decode()
    # By full ID (the people pages' rule: audited): only the commune's resident.
    by_id = client.get("/cho-so/xa/24631/", {"q": DAO_ID}).content.decode()
    assert f"nguoi={dao.pk}" in by_id and f"nguoi={namesake.pk}" not in by_id
    assert AuditEntry.objects.filter(action="people.search_national_id", actor=commune_officer).exists()

    chosen = client.get("/cho-so/xa/24631/", {"q": "dao", "nguoi": dao.pk}).content.decode()
    assert "Đã chọn:" in chosen and f'name="trader-resident" value="{dao.pk}"' in chosen
    for hostile in (namesake.pk, "abc", "9" * 30, -1):
        response = client.get("/cho-so/xa/24631/", {"q": "<script>", "nguoi": hostile})
        assert response.status_code == 200 and "Đã chọn:" not in response.content.decode(), hostile
        assert "<script>" not in response.content.decode()
    assert (
        client.post(
            "/cho-so/xa/24631/tieu-thuong/",
            {"trader-market": market.pk, "trader-resident": dao.pk, "trader-stall": "B2"},
        ).status_code
        == 302
    )
    assert set(Trader.objects.values_list("resident_id", flat=True)) == {seller.pk, dao.pk}

    elsewhere = SignInClient()
    elsewhere.force_login(make_user(Role.COMMUNE_OFFICER, territory.other_commune))
    assert elsewhere.get("/cho-so/xa/24631/", {"q": "dao"}).status_code == 404
    create_market(commune=territory.other_commune, name="Chợ Nhân Cơ", kind="market", actor=None)
    assert f"nguoi={namesake.pk}" in elsewhere.get("/cho-so/xa/24751/", {"q": "dao"}).content.decode()
