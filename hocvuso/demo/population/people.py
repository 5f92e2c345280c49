"""The people of a synthetic province: names, national IDs, households and their members, identities and
memberships, generated a chunk of rows at a time."""

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hocvuso.core.text import search_key
from hocvuso.people import names
from hocvuso.people.models import MembershipKind
from hocvuso.people.national_id import century_and_sex_digit

from .plan import _Commune, _Organisations, _pick, _Village
from .shares import (
    _BANK_SHARES,
    _HEAD_AGES,
    _KINH_MIGRANT_BIRTH_CODES,
    _LARGE_HOUSEHOLD_HEAD_AGES,
    _NORTHERN_BIRTH_CODES,
    _NORTHERN_GROUPS,
    _PHONE_PREFIXES,
    _SINGLE_AGES,
    _SIZES,
    _STREETS,
    _VNEID_SHARES,
    IDENTITY_MIN_AGE,
    STAFF_SHARE,
    STUDENT_SHARE_HIGHER,
    STUDENT_SHARE_LOWER_SECONDARY,
    STUDENT_SHARE_UPPER_SECONDARY,
    WORKER_SHARE,
    _Table,
)

# --- People -------------------------------------------------------------------------------------------------


class _Namer:
    """Builds full names and their search keys (folded once per distinct name)."""

    def __init__(self) -> None:
        self.kinh_family = _Table(names.KINH_FAMILY_NAMES)
        self.keys: dict[str, str] = {}

    def key(self, full_name: str) -> str:
        key = self.keys.get(full_name)
        if key is None:
            key = search_key(full_name)
            if len(self.keys) < 2_000_000:
                self.keys[full_name] = key
        return key

    def family_name(self, rng: random.Random, ethnicity: int) -> str:
        """The family (or clan) name a household passes on."""
        style = names.STYLE_BY_ETHNICITY.get(ethnicity)
        if style in ("ede", "mnong", "kho", "clan"):
            return rng.choice(names.CLANS_BY_ETHNICITY[ethnicity])
        family = names.FAMILY_NAMES_BY_ETHNICITY.get(ethnicity)
        if family:
            return rng.choice(family)
        return self.kinh_family.pick(rng.random())

    def full_name(self, rng: random.Random, ethnicity: int, sex: str, birth_year: int, family: str) -> str:
        style = names.STYLE_BY_ETHNICITY.get(ethnicity)
        random_value = rng.random
        if style == "ede":
            given = _pick(random_value, names.EDE_GIVEN[sex])
            return f"Y {given} {family}" if sex == "M" else f"H'{given} {family}"
        if style == "mnong":
            given = _pick(random_value, names.MNONG_GIVEN[sex])
            if random_value() < 0.5:
                return f"Điểu {given}" if sex == "M" else f"Thị {given}"
            return f"Y {given} {family}" if sex == "M" else f"H' {given} {family}"
        if style == "kho":
            given = _pick(random_value, names.KHO_GIVEN[sex])
            lead = "K'" if sex == "M" else "Ka "
            if ethnicity == 28 and sex == "M" and random_value() < 0.4:
                return f"Điểu K'{given}"
            return f"{family} {lead}{given}" if random_value() < 0.6 else f"{lead}{given}"
        if style == "clan":
            given = _pick(random_value, names.SIMPLE_GIVEN[sex])
            return f"{family} Thị {given}" if sex == "F" and random_value() < 0.5 else f"{family} {given}"
        if style == "mong":
            return (
                f"{family} {_pick(random_value, names.MONG_MIDDLE[sex])} {_pick(random_value, names.MONG_GIVEN[sex])}"
            )
        if style == "dao":
            middle = "Văn" if sex == "M" else "Thị"
            return f"{family} {middle} {_pick(random_value, names.DAO_GIVEN[sex])}"
        # Kinh-style: "Văn" / "Thị" common before 1980, rarer for the young.
        traditional = 0.75 if birth_year < 1970 else 0.5 if birth_year < 1990 else 0.25 if birth_year < 2005 else 0.1
        if random_value() < traditional:
            middle = "Văn" if sex == "M" else "Thị"
        else:
            middle = _pick(random_value, names.KINH_MIDDLE_NAMES[sex])
        given = _pick(random_value, names.KINH_GIVEN_NAMES[sex])
        if random_value() < 0.08 and birth_year >= 1990:
            # four-part names are common for the young: "Nguyễn Ngọc Bảo Anh"
            return f"{family} {middle} {_pick(random_value, names.KINH_MIDDLE_NAMES[sex])} {given}"
        return f"{family} {middle} {given}"


