import importlib
from datetime import date

import pytest

from hocvuso.accounts.roles import Role
from hocvuso.core.crypto import encrypt, lookup_hash
from hocvuso.core.errors import NotFound
from hocvuso.core.text import search_key
from hocvuso.people.models import DigitalIdentity, Membership
from hocvuso.people.selectors import household_with_members, search_residents
from hocvuso.people.services import register_resident
from hocvuso.people.tests.factories import HouseholdFactory, OrganisationFactory, ResidentFactory, national_id_for


def _with_id(resident, national_id):
    resident.national_id_ciphertext = encrypt(national_id)
    resident.national_id_hash = lookup_hash(national_id)
    resident.national_id_last4 = national_id[-4:]
    resident.save()
    return resident


@pytest.fixture
def people(territory):
    household = HouseholdFactory(code="24631.001-00007", village=territory.village)
    dao = ResidentFactory(full_name="Nguyễn Thị Đào", sex="F", household=household)
    _with_id(dao, national_id_for(date(1990, 1, 1), "F", 4321))  # 068190004321
    son = ResidentFactory(full_name="Trần Văn Đạo", household=household, birth_date=date(2012, 3, 4))
    household.head = dao
    household.save()
    other = ResidentFactory(full_name="Nguyễn Thị Đào", sex="F", village=territory.other_village)
    _with_id(other, national_id_for(date(1990, 1, 1), "F", 9999))
    ResidentFactory(full_name="Lê Văn Hùng", village=territory.village_b)
    return {"household": household, "dao": dao, "son": son, "other": other}


def _names(results):
    return [(resident.full_name, resident.village.code) for resident in results]


def test_search_without_diacritics_finds_the_name(people, commune_officer):
    results = search_residents(user=commune_officer, query="nguyen thi dao", limit=10)

    assert _names(results) == [("Nguyễn Thị Đào", "24631.001")]


def test_search_with_diacritics_any_case_and_word_order(people, commune_officer):
    assert _names(search_residents(user=commune_officer, query="Nguyễn Thị Đào", limit=10)) == [
        ("Nguyễn Thị Đào", "24631.001")
    ]
    assert _names(search_residents(user=commune_officer, query="ĐÀO nguyễn", limit=10)) == [
        ("Nguyễn Thị Đào", "24631.001")
    ]
    # "dao" matches both Đào and Đạo once diacritics are folded
    assert sorted(_names(search_residents(user=commune_officer, query="dao", limit=10))) == [
        ("Nguyễn Thị Đào", "24631.001"),
        ("Trần Văn Đạo", "24631.001"),
    ]


def test_search_by_full_id_in_any_spreadsheet_form(people, commune_officer):
    for query in ("068190004321", "068 190 004 321", "068.190.004.321", "68190004321"):
        assert [r.pk for r in search_residents(user=commune_officer, query=query, limit=10)] == [people["dao"].pk]


def test_search_by_a_partial_id_finds_nobody(people, commune_officer):
    assert list(search_residents(user=commune_officer, query="4321", limit=10)) == []


def test_search_by_household_code(people, commune_officer):
    results = search_residents(user=commune_officer, query="24631.001-00007", limit=10)

    assert [resident.full_name for resident in results] == ["Nguyễn Thị Đào", "Trần Văn Đạo"]


def test_officer_of_another_commune_finds_nothing_as_if_nobody_existed(people, territory, make_user):
    outsider = make_user(Role.COMMUNE_OFFICER, territory.far_commune)
    neighbour = make_user(Role.COMMUNE_OFFICER, territory.other_commune)

    for query in ("nguyen thi dao", "068190004321", "24631.001-00007", "le van hung"):
        assert list(search_residents(user=outsider, query=query, limit=10)) == []
    assert _names(search_residents(user=neighbour, query="nguyen thi dao", limit=10)) == [
        ("Nguyễn Thị Đào", "24751.001")
    ]
    assert list(search_residents(user=neighbour, query="068190004321", limit=10)) == []
    assert list(search_residents(user=neighbour, query="does-not-exist-00001", limit=10)) == []


def test_province_admin_sees_the_whole_province(people, province_admin):
    assert sorted(_names(search_residents(user=province_admin, query="nguyen thi dao", limit=10))) == [
        ("Nguyễn Thị Đào", "24631.001"),
        ("Nguyễn Thị Đào", "24751.001"),
    ]


