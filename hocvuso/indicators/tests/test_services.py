"""Facts: the full rebuild counts what the plan's definitions say, the triggers queue what a write changes, and
the incremental refresh recomputes only that (and its sums), following mergers."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.indicators.capture import expected_triggers, installed_triggers
from hocvuso.indicators.computations import is_computable
from hocvuso.indicators.models import DirtyUnit, FactState, Indicator, IndicatorFact, Target, VneidCertification
from hocvuso.indicators.services import (
    mark_dirty,
    rebuild_facts,
    record_vneid_certification,
    refresh_facts,
    set_target,
)
from hocvuso.people.models import Membership, Resident
from hocvuso.people.selectors import target_groups_of
from hocvuso.people.services import add_membership, correct_resident, record_digital_identity
from hocvuso.people.tests.factories import OrganisationFactory
from hocvuso.territory.services import merge_units

from .conftest import confirm_literacy, facts_of, set_vneid

pytestmark = pytest.mark.django_db

OUTCOMES = [
    "staff-digital-skills",
    "students-digital-skills",
    "adults-digital-skills",
    "adults-certified-vneid",
    "workers-digital-skills",
    "digital-families",
    "digital-identity",
]


class Registry:
    """V1a: a (30, literate citizen, VNeID 2, certified), b (17, VNeID 1), c (18 today), d (10), households H1
    (a, b) and H2 (d); V1b: e (40, staff of O1, literate staff, H3); V2a: f (25, worker of O2, H4)."""

    def __init__(self, territory: Any, resident: Callable[..., Any], household: Callable[..., Any]) -> None:
        today = timezone.localdate()
        self.territory = territory
        self.o1 = OrganisationFactory(code="O1", unit=territory.commune)
        self.o2 = OrganisationFactory(code="O2", unit=territory.other_commune, kind="enterprise")
        self.h1, self.h2 = household(territory.village), household(territory.village)
        self.h3, self.h4 = household(territory.village_b), household(territory.other_village)
        self.a = resident(territory.village, age=30, household=self.h1)
        self.b = resident(territory.village, age=17, household=self.h1)
        self.c = resident(territory.village, age=18, household=self.h1)
        self.d = resident(territory.village, age=10, household=self.h2)
        self.e = resident(territory.village_b, age=40, household=self.h3)
        self.f = resident(territory.other_village, age=25, household=self.h4)
        confirm_literacy(self.a, "citizens")
        confirm_literacy(self.e, "staff")
        set_vneid(self.a, 2)
        set_vneid(self.b, 1)
        VneidCertification.objects.create(resident=self.a, pushed_at=timezone.now())
        Membership.objects.create(
            resident=self.e, organisation=self.o1, kind="staff", valid_from=today.replace(year=2020)
        )
        Membership.objects.create(
            resident=self.f, organisation=self.o2, kind="worker", valid_from=today.replace(year=2021)
        )


@pytest.fixture
def registry(territory: Any, resident: Callable[..., Any], household: Callable[..., Any]) -> Registry:
    return Registry(territory, resident, household)


EXPECTED = {
    ("adults-digital-skills", "village", "24631.001"): (1, 2),
    ("adults-digital-skills", "village", "24631.002"): (1, 1),
    ("adults-digital-skills", "village", "24751.001"): (0, 1),
    ("adults-digital-skills", "commune", "24631"): (2, 3),
    ("adults-digital-skills", "commune", "24751"): (0, 1),
    ("adults-digital-skills", "province", "68"): (2, 4),
    ("adults-certified-vneid", "village", "24631.001"): (1, 2),
    ("adults-certified-vneid", "village", "24631.002"): (0, 1),
    ("adults-certified-vneid", "village", "24751.001"): (0, 1),
    ("adults-certified-vneid", "commune", "24631"): (1, 3),
    ("adults-certified-vneid", "commune", "24751"): (0, 1),
    ("adults-certified-vneid", "province", "68"): (1, 4),
    ("digital-identity", "village", "24631.001"): (2, 3),
    ("digital-identity", "village", "24631.002"): (0, 1),
    ("digital-identity", "village", "24751.001"): (0, 1),
    ("digital-identity", "commune", "24631"): (2, 4),
    ("digital-identity", "commune", "24751"): (0, 1),
    ("digital-identity", "province", "68"): (2, 5),
    ("digital-families", "village", "24631.001"): (0, 2),
    ("digital-families", "village", "24631.002"): (0, 1),
    ("digital-families", "village", "24751.001"): (0, 1),
    ("digital-families", "commune", "24631"): (0, 3),
    ("digital-families", "commune", "24751"): (0, 1),
    ("digital-families", "province", "68"): (0, 4),
    ("staff-digital-skills", "village", "24631.001"): (0, 0),
    ("staff-digital-skills", "village", "24631.002"): (1, 1),
    ("staff-digital-skills", "village", "24751.001"): (0, 0),
    ("staff-digital-skills", "commune", "24631"): (1, 1),
    ("staff-digital-skills", "commune", "24751"): (0, 0),
    ("staff-digital-skills", "province", "68"): (1, 1),
    ("staff-digital-skills", "organisation", "O1"): (1, 1),
    ("students-digital-skills", "village", "24631.001"): (0, 0),
    ("students-digital-skills", "village", "24631.002"): (0, 0),
    ("students-digital-skills", "village", "24751.001"): (0, 0),
    ("students-digital-skills", "commune", "24631"): (0, 0),
    ("students-digital-skills", "commune", "24751"): (0, 0),
    ("students-digital-skills", "province", "68"): (0, 0),
    ("workers-digital-skills", "village", "24631.001"): (0, 0),
    ("workers-digital-skills", "village", "24631.002"): (0, 0),
    ("workers-digital-skills", "village", "24751.001"): (0, 1),
    ("workers-digital-skills", "commune", "24631"): (0, 0),
    ("workers-digital-skills", "commune", "24751"): (0, 1),
    ("workers-digital-skills", "province", "68"): (0, 1),
    ("workers-digital-skills", "organisation", "O2"): (0, 1),
}
# The outreach indicators: no team and no visit yet — nothing visited among the households and the residents of
# identity age, no visit in the week, no team.
PLACES = (("village", "24631.001"), ("village", "24631.002"), ("village", "24751.001"))
PLACES += (("commune", "24631"), ("commune", "24751"), ("province", "68"))
for _place in PLACES:
    EXPECTED[("households-visited", *_place)] = (0, EXPECTED[("digital-families", *_place)][1])
    EXPECTED[("vneid-level-2-by-visit", *_place)] = (0, EXPECTED[("digital-identity", *_place)][1])
    EXPECTED[("household-visits", *_place)] = (0, 0)
    EXPECTED[("active-digital-teams", *_place)] = (0, 0)
    # The activities (issue 13): no market, trader or event here.
    for _code in ("traders-trained", "digital-markets", "learning-events"):
        EXPECTED[(_code, *_place)] = (0, 0)
    EXPECTED[("class-attendance", *_place)] = (0, 0)
# Weekly community classes: each commune is counted in its first village; none held a class this week.
for _place, _communes in {
    ("village", "24631.001"): 1,
    ("village", "24631.002"): 0,
    ("village", "24751.001"): 1,
    ("commune", "24631"): 1,
    ("commune", "24751"): 1,
    ("province", "68"): 2,
}.items():
    EXPECTED[("weekly-classes-held", *_place)] = (0, _communes)


def test_the_plan_indicators_are_seeded_with_their_default_targets() -> None:
    outcome = Indicator.objects.filter(kind="outcome").order_by("position")
    activity = Indicator.objects.filter(kind="activity")

    assert [indicator.code for indicator in outcome] == OUTCOMES
    assert all(is_computable(indicator) for indicator in outcome)
    assert sorted(indicator.code for indicator in activity) == [
        "active-digital-teams",
        "class-attendance",
        "digital-markets",
        "household-visits",
        "households-visited",
        "learning-events",
        "traders-trained",
        "vneid-level-2-by-visit",
        "weekly-classes-held",
    ]
    built = {
        "active-digital-teams",
        "class-attendance",
        "household-visits",
        "households-visited",
        "vneid-level-2-by-visit",
        "weekly-classes-held",
    }
    built |= {"traders-trained", "digital-markets", "learning-events"}
    assert {indicator.code for indicator in activity if is_computable(indicator)} == built
    assert dict(Target.objects.filter(unit=None, organisation=None).values_list("indicator__code", "value")) == {
        "staff-digital-skills": Decimal(80),
        "students-digital-skills": Decimal(100),
        "adults-digital-skills": Decimal(80),
        "adults-certified-vneid": Decimal(70),
        "workers-digital-skills": Decimal(80),
        "digital-families": Decimal(100),
        "digital-identity": Decimal(100),
    }
    assert Indicator.objects.get(code="adults-digital-skills").parameters["age"] == "adult"
    assert Indicator.objects.get(code="digital-identity").parameters == {
        "age": "digital_identity",
        "min_vneid_level": 1,
    }


def test_the_capture_triggers_are_installed() -> None:
    assert installed_triggers() == expected_triggers()
    assert len(expected_triggers()) == 51  # 17 source tables × insert, update, delete


def test_a_full_rebuild_counts_every_indicator_at_every_level(registry: Registry) -> None:
    today = timezone.localdate()

    result = rebuild_facts(on=today)

    assert facts_of(today) == EXPECTED
    assert (result.kind, result.day, result.villages, result.organisations) == ("full", today, 3, 2)
    state = FactState.objects.get()
    assert state.day == today
    assert state.refreshed_at == state.built_at
    assert DirtyUnit.objects.count() == 0
    entry = AuditEntry.objects.get(action="indicators.rebuild")
    assert (entry.actor_label, entry.object_id, entry.details["villages"]) == ("system", today.isoformat(), 3)


def test_writes_queue_their_villages_and_organisations(registry: Registry, resident: Callable[..., Any]) -> None:
    rebuild_facts()
    territory = registry.territory

    correct_resident(resident=registry.b, changes={"village": territory.other_village, "household": None}, actor=None)
    add_membership(
        resident=registry.c, organisation=registry.o1, kind="staff", valid_from=timezone.localdate(), actor=None
    )
    correct_resident(resident=registry.d, changes={"full_name": "Trần Thị Bé"}, actor=None)  # no count changes

    queued = set(DirtyUnit.objects.values_list("kind", "object_id"))
    assert queued == {
        ("village", territory.village.pk),  # b moved out (and out of H1), c joined O1
        ("village", territory.other_village.pk),  # b moved in
        ("organisation", registry.o1.pk),
    }


def test_an_incremental_refresh_recomputes_only_the_queued_units(registry: Registry) -> None:
    today = timezone.localdate()
    rebuild_facts(on=today)
    untouched = IndicatorFact.objects.get(day=today, indicator__code="digital-identity", unit__code="24751.001").pk

    record_digital_identity(
        resident=registry.c, vneid_level=2, has_bank_account=None, source="visit", on=today, actor=None
    )
    confirm_literacy(registry.c, "elderly")
    result = refresh_facts(on=today)

    assert (result.kind, result.villages, result.organisations) == ("incremental", 1, 0)
    facts = facts_of(today)
    assert facts[("digital-identity", "village", "24631.001")] == (3, 3)
    assert facts[("digital-identity", "commune", "24631")] == (3, 4)
    assert facts[("digital-identity", "province", "68")] == (3, 5)
    assert facts[("adults-digital-skills", "village", "24631.001")] == (2, 2)
    assert facts[("adults-digital-skills", "province", "68")] == (3, 4)
    assert IndicatorFact.objects.get(day=today, indicator__code="digital-identity", unit__code="24751.001").pk == (
        untouched
    )
    assert DirtyUnit.objects.count() == 0
    assert refresh_facts(on=today).kind == "none"


def test_a_membership_change_refreshes_the_organisation(registry: Registry) -> None:
    today = timezone.localdate()
    rebuild_facts(on=today)

    add_membership(resident=registry.a, organisation=registry.o1, kind="staff", valid_from=today, actor=None)
    result = refresh_facts(on=today)

    assert (result.kind, result.villages, result.organisations) == ("incremental", 1, 1)
    facts = facts_of(today)
    assert facts[("staff-digital-skills", "organisation", "O1")] == (1, 2)  # a is literate, but as a citizen
    assert facts[("staff-digital-skills", "village", "24631.001")] == (0, 1)


def test_a_new_day_rebuilds_everything_and_keeps_the_history(registry: Registry) -> None:
    today = timezone.localdate()
    rebuild_facts(on=today)
    tomorrow = today + timedelta(days=1)
    registry.b.birth_date = registry.b.birth_date - timedelta(days=366)  # b is 18 now
    registry.b.save()

    result = refresh_facts(on=tomorrow)

    assert result.kind == "full"
    assert facts_of(today)[("adults-digital-skills", "village", "24631.001")] == (1, 2)  # history kept
    assert facts_of(tomorrow)[("adults-digital-skills", "village", "24631.001")] == (1, 3)


def test_changing_a_definition_rebuilds_with_the_new_parameters(registry: Registry) -> None:
    today = timezone.localdate()
    rebuild_facts(on=today)
    indicator = Indicator.objects.get(code="adults-digital-skills")
    indicator.parameters = {**indicator.parameters, "literacy_groups": ["staff"]}
    indicator.save()

    assert refresh_facts(on=today).kind == "full"
    assert facts_of(today)[("adults-digital-skills", "village", "24631.001")] == (0, 2)


def test_changing_the_adult_age_setting_rebuilds_and_counts_as_the_pages_do(registry: Registry) -> None:
    today = timezone.localdate()
    rebuild_facts(on=today)
    assert facts_of(today)[("adults-digital-skills", "village", "24631.001")] == (1, 2)  # a (30) and c (18 today)
    assert "adult" in target_groups_of(registry.c, [], today)

    with override_settings(ADULT_AGE=19):
        assert refresh_facts(on=today).kind == "full"  # the thresholds are part of what the facts were built with
        assert facts_of(today)[("adults-digital-skills", "village", "24631.001")] == (1, 1)  # c no longer counts
        assert "adult" not in target_groups_of(registry.c, [], today)  # nor is c an adult on the pages
        assert set(Resident.objects.adults(today)) == {registry.a, registry.e, registry.f}


def test_data_of_a_merged_village_counts_under_its_successor(registry: Registry) -> None:
    today = timezone.localdate()
    territory = registry.territory
    rebuild_facts(on=today)

    merge_units(units=[territory.village_b], into=territory.village, effective=today, actor=None)
    assert refresh_facts(on=today).kind == "full"  # the units changed

    facts = facts_of(today)
    assert facts[("adults-digital-skills", "village", "24631.001")] == (2, 3)
    assert ("adults-digital-skills", "village", "24631.002") not in facts
    assert facts[("adults-digital-skills", "commune", "24631")] == (2, 3)
    # a change recorded against the old village afterwards still lands on the successor
    registry.e.birth_date = registry.e.birth_date.replace(year=today.year - 10)
    registry.e.save()
    assert refresh_facts(on=today).kind == "incremental"
    assert facts_of(today)[("adults-digital-skills", "village", "24631.001")] == (1, 2)


def test_a_commune_merger_moves_its_villages_under_the_successor(registry: Registry) -> None:
    today = timezone.localdate()
    territory = registry.territory

    merge_units(
        units=[territory.other_commune], into=territory.commune, effective=today - timedelta(days=1), actor=None
    )
    rebuild_facts(on=today)

    facts = facts_of(today)
    assert facts[("adults-digital-skills", "commune", "24631")] == (2, 4)
    assert ("adults-digital-skills", "commune", "24751") not in facts
    assert facts[("adults-digital-skills", "village", "24751.001")] == (0, 1)
    parent = IndicatorFact.objects.get(day=today, indicator__code="adults-digital-skills", unit__code="24751.001")
    assert parent.parent_id == territory.commune.pk


def test_mark_dirty_queues_each_unit_once() -> None:
    assert mark_dirty(villages=[5, 5, 7], organisations=[3]) == 3
    first = DirtyUnit.objects.get(kind="village", object_id=5).since

    mark_dirty(villages=[5])

    assert DirtyUnit.objects.count() == 3
    assert DirtyUnit.objects.get(kind="village", object_id=5).since == first


def test_a_certificate_pushed_to_vneid_is_recorded_and_counted(
    registry: Registry, make_user: Callable[..., Any]
) -> None:
    today = timezone.localdate()
    rebuild_facts(on=today)
    officer = make_user(Role.COMMUNE_OFFICER, registry.territory.commune)

    record_vneid_certification(resident=registry.e, pushed_at=timezone.now(), actor=officer, reference="VN-1")
    refresh_facts(on=today)

    assert facts_of(today)[("adults-certified-vneid", "province", "68")] == (2, 4)
    entry = AuditEntry.objects.get(action="indicators.record_vneid_certification")
    assert (entry.actor, entry.object_id) == (officer, str(registry.e.pk))


def test_recording_a_certification_outside_the_actors_scope_is_refused(
    registry: Registry, make_user: Callable[..., Any]
) -> None:
    officer = make_user(Role.COMMUNE_OFFICER, registry.territory.other_commune)

    with pytest.raises(NotFound):
        record_vneid_certification(resident=registry.e, pushed_at=timezone.now(), actor=officer)

    assert VneidCertification.objects.filter(resident=registry.e).count() == 0
    assert not AuditEntry.objects.filter(action="indicators.record_vneid_certification").exists()


def test_set_target_overrides_a_unit_and_is_audited(territory: Any, province_admin: Any) -> None:
    indicator = Indicator.objects.get(code="adults-digital-skills")

    target = set_target(indicator=indicator, year=2026, value="85.5", unit=territory.commune, actor=province_admin)
    set_target(indicator=indicator, year=2026, value=90, unit=territory.commune, actor=province_admin)

    target.refresh_from_db()
    assert (target.value, target.unit, target.year) == (Decimal("90.00"), territory.commune, 2026)
    assert AuditEntry.objects.filter(action="indicators.set_target").count() == 2


def test_set_target_refuses_a_percentage_above_100_and_other_units(
    territory: Any, commune_officer: Any, province_admin: Any
) -> None:
    indicator = Indicator.objects.get(code="adults-digital-skills")

    with pytest.raises(DomainError) as caught:
        set_target(indicator=indicator, year=2026, value=101, actor=province_admin)
    assert caught.value.code == "target_value"
    with pytest.raises(NotFound):
        set_target(indicator=indicator, year=2026, value=90, unit=territory.other_commune, actor=commune_officer)
    with pytest.raises(NotFound):
        set_target(indicator=indicator, year=2026, value=90, actor=commune_officer)  # the province default

    assert Target.objects.filter(year=2026).count() == 0
    assert not AuditEntry.objects.filter(action="indicators.set_target").exists()
