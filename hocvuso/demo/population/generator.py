"""A synthetic province: households, residents, digital identities, organisations and their rosters.

`generate_population` fills every village of a province with households of realistic size, residents with
Vietnamese names (including ethnic-minority naming), the province's ethnic composition, an age pyramid of
the 2019 census's shape, valid national IDs (consistent with birth date, sex and province of birth), some
phones, VNeID and bank-account status, and organisations (state agencies, schools, universities and
colleges, enterprises, cooperatives) with staff, students and workers. The same seed gives the same rows
(national IDs and phones are encrypted with random nonces, so their ciphertexts differ; their values and
lookup hashes do not).

Demo and benchmark tooling, not part of the people domain (an import-linter contract keeps the domain packages
from importing it). Rows are written in chunks, never all at once, through the registry's one bulk writer
(hocvuso.people.bulk, which the roster import uses too): on PostgreSQL with binary COPY in a background thread,
after dropping the secondary indexes and foreign keys of the four tables for a large load and rebuilding them at
the end; on other databases with batched INSERTs. Everything runs in one transaction: a failure leaves nothing
behind.
"""

import bisect
import itertools
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from hocvuso.core.crypto import encrypt_many, lookup_hash
from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit
from hocvuso.core.text import fold_diacritics
from hocvuso.people import names
from hocvuso.people.bulk import BackgroundCopy, BulkTable
from hocvuso.people.models import (
    DigitalIdentity,
    Household,
    Membership,
    MembershipKind,
    Organisation,
    OrganisationKind,
    Resident,
)
from hocvuso.people.national_id import PROVINCE_OF_BIRTH_CODES, century_and_sex_digit
from hocvuso.territory.models import AdministrativeUnit, Level, lies_within
from hocvuso.territory.services import generate_demo_villages

# The day ages are counted from, so that a seed always gives the same birth dates.
REFERENCE_DATE = date(2025, 10, 1)
CHUNK_RESIDENTS = 50_000
# Above this many residents the PostgreSQL load drops and rebuilds secondary indexes and foreign keys.
BULK_THRESHOLD = 100_000

# --- Shares -------------------------------------------------------------------------------------------------

# Age pyramid, Vietnam 2019 census (Tổng điều tra dân số và nhà ở 2019), share of the population (%) by
# five-year group 0–4 … 80+; used to weight household heads' ages and checked in the tests (≥ 60 ≈ 12%).
AGE_PYRAMID_2019 = [8.4, 8.8, 7.7, 6.9, 7.1, 8.1, 8.4, 7.9, 7.4, 6.9, 6.2, 5.5, 4.5, 3.2, 1.9, 1.3, 2.0]

# Household size distribution (persons: share %), mean ≈ 3.6 (2019 census: 3.5 nationally, higher in the
# Central Highlands).
HOUSEHOLD_SIZES = {1: 10, 2: 18, 3: 21, 4: 25, 5: 14, 6: 7, 7: 3, 8: 2}

# Ethnic composition (ethnicity code: share %) of the new Lâm Đồng by former province. Rounded estimates
# from the 2019 census results of the three provinces merged on 1 July 2025 (Lâm Đồng, Đắk Nông, Bình
# Thuận; Resolution 202/2025/QH15), weighted together ≈ 81% Kinh; approximate, for synthetic data only.
COMPOSITION_FORMER_LAM_DONG = {
    1: 76.5, 16: 12.8, 28: 2.6, 7: 2.0, 2: 1.9, 36: 1.5, 8: 0.6, 9: 0.5, 4: 0.5, 3: 0.4, 6: 0.3, 20: 0.2,
    12: 0.1, 17: 0.1,
}  # fmt: skip
COMPOSITION_FORMER_DAK_NONG = {
    1: 67.6, 20: 8.8, 7: 5.5, 8: 5.2, 2: 5.0, 9: 2.6, 12: 1.6, 28: 1.4, 3: 1.2, 6: 0.6, 4: 0.3, 22: 0.2,
}  # fmt: skip
COMPOSITION_FORMER_BINH_THUAN = {
    1: 93.0, 17: 3.2, 21: 1.6, 4: 0.9, 16: 0.6, 7: 0.2, 32: 0.1, 5: 0.1, 2: 0.1, 6: 0.1, 36: 0.1,
}  # fmt: skip
# Viet Nam as a whole (2019 census), for any other province.
COMPOSITION_NATIONAL = {
    1: 85.3, 2: 1.9, 3: 1.9, 6: 1.5, 8: 1.5, 5: 1.4, 7: 1.1, 9: 0.9, 4: 0.8, 10: 0.5, 12: 0.4, 13: 0.3,
    17: 0.2, 16: 0.2, 14: 0.2, 20: 0.1,
}  # fmt: skip

