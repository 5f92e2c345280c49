import datetime
import uuid

from django.db.models import OuterRef
from django.utils import timezone

from hocvuso.indicators.computations import NUMERATORS
from hocvuso.outreach.models import HouseholdAssignment
from hocvuso.outreach.selectors import worklist
from hocvuso.outreach.services import assign_households
from hocvuso.outreach.visits import record_visit
from hocvuso.people.models import EvidenceSource, Resident
from hocvuso.people.services import record_digital_identity
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory

from .conftest import now, people_of


def _assigned(field, user):
    membership = field.alice_membership if user == field.alice else field.bob_membership
    return [a.household for a in HouseholdAssignment.objects.filter(membership=membership).order_by("household__code")]


def test_a_worklist_holds_only_the_members_households_with_masked_people(field):
    rows = worklist(field.alice)
    assert {row.id for row in rows} == {h.pk for h in _assigned(field, field.alice)}
    assert worklist(field.leader) == []
    person = rows[0].people[0]
    assert person.birth_year == 1950
    assert not hasattr(person, "national_id")


def test_the_worklist_is_ordered_by_need(field, territory):
    first, second = _assigned(field, field.alice)
    # `second` gets everything done: both people at VNeID 2 with a bank account, and a visit today
    for resident in people_of(second):
        record_digital_identity(
            resident=resident,
            vneid_level=2,
            has_bank_account=True,
            source=EvidenceSource.VNEID,
            on=timezone.localdate(),
            actor=None,
        )
    record_visit(visit_id=uuid.uuid4(), form_version=1, household=second, visited_at=now(), actor=field.alice)
    rows = worklist(field.alice)
    assert [row.id for row in rows] == [first.pk, second.pk]
    needs = {row.id: row.needs for row in rows}
    assert needs[second.pk] == {
        "without_vneid_level_2": 0,
        "adults_not_literate": 2,
        "elderly_alone": 0,
        "without_bank_account": 0,
        "not_visited_recently": 0,
        "ethnic_minority": 0,
    }
    assert needs[first.pk]["without_vneid_level_2"] == 2
    assert needs[first.pk]["not_visited_recently"] == 1


def test_elderly_alone_and_ethnic_minority(field, territory):
    alone = HouseholdFactory(village=territory.village, code="050")
    ResidentFactory(household=alone, full_name="Già Làng", birth_date=datetime.date(1940, 1, 1), ethnicity=14)
    HouseholdAssignment.objects.create(
        team=field.team, household=alone, membership=field.alice_membership, valid_from=datetime.date(2026, 1, 1)
    )
    rows = worklist(field.alice)
    assert rows[0].id == alone.pk
    assert rows[0].needs["elderly_alone"] == 1
    assert rows[0].needs["ethnic_minority"] == 1
    assert rows[0].people[0].lives_alone is True


def test_the_worklist_counts_vneid_level_2_as_the_indicator_does(field):
    """One source: the indicator's numerator and the worklist flag agree person by person."""
    first, _second = _assigned(field, field.alice)
    elder, _child = people_of(first)
    record_digital_identity(
        resident=elder,
        vneid_level=2,
        has_bank_account=None,
        source=EvidenceSource.VISIT,
        on=timezone.localdate(),
        actor=None,
    )
    condition = NUMERATORS["vneid_level_at_least"].condition

    counted = set(
        Resident.objects.filter(household=first)
        .filter(condition({"min_vneid_level": 2}, OuterRef("pk"), timezone.localdate()))
        .values_list("pk", flat=True)
    )
    flagged = {p.id for row in worklist(field.alice) for p in row.people if p.vneid_level_2}
    assert counted == flagged == {elder.pk}


def test_the_worklist_takes_a_fixed_number_of_queries(field, territory, django_assert_max_num_queries):
    for number in range(10):
        household = HouseholdFactory(village=territory.village, code=f"2{number:02d}")
        ResidentFactory(household=household)

    assign_households(team=field.team, village=territory.village, on=datetime.date(2026, 1, 1), actor=field.leader)
    worklist(field.alice)  # warm the role cache of this user object
    with django_assert_max_num_queries(5):
        rows = worklist(field.alice)
    assert len(rows) == 7
