"""The columns of each roster kind: Vietnamese headers (as in the templates), the other spellings offices use,
and which are required. Header matching ignores case, diacritics, spacing, punctuation and anything in
parentheses, so "SỐ ĐỊNH DANH CÁ NHÂN (CCCD)*" and "so dinh danh ca nhan" are the same column."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hocvuso.core.text import fold_diacritics

from ..import_models import ImportKind


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...]
    required: bool
    help: str | Promise
    example: str
    width: int = 18
    text_format: bool = False  # the template formats the column as Text so Excel keeps leading zeros


NATIONAL_ID = Column(
    "national_id",
    "Số định danh cá nhân",
    (
        "số cccd",
        "cccd",
        "số căn cước",
        "số căn cước công dân",
        "căn cước công dân",
        "số định danh",
        "mã định danh",
        "số định danh cá nhân cccd",
        "cmnd cccd",
        "số cmnd cccd",
    ),
    True,
    _("12 chữ số (số căn cước). Định dạng cột là Văn bản để Excel không xóa số 0 ở đầu."),
    "068190001234",
    text_format=True,
)
FULL_NAME = Column(
    "full_name",
    "Họ và tên",
    ("họ tên", "họ và tên đầy đủ", "họ tên đầy đủ", "họ và tên người", "họ và tên khai sinh"),
    True,
    _(
        "Họ và tên đầy đủ, có dấu, tối đa 150 ký tự. Tệp có thể tách thành các cột “Họ” (hoặc “Họ và tên đệm”), "
        "“Tên đệm” và “Tên”: các cột được ghép lại."
    ),
    "Nguyễn Thị Đào",
    width=28,
)
# Split name columns ("Họ | Tên", "Họ và tên đệm | Tên", "Họ | Tên đệm | Tên"), joined into the full name. A
# column of given names alone is never taken for full names.
FAMILY_NAME = Column(
    "family_name",
    "Họ",
    ("họ và tên đệm", "họ và chữ đệm", "họ đệm", "họ và đệm", "họ tên đệm"),
    False,
    _("Họ (hoặc họ và tên đệm), khi họ tên được tách thành nhiều cột."),
    "Nguyễn Thị",
)
MIDDLE_NAME = Column(
    "middle_name", "Tên đệm", ("chữ đệm", "đệm", "tên lót"), False, _("Tên đệm, khi được tách riêng."), "Thị"
)
GIVEN_NAME = Column("given_name", "Tên", ("tên gọi", "tên riêng"), False, _("Tên (tên gọi)."), "Đào")
NAME_PARTS = ("family_name", "middle_name", "given_name")
BIRTH_DATE = Column(
    "birth_date",
    "Ngày sinh",
    ("ngày tháng năm sinh", "ngày sinh dd mm yyyy", "sinh ngày"),
    True,
    _("Ngày/tháng/năm, ví dụ 05/09/1990 (hoặc ô kiểu Ngày của Excel)."),
    "05/09/1990",
    width=14,
)
SEX = Column("sex", "Giới tính", ("giới", "phái", "nam nữ"), True, _("Nam hoặc Nữ."), "Nữ", width=10)
ETHNICITY = Column(
    "ethnicity",
    "Dân tộc",
    ("thành phần dân tộc",),
    True,
    _("Tên một trong 54 dân tộc (Kinh, Tày, Ê Đê, Mnông, Cơ Ho…), có hoặc không dấu."),
    "Kinh",
    width=12,
)
PHONE = Column(
    "phone",
    "Số điện thoại",
    ("điện thoại", "sđt", "số đt", "đt", "di động", "số di động"),
    False,
    _("10 chữ số bắt đầu bằng 0 (có thể ghi +84). Không bắt buộc."),
    "0912345678",
    width=14,
    text_format=True,
)
VILLAGE_CODE = Column(
    "village_code",
    "Mã thôn",
    ("mã thôn tổ dân phố", "mã thôn tdp", "mã ấp", "mã bon buôn"),
    False,
    _("Mã thôn, tổ dân phố (ví dụ 24631.001). Ghi mã thôn hoặc tên thôn."),
    "24631.001",
    width=12,
    text_format=True,
)
VILLAGE_NAME = Column(
    "village_name",
    "Thôn, tổ dân phố",
    ("thôn", "tên thôn", "thôn tổ dân phố", "thôn tdp", "thôn bon buôn", "ấp", "bon buôn", "tổ dân phố"),
    False,
    _("Tên thôn, bon, buôn, tổ dân phố đúng như trong danh mục của xã."),
    "Thôn 1",
    width=20,
)
HOUSEHOLD_CODE = Column(
    "household_code",
    "Mã hộ",
    ("mã hộ gia đình", "số hộ", "mã số hộ"),
    True,
    _("Mã của hộ gia đình (chữ, số, dấu chấm, gạch); các thành viên cùng hộ ghi cùng mã."),
    "QK-000123",
    width=14,
    text_format=True,
)
ADDRESS = Column(
    "address",
    "Địa chỉ",
    ("địa chỉ hộ", "nơi ở", "địa chỉ thường trú", "nơi thường trú", "số nhà"),
    False,
    _("Số nhà, đường, xóm của hộ. Không bắt buộc."),
    "Số 12, đường Hùng Vương",
    width=30,
)
RELATION = Column(
    "relation",
    "Quan hệ với chủ hộ",
    ("quan hệ chủ hộ", "quan hệ", "qh với chủ hộ", "quan hệ với chủ hộ gia đình"),
    False,
    _("Ghi “Chủ hộ” cho người đứng tên hộ; vợ, chồng, con… cho người khác."),
    "Chủ hộ",
    width=16,
)
IS_HEAD = Column(
    "is_head",
    "Là chủ hộ",
    ("chủ hộ",),
    False,
    _("Đánh dấu x cho chủ hộ (thay cho cột Quan hệ với chủ hộ)."),
    "",
    width=10,
)
POSITION = Column(
    "position",
    "Chức vụ, vị trí",
    ("chức vụ", "chức danh", "vị trí việc làm", "vị trí", "công việc", "phòng ban"),
    False,
    _("Chức vụ hoặc vị trí việc làm. Không bắt buộc."),
    "Chuyên viên",
    width=20,
)
CLASS = Column(
    "position",
    "Lớp",
    ("lớp học", "lớp khoa", "khoa", "ngành", "lớp ngành"),
    False,
    _("Lớp hoặc khoa, ngành. Không bắt buộc."),
    "10A1",
    width=12,
)

# For organisation rosters the person may already be in the registry (found by ID); only someone new needs
# a village and an ethnicity, which the validator then asks for row by row.
_ROSTER_ETHNICITY = Column(
    ETHNICITY.key,
    ETHNICITY.header,
    ETHNICITY.aliases,
    False,
    _("Bắt buộc với người chưa có trong sổ dân cư; tên một trong 54 dân tộc."),
    "Kinh",
    width=12,
)
_ROSTER_VILLAGE_CODE = Column(
    VILLAGE_CODE.key,
    "Mã thôn nơi cư trú",
    (*VILLAGE_CODE.aliases, "mã thôn"),
    False,
    _("Bắt buộc với người chưa có trong sổ dân cư: mã thôn nơi người đó sống (hoặc ghi tên thôn)."),
    "24631.001",
    width=14,
    text_format=True,
)
_ROSTER_VILLAGE_NAME = Column(
    VILLAGE_NAME.key,
    "Thôn nơi cư trú",
    (*VILLAGE_NAME.aliases, "thôn tổ dân phố"),
    False,
    _("Tên thôn nơi người đó sống, thay cho mã thôn."),
    "Thôn 1",
    width=18,
)

_ROSTER_BASE = (NATIONAL_ID, FULL_NAME, FAMILY_NAME, MIDDLE_NAME, GIVEN_NAME, BIRTH_DATE, SEX, _ROSTER_ETHNICITY, PHONE)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.RESIDENTS: (
        NATIONAL_ID,
        FULL_NAME,
        FAMILY_NAME,
        MIDDLE_NAME,
        GIVEN_NAME,
        BIRTH_DATE,
        SEX,
        ETHNICITY,
        HOUSEHOLD_CODE,
        RELATION,
        IS_HEAD,
        VILLAGE_CODE,
        VILLAGE_NAME,
        ADDRESS,
        PHONE,
    ),
    ImportKind.STAFF: (*_ROSTER_BASE, POSITION, _ROSTER_VILLAGE_CODE, _ROSTER_VILLAGE_NAME),
    ImportKind.STUDENTS: (*_ROSTER_BASE, CLASS, _ROSTER_VILLAGE_CODE, _ROSTER_VILLAGE_NAME),
    ImportKind.WORKERS: (*_ROSTER_BASE, POSITION, _ROSTER_VILLAGE_CODE, _ROSTER_VILLAGE_NAME),
}

# Columns the template shows (IS_HEAD is only an accepted alternative to RELATION).
TEMPLATE_HIDDEN = {"is_head", *NAME_PARTS}

_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(text: object) -> str:
    """A header cell folded for matching: 'Số ĐỊNH DANH  cá nhân (CCCD)*' → 'so dinh danh ca nhan'."""
    if not isinstance(text, str):
        return ""
    folded = fold_diacritics(_PARENTHESES.sub(" ", text))
    return _NOT_ALNUM.sub(" ", folded).strip()


@lru_cache(maxsize=8)
def header_index(kind: str) -> dict[str, str]:
    """Folded header (and alias) → column key, for one kind."""
    index: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for name in (column.header, *column.aliases):
            index.setdefault(header_key(name), column.key)
    return index


def match_header(kind: str, cells: Sequence[object]) -> dict[str, int]:
    """Column key → position in `cells`, for the cells that name a known column (first occurrence wins)."""
    index = header_index(kind)
    positions: dict[str, int] = {}
    for position, cell in enumerate(cells):
        key = index.get(header_key(cell))
        if key is not None and key not in positions:
            positions[key] = position
    return positions


def duplicate_headers(kind: str, cells: Sequence[object]) -> list[str]:
    """Header cells that name a column already named earlier in the row (two "Ngày sinh" columns)."""
    index = header_index(kind)
    seen: set[str] = set()
    duplicates = []
    for cell in cells:
        key = index.get(header_key(cell))
        if key is None:
            continue
        if key in seen:
            duplicates.append(str(cell).strip())
        seen.add(key)
    return duplicates


def column_by_key(kind: str, key: str) -> Column:
    return next(column for column in COLUMNS[kind] if column.key == key)
