"""Hole 2 of issue 8, from the attacker's side: a masked ID cannot be completed by searching.

The reported attack: a volunteer saw `********1993` (four digits) and the birth year; the hidden digits are the
province of birth, the century-and-sex digit and the birth year — all known or guessable — and two random
digits, so at most 100 searches by full ID found the number. Now the mask shows three digits (1,000 candidates
even with the province guessed), only staff who may reveal the ID anyway may search by one, at most
NATIONAL_ID_SEARCH_LIMIT (20) times an hour, and every search is in the audit log.
"""

import datetime
import random

import pytest
from django.test import Client

from hocvuso.accounts.roles import Role
from hocvuso.core.models import AuditEntry
from hocvuso.people.models import Resident
from hocvuso.people.national_id import PROVINCE_OF_BIRTH_CODES, century_and_sex_digit
from hocvuso.people.national_id_search import REFUSED, SEARCHED, THROTTLED
from hocvuso.people.tests.factories import DAO_BIRTH, DAO_ID, national_id_for, register_dao

from .conftest import sign_in_staff

BIRTH = DAO_BIRTH
SEARCH = "/nguoi-dan/"


@pytest.fixture
def dao(territory) -> Resident:
    return register_dao(territory.village)


def candidates(*, shown_digits: str, birth_year: int, sex: str, provinces: list[str]) -> list[str]:
    """Every national ID consistent with what the page shows: the mask's last digits, the birth year and sex."""
    hidden = 6 - len(shown_digits)
    prefix_tail = f"{century_and_sex_digit(birth_year=birth_year, sex=sex)}{birth_year % 100:02d}"
    return [
        f"{province}{prefix_tail}{serial:0{hidden}d}{shown_digits}"
        for province in provinces
        for serial in range(10**hidden)
    ]


def test_what_a_volunteer_sees_leaves_a_thousand_candidates_even_with_the_province_guessed(
    client: Client, make_user, territory, dao
) -> None:
    client.force_login(make_user(Role.TEAM_MEMBER, territory.village))

    page = client.get(f"/nguoi-dan/{dao.pk}/").content.decode()

    assert "*********321" in page and "4321" not in page and DAO_ID not in page
    assert "05/09/1990" in page
    guessed = candidates(shown_digits="321", birth_year=1990, sex="F", provinces=["068"])
    everywhere = candidates(shown_digits="321", birth_year=1990, sex="F", provinces=list(PROVINCE_OF_BIRTH_CODES))
    assert DAO_ID in guessed
    assert (len(guessed), len(everywhere)) == (1000, 1000 * len(PROVINCE_OF_BIRTH_CODES))


def test_a_volunteer_enumerating_every_candidate_finds_nobody(client: Client, make_user, territory, dao) -> None:
    volunteer = make_user(Role.TEAM_MEMBER, territory.village)
    client.force_login(volunteer)

    answers = [
        client.get(SEARCH, {"q": candidate})
        for candidate in candidates(shown_digits="321", birth_year=1990, sex="F", provinces=["068"])
    ]

    assert all(answer.status_code == 200 for answer in answers)
    assert all(answer.context["results"] == [] for answer in answers)
    assert not any("Đào" in answer.content.decode() for answer in answers)
    assert "Chỉ cán bộ được xem số định danh đầy đủ" in answers[0].content.decode()
    assert AuditEntry.objects.filter(actor=volunteer, action=REFUSED).count() == 1000
    assert not AuditEntry.objects.filter(action=SEARCHED).exists()


def test_the_old_hundred_candidate_attack_stops_after_twenty_searches_an_hour(
    client: Client, make_user, territory, dao
) -> None:
    # even an officer who may search by ID (and saw the old four-digit mask) checks at most 20 numbers an hour
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    sign_in_staff(client, officer)
    old_space = candidates(shown_digits="4321", birth_year=1990, sex="F", provinces=["068"])
    random.Random(8).shuffle(old_space)
    position = old_space.index(DAO_ID)
    old_space.insert(30, old_space.pop(position))  # the right number comes after the hour's allowance

    answers = [client.get(SEARCH, {"q": candidate}) for candidate in old_space]

    found = [index for index, answer in enumerate(answers) if answer.context["results"]]
    assert len(old_space) == 100
    assert found == []
    assert all(
        "Bạn đã tìm theo số định danh 20 lần trong một giờ" in answer.content.decode() for answer in answers[20:]
    )
    assert AuditEntry.objects.filter(actor=officer, action=SEARCHED).count() == 20
    assert AuditEntry.objects.filter(actor=officer, action=THROTTLED).count() == 80
    # an hour later the allowance is back, and the right number is found (this officer may reveal it anyway)
    AuditEntry.objects.filter(actor=officer).update(at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    later = client.get(SEARCH, {"q": DAO_ID})
    assert [resident.pk for resident in later.context["results"]] == [dao.pk]
    entry = AuditEntry.objects.filter(actor=officer, action=SEARCHED).latest("at")
    assert DAO_ID not in str(entry.details) and entry.object_id == str(dao.pk)


def test_an_officer_of_another_commune_learns_nothing_from_a_full_id(client: Client, make_user, territory, dao) -> None:
    officer = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    client.force_login(officer)

    existing = client.get(SEARCH, {"q": DAO_ID})
    missing = client.get(SEARCH, {"q": national_id_for(BIRTH, "F", serial=999)})

    assert existing.context["results"] == missing.context["results"] == []
    assert "Đào" not in existing.content.decode()
    assert AuditEntry.objects.filter(actor=officer, action=SEARCHED).count() == 2


def test_the_admin_sites_search_by_id_follows_the_same_rules(
    client: Client, make_user, territory, dao, settings
) -> None:
    settings.NATIONAL_ID_SEARCH_LIMIT = 2
    admin = make_user(Role.PROVINCE_ADMIN, territory.province, is_staff=True, is_superuser=True)
    sign_in_staff(client, admin)

    first = client.get("/admin/people/resident/", {"q": DAO_ID})
    client.get("/admin/people/resident/", {"q": DAO_ID})
    third = client.get("/admin/people/resident/", {"q": DAO_ID})

    assert "Nguyễn Thị Đào" in first.content.decode()
    assert "Nguyễn Thị Đào" not in third.content.decode()
    assert "Bạn đã tìm theo số định danh 2 lần" in third.content.decode()
    assert AuditEntry.objects.filter(actor=admin, action=SEARCHED).count() == 2
