import datetime
import uuid

import pytest

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.outreach.models import HouseholdAssignment, Outcome, RegistryChangeReport, ReportStatus, Visit
from hocvuso.outreach.services import add_team_member, assign_households, create_team, decide_registry_report
from hocvuso.outreach.visits import CREATED, UNCHANGED, VisitConflict, record_visit
from hocvuso.people.models import DigitalIdentity, EvidenceSource, Resident
from hocvuso.people.services import record_digital_identity

from .conftest import START, now, people_of


def _household_of(field, user):
    membership = field.alice_membership if user == field.alice else field.bob_membership
    assignment = HouseholdAssignment.objects.filter(membership=membership).order_by("household__code").first()
    return assignment.household


def _visit(actor, household, outcomes=(), note="", visit_id=None, at=None):
    return record_visit(
        visit_id=visit_id or uuid.uuid4(),
        form_version=1,
        household=household,
        visited_at=at or now(),
        outcomes=outcomes,
        note=note,
        actor=actor,
    )


def test_a_visit_records_outcomes_and_raises_digital_identity_with_source_home_visit(field):
    household = _household_of(field, field.alice)
    elder, child = people_of(household)
    result = _visit(
        field.alice,
        household,
        [
            (elder.pk, Outcome.VNEID_LEVEL_2),
            (elder.pk, Outcome.INSTALLED_VNEID),
            (child.pk, Outcome.OPENED_BANK_ACCOUNT),
        ],
        note="Bác đã có VNeID mức 2",
    )
    assert result.status == CREATED
    visit = Visit.objects.get()
    assert (visit.household, visit.membership, visit.team, visit.recorded_by) == (
        household,
        field.alice_membership,
        field.team,
        field.alice,
    )
    assert sorted(visit.outcomes.values_list("resident_id", "outcome")) == sorted(
        [(elder.pk, "installed_vneid"), (elder.pk, "vneid_level_2"), (child.pk, "opened_bank_account")]
    )
    elder_identity = DigitalIdentity.objects.get(resident=elder)
    assert (elder_identity.vneid_level, elder_identity.vneid_source) == (2, EvidenceSource.VISIT)
    child_identity = DigitalIdentity.objects.get(resident=child)
    assert (child_identity.vneid_level, child_identity.has_bank_account, child_identity.bank_source) == (
        0,
        True,
        EvidenceSource.VISIT,
    )
    assert AuditEntry.objects.filter(action="outreach.record_visit").count() == 1
    assert AuditEntry.objects.filter(action="people.record_identity_evidence").count() == 2


def test_a_visit_never_overwrites_a_stronger_source_and_never_lowers_a_level(field):
    household = _household_of(field, field.alice)
    elder, child = people_of(household)
    record_digital_identity(
        resident=elder, vneid_level=1, has_bank_account=None, source=EvidenceSource.VNEID, on=START, actor=None
    )
    record_digital_identity(
        resident=child, vneid_level=2, has_bank_account=None, source=EvidenceSource.SELF_DECLARED, on=START, actor=None
    )
    _visit(field.alice, household, [(elder.pk, Outcome.VNEID_LEVEL_2), (child.pk, Outcome.INSTALLED_VNEID)])
    elder_identity = DigitalIdentity.objects.get(resident=elder)
    assert (elder_identity.vneid_level, elder_identity.vneid_source, elder_identity.vneid_recorded_on) == (
        1,
        EvidenceSource.VNEID,
        START,
    )
    child_identity = DigitalIdentity.objects.get(resident=child)
    assert (child_identity.vneid_level, child_identity.vneid_source) == (2, EvidenceSource.SELF_DECLARED)
    kept = AuditEntry.objects.filter(action="people.record_identity_evidence", object_id=str(elder.pk)).get()
    assert kept.details["vneid_level"] == {"from": 1, "seen": 2, "applied": False}
    assert kept.details["source"] == EvidenceSource.VISIT


