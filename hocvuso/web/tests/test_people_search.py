"""The people search page and the household page: scoped, masked, diacritic-insensitive, fixed query counts."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.people.models import EvidenceSource, MembershipKind
from hocvuso.people.services import add_membership, record_digital_identity, register_household, register_resident
from hocvuso.people.tests.factories import OrganisationFactory, national_id_for

SEARCH = "/nguoi-dan/"
DAO_BIRTH = datetime.date(1990, 9, 5)
DAO_ID = national_id_for(DAO_BIRTH, "F", serial=4321)


@pytest.fixture
def family(territory):
    """Household HO-1 in Thôn 1 (Xã Quảng Khê): Nguyễn Văn Hùng (head, 1960), Nguyễn Thị Đào (1990, with an ID and
    VNeID level 2), Nguyễn Minh Khôi (a child); and Nguyễn Thị Đào in Xã Nhân Cơ (another commune)."""
    household = register_household(village=territory.village, actor=None, code="HO-1", address="Số 12, Hùng Vương")
    head = register_resident(
        full_name="Nguyễn Văn Hùng",
        birth_date=datetime.date(1960, 4, 30),
        sex="M",
        ethnicity="Kinh",
        household=household,
        actor=None,
    )
    dao = register_resident(
        full_name="Nguyễn Thị Đào",
        birth_date=DAO_BIRTH,
        sex="F",
        ethnicity="Ê Đê",
        household=household,
        national_id=DAO_ID,
        phone="0912345678",
        actor=None,
    )
    today = timezone.localdate()
    child = register_resident(
        full_name="Nguyễn Minh Khôi",
        birth_date=today.replace(year=today.year - 10) if today.month != 2 or today.day != 29 else today,
        sex="M",
        ethnicity="Kinh",
        household=household,
        actor=None,
    )
    record_digital_identity(
        resident=dao,
        vneid_level=2,
        has_bank_account=True,
        source=EvidenceSource.VISIT,
        on=datetime.date(2025, 10, 3),
        actor=None,
    )
    add_membership(
        resident=dao,
        organisation=OrganisationFactory(name="UBND xã Quảng Khê", unit=territory.commune),
        kind=MembershipKind.STAFF,
        valid_from=datetime.date(2020, 1, 1),
        actor=None,
    )
    other = register_resident(
        full_name="Nguyễn Thị Đào",
        birth_date=datetime.date(1985, 1, 1),
        sex="F",
        ethnicity="Kinh",
        village=territory.other_village,
        actor=None,
    )
    return {"household": household, "head": head, "dao": dao, "child": child, "other": other}


def result_names(response) -> list[tuple[str, str]]:
    return [(resident.full_name, resident.village.code) for resident in response.context["results"]]


# --- search ------------------------------------------------------------------------------------------------


def test_search_page_without_a_query_shows_the_form_only(client: Client, commune_officer) -> None:
    client.force_login(commune_officer)

    response = client.get(SEARCH)

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["results"] == []
    assert 'role="search"' in body
    assert 'name="q"' in body
    assert 'role="status"' not in body


def test_a_name_typed_without_diacritics_finds_the_resident_in_scope_only(
    client: Client, commune_officer, family
) -> None:
    client.force_login(commune_officer)

    response = client.get(SEARCH, {"q": "nguyen thi dao"})

    body = response.content.decode()
    assert result_names(response) == [("Nguyễn Thị Đào", "24631.001")]
    assert f'href="/nguoi-dan/{family["dao"].pk}/"' in body
    assert "*********321" in body
    assert DAO_ID not in body
    assert "1990" in body
    assert "Thôn 1, Xã Quảng Khê" in body
    assert f'href="/ho/HO-1/?thon={family["dao"].village_id}"' in body
    assert "1 kết quả cho “nguyen thi dao”" in body


def test_a_name_with_diacritics_and_other_case_finds_the_same(client: Client, commune_officer, family) -> None:
    client.force_login(commune_officer)

    response = client.get(SEARCH, {"q": "  ĐÀO  nguyễn "})

    assert result_names(response) == [("Nguyễn Thị Đào", "24631.001")]


def test_the_national_id_finds_the_resident(client: Client, commune_officer, family) -> None:
    client.force_login(commune_officer)

    response = client.get(SEARCH, {"q": f"{DAO_ID[:4]} {DAO_ID[4:8]} {DAO_ID[8:]}"})

    assert result_names(response) == [("Nguyễn Thị Đào", "24631.001")]
    assert DAO_ID not in response.content.decode()


def test_a_household_code_finds_its_members_and_links_the_household(client: Client, commune_officer, family) -> None:
    client.force_login(commune_officer)

    response = client.get(SEARCH, {"q": "HO-1"})

    body = response.content.decode()
    assert [name for name, _ in result_names(response)] == ["Nguyễn Văn Hùng", "Nguyễn Thị Đào", "Nguyễn Minh Khôi"]
    assert response.context["household_code"] == "HO-1"
    assert "Xem hộ HO-1" in body


def test_the_other_communes_officer_finds_only_their_own_resident(client: Client, territory, make_user, family) -> None:
    client.force_login(make_user(Role.COMMUNE_OFFICER, territory.other_commune))

    by_name = client.get(SEARCH, {"q": "nguyen thi dao"})
    by_id = client.get(SEARCH, {"q": DAO_ID})
    by_household = client.get(SEARCH, {"q": "HO-1"})

    assert result_names(by_name) == [("Nguyễn Thị Đào", "24751.001")]
    assert result_names(by_id) == []
    assert result_names(by_household) == []
    assert "Xem hộ" not in by_household.content.decode()
    assert "Không tìm thấy ai" in by_id.content.decode()


def test_a_province_admin_finds_both_namesakes(client: Client, province_admin, family) -> None:
    client.force_login(province_admin)

    response = client.get(SEARCH, {"q": "Dao"})

    assert sorted(result_names(response)) == [("Nguyễn Thị Đào", "24631.001"), ("Nguyễn Thị Đào", "24751.001")]


def test_search_authorization(client: Client, territory, make_user, family) -> None:
    assert client.get(SEARCH, {"q": "dao"}).status_code == 302  # anonymous: to sign in
    for role, unit in [(Role.LEARNER, None), (Role.INSTRUCTOR, territory.commune)]:
        client.force_login(make_user(role, unit))
        assert client.get(SEARCH, {"q": "dao"}).status_code == 404
    client.force_login(make_user(Role.TEAM_MEMBER, territory.commune))
    response = client.get(SEARCH, {"q": "dao"})
    assert response.status_code == 200
    assert result_names(response) == [("Nguyễn Thị Đào", "24631.001")]


def test_a_huge_or_strange_query_is_cut_and_answered(client: Client, commune_officer, family) -> None:
    client.force_login(commune_officer)

    huge = client.get(SEARCH, {"q": "dao " * 5_000})
    symbols = client.get(SEARCH, {"q": "%_'\"<script>alert(1)</script>"})
    repeated = client.get(SEARCH + "?q=dao&q=hung")

    assert huge.status_code == 200
    assert huge.context["query"] == ("dao " * 25).strip()
    assert result_names(huge) == [("Nguyễn Thị Đào", "24631.001")]
    assert symbols.status_code == 200
    assert result_names(symbols) == []
    assert "<script>alert(1)</script>" not in symbols.content.decode()
    assert result_names(repeated) == [("Nguyễn Văn Hùng", "24631.001")]


def test_the_results_stop_at_fifty(client: Client, commune_officer, territory) -> None:
    for number in range(55):
        register_resident(
            full_name=f"Lê Văn {chr(65 + number % 26)}{'a' * (number // 26 + 1)}",
            birth_date=datetime.date(1980, 1, 1),
            sex="M",
            ethnicity=1,
            village=territory.village,
            actor=None,
        )
    client.force_login(commune_officer)

    response = client.get(SEARCH, {"q": "le van"})

    assert len(response.context["results"]) == 50
    assert response.context["limit_reached"] is True
    assert "Chỉ hiện 50 người đầu tiên" in response.content.decode()


@pytest.mark.parametrize("query", ["nguyen", DAO_ID, "HO-1"])
def test_search_query_count_is_fixed(client: Client, commune_officer, family, django_assert_num_queries, query) -> None:
    client.force_login(commune_officer)

    # session, user, the session's second-factor device, role assignments, household-code check, results (with
    # village, commune and household); a full ID instead of the last two: the user's row lock, the hour's searches,
    # the lookup, the audit entry (in a savepoint), results
    with django_assert_num_queries(6 if query != DAO_ID else 11):
        response = client.get(SEARCH, {"q": query})

    assert response.status_code == 200
    assert len(response.context["results"]) == (3 if query != DAO_ID else 1)


# --- household -----------------------------------------------------------------------------------------------


def test_household_page_lists_members_with_age_groups_and_digital_identity(
    client: Client, commune_officer, family
) -> None:
    client.force_login(commune_officer)

    response = client.get("/ho/HO-1/")

    body = response.content.decode()
    rows = response.context["rows"]
    today = timezone.localdate()
    assert response.status_code == 200
    assert [(row.resident.full_name, row.is_head) for row in rows] == [
        ("Nguyễn Văn Hùng", True),
        ("Nguyễn Thị Đào", False),
        ("Nguyễn Minh Khôi", False),
    ]
    assert [row.age for row in rows] == [family["head"].age_on(today), family["dao"].age_on(today), 10]
    assert [[group.key for group in row.groups] for row in rows] == [["adult", "elderly"], ["adult", "staff"], []]
    assert rows[1].identity.vneid_level == 2
    assert rows[0].identity is None
    assert "Mức 2" in body
    assert "Xác minh khi hỗ trợ tại hộ, 03/10/2025" in body
    assert "Chưa ghi nhận danh tính số" in body
    assert "Số 12, Hùng Vương" in body
    assert "Thôn 1, Xã Quảng Khê" in body
    assert "Ê Đê" in body
    assert DAO_ID not in body
    assert re.search(r'<a href="/nguoi-dan/\d+/">Nguyễn Văn Hùng</a> <span class="badge">Chủ hộ</span>', body)


def test_household_page_authorization(client: Client, territory, make_user, family) -> None:
    assert client.get("/ho/HO-1/").status_code == 302
    for role, unit in [
        (Role.LEARNER, None),
        (Role.INSTRUCTOR, territory.commune),
        (Role.COMMUNE_OFFICER, territory.other_commune),
        (Role.PROVINCE_ADMIN, territory.other_province),
    ]:
        client.force_login(make_user(role, unit))
        response = client.get("/ho/HO-1/")
        assert response.status_code == 404, role
        assert "Quảng Khê" not in response.content.decode()
    client.force_login(make_user(Role.TEAM_MEMBER, territory.village))
    assert client.get("/ho/HO-1/").status_code == 200


def test_missing_strange_and_huge_household_codes_are_not_found(client: Client, commune_officer, family) -> None:
    client.force_login(commune_officer)

    assert client.get("/ho/HO-2/").status_code == 404
    assert client.get("/ho/" + "H" * 5_000 + "/").status_code == 404
    assert client.get("/ho/%27%20OR%201=1--/").status_code == 404
    assert client.get("/ho/ho-1/").status_code == 404


def test_household_query_count_is_fixed(client: Client, commune_officer, family, django_assert_num_queries) -> None:
    for number in range(4):
        resident = register_resident(
            full_name=f"Nguyễn Văn Con {'ABCD'[number]}",
            birth_date=datetime.date(2001, 1, 1 + number),
            sex="M",
            ethnicity=1,
            household=family["household"],
            actor=None,
        )
        record_digital_identity(
            resident=resident,
            vneid_level=1,
            has_bank_account=None,
            source=EvidenceSource.SELF_DECLARED,
            on=datetime.date(2025, 1, 1),
            actor=None,
        )
    client.force_login(commune_officer)

    # session, user, the session's second-factor device, role assignments, household (village, commune, head),
    # members (with identity), memberships, the members' Gia đình số conditions
    with django_assert_num_queries(8):
        response = client.get("/ho/HO-1/")

    assert len(response.context["rows"]) == 7


def test_a_household_code_used_in_two_villages_asks_which_village(client: Client, commune_officer, territory) -> None:
    """Household codes are numbered per village: "/ho/1/" names two households, so the page asks which."""
    first = register_household(village=territory.village, actor=None, code="1")
    second = register_household(village=territory.village_b, actor=None, code="1")
    client.force_login(commune_officer)

    choice = client.get("/ho/1/")
    one = client.get("/ho/1/", {"thon": territory.village_b.pk})

    body = choice.content.decode()
    assert choice.status_code == 200
    assert f'href="/ho/1/?thon={first.village_id}"' in body and f'href="/ho/1/?thon={second.village_id}"' in body
    assert (one.status_code, one.context["household"]) == (200, second)
    assert client.get("/ho/1/", {"thon": territory.other_village.pk}).status_code == 404
