"""The resident page (masked numbers, the audited full-ID reveal, corrections, digital identity) and "my data"."""

import datetime
import json

import pytest
from django.test import Client

from hocvuso.accounts.roles import Role
from hocvuso.core.crypto import decrypt
from hocvuso.core.models import AuditEntry
from hocvuso.people.models import DigitalIdentity, EvidenceSource, Resident
from hocvuso.people.services import register_household, register_resident
from hocvuso.people.tests.factories import OrganisationFactory, national_id_for

BIRTH = datetime.date(1990, 9, 5)
NATIONAL_ID = national_id_for(BIRTH, "F", serial=4321)


@pytest.fixture
def dao(territory) -> Resident:
    household = register_household(village=territory.village, actor=None, code="HO-1")
    return register_resident(
        full_name="Nguyễn Thị Đào",
        birth_date=BIRTH,
        sex="F",
        ethnicity="Kinh",
        household=household,
        national_id=NATIONAL_ID,
        phone="0912345678",
        actor=None,
    )


def page(resident: Resident, suffix: str = "") -> str:
    return f"/nguoi-dan/{resident.pk}/{suffix}"


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


def row_of(resident: Resident) -> tuple:
    resident.refresh_from_db()
    return (
        resident.full_name,
        resident.birth_date,
        resident.sex,
        resident.ethnicity,
        resident.village_id,
        resident.household_id,
        bytes(resident.national_id_ciphertext or b""),
        bytes(resident.phone_ciphertext or b""),
    )


# --- the resident page -------------------------------------------------------------------------------------


def test_resident_page_shows_masked_numbers_and_the_staff_actions(client: Client, commune_officer, dao) -> None:
    client.force_login(commune_officer)

    response = client.get(page(dao))

    body = response.content.decode()
    assert response.status_code == 200
    assert "*********321" in body
    assert "*******678" in body
    assert NATIONAL_ID not in body
    assert "0912345678" not in body
    assert "05/09/1990" in body
    assert "Thôn 1, Xã Quảng Khê" in body
    assert f'href="/ho/HO-1/?thon={dao.village_id}"' in body
    assert f'action="/nguoi-dan/{dao.pk}/so-dinh-danh/"' in body
    assert "Xem đầy đủ số định danh" in body
    assert f'href="/nguoi-dan/{dao.pk}/sua/"' in body
    assert f'action="/nguoi-dan/{dao.pk}/danh-tinh-so/"' in body
    assert "people.reveal_national_id" not in audit_actions()


def test_a_team_member_sees_the_page_and_may_record_identity_but_not_reveal_or_correct(
    client: Client, territory, make_user, dao
) -> None:
    client.force_login(make_user(Role.TEAM_MEMBER, territory.commune))

    response = client.get(page(dao))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Xem đầy đủ số định danh" not in body
    assert "/sua/" not in body
    assert f'action="/nguoi-dan/{dao.pk}/danh-tinh-so/"' in body
    assert client.post(page(dao, "so-dinh-danh/")).status_code == 404
    assert client.get(page(dao, "sua/")).status_code == 404
    assert "people.reveal_national_id" not in audit_actions()


def test_resident_page_authorization(client: Client, territory, make_user, dao) -> None:
    assert client.get(page(dao)).status_code == 302
    for role, unit in [
        (Role.LEARNER, None),
        (Role.INSTRUCTOR, territory.commune),
        (Role.COMMUNE_OFFICER, territory.other_commune),
        (Role.TEAM_LEADER, territory.village_b),
    ]:
        client.force_login(make_user(role, unit))
        response = client.get(page(dao))
        assert response.status_code == 404, role
        assert "Đào" not in response.content.decode()
    client.force_login(make_user(Role.TEAM_LEADER, territory.village))
    assert client.get(page(dao)).status_code == 200


