"""Transfer requests (hole 1 of issue 8), from the attacker's side: an officer cannot pull a resident of another
commune into their area, nor learn who they are, without the consent of the commune where the resident lives."""

import datetime

import pytest

from hocvuso.accounts.roles import Role
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.people.models import Household, Membership, Resident, TransferRequest, TransferState
from hocvuso.people.services import register_household
from hocvuso.people.tests.factories import DAO_BIRTH, DAO_ID, OrganisationFactory, national_id_for, register_dao
from hocvuso.people.transfers import (
    approve_transfer,
    cancel_transfer,
    reject_transfer,
    request_transfer,
    transfers_requested_by,
    transfers_to_decide,
)

BIRTH = DAO_BIRTH
NOBODY_ID = national_id_for(BIRTH, "F", serial=9999)


@pytest.fixture
def dao(territory) -> Resident:
    """Lives in commune C1 (24631), head of her household."""
    return register_dao(territory.village, register_household(village=territory.village, actor=None, code="HO-1"))


@pytest.fixture
def requester(make_user, territory):
    """An officer of commune C2 (24751): Đào is not in their area."""
    return make_user(Role.COMMUNE_OFFICER, territory.other_commune, username="can.bo.c2")


def ask(requester, territory, national_id=DAO_ID):
    return request_transfer(
        requested_by=requester,
        national_id=national_id,
        claimed_name="Nguyễn Thị Đào",
        reason="Đã chuyển về sinh sống tại thôn 3.",
        to_village=territory.other_village,
    )


def state_of(resident):
    resident.refresh_from_db()
    return (resident.village_id, resident.household_id)


def test_a_request_is_made_the_same_way_whether_the_id_exists_or_not(requester, territory, dao):
    real = ask(requester, territory)
    fake = ask(requester, territory, NOBODY_ID)

    assert (real.state, fake.state) == (TransferState.PENDING, TransferState.PENDING)
    assert real.resident == dao and fake.resident is None
    assert (real.masked_national_id, fake.masked_national_id) == ("*********321", "*********999")
    for transfer in (real, fake):
        entry = AuditEntry.objects.get(action="people.request_transfer", object_id=str(transfer.pk))
        assert entry.details == {"kind": "move", "target": f"village:{territory.other_village.pk}"}
        assert DAO_ID not in str(entry.details) and NOBODY_ID not in str(entry.details)
    # until it is decided nothing of hers reaches the requester's area
    assert state_of(dao) == (territory.village.pk, dao.household_id)
    assert not Resident.objects.visible_to(requester).filter(pk=dao.pk).exists()


def test_asking_twice_returns_the_pending_request(requester, territory, dao):
    first = ask(requester, territory)
    second = ask(requester, territory)

    assert first.pk == second.pk
    assert TransferRequest.objects.count() == 1


@pytest.mark.parametrize("who", ["requester", "other commune", "team leader of C1", "learner"])
def test_only_the_residents_commune_or_the_province_decides(requester, territory, dao, make_user, who):
    transfer = ask(requester, territory)
    deciders = {
        "requester": requester,
        "other commune": make_user(Role.COMMUNE_OFFICER, territory.far_commune),
        "team leader of C1": make_user(Role.TEAM_LEADER, territory.commune),
        "learner": make_user(Role.LEARNER),
    }

    with pytest.raises(NotFound):
        approve_transfer(transfer=transfer, decided_by=deciders[who])
    with pytest.raises(NotFound):
        reject_transfer(transfer=transfer, decided_by=deciders[who])

    transfer.refresh_from_db()
    assert transfer.state == TransferState.PENDING
    assert state_of(dao) == (territory.village.pk, dao.household_id)
    assert not AuditEntry.objects.filter(action__in=["people.approve_transfer", "people.reject_transfer"]).exists()


def test_approval_by_the_residents_commune_moves_her_out_of_her_household(requester, territory, dao, commune_officer):
    transfer = ask(requester, territory)

    approve_transfer(transfer=transfer, decided_by=commune_officer, note="Đã xác minh.")

    transfer.refresh_from_db()
    assert (transfer.state, transfer.decided_by, transfer.decision_note) == (
        "approved",
        commune_officer,
        "Đã xác minh.",
    )
    assert state_of(dao) == (territory.other_village.pk, None)
    assert Household.objects.get(code="HO-1").head is None
    assert Resident.objects.visible_to(requester).filter(pk=dao.pk).exists()
    assert not Resident.objects.visible_to(commune_officer).filter(pk=dao.pk).exists()
    entry = AuditEntry.objects.get(action="people.approve_transfer")
    assert entry.actor == commune_officer
    assert entry.details == {"kind": "move", "resident": dao.pk, "from": "24631.001", "to": "24751.001"}
    with pytest.raises(DomainError):  # decided once
        approve_transfer(transfer=transfer, decided_by=commune_officer)


