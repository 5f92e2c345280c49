"""The shares a synthetic province is drawn from (census pyramid, household sizes, ethnic composition,
organisation and phone shares), the result a run reports, and lookup tables for fast weighted choices."""

import bisect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

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