class _Identifiers:
    """Unique national IDs: a counter per (birth code, century-sex digit, year) scrambled by a bijection on
    the six random digits, so no two residents of a run share an ID and the digits look random."""

    def __init__(self, seed: int) -> None:
        self.counters: dict[str, int] = {}
        self.offset = (seed * 7_919 + 104_729) % 1_000_000

    def make(self, birth_code: str, birth_year: int, sex: str) -> str:
        prefix = f"{birth_code}{century_and_sex_digit(birth_year=birth_year, sex=sex)}{birth_year % 100:02d}"
        count = self.counters.get(prefix, 0)
        self.counters[prefix] = count + 1
        # 999_983 is prime, hence coprime with 10^6: the map is a bijection for count < 10^6.
        serial = (count * 999_983 + self.offset + int(prefix) * 7_777) % 1_000_000
        return f"{prefix}{serial:06d}"


@dataclass
class _Person:
    age: int
    sex: str
    family: str


@dataclass
class _Rows:
    """One chunk of rows, in column order of the COPY statements."""

    households: list[tuple[Any, ...]] = field(default_factory=list)
    residents: list[list[Any]] = field(default_factory=list)
    national_ids: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    phone_rows: list[int] = field(default_factory=list)
    identities: list[tuple[Any, ...]] = field(default_factory=list)
    memberships: list[tuple[Any, ...]] = field(default_factory=list)


