"""One unit-code shape for pages and the API, as long as the column (it was 40 characters on the dashboard and
20 in the API)."""

import re
from typing import Any

import pytest

from hocvuso.api.serializers import UNIT_CODE_PATTERN as API_PATTERN
from hocvuso.api.serializers import unit_code_field
from hocvuso.territory.models import UNIT_CODE_MAX_LENGTH, AdministrativeUnit, is_unit_code

CODES = {
    "68": True,
    "24631": True,
    "24631.001": True,
    "A" * 20: True,
    "A" * 21: False,
    "": False,
    ".68": False,
    "68%": False,
    "68\x00": False,
    "68'": False,
    "xã": False,
}


@pytest.mark.parametrize(("code", "valid"), CODES.items())
def test_pages_and_the_api_accept_the_same_unit_codes(code: str, valid: bool) -> None:
    assert is_unit_code(code) is valid
    assert (re.fullmatch(API_PATTERN, code) is not None) is valid


def test_the_shape_is_as_long_as_the_column() -> None:
    assert AdministrativeUnit._meta.get_field("code").max_length == UNIT_CODE_MAX_LENGTH == 20
    assert unit_code_field("").max_length == UNIT_CODE_MAX_LENGTH


def test_the_dashboard_refuses_a_code_longer_than_the_column(client: Any, province_admin: Any) -> None:
    client.force_login(province_admin)
    response = client.get("/theo-doi/don-vi/" + "6" * 21 + "/")

    assert response.status_code == 404
