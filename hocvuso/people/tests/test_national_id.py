from datetime import date

import pytest

from hocvuso.core.errors import DomainError
from hocvuso.people.national_id import (
    PROVINCE_OF_BIRTH_CODES,
    century_and_sex_digit,
    check_national_id,
    normalise_national_id,
)


def test_normalises_text_numbers_and_excel_floats():
    assert normalise_national_id("068190001234") == "068190001234"
    assert normalise_national_id(" 068 190 001 234 ") == "068190001234"
    assert normalise_national_id("068.190.001.234") == "068190001234"
    assert normalise_national_id("'068190001234") == "068190001234"
    assert normalise_national_id(68190001234) == "068190001234"
    assert normalise_national_id(68190001234.0) == "068190001234"
    assert normalise_national_id("68190001234.0") == "068190001234"
    assert normalise_national_id(1190001234 + 100_000_000_000) == "101190001234"


def test_restores_only_one_stripped_zero():
    assert normalise_national_id("68190001234") == "068190001234"
    with pytest.raises(DomainError) as error:
        normalise_national_id("1190001234")  # "001…" lost two zeros: not guessed
    assert error.value.code == "national_id_format"


@pytest.mark.parametrize("raw", ["06819000123", "0681900012345", "1234", "0681900012345678"])
def test_refuses_wrong_length(raw):
    with pytest.raises(DomainError) as error:
        normalise_national_id(raw)

    assert error.value.code == "national_id_format"
    assert "12 chữ số" in str(error.value)


@pytest.mark.parametrize("raw", ["06819000123A", "O68190001234", "068-190-001-234", "０６８１９０００１２３４"])
def test_refuses_letters_and_other_characters(raw):
    with pytest.raises(DomainError) as error:
        normalise_national_id(raw)

    assert error.value.code == "national_id_format"


@pytest.mark.parametrize("raw", [None, "", "   ", True])
def test_refuses_missing(raw):
    with pytest.raises(DomainError) as error:
        normalise_national_id(raw)

    assert error.value.code == "national_id_missing"


def test_refuses_fractional_or_negative_numbers():
    for raw in (68190001234.5, -68190001234):
        with pytest.raises(DomainError):
            normalise_national_id(raw)


def test_province_codes_are_the_63_of_circular_07_2016():
    assert len(PROVINCE_OF_BIRTH_CODES) == 63
    assert PROVINCE_OF_BIRTH_CODES["001"] == "Hà Nội"
    assert PROVINCE_OF_BIRTH_CODES["067"] == "Đắk Nông"
    assert PROVINCE_OF_BIRTH_CODES["068"] == "Lâm Đồng"
    assert PROVINCE_OF_BIRTH_CODES["096"] == "Cà Mau"
    assert "003" not in PROVINCE_OF_BIRTH_CODES


def test_valid_ids_have_no_problem():
    assert check_national_id("068090001234", birth_date=date(1990, 5, 1), sex="M") == []
    assert check_national_id("068190001234", birth_date=date(1990, 5, 1), sex="F") == []
    assert check_national_id("001205001234", birth_date=date(2005, 1, 31), sex="M") == []
    assert check_national_id("096312001234", birth_date=date(2012, 12, 31), sex="F") == []
    assert check_national_id("067000001234", birth_date=date(1900, 1, 1), sex="M") == []


def test_century_and_sex_digits():
    assert century_and_sex_digit(birth_year=1999, sex="M") == 0
    assert century_and_sex_digit(birth_year=1999, sex="F") == 1
    assert century_and_sex_digit(birth_year=2000, sex="M") == 2
    assert century_and_sex_digit(birth_year=2099, sex="F") == 3
    assert century_and_sex_digit(birth_year=2100, sex="M") == 4
    assert century_and_sex_digit(birth_year=2250, sex="F") == 7
    assert century_and_sex_digit(birth_year=2300, sex="F") == 9


def test_sex_mismatch():
    assert check_national_id("068090001234", birth_date=date(1990, 5, 1), sex="F") == [
        "Chữ số thứ 4 (0) chỉ giới tính nam, nhưng giới tính khai là nữ."
    ]


def test_century_mismatch():
    assert check_national_id("068290001234", birth_date=date(1990, 5, 1), sex="M") == [
        "Chữ số thứ 4 (2) chỉ người sinh trong các năm 2000–2099, nhưng năm sinh là 1990."
    ]


def test_year_mismatch():
    assert check_national_id("068091001234", birth_date=date(1990, 5, 1), sex="M") == [
        "Chữ số thứ 5–6 (91) phải là hai số cuối của năm sinh (1990)."
    ]


def test_unknown_province_code():
    assert check_national_id("003090001234", birth_date=date(1990, 5, 1), sex="M") == [
        "Ba chữ số đầu (003) không phải mã tỉnh nơi đăng ký khai sinh."
    ]


def test_every_problem_is_reported_together():
    problems = check_national_id("999391001234", birth_date=date(1990, 5, 1), sex="M")

    assert len(problems) == 4


def test_malformed_id_is_one_problem():
    assert check_national_id("06809000123", birth_date=date(1990, 5, 1), sex="M") == [
        "Số định danh cá nhân phải gồm đúng 12 chữ số."
    ]