# Province 68 after the merger: commune codes tell the former province (and so the ID's birth code).
_FORMER_PROVINCES_68 = [
    (0, "060", COMPOSITION_FORMER_BINH_THUAN),
    (24600, "067", COMPOSITION_FORMER_DAK_NONG),
    (24778, "068", COMPOSITION_FORMER_LAM_DONG),
]
# Relative chance that a household of a village of that kind belongs to an ethnic minority.
_MINORITY_LEANING = {"bon": 6.0, "buôn": 6.0, "bản": 5.0, "plei": 6.0, "làng": 3.0, "tổ dân phố": 0.35}
# Groups that settled the highlands from the northern mountains: older members were often born there.
_NORTHERN_GROUPS = frozenset({2, 3, 6, 7, 8, 9})
_NORTHERN_BIRTH_CODES = ["004", "020", "002", "010", "008", "006", "014", "024", "019"]
_KINH_MIGRANT_BIRTH_CODES = ["036", "034", "040", "042", "049", "046", "079", "038", "035", "030", "052", "001"]

# Digital identity (VNeID level 2, level 1) by age band; minorities somewhat lower.
_VNEID_SHARES = [(14, 0.35, 0.10), (16, 0.68, 0.12), (60, 0.45, 0.12), (75, 0.20, 0.08)]
_BANK_SHARES = [(14, 0.05), (16, 0.25), (18, 0.72), (60, 0.35), (75, 0.12)]
IDENTITY_MIN_AGE = 14  # the chip ID card is issued from 14; younger children get no identity row

_PHONE_PREFIXES = ["032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098",
                   "090", "093", "089", "070", "079", "077", "076", "078", "091", "094", "088", "083",
                   "084", "085", "081", "082", "056", "058", "092", "059", "099"]  # fmt: skip
_STREETS = ["Trần Phú", "Lê Lợi", "Hai Bà Trưng", "Nguyễn Văn Cừ", "Phan Đình Phùng", "Hùng Vương",
            "Quang Trung", "Lê Hồng Phong", "Nguyễn Trãi", "Trần Hưng Đạo", "Bùi Thị Xuân", "Yersin",
            "Ba Tháng Hai", "Hoàng Văn Thụ", "Nguyễn Chí Thanh", "Lý Thường Kiệt", "Tô Hiến Thành"]  # fmt: skip
_COOPERATIVE_PRODUCTS = ["Cà phê", "Chè", "Rau an toàn", "Hoa", "Sầu riêng", "Hồ tiêu", "Điều", "Dâu tây",
                         "Thanh long", "Mắc ca", "Dịch vụ nông nghiệp", "Thủy sản", "Bơ", "Dệt thổ cẩm"]  # fmt: skip
_ENTERPRISE_WORDS = ["Phát Đạt", "Thành Công", "Hưng Thịnh", "An Phú", "Đại Nam", "Tân Tiến", "Minh Long",
                     "Hoàng Gia", "Phú Quý", "Sao Mai", "Cao Nguyên", "Lang Biang", "Bình Minh", "Việt Thắng",
                     "Đồng Xanh", "Nam Tây Nguyên", "Trường Sơn", "Hồng Phát", "Kim Long", "Thiên Phú"]  # fmt: skip
