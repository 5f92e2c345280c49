from datetime import date

from django.test import Client

from hocvuso.accounts.roles import Role
from hocvuso.territory.tests import factories as units


def names(response) -> list[str]:
    return [row.unit.name for row in response.context["overview"].children]


def crumbs(response) -> list[tuple[str, bool]]:
    return [(crumb.unit.name, crumb.linked) for crumb in response.context["overview"].crumbs]


def test_unit_picker_sends_staff_to_their_home_unit(client: Client, commune_officer) -> None:
    client.force_login(commune_officer)

    response = client.get("/don-vi/")

    assert response.status_code == 302
    assert response["Location"] == "/don-vi/24631/"


def test_province_lists_communes_with_their_village_counts(client: Client, province_admin, territory) -> None:
    client.force_login(province_admin)

    response = client.get("/don-vi/68/")

    overview = response.context["overview"]
    assert response.status_code == 200
    assert [(row.unit.code, row.child_count) for row in overview.children] == [("24751", 1), ("24631", 2)]
    assert overview.total_children == 2
    assert overview.kinds == {"xã": 2}
    assert overview.can_import_villages is False
    assert crumbs(response) == [("Lâm Đồng", True)]
    assert 'href="/don-vi/24631/"' in response.content.decode()


def test_commune_lists_villages_and_offers_the_import(client: Client, province_admin, territory) -> None:
    client.force_login(province_admin)

    response = client.get("/don-vi/24631/")

    body = response.content.decode()
    assert names(response) == ["Bon Bu Đăng", "Thôn 1"]
    assert crumbs(response) == [("Lâm Đồng", True), ("Xã Quảng Khê", True)]
    assert response.context["overview"].can_import_villages is True
    assert 'href="/don-vi/24631/nhap-thon/"' in body
    assert '<a href="/don-vi/68/">Lâm Đồng</a>' in body


def test_village_page_shows_its_place_and_no_children(client: Client, province_admin, territory) -> None:
    client.force_login(province_admin)

    response = client.get("/don-vi/24631.001/")

    assert response.status_code == 200
    assert response.context["overview"].child_level is None
    assert crumbs(response) == [("Lâm Đồng", True), ("Xã Quảng Khê", True), ("Thôn 1", True)]
    body = response.content.decode()
    assert "khi phần sổ hộ được xây dựng" not in body  # the registry is built: no promise, a link to it
    assert 'href="/nguoi-dan/"' in body.split("<main", 1)[1]


def test_commune_officer_sees_ancestors_unlinked(client: Client, commune_officer, territory) -> None:
    client.force_login(commune_officer)

    response = client.get("/don-vi/24631.002/")

    body = response.content.decode()
    assert crumbs(response) == [("Lâm Đồng", False), ("Xã Quảng Khê", True), ("Bon Bu Đăng", True)]
    assert 'href="/don-vi/68/"' not in body


def test_units_outside_the_scope_are_not_found(client: Client, commune_officer, territory) -> None:
    client.force_login(commune_officer)

    for code in ["68", "24751", "24751.001", "00004", "no-such-unit"]:
        assert client.get(f"/don-vi/{code}/").status_code == 404, code


def test_team_member_of_a_village_sees_only_that_village(client: Client, make_user, territory) -> None:
    member = make_user(Role.TEAM_MEMBER, territory.village)
    client.force_login(member)

    assert client.get("/don-vi/").headers["Location"] == "/don-vi/24631.001/"
    assert client.get("/don-vi/24631.001/").status_code == 200
    assert client.get("/don-vi/24631/").status_code == 404
    assert client.get("/don-vi/24631.002/").status_code == 404


def test_learner_and_agency_officer_cannot_open_units(client: Client, make_user, territory) -> None:
    for user in [make_user(Role.LEARNER), make_user()]:
        client.force_login(user)
        assert client.get("/don-vi/").status_code == 404
        assert client.get("/don-vi/68/").status_code == 404


def test_anonymous_is_sent_to_sign_in(client: Client, territory) -> None:
    response = client.get("/don-vi/68/")

    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/dang-nhap/?next=/don-vi/68/"


def test_search_filters_children_ignoring_diacritics(client: Client, province_admin, territory) -> None:
    for number in range(10):
        units.commune(territory.province, code=f"2490{number}", name=f"Phường Số {number}", kind="phường")
    client.force_login(province_admin)

    response = client.get("/don-vi/68/", {"q": "quang khe"})

    assert names(response) == ["Xã Quảng Khê"]
    assert response.context["overview"].total_children == 12
    assert response.context["overview"].kinds == {"phường": 10, "xã": 2}
    assert 'role="search"' in response.content.decode()


def test_merged_units_are_not_listed(client: Client, province_admin, territory) -> None:
    units.commune(
        territory.province, code="24999", name="Xã Cũ", valid_from=date(2020, 1, 1), valid_to=date(2025, 6, 30)
    )
    client.force_login(province_admin)

    response = client.get("/don-vi/68/")

    assert names(response) == ["Xã Nhân Cơ", "Xã Quảng Khê"]


def test_unit_page_query_count_is_fixed(client: Client, province_admin, territory, django_assert_num_queries) -> None:
    for number in range(5):
        units.commune(territory.province, code=f"2480{number}", name=f"Xã {number}")
    client.force_login(province_admin)

    # session, user, the session's second-factor device, role assignments, the unit (access check), breadcrumb,
    # children with their counts
    with django_assert_num_queries(7):
        client.get("/don-vi/68/")
