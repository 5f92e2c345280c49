import pytest

from hocvuso.people.ethnicity import ETHNICITIES, ethnicity_code, ethnicity_name


def test_the_54_groups_with_their_codes():
    assert len(ETHNICITIES) == 54
    assert sorted(ETHNICITIES) == list(range(1, 55))
    assert ETHNICITIES[1] == "Kinh"
    assert ETHNICITIES[12] == "Ê Đê"
    assert ETHNICITIES[16] == "Cơ Ho"
    assert ETHNICITIES[20] == "Mnông"
    assert ETHNICITIES[28] == "Mạ"
    assert ETHNICITIES[36] == "Chu Ru"
    assert ETHNICITIES[53] == "Ơ Đu"
    assert ETHNICITIES[54] == "Rơ Măm"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Kinh", 1),
        ("kinh", 1),
        ("KINH", 1),
        ("Ê Đê", 12),
        ("e de", 12),
        ("Ê-đê", 12),
        ("ede", 12),
        ("H'Mông", 8),
        ("hmong", 8),
        ("Mông", 8),
        ("K'Ho", 16),
        ("Cơ Ho", 16),
        ("co ho", 16),
        ("M'Nông", 20),
        ("mnong", 20),
        ("Mạ", 28),
        ("ma", 28),
        ("Chu Ru", 36),
        ("Chăm", 17),
        ("Khmer", 5),
        ("Tày", 2),
        ("tay", 2),
        ("Thái", 3),
        ("Ơ Đu", 53),
        ("o du", 53),
        ("Dân tộc Nùng", 7),
        ("  Ra Glai ", 21),
        ("12", 12),
    ],
)
def test_lookup_with_or_without_diacritics(name, code):
    assert ethnicity_code(name) == code


@pytest.mark.parametrize("name", ["", "Việt kiều", "Pháp", "55", "0", "Kinh Tày"])
def test_unknown_names(name):
    assert ethnicity_code(name) is None


def test_every_official_name_finds_its_own_code():
    assert all(ethnicity_code(name) == code for code, name in ETHNICITIES.items())


def test_name_by_code():
    assert ethnicity_name(17) == "Chăm"
    assert ethnicity_name(99) == ""
