"""The rules a resident's record obeys, wherever it comes from: the correction form, the services and the roster
importer all call these, so a name or a birth date that one accepts the others accept too.

- Full name: NFC, single spaces, 1–150 characters, letters with spaces, apostrophes (K'Brơi, H'Hen),
  dots and hyphens only — no digits, no brackets ("An (Tèo)": a nickname is not part of the registered name).
- Birth date: not in the future, age at most MAX_AGE_YEARS; when only the year is known (precision "year"),
  the year alone is checked.
- Phone: a Vietnamese mobile number, ten digits 03/05/07/08/09…, from "+84 912 345 678", "84912345678",
  "0912.345.678" or an Excel number that lost its leading zero.
Each raises DomainError (field and code set) with a Vietnamese message.
"""

import datetime
import re
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError

MAX_AGE_YEARS = 120
MAX_NAME_LENGTH = 150
NAME_CHARS = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '’ʼ.\-])*$")
MOBILE = re.compile(r"^0[35789]\d{8}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()\u00a0]+")


def clean_full_name(raw: object) -> str:
    """The name in NFC with single spaces. Raises DomainError (missing, too long, characters not allowed)."""
    name = " ".join(unicodedata.normalize("NFC", raw if isinstance(raw, str) else "").split())
    if not name:
        raise DomainError(_("Thiếu họ và tên."), field="full_name", code="name_missing")
    if len(name) > MAX_NAME_LENGTH:
        raise DomainError(
            _("Họ và tên dài quá %(limit)s ký tự.") % {"limit": MAX_NAME_LENGTH},
            field="full_name",
            code="name_too_long",
        )
    if not NAME_CHARS.fullmatch(name):
        raise DomainError(
            _(
                "Họ và tên chỉ gồm chữ cái, khoảng trắng, dấu nháy (K'Brơi) hoặc gạch nối; có ký tự không hợp lệ "
                "(chữ số, dấu ngoặc…). Tên gọi khác không ghi vào họ và tên."
            ),
            field="full_name",
            code="name_characters",
        )
    return name


def earliest_birth_date(today: datetime.date) -> datetime.date:
    """The earliest birth date accepted on `today` (age MAX_AGE_YEARS)."""
    return datetime.date(today.year - MAX_AGE_YEARS, today.month, min(today.day, 28))


def check_birth_date(day: object, *, precision: str = "day", today: datetime.date | None = None) -> datetime.date:
    """The birth date if it is a date, not in the future and gives an age of at most MAX_AGE_YEARS (with only
    the year known, the year is compared). Raises DomainError."""
    if not isinstance(day, datetime.date):
        raise DomainError(_("Ngày sinh không hợp lệ."), field="birth_date", code="birth_date_invalid")
    today = today or timezone.localdate()
    year_only = precision == "year"
    shown = str(day.year) if year_only else f"{day:%d/%m/%Y}"
    if (day.year > today.year) if year_only else (day > today):
        raise DomainError(
            _("Ngày sinh %(day)s ở tương lai.") % {"day": shown}, field="birth_date", code="birth_date_future"
        )
    earliest = earliest_birth_date(today)
    if (day.year < earliest.year) if year_only else (day < earliest):
        raise DomainError(
            _("Ngày sinh %(day)s cho tuổi trên %(age)s — hãy kiểm tra lại năm sinh.")
            % {"day": shown, "age": MAX_AGE_YEARS},
            field="birth_date",
            code="birth_date_too_early",
        )
    return day


def normalise_phone(raw: object) -> str:
    """A Vietnamese mobile number as ten digits "0xxxxxxxxx". Raises DomainError otherwise."""
    if isinstance(raw, bool) or raw is None:
        raise DomainError(_("Thiếu số điện thoại."), field="phone", code="phone_missing")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = _PHONE_SEPARATORS.sub("", str(raw).strip().lstrip("'"))
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) in (11, 12):
        text = "0" + text[2:]
    elif len(text) == 9 and text[:1] in "35789" and text.isdigit():
        text = "0" + text  # Excel dropped the leading zero of a number typed as a number
    if not MOBILE.fullmatch(text):
        raise DomainError(
            _(
                "Số điện thoại “%(value)s” không hợp lệ: cần số di động 10 chữ số, bắt đầu bằng 03, 05, 07, 08 "
                "hoặc 09 (có thể ghi +84)."
            )
            % {"value": str(raw).strip()[:20]},
            field="phone",
            code="phone_format",
        )
    return text
