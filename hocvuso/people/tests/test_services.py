import json
import logging
from datetime import date

import pytest

from hocvuso.accounts.roles import Role
from hocvuso.core.crypto import decrypt, lookup_hash
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.people.models import DigitalIdentity, Household, Membership, Resident
from hocvuso.people.services import (
    add_membership,
    correct_resident,
    end_membership,
    export_own_data,
    link_user_account,
    normalise_phone,
    record_digital_identity,
    register_household,
    register_resident,
    reveal_national_id,
)
from hocvuso.people.tests.factories import OrganisationFactory, ResidentFactory, national_id_for

BIRTH = date(1990, 5, 17)
NATIONAL_ID = national_id_for(BIRTH, "F", 123456)  # 068190123456


def _register(territory, actor, **overrides):
    values = {
        "full_name": "Nguyễn Thị Đào",
        "birth_date": BIRTH,
        "sex": "F",
        "ethnicity": 1,
        "village": territory.village,
        "national_id": NATIONAL_ID,
        "phone": "+84 912 345 678",
        "actor": actor,
    }
    return register_resident(**{**values, **overrides})


def _audit_text() -> str:
    return json.dumps(list(AuditEntry.objects.values("action", "object_label", "details")), ensure_ascii=False)


@pytest.mark.parametrize(
    ("raw", "phone"),
    [
        ("0912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("091-234-5678", "0912345678"),
        (912345678, "0912345678"),
        (912345678.0, "0912345678"),
        ("0356789012", "0356789012"),
        ("0701234567", "0701234567"),
        ("0581234567", "0581234567"),
        ("0861234567", "0861234567"),
    ],
)
def test_normalise_phone(raw, phone):
    assert normalise_phone(raw) == phone


@pytest.mark.parametrize("raw", ["0212345678", "091234567", "09123456789", "0412345678", "phone", "+1 555 0100"])
def test_refuse_invalid_phone(raw):
    with pytest.raises(DomainError) as error:
        normalise_phone(raw)

    assert error.value.code == "phone_format"


def test_register_resident_stores_encrypted_id_hash_and_search_key(territory, commune_officer):
    resident = _register(territory, commune_officer)

    resident.refresh_from_db()
    assert resident.full_name == "Nguyễn Thị Đào"
    assert resident.name_key == "nguyen thi dao"
    assert decrypt(resident.national_id_ciphertext) == "068190123456"
    assert resident.national_id_hash == lookup_hash("068190123456")
    assert resident.national_id_last4 == "3456"
    assert resident.masked_national_id == "*********456"
    assert decrypt(resident.phone_ciphertext) == "0912345678"
    assert resident.phone_last3 == "678"
    assert b"068190123456" not in bytes(resident.national_id_ciphertext)
    entry = AuditEntry.objects.get(action="people.register_resident")
    assert entry.actor == commune_officer
    assert entry.details == {"village": "24631.001", "household": "", "has_national_id": True, "has_phone": True}


def test_register_resident_normalises_name_to_nfc_and_spaces(territory, commune_officer):
    resident = _register(
        territory, commune_officer, full_name="  Nguye\u0302\u0303n   Thi\u0323 Đào ", national_id=None
    )

    assert resident.full_name == "Nguyễn Thị Đào"
    assert resident.national_id_hash is None
    assert resident.national_id_last4 == ""


def test_register_into_a_household_makes_the_first_member_head(territory, commune_officer):
    household = register_household(village=territory.village, actor=commune_officer, address="Số 3")
    first = _register(territory, commune_officer, household=household, village=None)
    _register(
        territory,
        commune_officer,
        household=household,
        village=None,
        national_id=None,
        full_name="Trần Văn Bình",
        sex="M",
    )

    household.refresh_from_db()
    assert household.code == "24631.001-00001"
    assert household.head == first
    assert household.members.count() == 2
    assert register_household(village=territory.village, actor=commune_officer).code == "24631.001-00002"


def test_duplicate_id_is_refused_and_nothing_changes(territory, commune_officer):
    _register(territory, commune_officer)
    residents, entries = Resident.objects.count(), AuditEntry.objects.count()

    with pytest.raises(DomainError) as error:
        _register(territory, commune_officer, full_name="Lê Thị Đào", national_id="068 190 123 456")

    assert error.value.code == "duplicate_national_id"
    assert "đã có trong sổ dân cư" in str(error.value)
    assert (Resident.objects.count(), AuditEntry.objects.count()) == (residents, entries)


def test_id_that_contradicts_birth_date_or_sex_is_refused(territory, commune_officer):
    with pytest.raises(DomainError) as error:
        _register(territory, commune_officer, sex="M")

    assert error.value.code == "national_id_mismatch"
    assert "giới tính" in str(error.value)
    assert Resident.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"full_name": "  "}, "name_missing"),
        ({"birth_date": date(2999, 1, 1)}, "birth_date_future"),
        ({"sex": "X"}, "sex_invalid"),
        ({"ethnicity": "Pháp"}, "ethnicity_unknown"),
        ({"phone": "12345"}, "phone_format"),
        ({"national_id": "12AB"}, "national_id_format"),
    ],
)
def test_invalid_registration_writes_nothing(territory, commune_officer, overrides, code):
    with pytest.raises(DomainError) as error:
        _register(territory, commune_officer, **overrides)

    assert error.value.code == code
    assert Resident.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_ethnicity_by_name(territory, commune_officer):
    resident = _register(territory, commune_officer, ethnicity="M'Nông", national_id=None)

    assert resident.ethnicity == 20


