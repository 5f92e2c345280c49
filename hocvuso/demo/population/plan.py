"""The plan of a synthetic province: its villages, each commune's quotas and composition, and its organisations
(state agencies, schools, enterprises, cooperatives)."""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hocvuso.people.models import (
    Organisation,
    OrganisationKind,
)
from hocvuso.people.national_id import PROVINCE_OF_BIRTH_CODES
from hocvuso.territory.models import AdministrativeUnit, Level

from .shares import (
    _COOPERATIVE_PRODUCTS,
    _ENTERPRISE_KINDS,
    _ENTERPRISE_WORDS,
    _FORMER_PROVINCES_68,
    _MINORITY_LEANING,
    _PROVINCIAL_AGENCIES,
    _UNIVERSITIES_68,
    COMPOSITION_FORMER_LAM_DONG,
    COMPOSITION_NATIONAL,
    _Table,
)

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
