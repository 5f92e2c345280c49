"""Visits feed the monitoring through the same pre-aggregated facts and change capture as every other indicator:
a recorded visit queues its village, the next refresh changes the figures (households visited, visits in the
week, active teams, people helped to VNeID level 2), and a full rebuild agrees with the incremental refresh."""

import datetime
import uuid

import pytest
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.indicators.models import DirtyUnit, FactLevel, IndicatorFact
from hocvuso.indicators.selectors._figures import Status
from hocvuso.indicators.selectors.dashboards import unit_dashboard
from hocvuso.indicators.services import rebuild_facts, refresh_facts
from hocvuso.outreach.models import HouseholdAssignment, Outcome
from hocvuso.outreach.services import create_team
from hocvuso.outreach.visits import record_visit

from .conftest import now, people_of

CODES = ("households-visited", "household-visits", "active-digital-teams", "vneid-level-2-by-visit")


def _facts(unit_code: str) -> dict[str, tuple[int, int]]:
    rows = IndicatorFact.objects.filter(day=timezone.localdate(), unit__code=unit_code, indicator__code__in=CODES)
    return {code: (n, d) for code, n, d in rows.values_list("indicator__code", "numerator", "denominator")}


def _visit(field, user, household, outcomes=(), at=None):
    return record_visit(
        visit_id=uuid.uuid4(),
        form_version=1,
        household=household,
        visited_at=at or now(),
        outcomes=outcomes,
        actor=user,
    )


def _household(field, membership):
    return HouseholdAssignment.objects.filter(membership=membership).order_by("household__code").first().household


def test_a_recorded_visit_changes_the_figures_after_the_refresh(field, territory):
    rebuild_facts()
    assert _facts(territory.village.code) == {
        "households-visited": (0, 4),
        "household-visits": (0, 0),
        "active-digital-teams": (0, 1),  # the commune-wide team is carried by the commune's first village
        "vneid-level-2-by-visit": (0, 10),  # 8 of the households and the 2 members
    }
    household = _household(field, field.alice_membership)
    elder, _child = people_of(household)
    _visit(field, field.alice, household, [(elder.pk, Outcome.VNEID_LEVEL_2)])
    _visit(field, field.alice, household, [(elder.pk, Outcome.NOT_AT_HOME)])
    assert DirtyUnit.objects.filter(kind="village", object_id=territory.village.pk).exists()

    result = refresh_facts()

    assert result.kind == "incremental"
    assert _facts(territory.village.code) == {
        "households-visited": (1, 4),  # two visits, one household
        "household-visits": (2, 2),
        "active-digital-teams": (1, 1),
        "vneid-level-2-by-visit": (1, 10),
    }
    assert _facts(territory.commune.code)["household-visits"] == (2, 2)
    assert _facts(territory.province.code)["active-digital-teams"] == (1, 1)
    incremental = set(
        IndicatorFact.objects.filter(day=timezone.localdate()).values_list(
            "unit_id", "indicator_id", "numerator", "denominator"
        )
    )
    rebuild_facts()
    assert (
        set(
            IndicatorFact.objects.filter(day=timezone.localdate()).values_list(
                "unit_id", "indicator_id", "numerator", "denominator"
            )
        )
        == incremental
    )


def test_the_dashboard_shows_the_counts_and_no_longer_says_no_source(field, territory, province_admin):
    _visit(field, field.bob, _household(field, field.bob_membership))
    rebuild_facts()
    page = unit_dashboard(user=province_admin, unit=territory.commune)
    visits = page.unit.figure("household-visits")
    teams = page.unit.figure("active-digital-teams")
    visited = page.unit.figure("households-visited")
    assert visits is not None and teams is not None and visited is not None
    assert (visits.status, visits.value, visits.numerator) == (Status.NO_TARGET, 1.0, 1)
    assert (teams.status, teams.value) == (Status.NO_TARGET, 1.0)
    assert visited.value == pytest.approx(100 * 1 / 5)  # 4 households of V1a + 1 of V1b
    assert all(page.unit.figure(code).status != Status.NO_SOURCE for code in CODES)


def test_visits_older_than_the_week_and_teams_idle_for_30_days_are_not_counted(field, territory):
    household = _household(field, field.alice_membership)
    _visit(field, field.alice, household, at=now() - datetime.timedelta(days=31))
    rebuild_facts()
    facts = _facts(territory.commune.code)
    assert facts["household-visits"] == (0, 0)
    assert facts["active-digital-teams"] == (0, 1)
    assert facts["households-visited"][0] == 1  # visited once, whenever
    _visit(field, field.alice, household, at=now() - datetime.timedelta(days=7, hours=1))
    refresh_facts()
    facts = _facts(territory.commune.code)
    assert facts["household-visits"] == (0, 0)
    assert facts["active-digital-teams"] == (1, 1)


def test_a_team_of_one_village_is_counted_there_and_a_new_team_is_captured(
    field, territory, make_user, commune_officer
):
    rebuild_facts()
    leader = make_user(Role.TEAM_LEADER, territory.commune)
    create_team(
        commune=territory.commune, village=territory.village_b, name="Tổ Bon", leader=leader, actor=commune_officer
    )
    assert DirtyUnit.objects.filter(kind="village", object_id=territory.village_b.pk).exists()
    refresh_facts()
    assert _facts(territory.village_b.code)["active-digital-teams"] == (0, 1)
    assert _facts(territory.commune.code)["active-digital-teams"] == (0, 2)
    assert (
        IndicatorFact.objects.filter(
            level=FactLevel.COMMUNE, unit=territory.other_commune, indicator__code="active-digital-teams"
        )
        .get()
        .denominator
        == 0
    )


def test_the_people_list_refuses_an_indicator_of_visits_or_teams_and_lists_unvisited_households(
    client, field, territory, commune_officer
):
    from django.urls import reverse

    visited = _household(field, field.alice_membership)
    _visit(field, field.alice, visited)
    rebuild_facts()
    client.force_login(commune_officer)
    url = reverse("web:people_search")
    for code in ("household-visits", "active-digital-teams"):
        answer = client.get(url, {"chua_dat": code, "don_vi": territory.commune.code})
        assert answer.status_code == 404
    listed = client.get(url, {"chua_dat": "households-visited", "don_vi": territory.commune.code})
    assert listed.status_code == 200
    body = listed.content.decode()
    others = [h for h in field.households if h.pk != visited.pk]
    assert f"Chủ hộ {int(visited.code)}<" not in body
    assert all(f"Chủ hộ {int(h.code)}<" in body for h in others)