def test_officer_cannot_register_in_another_commune(territory, make_user):
    officer = make_user(Role.COMMUNE_OFFICER, territory.other_commune)

    with pytest.raises(NotFound):
        _register(territory, officer)

    assert Resident.objects.count() == 0


def test_correction_audits_fields_but_never_the_id_digits(territory, commune_officer, caplog):
    resident = _register(territory, commune_officer)
    new_id = national_id_for(date(1991, 5, 17), "F", 654321)  # 068191654321
    caplog.set_level(logging.DEBUG)

    corrected = correct_resident(
        resident=resident,
        changes={
            "full_name": "Nguyễn Thị Hồng Đào",
            "birth_date": date(1991, 5, 17),
            "national_id": new_id,
            "phone": "0356789012",
        },
        actor=commune_officer,
    )

    assert corrected.name_key == "nguyen thi hong dao"
    assert decrypt(corrected.national_id_ciphertext) == "068191654321"
    assert corrected.national_id_hash == lookup_hash("068191654321")
    assert corrected.national_id_last4 == "4321"
    assert corrected.phone_last3 == "012"
    entry = AuditEntry.objects.get(action="people.correct_resident")
    assert entry.details == {
        "fields": ["birth_date", "full_name", "national_id", "phone"],
        "changes": {
            "full_name": {"from": "Nguyễn Thị Đào", "to": "Nguyễn Thị Hồng Đào"},
            "birth_date": {"from": "1990-05-17", "to": "1991-05-17"},
        },
        "national_id_changed": True,
        "phone_changed": True,
    }
    audit = _audit_text()
    logs = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("068190123456", "068191654321", "0912345678", "0356789012", "190123456", "191654321"):
        assert secret not in audit
        assert secret not in logs


def test_correcting_birth_date_rechecks_the_existing_id(territory, commune_officer):
    resident = _register(territory, commune_officer)

    with pytest.raises(DomainError) as error:
        correct_resident(resident=resident, changes={"birth_date": date(1985, 1, 1)}, actor=commune_officer)

    assert error.value.code == "national_id_mismatch"
    resident.refresh_from_db()
    assert resident.birth_date == BIRTH
    assert not AuditEntry.objects.filter(action="people.correct_resident").exists()


def test_correction_to_an_id_of_someone_else_is_refused(territory, commune_officer):
    resident = _register(territory, commune_officer)
    other_id = national_id_for(BIRTH, "F", 777)
    _register(territory, commune_officer, full_name="Lê Thị Hoa", national_id=other_id)

    with pytest.raises(DomainError) as error:
        correct_resident(resident=resident, changes={"national_id": other_id}, actor=commune_officer)

    assert error.value.code == "duplicate_national_id"
    resident.refresh_from_db()
    assert decrypt(resident.national_id_ciphertext) == NATIONAL_ID


def test_correction_without_change_writes_no_audit(territory, commune_officer):
    resident = _register(territory, commune_officer)

    correct_resident(
        resident=resident, changes={"full_name": "Nguyễn Thị Đào", "national_id": NATIONAL_ID}, actor=commune_officer
    )

    assert not AuditEntry.objects.filter(action="people.correct_resident").exists()


def test_correction_outside_scope_or_by_a_team_member_is_refused(territory, commune_officer, make_user):
    resident = _register(territory, commune_officer)
    outsider = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    team_member = make_user(Role.TEAM_MEMBER, territory.commune)

    for actor in (outsider, team_member):
        with pytest.raises(NotFound):
            correct_resident(resident=resident, changes={"full_name": "Khác"}, actor=actor)

    resident.refresh_from_db()
    assert resident.full_name == "Nguyễn Thị Đào"