_ENTERPRISE_KINDS = ["Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân", "Công ty TNHH MTV"]
_PROVINCIAL_AGENCIES = ["Văn phòng Ủy ban nhân dân tỉnh", "Sở Nội vụ", "Sở Tài chính", "Sở Xây dựng",
                        "Sở Khoa học và Công nghệ", "Sở Giáo dục và Đào tạo", "Sở Y tế",
                        "Sở Nông nghiệp và Môi trường", "Sở Công Thương", "Sở Văn hóa, Thể thao và Du lịch",
                        "Sở Tư pháp", "Sở Dân tộc và Tôn giáo", "Thanh tra tỉnh", "Bệnh viện Đa khoa tỉnh",
                        "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh"]  # fmt: skip
# (name, commune code where it stands if present, relative size) — higher education in province 68.
_UNIVERSITIES_68 = [
    ("Trường Đại học Đà Lạt", "24781", 10),
    ("Trường Đại học Yersin Đà Lạt", "24787", 3),
    ("Trường Đại học Phan Thiết", "22945", 3),
    ("Trường Cao đẳng Đà Lạt", "24778", 2),
    ("Trường Cao đẳng Y tế Lâm Đồng", "24823", 1),
    ("Trường Cao đẳng Cộng đồng Bình Thuận", "22933", 2),
    ("Trường Cao đẳng Cộng đồng Đắk Nông", "24611", 1),
    ("Trường Cao đẳng Kinh tế - Kỹ thuật Lâm Đồng", "24846", 1),
]

STUDENT_SHARE_LOWER_SECONDARY = 0.92  # aged 11–14
STUDENT_SHARE_UPPER_SECONDARY = 0.72  # aged 15–17
STUDENT_SHARE_HIGHER = 0.22  # aged 18–22, in a university or college of the province
STAFF_SHARE = 0.05  # of residents aged 22–60: public-sector staff
WORKER_SHARE = 0.24  # of residents aged 18–60 not staff or student: enterprise or cooperative workers


@dataclass
class GenerationResult:
    """What a run created, and how long it took."""

    residents: int = 0
    households: int = 0
    identities: int = 0
    memberships: int = 0
    organisations: int = 0
    villages_created: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


# --- Lookup tables for fast weighted choices ----------------------------------------------------------------


class _Table:
    """Weighted choice by cumulative weights (bisect), ~0.3 µs a draw."""

    __slots__ = ("cumulative", "total", "values")

    def __init__(self, weighted: Sequence[tuple[Any, float]]) -> None:
        self.values = [value for value, _weight in weighted]
        self.cumulative = list(itertools.accumulate(weight for _value, weight in weighted))
        self.total = self.cumulative[-1]

    def pick(self, random_value: float) -> Any:
        return self.values[bisect.bisect_right(self.cumulative, random_value * self.total)]


