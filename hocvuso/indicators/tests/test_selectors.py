"""Dashboards, rankings, the leave-no-one-behind list and the public page: exact figures from facts built on
three days, access through hocvuso.accounts.access, and pinned query counts."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from hocvuso.accounts.roles import Role
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.indicators.models import Indicator, Target
from hocvuso.indicators.selectors import (
    TREND_WEEKS,
    IndicatorInfo,
    Quarter,
    Status,
    TrendPoint,
    emulation_ranking,
    furthest_from_target,
    organisation_dashboard,
    public_progress,
    rankings,
    unit_dashboard,
)
from hocvuso.indicators.selectors.dashboards import _FactsCache, _UnitFacts
from hocvuso.indicators.services import rebuild_facts, refresh_facts
from hocvuso.people.models import Membership
from hocvuso.people.tests.factories import OrganisationFactory

from .conftest import confirm_literacy

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 1)  # a Monday in the second quarter
ADULTS = "adults-digital-skills"


class History:
    """Adults: V1a 10, V1b 6, V2a 2. Literate adults: 2/0/0 two weeks before DAY, 4/3/0 a week before, 6/6/1 on
    DAY. Facts are built on each of the three days. Commune 24751 has its own 2026 target for adults: 50%."""

    def __init__(self, territory: Any, resident: Callable[..., Any]) -> None:
        self.territory = territory
        self.v1a = [resident(territory.village, age=30, on=DAY) for _ in range(10)]
        self.v1b = [resident(territory.village_b, age=40, on=DAY) for _ in range(6)]
        self.v2a = [resident(territory.other_village, age=50, on=DAY) for _ in range(2)]
        Target.objects.create(
            indicator=Indicator.objects.get(code=ADULTS), year=2026, unit=territory.other_commune, value=50
        )
        for person in self.v1a[:2]:
            confirm_literacy(person)
        rebuild_facts(on=DAY - timedelta(days=14))
        for person in self.v1a[2:4] + self.v1b[:3]:
            confirm_literacy(person)
        rebuild_facts(on=DAY - timedelta(days=7))
        for person in self.v1a[4:6] + self.v1b[3:] + self.v2a[:1]:
            confirm_literacy(person)
        rebuild_facts(on=DAY)


@pytest.fixture
def history(territory: Any, resident: Callable[..., Any]) -> History:
    return History(territory, resident)


def test_the_province_dashboard_shows_value_target_gap_trend_and_forecast(
    history: History, province_admin: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(5):  # roles, freshness, indicators, targets, facts
        dashboard = unit_dashboard(user=province_admin, unit=history.territory.province)

    assert dashboard.day == DAY
    assert dashboard.child_level == "commune"
    assert [child.place.code for child in dashboard.children] == ["24631", "24751"]
    adults = dashboard.unit.figure(ADULTS)
    assert adults is not None
    assert (adults.numerator, adults.denominator, adults.target) == (13, 18, 80.0)
    assert adults.value == pytest.approx(72.222, abs=1e-3)
    assert adults.gap == pytest.approx(7.778, abs=1e-3)
    assert (adults.to_reach, adults.not_reached) == (2, 5)
    assert [point.day for point in adults.trend] == [
        DAY - timedelta(days=7 * back) for back in range(TREND_WEEKS - 1, -1, -1)
    ]
    assert [round(point.value, 2) if point.value is not None else None for point in adults.trend] == [
        *[None] * (TREND_WEEKS - 3),
        11.11,
        38.89,
        72.22,
    ]
    assert adults.pace == pytest.approx(30.556, abs=1e-3)
    assert adults.forecast == DAY + timedelta(days=2)
    assert (adults.status, adults.band) == (Status.ON_TRACK, "green")
    assert [info.code for info in dashboard.indicators][:7] == [
        "staff-digital-skills",
        "students-digital-skills",
        ADULTS,
        "adults-certified-vneid",
        "workers-digital-skills",
        "digital-families",
        "digital-identity",
    ]
    families = dashboard.unit.figure("digital-families")
    assert families is not None and (families.status, families.denominator) == (Status.NO_DATA, 0)
    # an activity indicator (every one has a source since issue 13): counted, with no target to be judged against
    events = dashboard.unit.figure("learning-events")
    assert events is not None and (events.status, events.value) == (Status.NO_TARGET, 0.0)
    identity = dashboard.unit.figure("digital-identity")
    assert identity is not None and (identity.status, identity.band, identity.forecast) == (
        Status.OFF_TRACK,
        "red",
        None,
    )


def test_a_commune_and_a_village_dashboard_take_the_same_number_of_queries(
    history: History, province_admin: Any, django_assert_num_queries: Any
) -> None:
    territory = history.territory
    with django_assert_num_queries(5):
        commune = unit_dashboard(user=province_admin, unit=territory.commune, weeks=2)
    with django_assert_num_queries(4):  # the roles are cached on the user now
        village = unit_dashboard(user=province_admin, unit=territory.other_village)

    assert [child.place.code for child in commune.children] == ["24631.001", "24631.002"]
    v1b = commune.children[1].figure(ADULTS)
    assert v1b is not None and (v1b.value, v1b.status, v1b.to_reach) == (100.0, Status.MET, 0)
    staff_in_village = commune.children[0].figure("staff-digital-skills")
    assert staff_in_village is not None and staff_in_village.status == Status.NOT_APPLICABLE
    staff = commune.unit.figure("staff-digital-skills")
    assert staff is not None and staff.status == Status.NO_DATA
    assert [point.day for point in v1b.trend] == [DAY - timedelta(days=7), DAY]
    assert village.children == ()
    adults = village.unit.figure(ADULTS)
    assert adults is not None
    assert (adults.value, adults.target, adults.status) == (50.0, 50.0, Status.MET)  # the commune's 2026 target
    assert adults.trend == (
        *(TrendPoint(DAY - timedelta(days=7 * back), None) for back in range(TREND_WEEKS - 1, 2, -1)),
        TrendPoint(DAY - timedelta(days=14), 0.0),
        TrendPoint(DAY - timedelta(days=7), 0.0),
        TrendPoint(DAY, 50.0),
    )


def test_the_facts_are_read_once_per_refresh_and_afresh_after_it(
    history: History, province_admin: Any, django_assert_num_queries: Any
) -> None:
    """The unit dashboard keeps the facts it read until the facts change (the state row's refresh moment): a
    change shows with the next refresh, never later, and a change not yet refreshed is not shown either."""
    territory = history.territory

    def adults_of_24751() -> Any:
        dashboard = unit_dashboard(user=province_admin, unit=territory.province)
        return next(child for child in dashboard.children if child.place.code == "24751").figure(ADULTS)

    assert adults_of_24751().value == 50.0  # facts read (and the roles, now cached on the user)
    with django_assert_num_queries(3):  # freshness, indicators, targets: the facts as read under this refresh
        assert adults_of_24751().value == 50.0
    confirm_literacy(history.v2a[1])  # queued; the facts are the same until the refresh
    with django_assert_num_queries(3):
        assert adults_of_24751().numerator == 1
    assert refresh_facts(on=DAY).kind == "incremental"
    with django_assert_num_queries(4):  # a new refresh moment: the facts are read again
        figure = adults_of_24751()
    assert (figure.numerator, figure.value, figure.status) == (2, 100.0, Status.MET)
    rebuild_facts(on=DAY)
    Target.objects.create(indicator=Indicator.objects.get(code=ADULTS), year=2026, unit=territory.province, value=90)
    with django_assert_num_queries(4):  # a rebuild is a new moment too; targets are read every time
        figure = adults_of_24751()
    assert (figure.value, figure.target) == (100.0, 50.0)  # the commune's own target still wins below the province
    province = unit_dashboard(user=province_admin, unit=territory.province).unit.figure(ADULTS)
    assert province is not None and province.target == 90.0


def test_the_figures_are_kept_with_the_facts_and_made_afresh_for_a_new_target_or_refresh(
    history: History, province_admin: Any
) -> None:
    """A figure is computed once per refresh of the facts (the same object from one request to the next); a
    changed target or a refresh gives a new figure with the new numbers, never the kept one."""
    territory = history.territory

    def adults_of_24751() -> Any:
        dashboard = unit_dashboard(user=province_admin, unit=territory.province)
        return next(child for child in dashboard.children if child.place.code == "24751").figure(ADULTS)

    first = adults_of_24751()
    assert adults_of_24751() is first
    assert (first.numerator, first.target, first.status) == (1, 50.0, Status.MET)
    Target.objects.filter(unit=territory.other_commune).update(value=75)
    targeted = adults_of_24751()
    assert targeted is not first and (targeted.target, targeted.gap, targeted.to_reach) == (75.0, 25.0, 1)
    assert adults_of_24751() is targeted
    confirm_literacy(history.v2a[1])
    assert adults_of_24751() is targeted  # queued, not refreshed: the same facts, the same figure
    refresh_facts(on=DAY)
    refreshed = adults_of_24751()
    assert refreshed is not targeted and (refreshed.numerator, refreshed.value, refreshed.status) == (
        2,
        100.0,
        Status.MET,
    )


def test_the_kept_figures_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    info = IndicatorInfo(1, "x", "X", "X", "outcome", "percent", "up", "registry", ("commune",), True)
    facts = _UnitFacts([(7, "24631", "Xã", "commune", "/68/24631/", "", 1, 3, 4)], [DAY])
    place = facts.places[7]
    monkeypatch.setattr(_UnitFacts, "MAX_FIGURES", 2)

    made = [facts.figure(place, info, target) for target in (None, 50.0, 80.0)]

    assert [figure.value for figure in made] == [75.0, 75.0, 75.0]
    assert [figure.status for figure in made] == [Status.NO_TARGET, Status.MET, Status.OFF_TRACK]
    assert len(facts._figures) <= 2
    assert facts.figure(place, info, 80.0) is made[2]


def test_the_facts_cache_keeps_one_state_and_a_bounded_number_of_units() -> None:
    cache = _FactsCache()
    reads: list[str] = []

    def read(name: str) -> Callable[[], list[tuple[Any, ...]]]:
        return lambda: reads.append(name) or [(name,)]  # type: ignore[func-returns-value]

    assert cache.rows("v1", ("a",), read("a")) == (("a",),)
    assert cache.rows("v1", ("a",), read("a again")) == (("a",),)  # kept
    assert cache.rows("v2", ("a",), read("a at v2")) == (("a at v2",),)  # a new state: read again
    assert cache.rows("v1", ("a",), read("a at v1")) == (("a at v1",),)  # the old state's entries are gone
    assert cache.rows(None, ("a",), read("no state")) == (("no state",),)  # no state row: never kept
    assert cache.rows(None, ("a",), read("no state again")) == (("no state again",),)
    for number in range(cache.MAX_ENTRIES + 1):
        cache.rows("v3", (number,), read(str(number)))
    assert len(cache._state[1]) <= cache.MAX_ENTRIES
    assert reads == ["a", "a at v2", "a at v1", "no state", "no state again", *map(str, range(cache.MAX_ENTRIES + 1))]


def test_a_flat_trend_has_no_forecast(history: History, province_admin: Any) -> None:
    december = date(2026, 12, 28)
    for day in (december - timedelta(days=7), december):
        rebuild_facts(on=day)

    dashboard = unit_dashboard(user=province_admin, unit=history.territory.commune, on=december)

    adults = dashboard.unit.figure(ADULTS)
    assert adults is not None
    assert (adults.pace, adults.forecast, adults.status) == (0.0, None, Status.OFF_TRACK)
    assert [point.value for point in adults.trend if point.value is not None] == [75.0, 75.0]


def test_the_dashboard_is_scoped_to_the_users_units(
    history: History, commune_officer: Any, make_user: Callable[..., Any]
) -> None:
    territory = history.territory
    agency = make_user(Role.AGENCY_OFFICER, organisation=OrganisationFactory(unit=territory.commune))
    learner = make_user(Role.LEARNER, territory.province)

    assert unit_dashboard(user=commune_officer, unit=territory.commune).unit.place.code == "24631"
    for user, unit in [
        (commune_officer, territory.province),
        (commune_officer, territory.other_commune),
        (commune_officer, territory.other_village),
        (agency, territory.commune),
        (learner, territory.province),
    ]:
        with pytest.raises(NotFound):
            unit_dashboard(user=user, unit=unit)


def test_a_merged_unit_shows_its_successor(history: History, province_admin: Any) -> None:
    from hocvuso.territory.services import merge_units

    territory = history.territory
    merge_units(units=[territory.village_b], into=territory.village, effective=DAY, actor=None)
    rebuild_facts(on=DAY)

    dashboard = unit_dashboard(user=province_admin, unit=territory.village_b, on=DAY)

    assert dashboard.unit.place.code == "24631.001"
    adults = dashboard.unit.figure(ADULTS)
    assert adults is not None and (adults.numerator, adults.denominator) == (12, 16)


def test_a_child_with_facts_only_on_earlier_weeks_keeps_its_trend(
    history: History, province_admin: Any, django_assert_num_queries: Any
) -> None:
    """V1b merged into V1a on DAY: it has facts a week and two weeks before, none on DAY. The commune's page
    still lists it, with no figure for DAY and its earlier weeks, and V1a counts both villages on DAY."""
    from hocvuso.territory.services import merge_units

    territory = history.territory
    merge_units(units=[territory.village_b], into=territory.village, effective=DAY, actor=None)
    rebuild_facts(on=DAY)

    with django_assert_num_queries(5):
        dashboard = unit_dashboard(user=province_admin, unit=territory.commune, on=DAY)

    assert [child.place.code for child in dashboard.children] == ["24631.001", "24631.002"]
    merged = dashboard.children[1].figure(ADULTS)
    assert merged is not None and (merged.status, merged.value) == (Status.NO_DATA, None)
    absorbing = dashboard.children[0].figure(ADULTS)
    assert absorbing is not None
    assert (absorbing.numerator, absorbing.denominator) == (12, 16)
    assert [point.value for point in absorbing.trend][-3:] == [20.0, 40.0, 75.0]
    assert dashboard.children[1].place.name == territory.village_b.name


def test_a_rows_figures_are_computed_once_and_read_like_a_tuple(history: History, province_admin: Any) -> None:
    dashboard = unit_dashboard(user=province_admin, unit=history.territory.province)
    row = dashboard.children[0]
    codes = [info.code for info in dashboard.indicators]

    adults = row.figure(ADULTS)
    assert adults is not None and adults is row.figures[codes.index(ADULTS)]  # the same object, not recomputed
    assert row.figure("no-such-indicator") is None
    assert len(row.figures) == len(codes)
    assert [figure.indicator.code for figure in row.figures] == codes
    assert row.figures == tuple(row.figures)
    assert row.figures[1:3] == (row.figures[1], row.figures[2])
    assert (adults.numerator, adults.denominator) == (12, 16)


def test_the_agency_view_lists_the_organisations_the_user_follows(
    territory: Any, resident: Callable[..., Any], make_user: Callable[..., Any], django_assert_num_queries: Any
) -> None:
    school = OrganisationFactory(code="THPT-1", name="Trường THPT Chu Văn An", kind="school", unit=territory.commune)
    firm = OrganisationFactory(code="DN-1", name="Công ty Cà phê", kind="enterprise", unit=territory.other_commune)
    students = [resident(territory.village, age=16, on=DAY) for _ in range(4)]
    workers = [resident(territory.other_village, age=30, on=DAY) for _ in range(2)]
    for person in students:
        Membership.objects.create(resident=person, organisation=school, kind="student", valid_from=date(2024, 9, 5))
    for person in workers:
        Membership.objects.create(resident=person, organisation=firm, kind="worker", valid_from=date(2024, 1, 1))
    confirm_literacy(students[0], "students")
    confirm_literacy(workers[0], "citizens")  # not the workers' assessment
    rebuild_facts(on=DAY)
    officer = make_user(Role.AGENCY_OFFICER, organisation=school)
    admin = make_user(Role.PROVINCE_ADMIN, territory.province)

    with django_assert_num_queries(5):  # roles, freshness, indicators, targets, facts
        view = organisation_dashboard(user=officer)
    with django_assert_num_queries(5):
        everything = organisation_dashboard(user=admin, on=DAY)
    with django_assert_num_queries(4):  # the officer's roles are cached; the scope is decided from `school.unit`
        one = organisation_dashboard(user=officer, organisation=school)

    assert [row.place.code for row in view.rows] == ["THPT-1"]
    assert [info.code for info in view.indicators] == [
        "staff-digital-skills",
        "students-digital-skills",
        "workers-digital-skills",
    ]
    figure = view.rows[0].figure("students-digital-skills")
    assert figure is not None
    assert (figure.numerator, figure.denominator, figure.value, figure.target, figure.to_reach) == (
        1,
        4,
        25.0,
        100.0,
        3,
    )
    staff = view.rows[0].figure("staff-digital-skills")
    assert staff is not None and staff.status == Status.NO_DATA
    assert [row.place.code for row in everything.rows] == ["DN-1", "THPT-1"]
    assert one.rows == view.rows
    workers_figure = everything.rows[0].figure("workers-digital-skills")
    assert workers_figure is not None and (workers_figure.numerator, workers_figure.denominator) == (0, 2)
    with pytest.raises(NotFound):
        organisation_dashboard(user=officer, organisation=firm)


def test_furthest_from_target_lists_the_places_with_most_people_to_reach(
    history: History, province_admin: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(6):
        result = furthest_from_target(user=province_admin, unit=history.territory.province, limit=5)

    assert [(gap.place.code, gap.indicator.code, gap.to_reach, gap.not_reached) for gap in result.units] == [
        ("24631.001", "digital-identity", 10, 10),
        ("24631.001", "adults-certified-vneid", 7, 10),
        ("24631.002", "digital-identity", 6, 6),
        ("24631.002", "adults-certified-vneid", 5, 6),
        ("24631.001", ADULTS, 2, 4),
    ]
    assert result.organisations == ()


def test_the_emulation_ranking_scores_communes_with_their_breakdown(
    history: History, province_admin: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(6):  # province, weights, day, targets, facts; the user's roles
        ranking = emulation_ranking(user=province_admin, level="commune", quarter="2026-Q2")

    assert ranking.day == DAY
    assert [(entry.rank, entry.place.code) for entry in ranking.entries] == [(1, "24751"), (2, "24631")]
    first, second = ranking.entries
    assert first.score == pytest.approx(300 / 7)
    assert second.score == pytest.approx(100 * 3 * 0.9375 / 7)
    assert [(part.indicator.code, part.weight, part.attainment) for part in second.breakdown] == [
        (ADULTS, 3.0, 0.9375),
        ("adults-certified-vneid", 2.0, 0.0),
        ("digital-identity", 2.0, 0.0),
    ]
    assert (ranking.places, ranking.ranked, ranking.shows_every_place) == (2, 2, True)
    assert emulation_ranking(user=province_admin, level="commune", quarter=Quarter(2026, 1)).entries == ()


def test_the_emulation_ranking_gives_each_user_the_places_they_follow_ranked_among_all(
    history: History, commune_officer: Any, make_user: Callable[..., Any]
) -> None:
    territory = history.territory
    agency = make_user(Role.AGENCY_OFFICER, organisation=OrganisationFactory(unit=territory.commune))
    other_province = make_user(Role.PROVINCE_ADMIN, territory.other_province)

    mine = emulation_ranking(user=commune_officer, level="commune", quarter="2026-Q2")

    assert [(entry.rank, entry.place.code) for entry in mine.entries] == [(2, "24631")]
    assert (mine.places, mine.ranked, mine.shows_every_place) == (2, 2, False)
    for outsider in [agency, other_province, make_user(Role.LEARNER)]:
        ranking = emulation_ranking(user=outsider, level="commune", quarter="2026-Q2")
        assert (ranking.entries, ranking.places) == ((), 2), outsider


def test_the_emulation_ranking_refuses_an_unknown_level_or_quarter(history: History, province_admin: Any) -> None:
    with pytest.raises(DomainError):
        emulation_ranking(user=province_admin, level="village", quarter="2026-Q2")
    with pytest.raises(DomainError):
        emulation_ranking(user=province_admin, level="commune", quarter="2026-Q5")


def test_the_public_page_withholds_counts_below_five(history: History, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(5):  # province, freshness, indicators, targets, facts
        progress = public_progress(on=DAY)

    province = progress.province.figures[[info.code for info in progress.indicators].index(ADULTS)]
    assert (province.numerator, province.denominator, province.suppressed) == (13, 18, False)
    by_code = {row.place.code: row for row in progress.communes}
    commune = by_code["24631"].figures[[info.code for info in progress.indicators].index(ADULTS)]
    assert (commune.numerator, commune.value, commune.suppressed) == (None, None, True)  # 4 not reached
    small = by_code["24751"].figures[[info.code for info in progress.indicators].index(ADULTS)]
    assert (small.numerator, small.denominator, small.suppressed) == (None, None, True)
    # 0/16 is not small, but 24751's 0/2 is withheld: 0/16 is withheld too, and since the province's 0/18 minus
    # nothing shown would still say "none of the 2 reached", the province's figure is withheld as well
    identity = by_code["24631"].figures[[info.code for info in progress.indicators].index("digital-identity")]
    assert (identity.numerator, identity.denominator, identity.suppressed) == (None, None, True)
    province_identity = progress.province.figures[[info.code for info in progress.indicators].index("digital-identity")]
    assert (province_identity.numerator, province_identity.suppressed) == (None, True)
    assert all(info.kind == "outcome" for info in progress.indicators)


def test_target_resolution_prefers_the_latest_year_then_the_most_specific(
    history: History, province_admin: Any
) -> None:
    adults = Indicator.objects.get(code=ADULTS)
    Target.objects.create(indicator=adults, year=2026, value=Decimal(90))

    dashboard = unit_dashboard(user=province_admin, unit=history.territory.province, on=DAY)

    targets = {child.place.code: child.figure(ADULTS).target for child in dashboard.children}  # type: ignore[union-attr]
    assert targets == {"24631": 90.0, "24751": 50.0}


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({1: (50, 80), 2: (100, 200)}, set()),
        # one small commune alone would be the province total minus the others: the next smallest goes too
        ({1: (1, 2), 2: (100, 200), 3: (50, 80)}, {1, 3}),
        # two small ones that together still single people out (3 of 5): the next smallest joins them
        ({1: (1, 2), 2: (2, 3), 3: (100, 200), 4: (60, 90)}, {1, 2, 4}),
        # 5 people between the two, none reached: "none of them" gives each one away, so the next goes too
        ({1: (0, 2), 2: (0, 3), 3: (100, 200)}, {1, 2, 3}),
        # 5 reached and 5 not between the two: enough
        ({1: (2, 4), 2: (3, 6), 3: (100, 200)}, {1, 2}),
        # everyone reached in the two small ones (100%) is as disclosive as no one
        ({1: (2, 2), 2: (3, 3), 3: (100, 200), 4: (150, 300)}, {1, 2, 3}),
        # nothing else to withhold: the province's own figure is then small and withheld by itself
        ({1: (1, 2), 2: (2, 3)}, {1, 2}),
    ],
)
def test_the_public_page_withholds_enough_that_the_province_total_gives_nothing_away(
    counts: dict[int, tuple[int, int]], expected: set[int]
) -> None:
    withheld = rankings._withheld(counts)

    assert withheld == expected
    if withheld and len(withheld) < len(counts):
        numerator = sum(counts[pk][0] for pk in withheld)
        denominator = sum(counts[pk][1] for pk in withheld)
        assert len(withheld) >= 2
        assert not rankings._discloses(numerator, denominator)
