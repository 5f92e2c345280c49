"""A confirmed "deceased" report of a visit changes the registry (people.services.record_death): the person leaves
their household and is counted nowhere from the day of the visit — no indicator's denominator, no worklist, no "not
yet reached" list — and the incremental refresh of the facts agrees with a full rebuild."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.indicators.models import DirtyUnit, IndicatorFact
from hocvuso.indicators.selectors.not_reached import not_reached_filter, not_reached_residents
from hocvuso.indicators.services import rebuild_facts, refresh_facts
from hocvuso.outreach.models import HouseholdAssignment, Outcome, RegistryChangeReport, ReportStatus
from hocvuso.outreach.selectors import worklist
from hocvuso.outreach.services import decide_registry_report
from hocvuso.outreach.visits import record_visit
from hocvuso.people.models import Resident
from hocvuso.people.services import record_death
from hocvuso.people.tests.factories import ResidentFactory

from .conftest import now, people_of

pytestmark = pytest.mark.django_db


def _all_facts() -> set[tuple[int, int, int, int]]:
    return set(
        IndicatorFact.objects.filter(day=timezone.localdate()).values_list(
            "unit_id", "indicator_id", "numerator", "denominator"
        )
    )


def _denominator(code: str, unit) -> int:
    return IndicatorFact.objects.get(day=timezone.localdate(), unit=unit, indicator__code=code).denominator


def _death_report(field, *, at=None):
    household = HouseholdAssignment.objects.filter(membership=field.alice_membership).order_by("pk").first().household
    elder, _child = people_of(household)
    household.head = elder
    household.save()
    record_visit(
        visit_id=uuid.uuid4(),
        form_version=1,
        household=household,
        visited_at=at or now(),
        outcomes=[(elder.pk, Outcome.DECEASED)],
        actor=field.alice,
    )
    return RegistryChangeReport.objects.get(resident=elder), household, elder


def test_a_confirmed_death_leaves_every_count_and_the_refresh_equals_a_rebuild(field, territory, commune_officer):
    report, household, elder = _death_report(field)
    rebuild_facts()
    before = _denominator("vneid-level-2-by-visit", territory.village)
    in_worklist = {p.id for h in worklist(field.alice) for p in h.people}
    assert elder.pk in in_worklist
    selection = not_reached_filter(
        commune_officer, indicator_code="vneid-level-2-by-visit", unit_code=territory.commune.code
    )
    assert elder in set(not_reached_residents(selection))
    DirtyUnit.objects.all().delete()

    decide_registry_report(report=report, confirm=True, actor=commune_officer)

    elder.refresh_from_db()
    household.refresh_from_db()
    assert elder.died_on == timezone.localdate() and elder.household_id is None
    assert household.head_id is None
    assert DirtyUnit.objects.filter(kind="village", object_id=territory.village.pk).exists()
    assert refresh_facts().kind == "incremental"
    assert _denominator("vneid-level-2-by-visit", territory.village) == before - 1
    incremental = _all_facts()
    rebuild_facts()
    assert _all_facts() == incremental
    assert elder.pk not in {p.id for h in worklist(field.alice) for p in h.people}
    assert elder not in set(not_reached_residents(selection))
    entry = AuditEntry.objects.get(action="people.record_death")
    assert entry.details["household"] == household.code and entry.details["head_cleared"] is True
    assert entry.details["reference"] == f"visit:{report.visit_id}"


def test_the_death_counts_from_the_visit_day_in_past_facts(field, territory, commune_officer):
    visited = now() - datetime.timedelta(days=20)
    report, _household, elder = _death_report(field, at=visited)
    decide_registry_report(report=report, confirm=True, actor=commune_officer)
    elder.refresh_from_db()
    assert elder.died_on == timezone.localdate(visited)
    day_before = elder.died_on - datetime.timedelta(days=1)
    assert Resident.objects.alive_on(day_before).filter(pk=elder.pk).exists()
    assert not Resident.objects.alive_on(elder.died_on).filter(pk=elder.pk).exists()


def test_a_rejected_death_report_changes_nothing(field, commune_officer):
    report, household, elder = _death_report(field)
    report = decide_registry_report(report=report, confirm=False, actor=commune_officer)
    elder.refresh_from_db()
    assert elder.died_on is None and elder.household_id == household.pk
    assert report.status == ReportStatus.REJECTED
    assert not AuditEntry.objects.filter(action="people.record_death").exists()


def test_record_death_refuses_a_future_day_a_second_death_and_an_officer_elsewhere(
    territory, commune_officer, make_user
):
    resident = ResidentFactory(village=territory.village, birth_date=datetime.date(1940, 3, 3))
    with pytest.raises(DomainError) as error:
        record_death(resident=resident, died_on=timezone.localdate() + datetime.timedelta(days=1), actor=None)
    assert error.value.code == "died_on_future"
    with pytest.raises(DomainError) as error:
        record_death(resident=resident, died_on=datetime.date(1939, 1, 1), actor=None)
    assert error.value.code == "died_on_before_birth"
    with pytest.raises(NotFound):
        record_death(
            resident=resident,
            died_on=timezone.localdate(),
            actor=make_user(Role.COMMUNE_OFFICER, territory.other_commune),
        )
    record_death(resident=resident, died_on=timezone.localdate(), actor=commune_officer)
    with pytest.raises(DomainError) as error:
        record_death(resident=resident, died_on=timezone.localdate(), actor=commune_officer)
    assert error.value.code == "already_dead"
    assert AuditEntry.objects.filter(action="people.record_death").count() == 1


def test_the_officer_confirms_a_death_on_the_reports_page_once(client, field, territory, commune_officer):
    report, _household, elder = _death_report(field)
    client.force_login(commune_officer)
    url = reverse("web:outreach_report_decide", kwargs={"code": territory.commune.code})
    client.post(url, {"report": report.pk, "decision": "confirm"})
    client.post(url, {"report": report.pk, "decision": "confirm"})  # sent twice
    elder.refresh_from_db()
    assert elder.died_on == timezone.localdate()
    assert AuditEntry.objects.filter(action="people.record_death").count() == 1
    page = client.get(reverse("web:resident", kwargs={"resident_id": elder.pk}))
    assert "Đã mất" in page.content.decode()