class _Population:
    """Generates households village by village from one random stream."""

    def __init__(self, *, seed: int, on: date, organisations: _Organisations) -> None:
        self.rng = random.Random(seed)
        self.on = on
        self.on_ordinal = on.toordinal()
        self.namer = _Namer()
        self.ids = _Identifiers(seed)
        self.organisations = organisations
        self.school_year = on.year if on.month >= 9 else on.year - 1

    def _household_members(self, size: int, ethnicity: int) -> list[_Person]:
        rng = self.rng
        random_value = rng.random
        namer = self.namer
        if size == 1:
            age = _SINGLE_AGES.pick(random_value())
            sex = "F" if random_value() < (0.62 if age >= 60 else 0.4) else "M"
            return [_Person(age, sex, namer.family_name(rng, ethnicity))]
        head_age = (_LARGE_HOUSEHOLD_HEAD_AGES if size >= 5 else _HEAD_AGES).pick(random_value())
        head_sex = "M" if random_value() < 0.76 else "F"
        family = namer.family_name(rng, ethnicity)
        members = [_Person(head_age, head_sex, family)]
        mother_age = head_age
        mother_family = family
        if random_value() < 0.88 or head_age < 30:
            gap = rng.randint(0, 6)
            spouse_age = max(18, head_age - gap if head_sex == "M" else head_age + gap)
            spouse_family = namer.family_name(rng, ethnicity)
            members.append(_Person(spouse_age, "F" if head_sex == "M" else "M", spouse_family))
            if head_sex == "M":
                mother_age, mother_family = spouse_age, spouse_family
        child_family = mother_family if ethnicity in names.MATRILINEAL else family
        slots = size - len(members)
        if slots and ((size >= 5 and random_value() < 0.35) or (size == 4 and random_value() < 0.08)):
            parent_age = head_age + rng.randint(22, 32)
            if parent_age <= 98:
                members.append(_Person(parent_age, "F" if random_value() < 0.65 else "M", family))
                slots -= 1
        grandchildren = False
        for _slot in range(slots):
            # each child born when the mother was 20–40; three generations when the mother is older
            age = mother_age - rng.randint(20, 40)
            if age < 0:
                age = mother_age - rng.randint(19, max(19, mother_age))
            if age > 35 or grandchildren:
                if not grandchildren and random_value() < 0.5:
                    age = rng.randint(18, 35)  # a grown-up child still at home
                else:
                    grandchildren = True
                    age = rng.randint(0, 14)
            members.append(_Person(age, "M" if random_value() < 0.512 else "F", child_family))
        return members

    def village(
        self,
        commune: _Commune,
        village: _Village,
        rows: _Rows,
        next_household: int,
        next_resident: int,
    ) -> tuple[int, int]:
        """Append the village's households and residents to `rows`; returns the next free ids."""
        rng = self.rng
        random_value = rng.random
        namer = self.namer
        on_ordinal = self.on_ordinal
        composition = commune.minorities
        remaining = village.quota
        number = 0
        ward = commune.kind == "phường"
        organisations = self.organisations
        while remaining > 0:
            size = min(_SIZES.pick(random_value()), remaining)
            remaining -= size
            number += 1
            ethnicity = composition.pick(random_value()) if random_value() < village.minority_share else 1
            members = self._household_members(size, ethnicity)
            household_id = next_household
            next_household += 1
            address = f"Số {rng.randint(1, 250)} đường {rng.choice(_STREETS)}" if ward else ""
            rows.households.append((household_id, f"{village.code}-{number:05d}", village.id, address, next_resident))
            for person in members:
                resident_id = next_resident
                next_resident += 1
                age = person.age
                birth_ordinal = on_ordinal - int((age + random_value()) * 365.2425)
                birth = date.fromordinal(birth_ordinal)
                birth_year = birth.year
                sex = person.sex
                full_name = namer.full_name(rng, ethnicity, sex, birth_year, person.family)
                # Province of birth: mostly where the family lives; older settlers were born elsewhere.
                if age >= 25 and random_value() < (0.5 if ethnicity in _NORTHERN_GROUPS else 0.22):
                    pool = _NORTHERN_BIRTH_CODES if ethnicity in _NORTHERN_GROUPS else _KINH_MIGRANT_BIRTH_CODES
                    birth_code = pool[int(random_value() * len(pool))]
                else:
                    birth_code = commune.birth_code
                national_id = self.ids.make(birth_code, birth_year, sex)
                rows.national_ids.append(national_id)
                phone_last3 = ""
                if 15 <= age <= 75 and random_value() < (0.3 if age < 18 else 0.6):
                    phone = (
                        _PHONE_PREFIXES[int(random_value() * len(_PHONE_PREFIXES))]
                        + f"{int(random_value() * 10_000_000):07d}"
                    )
                    rows.phones.append(phone)
                    rows.phone_rows.append(len(rows.residents))
                    phone_last3 = phone[-3:]
                rows.residents.append(
                    [resident_id, full_name, namer.key(full_name), birth, sex, ethnicity, None,
                     None, national_id[-4:], None, phone_last3, household_id, village.id]
                )  # fmt: skip
                if age >= IDENTITY_MIN_AGE:
                    rows.identities.append(self._identity(resident_id, age, ethnicity))
                membership = self._membership(commune, organisations, resident_id, age, ward)
                if membership is not None:
                    rows.memberships.append(membership)
        return next_household, next_resident

    def _identity(self, resident_id: int, age: int, ethnicity: int) -> tuple[Any, ...]:
        random_value = self.rng.random
        level2, level1 = _VNEID_SHARES[0][1:]
        for threshold, share2, share1 in _VNEID_SHARES:
            if age >= threshold:
                level2, level1 = share2, share1
        if ethnicity != 1:
            level2 *= 0.85
        draw = random_value()
        level = 2 if draw < level2 else 1 if draw < level2 + level1 else 0
        vneid_source = ""
        vneid_on = None
        if level:
            draw = random_value()
            vneid_source = "vneid" if draw < 0.6 else "self" if draw < 0.8 else "visit" if draw < 0.95 else "import"
            vneid_on = date.fromordinal(self.on_ordinal - 30 - int(random_value() * 900))
        bank_share = 0.0
        for threshold, share in _BANK_SHARES:
            if age >= threshold:
                bank_share = share
        has_bank = random_value() < bank_share
        bank_source = ""
        bank_on = None
        if has_bank:
            draw = random_value()
            bank_source = "self" if draw < 0.6 else "visit" if draw < 0.9 else "import"
            bank_on = date.fromordinal(self.on_ordinal - 30 - int(random_value() * 900))
        return (resident_id, level, vneid_source, vneid_on, has_bank, bank_source, bank_on)

    def _membership(
        self, commune: _Commune, organisations: _Organisations, resident_id: int, age: int, ward: bool
    ) -> tuple[Any, ...] | None:
        random_value = self.rng.random
        on_ordinal = self.on_ordinal
        if 11 <= age <= 14:
            if random_value() < STUDENT_SHARE_LOWER_SECONDARY:
                start = date(self.school_year - (age - 11), 9, 5)
                return (resident_id, commune.lower_school, MembershipKind.STUDENT.value, start)
            return None
        if 15 <= age <= 17:
            if commune.upper_school and random_value() < STUDENT_SHARE_UPPER_SECONDARY:
                start = date(self.school_year - (age - 15), 9, 5)
                return (resident_id, commune.upper_school, MembershipKind.STUDENT.value, start)
            return None
        if age < 18 or age > 60:
            return None
        if age <= 22 and organisations.universities is not None and random_value() < STUDENT_SHARE_HIGHER:
            start = date(self.school_year - min(age - 18, 3), 9, 5)
            return (resident_id, organisations.universities.pick(random_value()), MembershipKind.STUDENT.value, start)
        if age >= 22 and commune.staff is not None and random_value() < STAFF_SHARE:
            years = 1 + int(random_value() * min(30, age - 21))
            start = date.fromordinal(on_ordinal - years * 365 - int(random_value() * 365))
            return (resident_id, commune.staff.pick(random_value()), MembershipKind.STAFF.value, start)
        if commune.workplaces is not None and random_value() < WORKER_SHARE:
            start = date.fromordinal(on_ordinal - 30 - int(random_value() * 3650))
            return (resident_id, commune.workplaces.pick(random_value()), MembershipKind.WORKER.value, start)
        return None