def test_an_agency_officer_sees_the_members_of_their_organisation_as_members_only(
    client: Client, territory, make_user, dao
) -> None:
    from hocvuso.people.services import add_membership

    organisation = OrganisationFactory(unit=territory.province, name="Sở Nội vụ")
    elsewhere = OrganisationFactory(unit=territory.province, name="Trường Cao đẳng Lâm Đồng")
    add_membership(resident=dao, organisation=organisation, kind="staff", valid_from=BIRTH, actor=None)
    add_membership(resident=dao, organisation=elsewhere, kind="student", valid_from=BIRTH, actor=None)
    client.force_login(make_user(Role.AGENCY_OFFICER, organisation=organisation))

    response = client.get(page(dao))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn Thị Đào" in body and "*********321" in body and "05/09/1990" in body
    assert "Sở Nội vụ" in body
    # Where she lives, her household, phone, ethnicity and other memberships belong to her commune's record.
    for private in ["Thôn 1", "Xã Quảng Khê", "HO-1", "*******678", "Kinh", "Trường Cao đẳng", "Danh tính số"]:
        assert private not in body, private
    profile = response.context["profile"]
    assert (profile.can_manage, profile.can_record_identity, profile.shows_residence) == (False, False, False)
    assert "Xem đầy đủ số định danh" not in body
    assert client.post(page(dao, "so-dinh-danh/")).status_code == 404
    assert client.get(page(dao, "sua/")).status_code == 404
    assert client.get("/ho/HO-1/").status_code == 404
    assert "people.reveal_national_id" not in audit_actions()
    client.force_login(make_user(Role.AGENCY_OFFICER, organisation=OrganisationFactory(unit=territory.province)))
    assert client.get(page(dao)).status_code == 404


def test_an_ended_membership_gives_the_organisations_officer_nothing(client: Client, territory, make_user, dao) -> None:
    from hocvuso.people.services import add_membership, end_membership

    organisation = OrganisationFactory(unit=territory.province, name="Sở Nội vụ")
    membership = add_membership(resident=dao, organisation=organisation, kind="staff", valid_from=BIRTH, actor=None)
    end_membership(membership=membership, valid_to=datetime.date(2025, 12, 31), actor=None)
    client.force_login(make_user(Role.AGENCY_OFFICER, organisation=organisation))

    assert client.get(page(dao)).status_code == 404
    assert client.post(page(dao, "so-dinh-danh/")).status_code == 404
    assert "Đào" not in client.get("/nguoi-dan/", {"q": "nguyen thi dao"}).content.decode()


