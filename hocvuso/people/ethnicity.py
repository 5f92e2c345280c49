"""The 54 ethnic groups of Viet Nam with their official codes.

Codes and order follow the General Statistics Office's "Danh mục các thành phần dân tộc Việt Nam"
(Quyết định 121-TCTK/PPCĐ, 2 March 1979), the list used by the population registers: 01 Kinh … 53 Ơ Đu,
54 Rơ Măm. (The census list of Quyết định 1019/QĐ-TCTK, 2008, orders the groups differently; this module
keeps the 1979 codes.) Names are written as the Ủy ban Dân tộc writes them today.
"""

import re

from hocvuso.core.text import fold_diacritics

ETHNICITIES: dict[int, str] = {
    1: "Kinh",
    2: "Tày",
    3: "Thái",
    4: "Hoa",
    5: "Khơ Me",
    6: "Mường",
    7: "Nùng",
    8: "Mông",
    9: "Dao",
    10: "Gia Rai",
    11: "Ngái",
    12: "Ê Đê",
    13: "Ba Na",
    14: "Xơ Đăng",
    15: "Sán Chay",
    16: "Cơ Ho",
    17: "Chăm",
    18: "Sán Dìu",
    19: "Hrê",
    20: "Mnông",
    21: "Ra Glai",
    22: "Xtiêng",
    23: "Bru - Vân Kiều",
    24: "Thổ",
    25: "Giáy",
    26: "Cơ Tu",
    27: "Giẻ Triêng",
    28: "Mạ",
    29: "Khơ Mú",
    30: "Co",
    31: "Tà Ôi",
    32: "Chơ Ro",
    33: "Kháng",
    34: "Xinh Mun",
    35: "Hà Nhì",
    36: "Chu Ru",
    37: "Lào",
    38: "La Chí",
    39: "La Ha",
    40: "Phù Lá",
    41: "La Hủ",
    42: "Lự",
    43: "Lô Lô",
    44: "Chứt",
    45: "Mảng",
    46: "Pà Thẻn",
    47: "Cờ Lao",
    48: "Cống",
    49: "Bố Y",
    50: "Si La",
    51: "Pu Péo",
    52: "Brâu",
    53: "Ơ Đu",
    54: "Rơ Măm",
}

KINH = 1

# Other spellings offices use (official other names and common transliterations), by code.
_ALIASES: dict[int, tuple[str, ...]] = {
    1: ("Việt", "Kinh (Việt)"),
    4: ("Hán", "Hoa (Hán)"),
    5: ("Khmer", "Khơ-me", "Khơ Me Krôm"),
    8: ("H'Mông", "Hmông", "HMông", "Hmong"),
    10: ("Gia-rai", "Jrai", "Jarai", "Giơ Rai"),
    12: ("Ê-đê", "Ede", "Rhađê", "Ra Đê"),
    13: ("Ba-na", "Bahnar"),
    14: ("Xơ-đăng", "Sedang"),
    15: ("Cao Lan", "Sán Chay (Cao Lan - Sán Chỉ)"),
    16: ("K'Ho", "Cơ-ho", "Koho", "Kơ Ho"),
    17: ("Chàm", "Chăm Pa"),
    20: ("M'Nông", "Mơ Nông", "Mnong"),
    21: ("Raglai", "Ra-glai", "Rắc Lây"),
    22: ("X'tiêng", "S'tiêng", "Stiêng", "Xa Điêng"),
    23: ("Bru Vân Kiều", "Vân Kiều", "Bru"),
    26: ("Cơ-tu", "Katu"),
    27: ("Gié Triêng", "Gié-Triêng", "Giẻ-Triêng"),
    28: ("Mạ Ngăn",),
    29: ("Khơ-mú", "Khmu", "Khơ Mú"),
    31: ("Ta Ôi", "Tà-ôi", "Pa Cô"),
    32: ("Chơ-ro", "Châu Ro"),
    34: ("Xinh-mun",),
    36: ("Chu-ru", "Chu Ru"),
    38: ("La Chi",),
    46: ("Pà Hưng",),
    47: ("Cơ Lao", "Co Lao", "Cờ-lao"),
    54: ("Rơ-măm", "Romam"),
}


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", fold_diacritics(name))


_BY_KEY: dict[str, int] = {}
for _code, _name in ETHNICITIES.items():
    _BY_KEY[_key(_name)] = _code
for _code, _aliases in _ALIASES.items():
    for _alias in _aliases:
        _BY_KEY.setdefault(_key(_alias), _code)


def ethnicity_code(name: str) -> int | None:
    """The official code of an ethnic group named with or without diacritics, hyphens or apostrophes, in any
    case ("Ê Đê", "ede", "E-DE" → 12; "H'Mông", "hmong" → 8); also accepts the code itself ("12"). None when
    the name is not one of the 54 groups."""
    text = name.strip()
    if text.isdigit():
        number = int(text)
        return number if number in ETHNICITIES else None
    key = _key(text)
    if key.startswith("dantoc"):
        key = key[len("dantoc") :]
    return _BY_KEY.get(key)


def ethnicity_name(code: int) -> str:
    """The official name of a group by its code ("" for an unknown code)."""
    return ETHNICITIES.get(code, "")