def _age_table(low: int, high: int, factor: Callable[[int], float]) -> _Table:
    """Single years of age from `low` to `high`, weighted by the 2019 pyramid times `factor(age)`."""
    weighted = []
    for age in range(low, high + 1):
        group = min(age // 5, len(AGE_PYRAMID_2019) - 1)
        share = AGE_PYRAMID_2019[group] / (5 if group < len(AGE_PYRAMID_2019) - 1 else 15)
        weighted.append((age, share * factor(age)))
    return _Table(weighted)


def _headship(age: int) -> float:
    if age < 25:
        return 0.08
    if age < 30:
        return 0.25
    if age < 35:
        return 0.42
    if age < 60:
        return 0.52
    return 0.4


_HEAD_AGES = _age_table(20, 95, _headship)
_SINGLE_AGES = _age_table(18, 95, lambda age: 0.6 if 22 <= age < 35 else (1.0 if age >= 65 else 0.35))
_LARGE_HOUSEHOLD_HEAD_AGES = _age_table(30, 80, _headship)
_SIZES = _Table(list(HOUSEHOLD_SIZES.items()))


# --- The plan: villages, quotas, compositions, organisations ------------------------------------------------


@dataclass
class _Village:
    id: int
    code: str
    name: str
    kind: str
    quota: int = 0
    minority_share: float = 0.0


@dataclass
class _Commune:
    id: int
    code: str
    name: str
    kind: str
    birth_code: str
    composition: dict[int, float]
    villages: list[_Village] = field(default_factory=list)
    quota: int = 0
    staff: _Table | None = None
    lower_school: int = 0
    upper_school: int = 0
    workplaces: _Table | None = None
    minorities: _Table = field(default_factory=lambda: _Table([(1, 1.0)]))


def _short_name(commune_name: str) -> str:
    for prefix in ("Phường ", "Xã ", "Đặc khu ", "Thị trấn ", "Tỉnh ", "Thành phố "):
        if commune_name.startswith(prefix):
            return commune_name[len(prefix) :]
    return commune_name


def _region(province_code: str, commune_code: str) -> tuple[str, dict[int, float]]:
    if province_code == "68":
        number = int(commune_code) if commune_code.isdigit() else 99999
        birth_code, composition = "068", COMPOSITION_FORMER_LAM_DONG
        for start, code, shares in _FORMER_PROVINCES_68:
            if number >= start:
                birth_code, composition = code, shares
        return birth_code, composition
    birth_code = f"0{province_code}" if f"0{province_code}" in PROVINCE_OF_BIRTH_CODES else "001"
    return birth_code, COMPOSITION_NATIONAL


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` by weights into integers summing exactly to `total` (largest remainder)."""
    weight_sum = sum(weights)
    exact = [total * weight / weight_sum for weight in weights]
    counts = [int(value) for value in exact]
    remainders = sorted(range(len(weights)), key=lambda index: (counts[index] - exact[index], index))
    for index in remainders[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _plan(province: AdministrativeUnit, residents: int, rng: random.Random) -> list[_Commune]:
    communes: dict[int, _Commune] = {}
    in_force = AdministrativeUnit.objects.in_force()
    for unit in in_force.filter(parent=province, level=Level.COMMUNE).order_by("code"):
        birth_code, composition = _region(province.code, unit.code)
        communes[unit.pk] = _Commune(unit.pk, unit.code, unit.name, unit.kind, birth_code, composition)
    villages = in_force.filter(parent__in=list(communes), level=Level.VILLAGE).order_by("code")
    for unit in villages:
        if unit.parent_id in communes:
            communes[unit.parent_id].villages.append(_Village(unit.pk, unit.code, unit.name, unit.kind))
    planned = [commune for commune in communes.values() if commune.villages]
    all_villages = [village for commune in planned for village in commune.villages]
    weights: list[float] = []
    for commune in planned:
        commune_weight = 1.6 if commune.kind in ("phường", "đặc khu") else 1.0
        weights.extend(commune_weight * rng.lognormvariate(0, 0.35) for _village in commune.villages)
    for village, quota in zip(all_villages, _allocate(residents, weights), strict=True):
        village.quota = quota
    for commune in planned:
        commune.quota = sum(village.quota for village in commune.villages)
        commune.minorities = _Table([(code, share) for code, share in commune.composition.items() if code != 1])
        _calibrate_minorities(commune)
    return planned


def _calibrate_minorities(commune: _Commune) -> None:
    """Give each village a minority share so that the commune's average matches its region's composition,
    with bon, buôn and bản villages leaning to the minorities and wards' residential groups to the Kinh."""
    target = 1 - commune.composition.get(1, 0) / sum(commune.composition.values())
    total = sum(village.quota for village in commune.villages) or 1
    leanings = [_MINORITY_LEANING.get(village.kind, 1.0) for village in commune.villages]
    low, high = 0.0, 1.0 / min(leanings)
    for _step in range(50):
        scale = (low + high) / 2
        share = sum(
            min(1.0, scale * leaning) * village.quota
            for leaning, village in zip(leanings, commune.villages, strict=True)
        )
        if share / total < target:
            low = scale
        else:
            high = scale
    for leaning, village in zip(leanings, commune.villages, strict=True):
        village.minority_share = min(1.0, low * leaning)


@dataclass
class _Organisations:
    created: int = 0
    universities: _Table | None = None
    provincial: list[int] = field(default_factory=list)


def _create_organisations(
    province: AdministrativeUnit, communes: list[_Commune], rng: random.Random, now: datetime
) -> _Organisations:
    """Create (or reuse, by code) the province's synthetic organisations and attach them to the plan."""
    prefix = f"SYN{province.code}-"
    planned: list[tuple[str, str, str, int]] = []  # code, name, kind, unit id
    by_code: dict[str, int] = {}
    # "Sở Y tế tỉnh Lâm Đồng": the province's own name, its kind written in lower case after an agency
    province_name = province.name
    for kind in ("Tỉnh ", "Thành phố "):
        if province_name.startswith(kind):
            province_name = kind.lower() + province_name[len(kind) :]
    if not province_name.startswith(("tỉnh ", "thành phố ")):
        province_name = f"tỉnh {province_name}"
    unit_by_code = {commune.code: commune for commune in communes}
    capital = unit_by_code.get("24781") or (communes[0] if communes else None)
    for agency in _PROVINCIAL_AGENCIES:
        if capital is None:
            break
        code = f"{prefix}TINH-{len(planned) + 1:02d}"
        planned.append((code, f"{agency.removesuffix(' tỉnh')} {province_name}", OrganisationKind.STATE_AGENCY,
                        capital.id))  # fmt: skip
    universities = (
        _UNIVERSITIES_68
        if province.code == "68"
        else [(f"Trường Đại học {_short_name(province.name)}", "", 3), (f"Trường Cao đẳng {province.name}", "", 1)]
    )
    university_codes: list[tuple[str, float, int]] = []
    for index, (name, commune_code, relative_size) in enumerate(universities, start=1):
        commune = unit_by_code.get(commune_code) or capital
        if commune is None:
            break
        code = f"{prefix}DH-{index:02d}"
        planned.append((code, name, OrganisationKind.UNIVERSITY, commune.id))
        university_codes.append((code, float(relative_size), commune.id))
    commune_plans = []
    for position, commune in enumerate(communes):
        short = _short_name(commune.name)
        codes = {
            "ub": f"{prefix}UB-{commune.code}",
            "yt": f"{prefix}YT-{commune.code}",
            "thcs": f"{prefix}THCS-{commune.code}",
        }
        planned.append((codes["ub"], f"Ủy ban nhân dân {commune.name}", OrganisationKind.STATE_AGENCY, commune.id))
        planned.append((codes["yt"], f"Trạm Y tế {commune.name}", OrganisationKind.STATE_AGENCY, commune.id))
        planned.append((codes["thcs"], f"Trường THCS {short}", OrganisationKind.SCHOOL, commune.id))
        if position % 2 == 0 or commune.quota > 40_000:
            codes["thpt"] = f"{prefix}THPT-{commune.code}"
            planned.append((codes["thpt"], f"Trường THPT {short}", OrganisationKind.SCHOOL, commune.id))
        enterprises = []
        for number in range(1, max(1, commune.quota // 700) + 1):
            code = f"{prefix}DN-{commune.code}-{number:03d}"
            name = f"{rng.choice(_ENTERPRISE_KINDS)} {rng.choice(_ENTERPRISE_WORDS)} {short} {number}"
            planned.append((code, name, OrganisationKind.ENTERPRISE, commune.id))
            enterprises.append((code, rng.paretovariate(1.2)))
        cooperatives = []
        for number in range(1, commune.quota // 6000 + 2):
            code = f"{prefix}HTX-{commune.code}-{number:02d}"
            planned.append((code, f"Hợp tác xã {rng.choice(_COOPERATIVE_PRODUCTS)} {short} {number}",
                            OrganisationKind.COOPERATIVE, commune.id))  # fmt: skip
            cooperatives.append((code, 1.0))
        commune_plans.append((commune, codes, enterprises, cooperatives))

    existing = dict(Organisation.objects.filter(code__startswith=prefix).values_list("code", "pk"))
    missing = [
        Organisation(code=code, name=name[:255], kind=kind, unit_id=unit, created_at=now, updated_at=now)
        for code, name, kind, unit in planned
        if code not in existing
    ]
    Organisation.objects.bulk_create(missing, batch_size=2000)
    by_code = dict(Organisation.objects.filter(code__startswith=prefix).values_list("code", "pk"))
    result = _Organisations(created=len(missing))
    result.provincial = [by_code[code] for code, _n, kind, _u in planned if "-TINH-" in code]
    if university_codes:
        result.universities = _Table([(by_code[code], size) for code, size, _unit in university_codes])
    university_sites: dict[int, list[tuple[int, float]]] = {}
    for code, weight, unit in university_codes:
        university_sites.setdefault(unit, []).append((by_code[code], weight))

    upper_by_position: list[int] = []
    last_upper = 0
    for _commune, codes, _enterprises, _cooperatives in commune_plans:
        if "thpt" in codes:
            last_upper = by_code[codes["thpt"]]
        upper_by_position.append(last_upper)
    first_upper = next((value for value in upper_by_position if value), 0)
    for (commune, codes, enterprises, cooperatives), upper in zip(commune_plans, upper_by_position, strict=True):
        commune.lower_school = by_code[codes["thcs"]]
        commune.upper_school = upper or first_upper
        youth = commune.quota * 0.055
        staff_weights: list[tuple[int, float]] = [
            (by_code[codes["ub"]], 30 + commune.quota / 1500),
            (by_code[codes["yt"]], 10 + commune.quota / 3000),
            (commune.lower_school, 4 + youth / 15),
        ]
        if "thpt" in codes:
            staff_weights.append((by_code[codes["thpt"]], 4 + youth / 12))
        if capital is not None and commune.id == capital.id:
            staff_weights += [(organisation, 60.0) for organisation in result.provincial]
        for organisation, weight in university_sites.get(commune.id, []):
            staff_weights.append((organisation, 25.0 * weight))
        commune.staff = _Table(staff_weights)
        workplaces = [(by_code[code], 0.85 * weight / sum(w for _c, w in enterprises)) for code, weight in enterprises]
        workplaces += [(by_code[code], 0.15 / len(cooperatives)) for code, _w in cooperatives]
        commune.workplaces = _Table(workplaces)
    return result


def _pick(random_value: Callable[[], float], values: Sequence[str]) -> str:
    return values[int(random_value() * len(values))]


# --- People -------------------------------------------------------------------------------------------------


class _Namer:
    """Builds full names and their search keys (folded once per distinct name)."""

    def __init__(self) -> None:
        self.kinh_family = _Table(names.KINH_FAMILY_NAMES)
        self.keys: dict[str, str] = {}

    def key(self, full_name: str) -> str:
        key = self.keys.get(full_name)
        if key is None:
            key = fold_diacritics(full_name)
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


# --- Writing ------------------------------------------------------------------------------------------------

_HOUSEHOLD_COLUMNS = ["id", "created_at", "updated_at", "code", "village_id", "address", "head_id"]
_RESIDENT_COLUMNS = ["id", "full_name", "name_key", "birth_date", "sex", "ethnicity", "national_id_ciphertext",
                     "national_id_hash", "national_id_last4", "phone_ciphertext", "phone_last3", "household_id",
                     "village_id", "created_at", "updated_at"]  # fmt: skip
_IDENTITY_COLUMNS = ["resident_id", "vneid_level", "vneid_source", "vneid_recorded_on", "has_bank_account",
                     "bank_source", "bank_recorded_on", "updated_at"]  # fmt: skip
_MEMBERSHIP_COLUMNS = ["resident_id", "organisation_id", "kind", "valid_from", "valid_to", "created_at",
                       "updated_at"]  # fmt: skip


def _seal(rows: _Rows) -> None:
    """Encrypt and hash the chunk's national IDs and phones in batches."""
    residents = rows.residents
    for row, ciphertext, national_id in zip(residents, encrypt_many(rows.national_ids), rows.national_ids, strict=True):
        row[6] = ciphertext
        row[7] = lookup_hash(national_id)
    for index, ciphertext in zip(rows.phone_rows, encrypt_many(rows.phones), strict=True):
        residents[index][9] = ciphertext


class _Writer:
    """Sends chunks to the database through hocvuso.people.bulk: on PostgreSQL a `BackgroundCopy` thread runs the
    COPY statements while the next chunk is generated; elsewhere batched INSERTs. The main thread does not touch
    the connection until `close()`."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.households = BulkTable(Household, _HOUSEHOLD_COLUMNS)
        self.residents = BulkTable(Resident, _RESIDENT_COLUMNS)
        self.identities = BulkTable(DigitalIdentity, _IDENTITY_COLUMNS)
        self.memberships = BulkTable(Membership, _MEMBERSHIP_COLUMNS)
        self.background = BackgroundCopy() if connection.vendor == "postgresql" else None

    def write(self, rows: _Rows) -> None:
        _seal(rows)
        now = self.now
        chunk: list[tuple[BulkTable, list[Any]]] = [
            (self.households, [(h[0], now, now, h[1], h[2], h[3], h[4]) for h in rows.households]),
            (self.residents, [(*row, now, now) for row in rows.residents]),
            (self.identities, [(*row, now) for row in rows.identities]),
            (self.memberships, [(m[0], m[1], m[2], m[3], None, now, now) for m in rows.memberships]),
        ]
        if self.background is not None:
            self.background.put(chunk)
            return
        for table, table_rows in chunk:
            table.append(table_rows)

    def close(self) -> None:
        """Wait for the last chunk; raise what the COPY thread met (once)."""
        if self.background is not None:
            self.background.close()


# --- PostgreSQL bulk mode: drop secondary indexes and foreign keys, rebuild after ------------------------------


def _drop_secondary_structures(tables: list[str]) -> list[str]:
    """Drop the non-primary indexes, unique and foreign-key constraints of the tables; return the SQL that
    recreates them (unique first, then indexes, then foreign keys, which are validated on creation)."""
    recreate_unique: list[str] = []
    recreate_indexes: list[str] = []
    recreate_foreign: list[str] = []
    with connection.cursor() as cursor:
        # ALTER TABLE is refused while deferred foreign-key checks of this transaction are pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            """
            SELECT c.conname, c.conrelid::regclass::text, c.contype, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f')
            ORDER BY c.conname
            """,
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = ANY(%s::regclass[]) AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY i.relname
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for name, table, kind, definition in constraints:
            if kind == "f":
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                recreate_foreign.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, table, kind, definition in constraints:
            if kind == "u":
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                recreate_unique.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
            recreate_indexes.append(definition)
    return recreate_unique + recreate_indexes + recreate_foreign


# --- The service --------------------------------------------------------------------------------------------


def _delete_province_population(province: AdministrativeUnit) -> None:
    """Delete the residents and households living in the province, with their identities and memberships."""
    quote = connection.ops.quote_name
    units = quote(AdministrativeUnit._meta.db_table)
    residents = quote(Resident._meta.db_table)
    households = quote(Household._meta.db_table)
    # table names come from the models, the only parameter is bound
    villages = f"SELECT id FROM {units} WHERE path LIKE %s"  # noqa: S608
    in_province = f"SELECT id FROM {residents} WHERE village_id IN ({villages})"  # noqa: S608
    statements = [
        f"DELETE FROM {quote(Membership._meta.db_table)} WHERE resident_id IN ({in_province})",  # noqa: S608
        f"DELETE FROM {quote(DigitalIdentity._meta.db_table)} WHERE resident_id IN ({in_province})",  # noqa: S608
        f"UPDATE {households} SET head_id = NULL WHERE village_id IN ({villages})",  # noqa: S608
        f"DELETE FROM {residents} WHERE village_id IN ({villages})",  # noqa: S608
        f"DELETE FROM {households} WHERE village_id IN ({villages}) AND id NOT IN "  # noqa: S608
        f"(SELECT household_id FROM {residents} WHERE household_id IS NOT NULL)",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, [province.path + "%"])


def _reserve_ids(model: type[Any], count: int) -> int:
    """The first of `count` consecutive primary keys nobody else will take."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608
                f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "
                f"(SELECT last_value FROM {connection.ops.quote_name(_sequence_name(model))})) + %s)",
                [model._meta.db_table, count],
            )
            (last,) = cursor.fetchone()
            return int(last) - count + 1
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        (maximum,) = cursor.fetchone()
        return int(maximum) + 1


def _sequence_name(model: type[Any]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        (name,) = cursor.fetchone()
    return str(name).split(".")[-1].strip('"')


def generate_population(
    *,
    province_code: str,
    residents: int,
    seed: int,
    replace: bool = False,
    on: date = REFERENCE_DATE,
    actor: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> GenerationResult:
    """Fill a province with a synthetic population of `residents` people (see the module docstring).

    Creates demo villages first when the province has none. Refuses (DomainError) a province that already
    has residents unless `replace`, which deletes them (with their households, identities and memberships)
    first. Deterministic for a seed, province, size and reference day `on`. Runs in one transaction and
    writes one audit entry. `progress(done, total)` is called after each chunk.
    """
    if residents < 1:
        raise DomainError(_("Số người dân cần tạo phải lớn hơn 0."), field="residents")
    started = time.perf_counter()
    result = GenerationResult()
    province = AdministrativeUnit.objects.filter(code=province_code, level=Level.PROVINCE).first()
    if province is None:
        raise DomainError(_("Không có tỉnh/thành phố mã %(code)s.") % {"code": province_code}, field="province")
    now = datetime.now(tz=UTC).replace(microsecond=0)
    rng = random.Random(seed)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            if not AdministrativeUnit.objects.within(province).filter(level=Level.VILLAGE).exists():
                result.villages_created = generate_demo_villages(province=province, seed=seed)
            has_residents = Resident.objects.filter(lies_within(province, through="village")).exists()
            if has_residents and not replace:
                raise DomainError(
                    _("Tỉnh %(name)s đã có dữ liệu người dân; dùng --replace để xóa và tạo lại.")
                    % {"name": province.name},
                    code="province_not_empty",
                )
            if has_residents:
                _delete_province_population(province)
            result.timings["prepare"] = time.perf_counter() - started

            communes = _plan(province, residents, rng)
            if not communes:
                raise DomainError(_("Tỉnh %(name)s chưa có thôn, tổ dân phố nào.") % {"name": province.name})
            organisations = _create_organisations(province, communes, rng, now)
            result.organisations = organisations.created

            bulk = connection.vendor == "postgresql" and residents >= BULK_THRESHOLD
            recreate: list[str] = []
            if bulk:
                tables = [model._meta.db_table for model in (Household, Resident, DigitalIdentity, Membership)]
                recreate = _drop_secondary_structures(tables)
            next_household = _reserve_ids(Household, residents)
            next_resident = _reserve_ids(Resident, residents)
            generation_started = time.perf_counter()
            population = _Population(seed=seed, on=on, organisations=organisations)
            writer = _Writer(now)
            try:
                rows = _Rows()
                done = 0
                for commune in communes:
                    for village in commune.villages:
                        next_household, next_resident = population.village(
                            commune, village, rows, next_household, next_resident
                        )
                        if len(rows.residents) >= CHUNK_RESIDENTS:
                            done += _flush(writer, rows, result)
                            rows = _Rows()
                            if progress:
                                progress(done, residents)
                done += _flush(writer, rows, result)
            finally:
                writer.close()
            if progress:
                progress(done, residents)
            result.timings["generate_and_load"] = time.perf_counter() - generation_started
            rebuild_started = time.perf_counter()
            if recreate:
                with connection.cursor() as cursor:
                    for statement in recreate:
                        cursor.execute(statement)
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for model in (Household, Resident, DigitalIdentity, Membership):
                        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            result.timings["rebuild_indexes"] = time.perf_counter() - rebuild_started
            record_audit(
                actor=actor,
                action="people.generate_population",
                target=province,
                details={
                    "seed": seed,
                    "residents": result.residents,
                    "households": result.households,
                    "replace": replace,
                },
            )
    except IntegrityError as error:
        raise DomainError(
            _("Không tạo được dân cư mẫu: dữ liệu khác đang tham chiếu tới người dân của tỉnh (%(error)s).")
            % {"error": str(error).splitlines()[0][:200]},
            code="integrity",
        ) from error
    result.seconds = time.perf_counter() - started
    return result


def _flush(writer: _Writer, rows: _Rows, result: GenerationResult) -> int:
    if not rows.residents:
        return 0
    writer.write(rows)
    result.households += len(rows.households)
    result.residents += len(rows.residents)
    result.identities += len(rows.identities)
    result.memberships += len(rows.memberships)
    return len(rows.residents)
