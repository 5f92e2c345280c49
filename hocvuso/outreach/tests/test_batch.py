"""A batch of visits stored in a few statements: the same results, effects and audit as one visit at a time."""

import uuid

from django.db import IntegrityError

from hocvuso.core.models import AuditEntry
from hocvuso.outreach import sync
from hocvuso.outreach.models import HouseholdAssignment, Outcome, RegistryChangeReport, Visit, VisitOutcome
from hocvuso.outreach.sync import receive_batch
from hocvuso.people.models import DigitalIdentity, EvidenceSource

from .conftest import now, people_of


def _raw(household, outcomes=(), visit_id=None, note=""):
    return {
        "id": str(visit_id or uuid.uuid4()),
        "form_version": 1,
        "household": household.pk,
        "visited_at": now().isoformat(),
        "note": note,
        "outcomes": [{"resident": r.pk, "outcome": o} for r, o in outcomes],
    }


def _alice_households(field):
    ids = HouseholdAssignment.objects.filter(membership=field.alice_membership).values("household_id")
    return [h for h in field.households if h.pk in {row["household_id"] for row in ids}]


def test_a_batch_stores_its_valid_visits_with_their_effects_and_answers_each(field):
    first, second = _alice_households(field)
    elder, child = people_of(first)
    other_elder, _ = people_of(second)
    repeated = uuid.uuid4()
    batch = [
        _raw(first, [(elder, Outcome.INSTALLED_VNEID), (child, Outcome.OPENED_BANK_ACCOUNT)], visit_id=repeated),
        _raw(first, [(elder, Outcome.VNEID_LEVEL_2)]),  # the same person raised again in the same batch
        _raw(second, [(other_elder, Outcome.MOVED_AWAY)]),
        _raw(field.households[-1]),  # bob's household: not alice's
        _raw(first, [(other_elder, Outcome.ENROLLED)]),  # a person of another household
        {"id": "không-phải-uuid"},
        _raw(first, [(elder, Outcome.INSTALLED_VNEID), (child, Outcome.OPENED_BANK_ACCOUNT)], visit_id=repeated),
        _raw(first, note="khác", visit_id=repeated),  # the same id with other content
    ]
    receipts = receive_batch(visits=batch, actor=field.alice)

    assert [r.status for r in receipts] == [201, 201, 201, 404, 400, 400, 200, 409]
    assert Visit.objects.count() == 3
    assert VisitOutcome.objects.count() == 4
    identity = DigitalIdentity.objects.get(resident=elder)
    assert (identity.vneid_level, identity.vneid_source) == (2, EvidenceSource.VISIT)
    assert DigitalIdentity.objects.get(resident=child).has_bank_account is True
    assert RegistryChangeReport.objects.get().resident == other_elder
    assert AuditEntry.objects.filter(action="outreach.record_visit").count() == 3
    # one audit entry per piece of evidence: elder twice (level 1, then 2), the child once
    assert AuditEntry.objects.filter(action="people.record_identity_evidence").count() == 3


def test_when_the_batch_store_fails_each_visit_is_stored_on_its_own(field, monkeypatch):
    first, second = _alice_households(field)
    taken = uuid.uuid4()
    calls = []
    real = sync.store_visits

    def racing(prepared, *, actor):
        calls.append(len(prepared))
        if len(calls) == 1:
            # another request stores one of the ids between the look-up and the insert
            real([item for item in prepared if item.visit.pk == taken], actor=actor)
            raise IntegrityError("duplicate key")
        return real(prepared, actor=actor)

    monkeypatch.setattr(sync, "store_visits", racing)
    batch = [_raw(first, visit_id=taken), _raw(second)]
    receipts = receive_batch(visits=batch, actor=field.alice)

    # the first store was rolled back whole: the fallback stores both, each once
    assert [r.status for r in receipts] == [201, 201]
    assert Visit.objects.count() == 2
    assert receive_batch(visits=batch, actor=field.alice)[0].status == 200