def test_learner_and_empty_queries_find_nobody(people, territory, make_user, commune_officer):
    learner = make_user(Role.LEARNER)

    assert list(search_residents(user=learner, query="nguyen", limit=10)) == []
    assert list(search_residents(user=commune_officer, query="   ", limit=10)) == []
    assert list(search_residents(user=commune_officer, query="nguyen", limit=0)) == []


def test_limit(people, commune_officer):
    assert len(search_residents(user=commune_officer, query="n", limit=1)) == 1


def test_household_with_members(people, territory, commune_officer, django_assert_num_queries):
    school = OrganisationFactory(unit=territory.commune)
    Membership.objects.create(resident=people["son"], organisation=school, kind="student", valid_from=date(2024, 9, 5))
    DigitalIdentity.objects.create(
        resident=people["dao"], vneid_level=2, vneid_source="vneid", vneid_recorded_on=date(2025, 1, 1)
    )

    with django_assert_num_queries(4):
        household = household_with_members(user=commune_officer, code="24631.001-00007")
        members = list(household.members.all())
        statuses = [
            (
                member.full_name,
                getattr(getattr(member, "digital_identity", None), "vneid_level", None),
                [m.organisation.name for m in member.memberships.all()],
            )
            for member in members
        ]

    assert household.head == people["dao"]
    assert household.village.parent.code == "24631"
    assert statuses == [("Nguyễn Thị Đào", 2, []), ("Trần Văn Đạo", None, [school.name])]


def test_household_outside_scope_or_missing_is_404(people, territory, make_user):
    outsider = make_user(Role.COMMUNE_OFFICER, territory.other_commune)

    with pytest.raises(NotFound):
        household_with_members(user=outsider, code="24631.001-00007")
    with pytest.raises(NotFound):
        household_with_members(user=outsider, code="no-such-household")


@pytest.mark.parametrize("query", ["H'Thuy", "H' Thuy", "H Thuy", "h’thúy", "thuy h", "  H ʼ THUY "])
def test_apostrophe_and_spacing_variants_of_an_ethnic_name_find_one_another(territory, commune_officer, query):
    names = ["H'Thuy Niê", "H' Thuy Mlô", "H Thuy Byă"]
    written = [
        register_resident(
            full_name=name, birth_date=date(1995, 1, day), sex="F", ethnicity="Ê Đê", village=territory.village,
            actor=None,
        )
        for day, name in enumerate(names, start=1)
    ]  # fmt: skip
    ResidentFactory(full_name="H'Nhi Niê", village=territory.village)

    results = search_residents(user=commune_officer, query=query, limit=10)

    assert [resident.name_key for resident in written] == ["h thuy nie", "h thuy mlo", "h thuy bya"]
    assert sorted(resident.full_name for resident in results) == sorted(names)


def test_search_key_is_the_one_form_of_names_and_queries():
    assert search_key("H'Thuy") == search_key("H' Thuy") == search_key("H Thuy") == "h thuy"
    assert search_key("K’Brơi  Ka`Điểu") == "k broi ka dieu"
    assert search_key("Nguyễn Thị Đào") == "nguyen thi dao"


def test_the_migration_makes_the_stored_keys_of_names_with_an_apostrophe_again(territory):
    from django.apps import apps

    from hocvuso.people.imports.commit import _NameKeys
    from hocvuso.people.models import Resident

    migration = importlib.import_module("hocvuso.people.migrations.0008_name_keys_fold_apostrophes")
    old = ResidentFactory(full_name="K’Brơi", village=territory.village)
    plain = ResidentFactory(full_name="Lê Văn Hùng", village=territory.village)
    Resident.objects.filter(pk=old.pk).update(name_key="k’broi")
    Resident.objects.filter(pk=plain.pk).update(name_key="left as it was")

    migration.make_keys_again(apps, None)

    assert Resident.objects.get(pk=old.pk).name_key == "k broi" == _NameKeys()("K’Brơi")
    assert Resident.objects.get(pk=plain.pk).name_key == "left as it was"  # no apostrophe: not rewritten
    assert _NameKeys()("H' Thuy Niê") == search_key("H' Thuy Niê") == "h thuy nie"
