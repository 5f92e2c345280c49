"""The personal identification number (số định danh cá nhân, the 12 digits on the chip ID card).

Structure (Nghị định 137/2015/NĐ-CP, Thông tư 07/2016/TT-BCA, amended by 59/2021/TT-BCA):
digits 1–3 the province where the birth was registered, digit 4 the century of birth and sex, digits 5–6
the last two digits of the birth year, digits 7–12 a random sequence. Century-and-sex digit: 20th century
(1900–1999) male 0 / female 1; 21st (2000–2099) 2 / 3; 22nd (2100–2199) 4 / 5; 23rd (2200–2299) 6 / 7;
24th (2300–2399) 8 / 9.
"""

import datetime
import re

from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError

# Annex of Thông tư 07/2016/TT-BCA: codes of the 63 provinces (before the 2025 merger) where a birth is registered.
PROVINCE_OF_BIRTH_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# First year of the century named by the century-and-sex digit // 2.
_CENTURY_START = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 2300}
_SPACES_AND_DOTS = re.compile(r"[\s.\u00a0\u202f]+")
_EXCEL_FLOAT_TEXT = re.compile(r"^\d{10,12}\.0+$")


def normalise_national_id(raw: object) -> str:
    """Turn what a spreadsheet cell holds into the 12-digit ID.

    Accepts text (spaces and dots are dropped, and a leading apostrophe that marks text in Excel), an int,
    or an integral float (Excel stores a typed number so). When Excel turned "0xx…" into a number the ID has
    11 digits: the one leading zero is restored. Raises DomainError (Vietnamese) for anything that is not then
    exactly 12 digits.
    """
    if isinstance(raw, bool) or raw is None:
        raise DomainError(_("Thiếu số định danh cá nhân."), field="national_id", code="national_id_missing")
    if isinstance(raw, float):
        if not raw.is_integer() or raw < 0:
            raise DomainError(
                _("Số định danh cá nhân phải gồm 12 chữ số."), field="national_id", code="national_id_format"
            )
        text = str(int(raw))
    elif isinstance(raw, int):
        if raw < 0:
            raise DomainError(
                _("Số định danh cá nhân phải gồm 12 chữ số."), field="national_id", code="national_id_format"
            )
        text = str(raw)
    elif isinstance(raw, str):
        text = raw.strip().lstrip("'")
        if _EXCEL_FLOAT_TEXT.match(text):
            text = text.split(".", 1)[0]
        text = _SPACES_AND_DOTS.sub("", text)
    else:
        raise DomainError(_("Số định danh cá nhân phải gồm 12 chữ số."), field="national_id", code="national_id_format")
    if not text:
        raise DomainError(_("Thiếu số định danh cá nhân."), field="national_id", code="national_id_missing")
    if not text.isascii() or not text.isdigit():
        raise DomainError(
            _("Số định danh cá nhân chỉ được gồm chữ số (nhận được ký tự khác)."),
            field="national_id",
            code="national_id_format",
        )
    if len(text) == 11 and text[0] != "0":
        # Excel stored "0xx…" as a number: only a leading zero can have been lost
        text = "0" + text
    if len(text) != 12:
        raise DomainError(
            _("Số định danh cá nhân phải gồm 12 chữ số (nhận được %(count)s).") % {"count": len(text)},
            field="national_id",
            code="national_id_format",
        )
    return text


def century_and_sex_digit(*, birth_year: int, sex: str) -> int:
    """The 4th digit of the ID for someone born in that year, of that sex ("M"/"F")."""
    century = (birth_year - 1900) // 100
    if century not in _CENTURY_START:
        raise ValueError(f"Birth year {birth_year} has no century code.")
    return century * 2 + (1 if sex == "F" else 0)


def check_national_id(national_id: str, *, birth_date: datetime.date, sex: str) -> list[str]:
    """Check the ID's structure against the person's birth date and sex ("M"/"F").

    Returns the problems found, in Vietnamese (empty when the ID is consistent): unknown province-of-birth
    code, century-and-sex digit that does not match the sex or the birth century, birth-year digits that
    do not match the birth year.
    """
    if len(national_id) != 12 or not national_id.isascii() or not national_id.isdigit():
        return [_("Số định danh cá nhân phải gồm đúng 12 chữ số.")]
    problems: list[str] = []
    province = national_id[:3]
    if province not in PROVINCE_OF_BIRTH_CODES:
        problems.append(_("Ba chữ số đầu (%(code)s) không phải mã tỉnh nơi đăng ký khai sinh.") % {"code": province})
    digit = int(national_id[3])
    id_sex = "F" if digit % 2 else "M"
    if sex in ("M", "F") and id_sex != sex:
        problems.append(
            _("Chữ số thứ 4 (%(digit)s) chỉ giới tính %(id_sex)s, nhưng giới tính khai là %(sex)s.")
            % {
                "digit": digit,
                "id_sex": _("nam") if id_sex == "M" else _("nữ"),
                "sex": _("nam") if sex == "M" else _("nữ"),
            }
        )
    century_start = _CENTURY_START[digit // 2]
    if not century_start <= birth_date.year < century_start + 100:
        problems.append(
            _("Chữ số thứ 4 (%(digit)s) chỉ người sinh trong các năm %(start)s–%(end)s, nhưng năm sinh là %(year)s.")
            % {"digit": digit, "start": century_start, "end": century_start + 99, "year": birth_date.year}
        )
    if national_id[4:6] != f"{birth_date.year % 100:02d}":
        problems.append(
            _("Chữ số thứ 5–6 (%(digits)s) phải là hai số cuối của năm sinh (%(year)s).")
            % {"digits": national_id[4:6], "year": birth_date.year}
        )
    return problems