def test_unknown_field_is_refused(territory, commune_officer):
    resident = _register(territory, commune_officer)

    with pytest.raises(DomainError) as error:
        correct_resident(resident=resident, changes={"user": None}, actor=commune_officer)

    assert error.value.code == "unknown_field"


def test_reveal_returns_the_id_and_is_always_audited(territory, commune_officer):
    resident = _register(territory, commune_officer)

    assert reveal_national_id(resident=resident, actor=commune_officer) == "068190123456"
    assert reveal_national_id(resident=resident, actor=commune_officer) == "068190123456"

    entries = AuditEntry.objects.filter(action="people.reveal_national_id")
    assert entries.count() == 2
    assert {(entry.actor_id, entry.object_id) for entry in entries} == {(commune_officer.pk, str(resident.pk))}
    assert "068190123456" not in _audit_text()


def test_reveal_outside_scope_is_refused_and_leaves_no_trace(territory, commune_officer, make_user):
    resident = _register(territory, commune_officer)
    outsider = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    team_member = make_user(Role.TEAM_MEMBER, territory.commune)

    for actor in (outsider, team_member, None):
        with pytest.raises(NotFound):
            reveal_national_id(resident=resident, actor=actor)

    assert not AuditEntry.objects.filter(action="people.reveal_national_id").exists()


def test_a_resident_may_reveal_their_own_id(territory, commune_officer, make_user):
    resident = _register(territory, commune_officer)
    account = make_user(Role.LEARNER)
    Resident.objects.filter(pk=resident.pk).update(user=account)
    resident.refresh_from_db()

    assert reveal_national_id(resident=resident, actor=account) == "068190123456"
    assert AuditEntry.objects.filter(action="people.reveal_national_id", actor=account).count() == 1


def test_record_digital_identity_by_a_team_member_at_a_visit(territory, commune_officer, make_user):
    resident = _register(territory, commune_officer)
    team_member = make_user(Role.TEAM_MEMBER, territory.commune)

    record_digital_identity(
        resident=resident, vneid_level=2, has_bank_account=None, source="visit", on=date(2025, 9, 1), actor=team_member
    )
    identity = record_digital_identity(
        resident=resident,
        vneid_level=None,
        has_bank_account=True,
        source="self",
        on=date(2025, 9, 2),
        actor=team_member,
    )

    identity.refresh_from_db()
    assert (identity.vneid_level, identity.vneid_source, identity.vneid_recorded_on) == (2, "visit", date(2025, 9, 1))
    assert (identity.has_bank_account, identity.bank_source, identity.bank_recorded_on) == (
        True,
        "self",
        date(2025, 9, 2),
    )
    assert AuditEntry.objects.filter(action="people.record_digital_identity").count() == 2


def test_record_digital_identity_refuses_bad_values_and_outsiders(territory, commune_officer, make_user):
    resident = _register(territory, commune_officer)
    outsider = make_user(Role.TEAM_MEMBER, territory.other_commune)

    with pytest.raises(DomainError):
        record_digital_identity(
            resident=resident,
            vneid_level=3,
            has_bank_account=None,
            source="visit",
            on=date(2025, 9, 1),
            actor=commune_officer,
        )
    with pytest.raises(DomainError):
        record_digital_identity(
            resident=resident,
            vneid_level=1,
            has_bank_account=None,
            source="rumour",
            on=date(2025, 9, 1),
            actor=commune_officer,
        )
    with pytest.raises(NotFound):
        record_digital_identity(
            resident=resident, vneid_level=1, has_bank_account=None, source="visit", on=date(2025, 9, 1), actor=outsider
        )

    assert not DigitalIdentity.objects.exists()


def test_memberships_start_and_end(territory, commune_officer):
    resident = _register(territory, commune_officer)
    school = OrganisationFactory(unit=territory.commune, kind="school")

    membership = add_membership(
        resident=resident, organisation=school, kind="staff", valid_from=date(2020, 9, 1), actor=commune_officer
    )
    with pytest.raises(DomainError) as error:
        add_membership(
            resident=resident, organisation=school, kind="staff", valid_from=date(2021, 9, 1), actor=commune_officer
        )
    assert error.value.code == "duplicate_membership"
    with pytest.raises(DomainError):
        end_membership(membership=membership, valid_to=date(2019, 1, 1), actor=commune_officer)
    end_membership(membership=membership, valid_to=date(2025, 6, 30), actor=commune_officer)

    membership.refresh_from_db()
    assert membership.valid_to == date(2025, 6, 30)
    assert Membership.objects.count() == 1
    assert [entry.action for entry in AuditEntry.objects.order_by("pk")][-2:] == [
        "people.add_membership",
        "people.end_membership",
    ]


