from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from hocvuso.core.crypto import decrypt, lookup_hash
from hocvuso.core.errors import DomainError
from hocvuso.core.models import AuditEntry
from hocvuso.demo.population.generator import REFERENCE_DATE, generate_population
from hocvuso.people.models import DigitalIdentity, Household, Membership, MembershipKind, Organisation, Resident
from hocvuso.people.national_id import check_national_id
from hocvuso.territory.tests import factories as units


def _snapshot() -> list[tuple[object, ...]]:
    rows = []
    for resident in Resident.objects.select_related("household", "village").order_by("household__code", "id"):
        identity = DigitalIdentity.objects.filter(resident=resident).values_list(
            "vneid_level", "vneid_source", "vneid_recorded_on", "has_bank_account", "bank_source", "bank_recorded_on"
        )
        memberships = list(
            resident.memberships.values_list("organisation__code", "kind", "valid_from", "valid_to").order_by("kind")
        )
        rows.append(
            (
                resident.full_name,
                resident.name_key,
                resident.birth_date,
                resident.sex,
                resident.ethnicity,
                decrypt(resident.national_id_ciphertext),
                resident.national_id_hash,
                decrypt(resident.phone_ciphertext) if resident.phone_ciphertext else None,
                resident.household.code,
                resident.household.head_id == resident.pk,
                resident.village.code,
                list(identity),
                memberships,
            )
        )
    return rows


def test_same_seed_gives_identical_rows(territory):
    first = generate_population(province_code="68", residents=400, seed=7)
    snapshot = _snapshot()
    second = generate_population(province_code="68", residents=400, seed=7, replace=True)

    assert (first.residents, second.residents) == (400, 400)
    assert first.households == second.households
    assert _snapshot() == snapshot
    assert Resident.objects.count() == 400


def test_another_seed_gives_other_people(territory):
    generate_population(province_code="68", residents=200, seed=1)
    names_one = sorted(Resident.objects.values_list("full_name", flat=True))
    generate_population(province_code="68", residents=200, seed=2, replace=True)

    assert sorted(Resident.objects.values_list("full_name", flat=True)) != names_one


def test_refuses_a_province_with_residents_unless_replace(territory):
    generate_population(province_code="68", residents=50, seed=3)
    before = sorted(Resident.objects.values_list("national_id_hash", flat=True))

    with pytest.raises(DomainError) as error:
        generate_population(province_code="68", residents=80, seed=4)

    assert error.value.code == "province_not_empty"
    assert sorted(Resident.objects.values_list("national_id_hash", flat=True)) == before


def test_generated_ids_are_valid_unique_and_match_hash_and_last4(territory):
    generate_population(province_code="68", residents=3000, seed=11)

    seen = set()
    for resident in Resident.objects.all():
        national_id = decrypt(resident.national_id_ciphertext)
        assert check_national_id(national_id, birth_date=resident.birth_date, sex=resident.sex) == []
        assert resident.national_id_hash == lookup_hash(national_id)
        assert resident.national_id_last4 == national_id[-4:]
        seen.add(national_id)
    assert len(seen) == 3000


def test_shares_are_realistic(territory):
    result = generate_population(province_code="68", residents=20_000, seed=68)
    residents = list(Resident.objects.values("birth_date", "sex", "ethnicity", "phone_last3", "full_name"))

    ages = [REFERENCE_DATE.year - row["birth_date"].year for row in residents]
    share = lambda condition: sum(1 for value in condition if value) / len(residents)  # noqa: E731
    assert result.residents == 20_000
    assert 3.3 <= result.residents / result.households <= 3.9
    assert 0.20 <= share(age < 15 for age in ages) <= 0.32
    assert 0.09 <= share(age >= 60 for age in ages) <= 0.16
    assert 0.47 <= share(row["sex"] == "M" for row in residents) <= 0.53
    assert 0.30 <= share(row["phone_last3"] != "" for row in residents) <= 0.60
    ethnicities = Counter(row["ethnicity"] for row in residents)
    assert len(ethnicities) >= 5
    # the test territory's communes lie in the former Đắk Nông: about two thirds Kinh
    assert 0.55 <= ethnicities[1] / len(residents) <= 0.80
    assert 0.2 <= DigitalIdentity.objects.filter(vneid_level=2).count() / len(residents) <= 0.7
    memberships = Counter(Membership.objects.values_list("kind", flat=True))
    assert 0.015 <= memberships[MembershipKind.STAFF] / len(residents) <= 0.05
    assert 0.05 <= memberships[MembershipKind.STUDENT] / len(residents) <= 0.15
    assert 0.06 <= memberships[MembershipKind.WORKER] / len(residents) <= 0.2
    assert Organisation.objects.filter(code__startswith="SYN68-").count() == result.organisations


def test_minority_names_follow_their_customs(territory):
    generate_population(province_code="68", residents=20_000, seed=5)

    mnong = list(Resident.objects.filter(ethnicity=20).values_list("full_name", flat=True))
    mong = list(Resident.objects.filter(ethnicity=8, sex="F").values_list("full_name", flat=True))
    assert mnong and all(name.split()[0] in {"Điểu", "Thị", "Y", "H'"} for name in mnong)
    assert mong and all(" Thị " in name or " Mỷ " in name for name in mong)


def test_command_creates_villages_when_the_province_has_none(db):
    province = units.province(code="68", name="Lâm Đồng")
    units.commune(province, code="24781", name="Phường Xuân Hương - Đà Lạt", kind="phường")
    units.commune(province, code="24848", name="Xã Lạc Dương")

    call_command("generate_population", "--province", "68", "--residents", "500", "--seed", "9")

    assert Resident.objects.count() == 500
    assert Household.objects.filter(village__parent__code="24781").exists()
    assert AuditEntry.objects.filter(action="people.generate_population").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY path is PostgreSQL only")
def test_postgresql_uses_copy_and_rebuilds_indexes(territory, monkeypatch):
    from hocvuso.demo.population import generator

    monkeypatch.setattr(generator, "BULK_THRESHOLD", 100)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'people_resident'")
        (indexes_before,) = cursor.fetchone()

    result = generate_population(province_code="68", residents=1000, seed=12)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'people_resident'")
        (indexes_after,) = cursor.fetchone()
    assert indexes_after == indexes_before
    assert Resident.objects.count() == 1000 == result.residents
    assert Household.objects.filter(head__isnull=True).count() == 0
    created = Resident.objects.create(
        full_name="Người Mới",
        name_key="nguoi moi",
        birth_date=date(1990, 1, 1),
        sex="M",
        ethnicity=1,
        village=territory.village,
    )
    assert created.pk > max(Resident.objects.exclude(pk=created.pk).values_list("pk", flat=True))