def test_the_province_may_decide_and_a_request_about_nobody_has_no_decider(requester, territory, dao, province_admin):
    real, fake = ask(requester, territory), ask(requester, territory, NOBODY_ID)

    reject_transfer(transfer=real, decided_by=province_admin, note="Chưa đủ giấy tờ.")
    with pytest.raises(NotFound):
        approve_transfer(transfer=fake, decided_by=province_admin)

    assert TransferRequest.objects.get(pk=real.pk).state == "rejected"
    assert TransferRequest.objects.get(pk=fake.pk).state == "pending"
    assert state_of(dao) == (territory.village.pk, dao.household_id)
    assert [t.pk for t in transfers_to_decide(province_admin)] == [real.pk]


def test_an_agency_officer_asks_for_a_membership_and_gets_it_on_approval(make_user, territory, dao, commune_officer):
    agency = OrganisationFactory(unit=territory.province, code="SNV-68")
    officer = make_user(Role.AGENCY_OFFICER, organisation=agency)
    assert not Resident.objects.visible_to(officer).filter(pk=dao.pk).exists()

    transfer = request_transfer(
        requested_by=officer,
        national_id=DAO_ID,
        claimed_name="Nguyễn Thị Đào",
        reason="Công chức của Sở từ tháng 9.",
        organisation=agency,
        membership_kind="staff",
        membership_from=datetime.date(2026, 9, 1),
    )
    approve_transfer(transfer=transfer, decided_by=commune_officer)

    membership = Membership.objects.get(resident=dao)
    assert (membership.organisation, membership.kind, membership.valid_from) == (
        agency,
        "staff",
        datetime.date(2026, 9, 1),
    )
    assert state_of(dao) == (territory.village.pk, dao.household_id)  # she still lives where she did


def test_a_requester_needs_the_destination_in_their_area(requester, territory, dao, make_user):
    with pytest.raises(NotFound):
        request_transfer(
            requested_by=requester,
            national_id=DAO_ID,
            claimed_name="Đào",
            reason="x",
            to_village=territory.village_b,  # a village of C1, not the requester's
        )
    foreign = OrganisationFactory(unit=territory.village)
    with pytest.raises(NotFound):
        request_transfer(
            requested_by=requester,
            national_id=DAO_ID,
            claimed_name="Đào",
            reason="x",
            organisation=foreign,
            membership_kind="worker",
        )
    volunteer = make_user(Role.TEAM_MEMBER, territory.other_village)
    with pytest.raises(NotFound):
        request_transfer(
            requested_by=volunteer,
            national_id=DAO_ID,
            claimed_name="Đào",
            reason="x",
            to_village=territory.other_village,
        )

    assert not TransferRequest.objects.exists()


@pytest.mark.parametrize(
    ("national_id", "name", "reason"),
    [
        ("06819000432", "Đào", "x"),
        ("abc", "Đào", "x"),
        (DAO_ID, "  ", "x"),
        (DAO_ID, "Đào", ""),
        (DAO_ID, "Đào", "x" * 1001),
    ],
)
def test_a_malformed_request_is_refused_and_nothing_is_written(requester, territory, dao, national_id, name, reason):
    with pytest.raises(DomainError):
        request_transfer(
            requested_by=requester,
            national_id=national_id,
            claimed_name=name,
            reason=reason,
            to_village=territory.other_village,
        )

    assert not TransferRequest.objects.exists()
    assert not AuditEntry.objects.filter(action="people.request_transfer").exists()


def test_only_the_requester_cancels_and_only_while_pending(requester, territory, dao, commune_officer):
    transfer = ask(requester, territory)

    with pytest.raises(NotFound):
        cancel_transfer(transfer=transfer, cancelled_by=commune_officer)
    cancel_transfer(transfer=transfer, cancelled_by=requester)
    with pytest.raises(DomainError):
        approve_transfer(transfer=transfer, decided_by=commune_officer)

    transfer.refresh_from_db()
    assert transfer.state == "cancelled"
    assert state_of(dao) == (territory.village.pk, dao.household_id)
    assert [t.pk for t in transfers_requested_by(requester)] == [transfer.pk]


def test_a_refused_approval_changes_nothing(make_user, territory, dao, commune_officer):
    agency = OrganisationFactory(unit=territory.province)
    officer = make_user(Role.AGENCY_OFFICER, organisation=agency)
    Membership.objects.create(resident=dao, organisation=agency, kind="staff", valid_from=BIRTH)
    transfer = request_transfer(
        requested_by=officer,
        national_id=DAO_ID,
        claimed_name="Đào",
        reason="x",
        organisation=agency,
        membership_kind="staff",
    )

    with pytest.raises(DomainError):  # an open staff membership exists already
        approve_transfer(transfer=transfer, decided_by=commune_officer)

    transfer.refresh_from_db()
    assert transfer.state == "pending"
    assert Membership.objects.filter(resident=dao).count() == 1
