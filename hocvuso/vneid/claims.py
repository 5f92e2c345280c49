"""The provider's claims, read through the configured names (`OIDC_CLAIM_*`, VNeID's by default), into what the
platform needs: who (subject), their name, national ID, birth date, and the VNeID level asserted.

Nothing is guessed: a national ID that is not 12 digits, or disagrees with the birth date, a birth date in none of
the configured formats, a name that is empty — each refuses the sign-in with a message saying which claim, rather
than linking an account to the wrong person.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError
from hocvuso.people.national_id import check_national_id, normalise_national_id


class ClaimError(DomainError):
    """The provider's claims cannot be read as a person (which claim, and why)."""


@dataclass(frozen=True)
class AssertedIdentity:
    """What the provider asserts about the person signing in."""

    issuer: str
    subject: str
    full_name: str
    national_id: str | None
    birth_date: datetime.date | None
    sex: str | None  # from the national ID's century-and-sex digit
    vneid_level: int | None  # the level asserted (OIDC_LEVEL_CLAIM through OIDC_LEVEL_VALUES), None when not
    acr: str

    @property
    def second_factor(self) -> bool:
        """Whether the provider asserted an authentication level the settings accept as a second factor
        (`OIDC_SECOND_FACTOR_ACR_VALUES`; none by default)."""
        return bool(self.acr) and self.acr in settings.OIDC_SECOND_FACTOR_ACR_VALUES


def _level_values() -> dict[str, int]:
    mapping: dict[str, int] = {}
    for item in settings.OIDC_LEVEL_VALUES:
        value, _separator, level = item.partition("=")
        if level.strip() in {"1", "2"}:
            mapping[value.strip()] = int(level)
    return mapping


def parse_birth_date(raw: object) -> datetime.date:
    """The birth date in one of `OIDC_BIRTH_DATE_FORMATS` (VNeID writes dd/mm/yyyy); ClaimError otherwise."""
    if isinstance(raw, str):
        text = raw.strip()
        for layout in settings.OIDC_BIRTH_DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(text, layout).date()
            except ValueError:
                continue
            if datetime.date(1900, 1, 1) <= day <= datetime.date.today():
                return day
    raise ClaimError(
        _("Ngày sinh do nhà cung cấp định danh gửi (%(claim)s) không đọc được.")
        % {"claim": settings.OIDC_CLAIM_BIRTH_DATE},
        field="birth_date",
        code="birth_date_claim",
    )


def _text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def read_identity(claims: dict[str, Any], *, issuer: str) -> AssertedIdentity:
    """Read the merged ID-token and userinfo claims. The subject and the name are required; the national ID and
    the birth date together or not at all (an ID is checked against the birth date: province code, century and
    sex digit, birth-year digits). Raises ClaimError naming the claim."""
    subject = _text(claims, settings.OIDC_CLAIM_SUBJECT) or _text(claims, "sub")
    if not subject:
        raise ClaimError(_("Nhà cung cấp định danh không gửi mã tài khoản."), code="subject_claim")
    full_name = " ".join(_text(claims, settings.OIDC_CLAIM_FULL_NAME).split())
    if not full_name:
        raise ClaimError(
            _("Nhà cung cấp định danh không gửi họ và tên (%(claim)s).") % {"claim": settings.OIDC_CLAIM_FULL_NAME},
            code="name_claim",
        )
    raw_id = claims.get(settings.OIDC_CLAIM_NATIONAL_ID)
    national_id = birth_date = sex = None
    if raw_id not in (None, ""):
        if isinstance(raw_id, str) and not (len(raw_id.strip()) == 12 and raw_id.strip().isdigit()):
            # a text claim is the number as written: nothing is restored or dropped (unlike a spreadsheet cell)
            raise ClaimError(
                _("Số định danh do nhà cung cấp định danh gửi (%(claim)s) không phải 12 chữ số.")
                % {"claim": settings.OIDC_CLAIM_NATIONAL_ID},
                field="national_id",
                code="national_id_claim",
            )
        national_id = normalise_national_id(raw_id)
        birth_date = parse_birth_date(claims.get(settings.OIDC_CLAIM_BIRTH_DATE))
        sex = "F" if int(national_id[3]) % 2 else "M"
        problems = check_national_id(national_id, birth_date=birth_date, sex=sex)
        if problems:
            raise ClaimError(" ".join(problems), field="national_id", code="national_id_claim")
    acr = _text(claims, "acr")
    asserted = claims.get(settings.OIDC_LEVEL_CLAIM)
    level = _level_values().get(str(asserted).strip()) if asserted not in (None, "") else None
    return AssertedIdentity(
        issuer=issuer,
        subject=subject,
        full_name=full_name[:150],
        national_id=national_id,
        birth_date=birth_date,
        sex=sex,
        vneid_level=level,
        acr=acr,
    )
