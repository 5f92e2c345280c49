"""Reading the provider's claims through the configured names: VNeID's by default, any provider's by settings;
nothing guessed (a claim that cannot be read refuses the sign-in, naming the claim)."""

import datetime

import pytest

from hocvuso.vneid.claims import ClaimError, read_identity

VNEID = {"sub": "abc", "HoVaTen": "  Nguyễn   Văn An ", "SoDinhDanh": "068090123456", "NgayThangNamSinh": "15/03/1990"}


def test_vneid_claims_are_read_by_default():
    identity = read_identity({**VNEID, "acr": "2"}, issuer="https://vneid.example")

    assert (identity.subject, identity.full_name, identity.national_id) == ("abc", "Nguyễn Văn An", "068090123456")
    assert (identity.birth_date, identity.sex, identity.vneid_level) == (datetime.date(1990, 3, 15), "M", 2)


def test_another_providers_claim_names_come_from_the_settings(settings):
    settings.OIDC_CLAIM_FULL_NAME = "name"
    settings.OIDC_CLAIM_NATIONAL_ID = "personal_id"
    settings.OIDC_CLAIM_BIRTH_DATE = "birthdate"
    settings.OIDC_LEVEL_CLAIM = "loa"
    settings.OIDC_LEVEL_VALUES = ["substantial=1", "high=2"]
    claims = {
        "sub": "u-1",
        "name": "Lê Thị Dung",
        "personal_id": "068192000222",
        "birthdate": "1992-01-01",
        "loa": "high",
    }

    identity = read_identity(claims, issuer="https://id.lamdong.example")

    assert (identity.full_name, identity.national_id, identity.birth_date) == (
        "Lê Thị Dung",
        "068192000222",
        datetime.date(1992, 1, 1),
    )
    assert (identity.sex, identity.vneid_level) == ("F", 2)


def test_a_level_not_in_the_mapping_is_no_level():
    assert read_identity({**VNEID, "acr": "urn:unknown"}, issuer="x").vneid_level is None
    assert read_identity(VNEID, issuer="x").vneid_level is None


def test_only_the_accepted_levels_count_as_a_second_factor(settings):
    settings.OIDC_SECOND_FACTOR_ACR_VALUES = ["2"]

    assert read_identity({**VNEID, "acr": "2"}, issuer="x").second_factor
    assert not read_identity({**VNEID, "acr": "1"}, issuer="x").second_factor
    assert not read_identity(VNEID, issuer="x").second_factor
    settings.OIDC_SECOND_FACTOR_ACR_VALUES = []
    assert not read_identity({**VNEID, "acr": "2"}, issuer="x").second_factor


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"sub": ""}, "subject_claim"),
        ({"HoVaTen": "   "}, "name_claim"),
        ({"SoDinhDanh": "68090123456"}, "national_id_claim"),  # 11 digits: nothing is restored
        ({"SoDinhDanh": "068 090 123 456"}, "national_id_claim"),
        ({"SoDinhDanh": "068090123456", "NgayThangNamSinh": "15/03/1991"}, "national_id_claim"),  # year digits
        ({"SoDinhDanh": "999090123456"}, "national_id_claim"),  # no such province of birth
        ({"NgayThangNamSinh": "31/02/1990"}, "birth_date_claim"),
        ({"NgayThangNamSinh": "1990"}, "birth_date_claim"),
        ({"NgayThangNamSinh": None}, "birth_date_claim"),
    ],
)
def test_claims_that_cannot_be_read_refuse_the_sign_in(changes, code):
    with pytest.raises(ClaimError) as caught:
        read_identity({**VNEID, **changes}, issuer="x")

    assert caught.value.code == code


def test_a_numeric_id_claim_that_lost_its_leading_zero_is_restored():
    """A JSON number cannot hold a leading zero; the 11 digits left are the ID without it (as in a spreadsheet)."""
    assert read_identity({**VNEID, "SoDinhDanh": 68090123456}, issuer="x").national_id == "068090123456"


def test_no_national_id_is_no_national_id():
    identity = read_identity({"sub": "abc", "HoVaTen": "An"}, issuer="x")

    assert (identity.national_id, identity.birth_date, identity.sex) == (None, None, None)
