"""Chợ số 4T and events: the services refuse what is wrong (outside the commune, twice, bad values) and change
nothing then; a market becomes a digital market by the rule; the indicators count traders 4T-complete, digital markets
and the year's events."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.indicators.services import rebuild_facts, refresh_facts
from hocvuso.indicators.tests.conftest import facts_of
from hocvuso.outreach.events import (
    calendar,
    delete_event,
    festival_days,
    may_edit_event,
    record_event,
    update_event,
)
from hocvuso.outreach.markets import create_market, market_rows, record_trader_step, register_trader
from hocvuso.outreach.models import Event, FourT, Market, Trader, TraderStep
from hocvuso.people.tests.factories import OrganisationFactory, ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(territory: Any, commune_officer: Any) -> Market:
    return create_market(commune=territory.commune, name="Chợ  Quảng   Khê", kind="market", actor=commune_officer)


def test_a_market_is_registered_once_per_name_in_its_commune(territory: Any, commune_officer: Any, market: Market):
    assert market.name == "Chợ Quảng Khê" and market.village is None
    assert AuditEntry.objects.filter(action="outreach.create_market", object_id=str(market.pk)).count() == 1

    with pytest.raises(DomainError) as twice:
        create_market(commune=territory.commune, name="Chợ Quảng Khê", kind="market", actor=commune_officer)
    assert twice.value.code == "duplicate_name"
    for bad, code in [({"name": "   "}, "required"), ({"kind": "casino"}, "kind_invalid")]:
        with pytest.raises(DomainError) as refused:
            create_market(**{"commune": territory.commune, "name": "Chợ mới", "kind": "market", **bad}, actor=None)
        assert refused.value.code == code
    with pytest.raises(DomainError):
        create_market(
            commune=territory.commune, name="Chợ mới", kind="market", village=territory.other_village, actor=None
        )
    with pytest.raises(DomainError):
        create_market(commune=territory.village, name="Chợ mới", kind="market", actor=None)
    assert Market.objects.count() == 1


def test_another_communes_officer_cannot_register_there(territory: Any, make_user: Any, market: Market) -> None:
    other = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    member = make_user(Role.TEAM_MEMBER, territory.commune)
    resident = ResidentFactory(village=territory.village)

    for actor in (other, member):
        with pytest.raises(NotFound):
            create_market(commune=territory.commune, name="Chợ khác", kind="market", actor=actor)
        with pytest.raises(NotFound):
            register_trader(market=market, resident=resident, stall="A1", actor=actor)
    assert Market.objects.count() == 1 and Trader.objects.count() == 0


def test_a_trader_lives_in_the_commune_and_each_t_is_recorded_once_with_evidence(
    territory: Any, commune_officer: Any, market: Market
) -> None:
    today = timezone.localdate()
    resident = ResidentFactory(village=territory.village_b)
    trader = register_trader(market=market, resident=resident, stall="Sạp 12", actor=commune_officer)
    with pytest.raises(DomainError) as twice:
        register_trader(market=market, resident=resident, stall="Sạp 13", actor=commune_officer)
    assert twice.value.code == "duplicate_trader"
    with pytest.raises(DomainError) as outside:
        register_trader(market=market, resident=ResidentFactory(village=territory.other_village), stall="", actor=None)
    assert outside.value.code == "resident_outside"

    step = record_trader_step(
        trader=trader, step=FourT.CASHLESS, evidence="Mã QR tại sạp", achieved_on=today, actor=commune_officer
    )
    assert (step.step, step.evidence, step.recorded_by) == ("cashless", "Mã QR tại sạp", commune_officer)
    hostile = [
        ({"step": "cashless"}, "duplicate_step"),
        ({"step": "crypto"}, "step_invalid"),
        ({"evidence": "   "}, "required"),
        ({"evidence": "x" * 301}, "too_long"),
        ({"achieved_on": today + datetime.timedelta(days=1)}, "future"),
        ({"achieved_on": today - datetime.timedelta(days=1)}, "before_trader"),
    ]
    for bad, code in hostile:
        arguments = {"trader": trader, "step": "trained", "evidence": "Giấy chứng nhận", "achieved_on": today, **bad}
        with pytest.raises(DomainError) as refused:
            record_trader_step(**arguments, actor=commune_officer)
        assert refused.value.code == code, bad
    assert TraderStep.objects.count() == 1


def test_a_market_becomes_digital_by_the_rule_and_the_indicators_follow(
    territory: Any, commune_officer: Any, market: Market
) -> None:
    today = timezone.localdate()
    rebuild_facts(on=today)
    traders = [
        register_trader(market=market, resident=ResidentFactory(village=territory.village), stall=f"{n}", actor=None)
        for n in range(3)
    ]
    for trader in traders[:2]:
        record_trader_step(trader=trader, step="cashless", evidence="QR", achieved_on=today, actor=None)
    refresh_facts(on=today)
    assert [row.is_digital for row in market_rows(territory.commune)] == [False]  # 2 of 3 pay by QR: 67% < 80%
    assert facts_of(today)[("digital-markets", "commune", "24631")] == (0, 1)
    assert facts_of(today)[("traders-trained", "commune", "24631")] == (0, 3)

    for step in FourT.values:
        if step != "cashless":
            record_trader_step(trader=traders[0], step=step, evidence="Đã xem", achieved_on=today, actor=None)
    record_trader_step(trader=traders[2], step="cashless", evidence="QR", achieved_on=today, actor=None)
    refresh_facts(on=today)

    rows = market_rows(territory.commune)
    assert [row.is_digital for row in rows] == [True] and rows[0].complete_count == 1
    assert facts_of(today)[("digital-markets", "commune", "24631")] == (1, 1)
    assert facts_of(today)[("traders-trained", "commune", "24631")] == (1, 3)
    assert facts_of(today)[("traders-trained", "province", "68")] == (1, 3)


def test_an_event_is_recorded_with_its_organiser_and_counted_in_the_year(
    territory: Any, commune_officer: Any, make_user: Any
) -> None:
    today = timezone.localdate()
    rebuild_facts(on=today)
    youth = OrganisationFactory(code="DTN", name="Đoàn Thanh niên xã", unit=territory.commune)
    event = record_event(
        commune=territory.commune,
        kind="youth_campaign",
        title="Ra quân  tình nguyện",
        place="Nhà văn hóa thôn 1",
        starts_on=today,
        organiser_organisation=youth,
        registered=40,
        participants=52,
        actor=commune_officer,
    )
    assert (event.title, event.ends_on, event.organiser_unit, event.participants) == (
        "Ra quân tình nguyện",
        today,
        None,
        52,
    )
    plain = record_event(
        commune=territory.commune, kind="festival", title="Ngày hội", place="Sân UBND", starts_on=today, actor=None
    )
    assert plain.organiser_unit == territory.commune
    refresh_facts(on=today)
    assert facts_of(today)[("learning-events", "commune", "24631")] == (2, 2)
    assert facts_of(today)[("learning-events", "province", "68")] == (2, 2)
    assert [e.title for e in calendar(commune_officer, year=today.year)] == ["Ra quân tình nguyện", "Ngày hội"]
    assert list(calendar(make_user(Role.COMMUNE_OFFICER, territory.other_commune), year=today.year)) == []
    assert festival_days(2026) == [datetime.date(2026, 10, 10), datetime.date(2026, 11, 1)]


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ({"kind": "rave"}, "kind_invalid"),
        ({"title": "  "}, "required"),
        ({"place": ""}, "required"),
        ({"ends_on": datetime.date(2026, 10, 9)}, "period_invalid"),
        ({"registered": -1}, "count_invalid"),
        ({"participants": 10**9}, "count_invalid"),
    ],
)
def test_an_event_with_a_bad_value_is_refused(territory: Any, bad: dict[str, Any], code: str) -> None:
    arguments = {
        "commune": territory.commune,
        "kind": "festival",
        "title": "Ngày hội",
        "place": "Sân",
        "starts_on": datetime.date(2026, 10, 10),
        **bad,
    }
    with pytest.raises(DomainError) as refused:
        record_event(**arguments, actor=None)
    assert refused.value.code == code
    assert Event.objects.count() == 0


def test_an_event_outside_the_actor_or_with_a_foreign_organiser_is_refused(
    territory: Any, make_user: Any, commune_officer: Any
) -> None:
    arguments = {"kind": "festival", "title": "Ngày hội", "place": "Sân", "starts_on": datetime.date(2026, 10, 10)}
    with pytest.raises(NotFound):
        record_event(commune=territory.other_commune, **arguments, actor=commune_officer)
    with pytest.raises(NotFound):
        record_event(commune=territory.commune, **arguments, actor=make_user(Role.TEAM_LEADER, territory.commune))
    with pytest.raises(DomainError):
        record_event(commune=territory.commune, organiser_unit=territory.other_commune, **arguments, actor=None)
    foreign = OrganisationFactory(code="HN", unit=territory.far_commune)
    with pytest.raises(DomainError):
        record_event(commune=territory.commune, organiser_organisation=foreign, **arguments, actor=None)
    record_event(commune=territory.commune, **arguments, actor=commune_officer)
    with pytest.raises(DomainError) as twice:
        record_event(commune=territory.commune, **arguments, actor=commune_officer)
    assert twice.value.code == "duplicate_event"
    assert Event.objects.count() == 1


def test_an_event_is_edited_with_the_same_rules_and_deleted_by_its_organisers_only(
    territory: Any, make_user: Any, commune_officer: Any, province_admin: Any
) -> None:
    today = timezone.localdate()
    rebuild_facts(on=today)
    arguments = {"kind": "festival", "place": "Sân", "starts_on": today}
    own = record_event(commune=territory.commune, title="Ngày hội xã", **arguments, actor=commune_officer)
    provincial = record_event(
        commune=territory.commune, title="Ngày hội tỉnh", organiser_unit=territory.province, **arguments, actor=None
    )
    changed = update_event(event=own, title="Ngày hội  học tập số", registered=80, actor=commune_officer, **arguments)
    assert (changed.title, changed.registered, changed.organiser_unit) == ("Ngày hội học tập số", 80, territory.commune)
    entry = AuditEntry.objects.get(action="outreach.update_event", object_id=str(own.pk))
    assert entry.details["changed"] == ["registered", "title"] and entry.actor == commune_officer
    # The creation's validation, and its duplicate rule (another event of the same kind, title and day).
    for bad, code in (
        ({"title": " "}, "required"),
        ({"ends_on": today - datetime.timedelta(days=1)}, "period_invalid"),
        ({"registered": -3}, "count_invalid"),
        ({"kind": "rave"}, "kind_invalid"),
        ({"title": "Ngày hội tỉnh"}, "duplicate_event"),
    ):
        with pytest.raises(DomainError) as refused:
            update_event(event=own, **{**arguments, "title": "Ngày hội học tập số", **bad}, actor=commune_officer)
        assert refused.value.code == code, bad
    with pytest.raises(DomainError):
        update_event(event=own, **arguments, title="X", organiser_unit=territory.other_commune, actor=commune_officer)
    # The commune's officer may not change the province's festival, nor another commune's officer theirs.
    assert not may_edit_event(commune_officer, provincial) and may_edit_event(province_admin, provincial)
    for actor, event in (
        (commune_officer, provincial),
        (make_user(Role.COMMUNE_OFFICER, territory.other_commune), own),
        (make_user(Role.TEAM_LEADER, territory.commune), own),
    ):
        with pytest.raises(NotFound):
            update_event(event=event, title="Đổi", **arguments, actor=actor)
        with pytest.raises(NotFound):
            delete_event(event=event, actor=actor)
    assert Event.objects.get(pk=own.pk).title == "Ngày hội học tập số"
    delete_event(event=provincial, actor=province_admin, reason="Ghi  nhầm")
    assert list(Event.objects.values_list("pk", flat=True)) == [own.pk]
    deleted = AuditEntry.objects.get(action="outreach.delete_event")
    assert deleted.details["title"] == "Ngày hội tỉnh" and deleted.details["reason"] == "Ghi nhầm"
    refresh_facts(on=today)
    assert facts_of(today)[("learning-events", "commune", "24631")] == (1, 1)
