"""A property-based simulation of the field sync: 10,000 visits from 200 phones over a bad network.

Each phone keeps its visits in an outbox until the server confirms them (201 created, 200 unchanged) or reports a
conflict (409), as the app does. The network reorders what a phone sends, duplicates visits inside a batch, makes
phones resend visits already confirmed, drops responses after the server processed a batch, and cuts batches
off in the middle (the server received only the first visits, the phone got no answer). A few phones reuse a
visit's UUID for other content (a buggy phone). Hypothesis draws the network's behaviour; whatever it draws, the
server ends up holding exactly the intended visits — none lost, none twice, none altered — and every reuse of a
UUID for other content was reported to the phone as a conflict, and nothing else was.

The server is `outreach.sync.receive_batch`, the function the API's POST /api/v1/field/visits/ calls; a share of
the batches goes through the HTTP endpoint itself with the phone's device token. Kept under a minute:
HOCVUSO_SYNC_SIMULATION_VISITS (default 10,000) and _DEVICES (default 200).
"""

import datetime
import itertools
import os
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import RoleAssignmentFactory, UserFactory
from hocvuso.core.models import AuditEntry
from hocvuso.outreach.models import FieldDevice, HouseholdAssignment, Outcome, Visit, VisitOutcome
from hocvuso.outreach.services import add_team_member, assign_households, create_team, issue_device
from hocvuso.outreach.sync import receive_batch
from hocvuso.outreach.visits import content_hash
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory
from hocvuso.territory.tests import factories as units

VISITS = int(os.environ.get("HOCVUSO_SYNC_SIMULATION_VISITS", "10000"))
DEVICES = int(os.environ.get("HOCVUSO_SYNC_SIMULATION_DEVICES", "200"))
_VILLAGE_NUMBERS = itertools.count(500)
GUIDANCE = [
    Outcome.LESSON_TOGETHER,
    Outcome.PUBLIC_SERVICES,
    Outcome.E_COMMERCE,
    Outcome.CASHLESS,
    Outcome.ONLINE_SAFETY,
    Outcome.ENROLLED,
]


@dataclass
class Phone:
    device: FieldDevice
    user: Any
    token: str
    households: list[tuple[int, list[int]]]
    outbox: dict[str, dict[str, Any]] = field(default_factory=dict)
    confirmed: dict[str, dict[str, Any]] = field(default_factory=dict)
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)


def _world(territory, commune_officer) -> list[Phone]:
    """A team of DEVICES members, each with a phone and two households of their own (fresh for each example)."""
    run = uuid.uuid4().hex[:8]
    village = units.village(territory.commune, code=f"24631.{next(_VILLAGE_NUMBERS)}", name=f"Thôn {run}")
    start = timezone.localdate() - datetime.timedelta(days=200)
    leader = UserFactory()
    RoleAssignmentFactory(user=leader, role=Role.TEAM_LEADER, unit=territory.commune)
    team = create_team(commune=territory.commune, name=f"Tổ mô phỏng {run}", leader=leader, actor=commune_officer)
    memberships = []
    for number in range(DEVICES):
        user = UserFactory(username=f"sim{run}-{number}")
        RoleAssignmentFactory(user=user, role=Role.TEAM_MEMBER, unit=territory.commune, valid_from=start)
        resident = ResidentFactory(village=territory.village_b, full_name=f"Thành viên {number}", user=user)
        memberships.append(add_team_member(team=team, user=user, resident=resident, valid_from=start, actor=leader))
    people: dict[int, list[int]] = {}
    for number in range(2 * DEVICES):
        household = HouseholdFactory(village=village, code=f"S{number:05d}")
        people[household.pk] = [ResidentFactory(household=household, full_name=f"Người dân {number}").pk]
    assign_households(team=team, village=village, on=start, actor=leader)
    phones = []
    for membership in memberships:
        device, token = issue_device(membership=membership, name="Điện thoại", actor=membership.user)
        own = HouseholdAssignment.objects.filter(membership=membership).values_list("household_id", flat=True)
        phones.append(Phone(device, membership.user, token, [(h, people[h]) for h in sorted(own)]))
    return phones


def _make_visit(rng: random.Random, phone: Phone, visit_id: str | None = None) -> dict[str, Any]:
    household, residents = rng.choice(phone.households)
    resident = residents[0]
    chosen = rng.sample(GUIDANCE, rng.randint(0, 3))
    if rng.random() < 0.05:
        chosen = [rng.choice([Outcome.NOT_AT_HOME, Outcome.REFUSED])]
    elif rng.random() < 0.03:
        chosen.append(Outcome.INSTALLED_VNEID)
    at = timezone.now() - datetime.timedelta(days=rng.randint(0, 150), seconds=rng.randint(0, 86399))
    return {
        "id": visit_id or str(uuid.uuid4()),  # fresh in every example: examples share the database
        "form_version": 1,
        "household": household,
        "visited_at": at.replace(microsecond=0).isoformat(),
        "note": rng.choice(["", "Đã hướng dẫn", "Hẹn lần sau", "Cả nhà cùng học"]),
        "outcomes": [{"resident": resident, "outcome": str(o)} for o in chosen],
    }


def _hash(phone: Phone, visit: dict[str, Any]) -> str:
    return content_hash(
        recorded_by=phone.user.pk,
        form_version=visit["form_version"],
        household=visit["household"],
        visited_at=datetime.datetime.fromisoformat(visit["visited_at"]),
        note=visit["note"],
        outcomes=[(o["resident"], o["outcome"]) for o in visit["outcomes"]],
    )


