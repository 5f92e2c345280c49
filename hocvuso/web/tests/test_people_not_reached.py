"""The "not yet reached" filter of the people list (?chua_dat=<indicator>&don_vi=<unit> or &to_chuc=<organisation>):
exactly the people an indicator's figure counts as not reached, scoped like every registry read, 404 for
anything unknown, malformed or not the user's, and a fixed number of queries."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.indicators.models import IndicatorFact
from hocvuso.indicators.services import rebuild_facts
from hocvuso.indicators.tests.conftest import birthday, confirm_literacy, set_vneid
from hocvuso.people.models import Membership, Resident
from hocvuso.people.tests.factories import HouseholdFactory, OrganisationFactory, ResidentFactory
from hocvuso.web.people.views import NOT_REACHED_PER_PAGE

pytestmark = pytest.mark.django_db

PEOPLE = "/nguoi-dan/"


def person(village: Any, name: str, *, age: int = 30, **kwargs: Any) -> Resident:
    return ResidentFactory(village=village, full_name=name, birth_date=birthday(age, timezone.localdate()), **kwargs)


class Registry:
    """Thôn 1: Hà (literate, VNeID), Bình (VNeID), Cường (literate, as a worker), a 17-year-old Dung (VNeID) —
    households H1 (Hà, Bình), H2 (Cường), H3 (Dung). Bon Bu Đăng: Én. Thôn 3 (another commune): Giang. A
    cooperative in Xã Quảng Khê with workers Bình and Cường and a former worker Hà (membership ended)."""

    def __init__(self, territory: Any) -> None:
        self.territory = territory
        first = HouseholdFactory(village=territory.village, code="H1")
        second = HouseholdFactory(village=territory.village, code="H2")
        third = HouseholdFactory(village=territory.village, code="H3")
        self.ha = person(territory.village, "Trần Thị Hà", household=first)
        self.binh = person(territory.village, "Lê Văn Bình", household=first)
        self.cuong = person(territory.village, "Phạm Văn Cường", household=second)
        self.dung = person(territory.village, "Vũ Thị Dung", age=17, household=third)
        self.en = person(territory.village_b, "Đinh Thị Én")
        self.giang = person(territory.other_village, "Hoàng Văn Giang")
        confirm_literacy(self.ha)
        for resident in (self.ha, self.binh, self.dung):
            set_vneid(resident, 1)
        self.cooperative = OrganisationFactory(code="HTX-2", name="HTX Rau Quảng Khê", unit=territory.commune)
        for resident in (self.binh, self.cuong):
            Membership.objects.create(
                resident=resident, organisation=self.cooperative, kind="worker", valid_from=date(2024, 1, 1)
            )
        Membership.objects.create(
            resident=self.ha,
            organisation=self.cooperative,
            kind="worker",
            valid_from=date(2024, 1, 1),
            valid_to=date(2024, 12, 31),
        )
        confirm_literacy(self.cuong, "workers")
        rebuild_facts()


@pytest.fixture
def registry(territory: Any) -> Registry:
    return Registry(territory)


def listed(client: Client, **query: str) -> list[str]:
    response = client.get(PEOPLE, query)
    assert response.status_code == 200, response.status_code
    return [resident.full_name for resident in response.context["results"]]


def not_reached_in_facts(code: str, indicator: str) -> int:
    fact = IndicatorFact.objects.get(day=timezone.localdate(), indicator__code=indicator, unit__code=code)
    return fact.denominator - fact.numerator


def test_a_village_lists_exactly_the_people_the_figure_counts_as_not_reached(
    client: Client, registry: Registry, commune_officer: Any
) -> None:
    client.force_login(commune_officer)

    adults = listed(client, chua_dat="adults-digital-skills", don_vi="24631.001")
    identity = listed(client, chua_dat="digital-identity", don_vi="24631.001")
    commune = listed(client, chua_dat="digital-identity", don_vi="24631")

    assert adults == ["Lê Văn Bình"]  # Hà and Cường are literate; Dung is not an adult
    assert identity == ["Phạm Văn Cường"]
    assert commune == ["Phạm Văn Cường", "Đinh Thị Én"]  # by village, then name
    assert len(adults) == not_reached_in_facts("24631.001", "adults-digital-skills")
    assert len(identity) == not_reached_in_facts("24631.001", "digital-identity")
    assert len(commune) == not_reached_in_facts("24631", "digital-identity")


def test_the_page_names_the_indicator_and_the_place_and_masks_numbers(
    client: Client, registry: Registry, commune_officer: Any
) -> None:
    client.force_login(commune_officer)

    body = client.get(PEOPLE, {"chua_dat": "adults-digital-skills", "don_vi": "24631.001"}).content.decode()

    assert "Chưa đạt “Người dân trong độ tuổi trưởng thành có kỹ năng số” — Thôn 1" in body
    assert "1 người chưa đạt" in body
    assert f'href="/nguoi-dan/{registry.binh.pk}/"' in body
    assert "Trần Thị Hà" not in body


def test_a_household_indicator_lists_the_members_of_the_households_not_reached(
    client: Client, registry: Registry, commune_officer: Any
) -> None:
    client.force_login(commune_officer)

    response = client.get(PEOPLE, {"chua_dat": "digital-families", "don_vi": "24631.001"})

    # H1 has a literate member with VNeID (Hà), but no visit found her guiding the others: by the Gia đình số rule
    # (issue 13) none of Thôn 1's three households is a digital family, and every member of them is listed
    names = [resident.full_name for resident in response.context["results"]]
    assert sorted(names) == ["Lê Văn Bình", "Phạm Văn Cường", "Trần Thị Hà", "Vũ Thị Dung"]
    assert "4 người thuộc các hộ chưa đạt" in response.content.decode()
    assert not_reached_in_facts("24631.001", "digital-families") == 3


def test_an_organisation_lists_its_members_in_force_not_reached(
    client: Client, registry: Registry, make_user: Callable[..., Any], province_admin: Any
) -> None:
    officer = make_user(Role.AGENCY_OFFICER, organisation=registry.cooperative)

    client.force_login(officer)
    workers = listed(client, chua_dat="workers-digital-skills", to_chuc="HTX-2")
    client.force_login(province_admin)
    same = listed(client, chua_dat="workers-digital-skills", to_chuc="HTX-2")

    assert workers == same == ["Lê Văn Bình"]  # Cường is confirmed as a worker; Hà's membership has ended
    fact = IndicatorFact.objects.get(
        day=timezone.localdate(), indicator__code="workers-digital-skills", organisation=registry.cooperative
    )
    assert fact.denominator - fact.numerator == 1


@pytest.mark.parametrize(
    "query",
    [
        {"chua_dat": "adults-digital-skills", "don_vi": "24751.001"},  # another commune
        {"chua_dat": "adults-digital-skills", "don_vi": "68"},  # above the officer
        {"chua_dat": "adults-digital-skills", "don_vi": "99999"},  # missing
        {"chua_dat": "no-such-indicator", "don_vi": "24631"},
        {"chua_dat": "learning-events", "don_vi": "24631"},  # its source is not built
        {"chua_dat": "weekly-classes-held", "don_vi": "24631"},  # counts communes, not people
        {"chua_dat": "adults-digital-skills", "to_chuc": "HTX-2"},  # not a members' indicator
        {"chua_dat": "workers-digital-skills", "to_chuc": "NO-ORG"},
        {"chua_dat": "adults-digital-skills", "don_vi": "24631", "to_chuc": "HTX-2"},  # both
        {"chua_dat": "adults-digital-skills"},  # neither
        {"chua_dat": "", "don_vi": "24631"},
        {"chua_dat": "<script>alert(1)</script>", "don_vi": "24631"},
        {"chua_dat": "adults-digital-skills", "don_vi": "x" * 500},
        {"chua_dat": "adults-digital-skills", "don_vi": "24631' OR '1'='1"},
    ],
)
def test_anything_unknown_malformed_or_not_theirs_answers_404(
    client: Client, registry: Registry, commune_officer: Any, query: dict[str, str]
) -> None:
    client.force_login(commune_officer)

    response = client.get(PEOPLE, query)

    assert response.status_code == 404
    assert "Hoàng Văn Giang" not in response.content.decode()


def test_an_organisation_the_user_does_not_follow_answers_404(
    client: Client, registry: Registry, make_user: Callable[..., Any]
) -> None:
    elsewhere = OrganisationFactory(code="DN-3", unit=registry.territory.other_commune)
    client.force_login(make_user(Role.AGENCY_OFFICER, organisation=elsewhere))

    assert client.get(PEOPLE, {"chua_dat": "workers-digital-skills", "to_chuc": "HTX-2"}).status_code == 404


def test_the_list_needs_view_people(client: Client, registry: Registry, make_user: Callable[..., Any]) -> None:
    query = {"chua_dat": "adults-digital-skills", "don_vi": "24631.001"}
    assert client.get(PEOPLE, query).status_code == 302

    client.force_login(make_user(Role.INSTRUCTOR, registry.territory.commune))  # VIEW_PROGRESS, not VIEW_PEOPLE

    assert client.get(PEOPLE, query).status_code == 404


def test_long_lists_come_in_pages_with_the_same_number_of_queries(
    client: Client, registry: Registry, commune_officer: Any, django_assert_num_queries: Any
) -> None:
    for index in range(NOT_REACHED_PER_PAGE + 3):
        person(registry.territory.village_b, f"Người chưa đạt {index:03d}")
    client.force_login(commune_officer)
    query = {"chua_dat": "adults-digital-skills", "don_vi": "24631.002"}
    client.get(PEOPLE, query)

    # session, user, the session's second-factor device, roles; indicator, unit; count, page
    with django_assert_num_queries(8):
        first = client.get(PEOPLE, query)
    with django_assert_num_queries(8):
        second = client.get(PEOPLE, {**query, "trang": "2"})

    assert len(first.context["results"]) == NOT_REACHED_PER_PAGE
    assert first.context["results"][0].full_name == "Đinh Thị Én"  # by name, diacritics folded: "dinh" first
    assert [resident.full_name for resident in second.context["results"]] == [
        "Người chưa đạt 049",
        "Người chưa đạt 050",
        "Người chưa đạt 051",
        "Người chưa đạt 052",
    ]
    assert "54 người chưa đạt" in second.content.decode()
    assert "Trang 2/2" in second.content.decode()