def test_non_numeric_huge_and_missing_ids_are_not_found(client: Client, commune_officer, dao) -> None:
    client.force_login(commune_officer)

    for url in [
        "/nguoi-dan/abc/",
        "/nguoi-dan/-1/",
        "/nguoi-dan/1e3/",
        f"/nguoi-dan/{dao.pk + 1000}/",
        "/nguoi-dan/" + "9" * 40 + "/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post("/nguoi-dan/" + "9" * 40 + "/so-dinh-danh/").status_code == 404


# --- the full ID, once, audited -----------------------------------------------------------------------------


def test_reveal_shows_the_full_id_once_never_cached_and_audited(client: Client, commune_officer, dao) -> None:
    client.force_login(commune_officer)

    response = client.post(page(dao, "so-dinh-danh/"))

    body = response.content.decode()
    assert response.status_code == 200
    assert NATIONAL_ID in body
    assert "no-store" in response["Cache-Control"]
    assert audit_actions()[-1] == "people.reveal_national_id"
    entry = AuditEntry.objects.get(action="people.reveal_national_id")
    assert (entry.actor, entry.object_id) == (commune_officer, str(dao.pk))
    assert NATIONAL_ID not in json.dumps(entry.details)
    assert NATIONAL_ID not in client.get(page(dao)).content.decode()


def test_reveal_needs_a_post(client: Client, commune_officer, dao) -> None:
    client.force_login(commune_officer)

    response = client.get(page(dao, "so-dinh-danh/"))

    assert response.status_code == 405
    assert NATIONAL_ID not in response.content.decode()
    assert "people.reveal_national_id" not in audit_actions()


def test_reveal_outside_the_scope_is_not_found_and_not_audited(client: Client, territory, make_user, dao) -> None:
    client.force_login(make_user(Role.COMMUNE_OFFICER, territory.other_commune))

    response = client.post(page(dao, "so-dinh-danh/"))

    assert response.status_code == 404
    assert NATIONAL_ID not in response.content.decode()
    assert "people.reveal_national_id" not in audit_actions()


def test_reveal_of_a_resident_without_id_says_so(client: Client, commune_officer, territory) -> None:
    nobody = register_resident(
        full_name="Y Bih", birth_date=BIRTH, sex="M", ethnicity=12, village=territory.village, actor=None
    )
    client.force_login(commune_officer)

    response = client.post(page(nobody, "so-dinh-danh/"), follow=True)

    assert "Người dân này chưa có số định danh cá nhân." in response.content.decode()
    assert "people.reveal_national_id" not in audit_actions()


# --- corrections ----------------------------------------------------------------------------------------------


def correction(**changes) -> dict:
    data = {
        "full_name": "Nguyễn Thị Đào",
        "birth_date": "1990-09-05",
        "sex": "F",
        "ethnicity": "1",
        "village": "",
        "household_code": "HO-1",
        "national_id": "",
        "phone": "",
    }
    data.update(changes)
    return data


def test_correction_form_starts_from_the_record_without_full_numbers(client: Client, commune_officer, dao) -> None:
    client.force_login(commune_officer)

    response = client.get(page(dao, "sua/"))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Nguyễn Thị Đào"' in body
    assert 'value="1990-09-05"' in body
    assert 'value="HO-1"' in body
    assert NATIONAL_ID not in body
    assert "0912345678" not in body
    assert [village.code for village in response.context["form"].fields["village"].queryset] == [
        "24631.001",
        "24631.002",
    ]


def test_a_correction_is_saved_and_audited(client: Client, commune_officer, territory, dao) -> None:
    client.force_login(commune_officer)

    response = client.post(
        page(dao, "sua/"),
        correction(full_name="Nguyễn  Thị Đào Hoa", village=str(territory.village.pk), phone="0987 654 321"),
    )

    assert response.status_code == 302
    assert response["Location"] == page(dao)
    dao.refresh_from_db()
    assert (dao.full_name, dao.name_key, dao.phone_last3) == ("Nguyễn Thị Đào Hoa", "nguyen thi dao hoa", "321")
    assert decrypt(dao.phone_ciphertext) == "0987654321"
    assert decrypt(dao.national_id_ciphertext) == NATIONAL_ID
    entry = AuditEntry.objects.get(action="people.correct_resident")
    assert entry.details == {
        "fields": ["full_name", "phone"],
        "changes": {"full_name": {"from": "Nguyễn Thị Đào", "to": "Nguyễn Thị Đào Hoa"}},
        "phone_changed": True,
    }
    assert "Đã lưu thông tin người dân." in client.get(page(dao)).content.decode()


def test_a_wrong_id_is_refused_with_the_reason_and_nothing_changes(
    client: Client, commune_officer, territory, dao
) -> None:
    client.force_login(commune_officer)
    before = row_of(dao)
    wrong = national_id_for(datetime.date(1991, 1, 1), "F", serial=1)

    response = client.post(page(dao, "sua/"), correction(village=str(territory.village.pk), national_id=wrong))

    assert response.status_code == 200
    assert response.context["form"].errors["national_id"]
    assert row_of(dao) == before
    assert "people.correct_resident" not in audit_actions()


def test_moving_into_another_household_moves_the_village_too(client: Client, commune_officer, territory, dao) -> None:
    register_household(village=territory.village_b, actor=None, code="HO-2")
    register_household(village=territory.village, actor=None, code="HO-3")
    client.force_login(commune_officer)

    # Household codes are unique per village: the code is looked up in the village chosen on the form.
    wrong_village = client.post(page(dao, "sua/"), correction(village=str(territory.village.pk), household_code="HO-2"))
    assert wrong_village.status_code == 200 and wrong_village.context["form"].errors["household_code"]
    response = client.post(page(dao, "sua/"), correction(village=str(territory.village_b.pk), household_code="HO-2"))

    assert response.status_code == 302
    dao.refresh_from_db()
    assert (dao.household.code, dao.village) == ("HO-2", territory.village_b)


def test_a_household_of_another_commune_is_refused(client: Client, commune_officer, territory, dao) -> None:
    register_household(village=territory.other_village, actor=None, code="HO-9")
    client.force_login(commune_officer)
    before = row_of(dao)

    response = client.post(page(dao, "sua/"), correction(village=str(territory.village.pk), household_code="HO-9"))

    assert response.status_code == 200
    assert response.context["form"].errors["household_code"] == [
        "Không tìm thấy hộ có mã này ở thôn, tổ dân phố đã chọn trong địa bàn của bạn."
    ]
    assert row_of(dao) == before


def test_a_village_of_another_commune_cannot_be_chosen(client: Client, commune_officer, territory, dao) -> None:
    client.force_login(commune_officer)
    before = row_of(dao)

    response = client.post(page(dao, "sua/"), correction(village=str(territory.other_village.pk), household_code=""))

    assert response.status_code == 200
    assert "village" in response.context["form"].errors
    assert row_of(dao) == before


def test_removing_the_id_and_phone(client: Client, commune_officer, territory, dao) -> None:
    client.force_login(commune_officer)

    response = client.post(
        page(dao, "sua/"),
        correction(village=str(territory.village.pk), remove_national_id="on", remove_phone="on"),
    )

    assert response.status_code == 302
    dao.refresh_from_db()
    assert (dao.national_id_ciphertext, dao.national_id_hash, dao.phone_ciphertext) == (None, None, None)


def test_corrections_outside_the_scope_are_not_found(client: Client, territory, make_user, dao) -> None:
    before = row_of(dao)
    for role, unit in [(Role.COMMUNE_OFFICER, territory.other_commune), (Role.TEAM_LEADER, territory.commune)]:
        client.force_login(make_user(role, unit))
        assert client.get(page(dao, "sua/")).status_code == 404
        assert client.post(page(dao, "sua/"), correction(full_name="Kẻ Lạ")).status_code == 404
    assert row_of(dao) == before


# --- digital identity -----------------------------------------------------------------------------------------


def test_a_team_member_records_vneid_seen_at_a_visit(client: Client, territory, make_user, dao) -> None:
    member = make_user(Role.TEAM_MEMBER, territory.village)
    client.force_login(member)

    response = client.post(
        page(dao, "danh-tinh-so/"), {"vneid_level": "2", "has_bank_account": "", "source": "visit", "on": "2025-10-03"}
    )

    assert response.status_code == 302
    identity = DigitalIdentity.objects.get(resident=dao)
    assert (identity.vneid_level, identity.vneid_source, identity.vneid_recorded_on) == (
        2,
        EvidenceSource.VISIT,
        datetime.date(2025, 10, 3),
    )
    assert (identity.has_bank_account, identity.bank_source) == (False, "")
    entry = AuditEntry.objects.get(action="people.record_digital_identity")
    assert entry.actor == member
    assert "Xác minh khi hỗ trợ tại hộ, 03/10/2025" in client.get(page(dao)).content.decode()


def test_identity_form_refuses_empty_future_and_unknown_values(client: Client, commune_officer, dao) -> None:
    client.force_login(commune_officer)
    url = page(dao, "danh-tinh-so/")

    empty = client.post(url, {"vneid_level": "", "has_bank_account": "", "source": "visit", "on": "2025-10-03"})
    future = client.post(url, {"vneid_level": "1", "source": "visit", "on": "2999-01-01"})
    unknown = client.post(url, {"vneid_level": "7", "source": "import", "on": "2025-10-03"})

    assert empty.status_code == 200
    assert "Hãy chọn mức VNeID hoặc tình trạng tài khoản ngân hàng số." in empty.content.decode()
    assert future.context["identity_form"].errors["on"] == ["Ngày ghi nhận ở tương lai."]
    assert set(unknown.context["identity_form"].errors) == {"vneid_level", "source"}
    assert not DigitalIdentity.objects.filter(resident=dao).exists()


def test_identity_outside_the_scope_is_not_found(client: Client, territory, make_user, dao) -> None:
    client.force_login(make_user(Role.TEAM_MEMBER, territory.other_commune))

    response = client.post(page(dao, "danh-tinh-so/"), {"vneid_level": "2", "source": "visit", "on": "2025-10-03"})

    assert response.status_code == 404
    assert not DigitalIdentity.objects.filter(resident=dao).exists()


# --- my data ------------------------------------------------------------------------------------------------------


def test_a_user_without_a_resident_record_gets_a_clear_message(client: Client, make_user) -> None:
    client.force_login(make_user(Role.LEARNER))

    response = client.get("/du-lieu-cua-toi/")
    download = client.post("/du-lieu-cua-toi/tai-ve/", follow=True)

    assert response.status_code == 200
    assert response.context["record"] is None
    assert "chưa gắn với hồ sơ người dân nào" in response.content.decode()
    assert download.redirect_chain == [("/du-lieu-cua-toi/", 302)]
    assert "Tài khoản chưa gắn với người dân nào." in download.content.decode()


def test_a_resident_sees_their_own_data_masked_with_its_history(
    client: Client, make_user, commune_officer, dao
) -> None:
    learner = make_user(Role.LEARNER)
    Resident.objects.filter(pk=dao.pk).update(user=learner)
    client.force_login(commune_officer)
    client.post(page(dao, "so-dinh-danh/"))
    client.force_login(learner)

    response = client.get("/du-lieu-cua-toi/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn Thị Đào" in body
    assert "*********321" in body
    assert NATIONAL_ID not in body
    assert [line.label for line in response.context["record"].history] == [
        "Xem đầy đủ số định danh",
        "Ghi vào sổ dân cư",
    ]
    assert commune_officer.username in body


def test_a_resident_downloads_all_their_data_as_json(client: Client, make_user, dao) -> None:
    learner = make_user(Role.LEARNER)
    Resident.objects.filter(pk=dao.pk).update(user=learner)
    client.force_login(learner)

    response = client.post("/du-lieu-cua-toi/tai-ve/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="du-lieu-cua-toi.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert (data["full_name"], data["national_id"], data["phone"]) == ("Nguyễn Thị Đào", NATIONAL_ID, "0912345678")
    assert data["household"]["code"] == "HO-1"
    assert "Nguyễn Thị Đào" in response.content.decode()  # readable UTF-8, not \\u escapes
    assert AuditEntry.objects.filter(action="people.export_own_data", actor=learner).count() == 1
    assert client.get("/du-lieu-cua-toi/tai-ve/").status_code == 405


def test_a_resident_reveals_their_own_id(client: Client, make_user, dao) -> None:
    learner = make_user(Role.LEARNER)
    Resident.objects.filter(pk=dao.pk).update(user=learner)
    client.force_login(learner)

    response = client.post("/du-lieu-cua-toi/so-dinh-danh/")

    assert NATIONAL_ID in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="people.reveal_national_id", actor=learner).count() == 1


def test_my_data_needs_signing_in(client: Client, db) -> None:
    assert client.get("/du-lieu-cua-toi/").status_code == 302
    assert client.post("/du-lieu-cua-toi/tai-ve/").status_code == 302
    assert client.post("/du-lieu-cua-toi/so-dinh-danh/").status_code == 302