class Network:
    def __init__(self, rng: random.Random, faults: dict[str, float]) -> None:
        self.rng = rng
        self.faults = faults
        self.clients: dict[int, APIClient] = {}
        self.http_batches = 0

    def send(self, phone: Phone, batch: list[dict[str, Any]], *, reliable: bool) -> list[dict[str, Any]] | None:
        """Deliver a batch; None when the phone got no answer."""
        cut = not reliable and self.rng.random() < self.faults["disconnect"]
        if cut:  # the connection broke mid-batch: the server got only the first visits
            batch = batch[: self.rng.randint(0, len(batch))]
        if self.http_batches == 0 or self.rng.random() < self.faults["http"]:
            client = self.clients.setdefault(phone.device.pk, APIClient())
            client.credentials(HTTP_AUTHORIZATION=f"Device {phone.token}")
            response = client.post(reverse("api:field-visits"), {"visits": batch}, format="json")
            assert response.status_code == 200, response.content
            results = response.json()["results"]
            self.http_batches += 1
        else:
            results = [r.as_dict() for r in receive_batch(visits=batch, actor=phone.user, device=phone.device)]
        if cut or (not reliable and self.rng.random() < self.faults["drop"]):
            return None
        return results


def _round(rng: random.Random, phone: Phone, network: Network, *, reliable: bool) -> None:
    pending = list(phone.outbox.values())
    rng.shuffle(pending)  # phones send in any order
    batch = pending[: rng.randint(1, 40)]
    if not reliable:
        if phone.confirmed and rng.random() < network.faults["resend"]:  # a phone that lost an earlier answer
            batch += rng.sample(list(phone.confirmed.values()), min(3, len(phone.confirmed)))
        if rng.random() < network.faults["duplicate"]:
            batch += rng.sample(batch, min(2, len(batch)))
        rng.shuffle(batch)
    results = network.send(phone, batch, reliable=reliable)
    if results is None:
        return
    assert len(results) == len(batch)
    for sent, result in zip(batch, results, strict=True):
        assert result["id"] == sent["id"]
        key = sent["key"]
        if result["status"] in {200, 201}:
            phone.confirmed[key] = sent
            phone.outbox.pop(key, None)
        elif result["status"] == 409:
            phone.conflicts[key] = sent
            phone.outbox.pop(key, None)
        else:
            raise AssertionError(f"unexpected result {result}")


@settings(
    max_examples=int(os.environ.get("HOCVUSO_SYNC_SIMULATION_EXAMPLES", "1")),
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=False,
)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    faults=st.fixed_dictionaries(
        {
            "disconnect": st.floats(0.0, 0.3),
            "drop": st.floats(0.0, 0.4),
            "resend": st.floats(0.0, 0.5),
            "duplicate": st.floats(0.0, 0.3),
            "http": st.floats(0.01, 0.05),
            "reuse": st.floats(0.002, 0.02),
        }
    ),
)
def test_the_server_holds_exactly_the_intended_visits_whatever_the_network_does(
    territory, commune_officer, settings, seed, faults
):
    rng = random.Random(seed)
    settings.OUTREACH_SYNC_RATE = "100000/min"
    phones = _world(territory, commune_officer)
    intended: dict[str, set[str]] = {}  # UUID → the content hashes that phones tried under it
    for number in range(VISITS):
        phone = phones[number % len(phones)]
        visit = _make_visit(rng, phone)
        visit["key"] = f"{visit['id']}#0"
        phone.outbox[visit["key"]] = visit
        intended.setdefault(visit["id"], set()).add(_hash(phone, visit))
        if rng.random() < faults["reuse"]:  # a buggy phone reuses the UUID for another visit
            twin = _make_visit(rng, phone, visit_id=visit["id"])
            twin["note"] = f"{visit['note']} (khác)"
            twin["key"] = f"{visit['id']}#1"
            phone.outbox[twin["key"]] = twin
            intended[visit["id"]].add(_hash(phone, twin))
    network = Network(rng, faults)
    for _ in range(VISITS // 15):  # the bad network
        phone = rng.choice(phones)
        if phone.outbox:
            _round(rng, phone, network, reliable=False)
    for phone in phones:  # then each phone syncs with signal until its outbox is empty
        while phone.outbox:
            _round(rng, phone, network, reliable=True)

    ids = list(intended)
    stored = dict(Visit.objects.filter(pk__in=ids).values_list("pk", "content_hash"))
    stored = {str(key): value for key, value in stored.items()}
    assert len(stored) == len(ids) >= VISITS  # nothing lost
    conflicts_reported = 0
    for phone in phones:
        for sent in phone.confirmed.values():  # confirmed means stored exactly as sent
            assert stored[sent["id"]] == _hash(phone, sent)
        for sent in phone.conflicts.values():  # a conflict is a real one: the UUID holds other content
            assert stored[sent["id"]] != _hash(phone, sent)
            conflicts_reported += 1
    for visit_id, hashes in intended.items():
        assert stored[visit_id] in hashes
    # every reuse of a UUID for other content was reported, exactly once per losing visit
    assert conflicts_reported == sum(len(hashes) - 1 for hashes in intended.values())
    # nothing twice: one row per UUID, outcomes once, and the visit's effects applied once
    assert VisitOutcome.objects.filter(visit_id__in=ids).count() == _count_outcomes(phones, stored)
    assert AuditEntry.objects.filter(action="outreach.record_visit", object_id__in=ids).count() == len(ids)
    assert network.http_batches > 0


def _count_outcomes(phones: list[Phone], stored: dict[str, str]) -> int:
    """The outcomes of the stored version of each visit (from the phone whose content won), counted once."""
    counted: dict[str, int] = {}
    for phone in phones:
        for sent in phone.confirmed.values():
            if stored[sent["id"]] == _hash(phone, sent):
                counted[sent["id"]] = len({(o["resident"], o["outcome"]) for o in sent["outcomes"]})
    return sum(counted.values())
