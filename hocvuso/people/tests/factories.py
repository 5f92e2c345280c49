from datetime import date

import factory

from hocvuso.core.text import search_key
from hocvuso.people.models import Household, Organisation, OrganisationKind, Resident
from hocvuso.people.national_id import century_and_sex_digit
from hocvuso.people.services import register_resident


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"ORG-{n}")
    name = factory.Sequence(lambda n: f"Cơ quan {n}")
    kind = OrganisationKind.STATE_AGENCY


class HouseholdFactory(factory.django.DjangoModelFactory):
    """A household; give `village`."""

    class Meta:
        model = Household

    code = factory.Sequence(lambda n: f"HGD-{n:05d}")


class ResidentFactory(factory.django.DjangoModelFactory):
    """A resident without national ID or phone; give `village` (or `household`)."""

    class Meta:
        model = Resident

    full_name = "Nguyễn Văn An"
    name_key = factory.LazyAttribute(lambda resident: search_key(resident.full_name))
    birth_date = date(1990, 1, 1)
    sex = "M"
    ethnicity = 1
    village = factory.LazyAttribute(lambda resident: resident.household.village if resident.household else None)
    household = None


def national_id_for(birth_date: date, sex: str, serial: int = 1234, province: str = "068") -> str:
    """A national ID consistent with the birth date and sex."""
    return (
        f"{province}{century_and_sex_digit(birth_year=birth_date.year, sex=sex)}{birth_date.year % 100:02d}{serial:06d}"
    )


DAO_BIRTH = date(1990, 9, 5)
DAO_ID = national_id_for(DAO_BIRTH, "F", serial=4321)  # 068 1 90 004321: shown masked as *********321


def register_dao(village: object, household: object = None) -> Resident:
    """Nguyễn Thị Đào, born 5/9/1990, with national ID DAO_ID, registered through the service (encrypted ID, hash)."""
    return register_resident(
        full_name="Nguyễn Thị Đào",
        birth_date=DAO_BIRTH,
        sex="F",
        ethnicity="Kinh",
        village=None if household is not None else village,  # type: ignore[arg-type]
        household=household,  # type: ignore[arg-type]
        national_id=DAO_ID,
        actor=None,
    )