def test_agency_officer_manages_only_their_organisation(territory, commune_officer, make_user):
    resident = _register(territory, commune_officer)
    agency = OrganisationFactory(unit=territory.other_commune)
    other = OrganisationFactory(unit=territory.other_commune)
    officer = make_user(Role.AGENCY_OFFICER, organisation=agency)

    add_membership(resident=resident, organisation=agency, kind="staff", valid_from=date(2024, 1, 1), actor=officer)
    with pytest.raises(NotFound):
        add_membership(resident=resident, organisation=other, kind="staff", valid_from=date(2024, 1, 1), actor=officer)

    assert list(Membership.objects.values_list("organisation", flat=True)) == [agency.pk]


def test_export_own_data_contains_everything_and_is_audited(territory, commune_officer, make_user):
    household = register_household(village=territory.village, actor=commune_officer, address="Số 3")
    resident = _register(territory, commune_officer, household=household)
    account = make_user(Role.LEARNER)
    Resident.objects.filter(pk=resident.pk).update(user=account)
    school = OrganisationFactory(unit=territory.commune, name="Trường THCS Quảng Khê")
    add_membership(resident=resident, organisation=school, kind="staff", valid_from=date(2020, 9, 1), actor=None)
    record_digital_identity(
        resident=resident, vneid_level=2, has_bank_account=True, source="vneid", on=date(2025, 9, 1), actor=None
    )

    data = export_own_data(user=account)

    assert data["full_name"] == "Nguyễn Thị Đào"
    assert data["national_id"] == "068190123456"
    assert data["phone"] == "0912345678"
    assert (data["birth_date"], data["birth_date_precision"]) == ("1990-05-17", "day")
    assert data["ethnicity"] == {"code": 1, "name": "Kinh"}
    assert data["village"] == {"code": "24631.001", "name": "Thôn 1"}
    assert data["commune"] == {"code": "24631", "name": "Xã Quảng Khê"}
    assert data["household"] == {"code": household.code, "address": "Số 3", "is_head": True}
    assert data["memberships"] == [
        {"organisation": "Trường THCS Quảng Khê", "kind": "staff", "valid_from": "2020-09-01", "valid_to": None}
    ]
    assert data["digital_identity"]["vneid_level"] == 2
    assert [item["action"] for item in data["record_history"]] == [
        "people.register_resident",
        "people.record_digital_identity",
    ]
    json.dumps(data)  # ready for a download
    assert AuditEntry.objects.filter(action="people.export_own_data", actor=account).count() == 1


def test_export_own_data_needs_a_linked_account(territory, make_user):
    with pytest.raises(NotFound):
        export_own_data(user=make_user(Role.LEARNER))


def test_household_code_taken(territory, commune_officer):
    register_household(village=territory.village, actor=commune_officer, code="H-1")

    with pytest.raises(DomainError):
        register_household(village=territory.village, actor=commune_officer, code="H-1")

    assert Household.objects.count() == 1


def test_link_user_account_links_once_and_refuses_a_second_link(territory, commune_officer, make_user):
    resident = ResidentFactory(village=territory.village)
    other = ResidentFactory(village=territory.village)
    learner = make_user()

    link_user_account(resident=resident, user=learner, actor=commune_officer)
    link_user_account(resident=resident, user=learner, actor=commune_officer)  # a resend changes nothing

    with pytest.raises(DomainError):
        link_user_account(resident=other, user=learner, actor=commune_officer)
    with pytest.raises(DomainError):
        link_user_account(resident=resident, user=make_user(), actor=commune_officer)
    resident.refresh_from_db()
    other.refresh_from_db()
    assert (resident.user, other.user) == (learner, None)
    assert AuditEntry.objects.filter(action="people.link_user_account", object_id=str(resident.pk)).count() == 1


def test_link_user_account_outside_scope_is_not_found(territory, make_user):
    resident = ResidentFactory(village=territory.other_village)
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)

    with pytest.raises(NotFound):
        link_user_account(resident=resident, user=make_user(), actor=officer)
    resident.refresh_from_db()
    assert resident.user is None