def test_a_resend_is_a_no_op_and_other_content_under_the_same_id_is_a_conflict(field):
    household = _household_of(field, field.alice)
    elder, _child = people_of(household)
    visit_id = uuid.uuid4()
    at = now()
    first = _visit(field.alice, household, [(elder.pk, Outcome.LESSON_TOGETHER)], "ghi chú", visit_id, at)
    again = _visit(field.alice, household, [(elder.pk, Outcome.LESSON_TOGETHER)], "ghi chú", visit_id, at)
    assert (first.status, again.status, again.visit.pk) == (CREATED, UNCHANGED, visit_id)
    with pytest.raises(VisitConflict):
        _visit(field.alice, household, [(elder.pk, Outcome.LESSON_TOGETHER)], "khác", visit_id, at)
    with pytest.raises(VisitConflict):  # another member reusing the id
        _visit(field.bob, _household_of(field, field.bob), [], "ghi chú", visit_id, at)
    assert Visit.objects.count() == 1
    assert AuditEntry.objects.filter(action="outreach.record_visit").count() == 1


def test_a_member_writes_only_their_assigned_households(field, territory):
    bobs = _household_of(field, field.bob)
    for household in (bobs, field.other_village_household):
        with pytest.raises(NotFound):
            _visit(field.alice, household)
    with pytest.raises(NotFound):  # the leader leads, but is not assigned the household
        _visit(field.leader, bobs)
    assert Visit.objects.count() == 0


def test_a_visit_before_the_assignment_began_is_refused(field):
    household = _household_of(field, field.alice)
    with pytest.raises(NotFound):
        _visit(field.alice, household, at=datetime.datetime(2025, 12, 30, 9, tzinfo=datetime.UTC))


def test_outcomes_are_checked(field):
    household = _household_of(field, field.alice)
    elder, _child = people_of(household)
    outsider = people_of(_household_of(field, field.bob))[0]
    cases = [
        ([(outsider.pk, Outcome.LESSON_TOGETHER)], "resident_outside"),
        ([(elder.pk, "photo_of_id_card")], "outcome_invalid"),
        ([(elder.pk, Outcome.REFUSED), (elder.pk, Outcome.LESSON_TOGETHER)], "outcomes_exclusive"),
    ]
    for outcomes, code in cases:
        with pytest.raises(DomainError) as error:
            _visit(field.alice, household, outcomes)
        assert error.value.code == code
    with pytest.raises(DomainError) as error:
        record_visit(visit_id=uuid.uuid4(), form_version=9, household=household, visited_at=now(), actor=field.alice)
    assert error.value.code == "form_version"
    with pytest.raises(DomainError) as error:
        _visit(field.alice, household, at=now() + datetime.timedelta(days=1))
    assert error.value.code == "time_invalid"
    assert Visit.objects.count() == 0


def test_two_members_visiting_the_same_household_both_keep_their_visits(field, territory, commune_officer):
    household = _household_of(field, field.alice)
    youth = create_team(commune=territory.commune, name="Đội thanh niên", leader=field.leader, actor=commune_officer)
    add_team_member(
        team=youth, user=field.bob, resident=field.bob_membership.resident, valid_from=START, actor=field.leader
    )
    assign_households(team=youth, village=territory.village, on=START, actor=field.leader)
    _visit(field.alice, household, note="Tổ 1")
    _visit(field.bob, household, note="Đội thanh niên")
    assert sorted(Visit.objects.filter(household=household).values_list("note", flat=True)) == [
        "Tổ 1",
        "Đội thanh niên",
    ]


def test_moved_away_and_deceased_wait_for_the_commune_officer(field, commune_officer):
    household = _household_of(field, field.alice)
    elder, child = people_of(household)
    _visit(field.alice, household, [(elder.pk, Outcome.DECEASED), (child.pk, Outcome.MOVED_AWAY)])
    reports = {r.kind: r for r in RegistryChangeReport.objects.all()}
    assert {k: r.status for k, r in reports.items()} == {"deceased": "pending", "moved_away": "pending"}
    assert Resident.objects.get(pk=child.pk).household_id == household.pk
    with pytest.raises(NotFound):
        decide_registry_report(report=reports["moved_away"], confirm=True, actor=field.leader)
    decide_registry_report(report=reports["moved_away"], confirm=True, actor=commune_officer)
    decide_registry_report(report=reports["deceased"], confirm=False, actor=commune_officer)
    assert Resident.objects.get(pk=child.pk).household_id is None
    assert RegistryChangeReport.objects.get(kind="deceased").status == ReportStatus.REJECTED
    with pytest.raises(DomainError):
        decide_registry_report(report=reports["deceased"], confirm=True, actor=commune_officer)
