"""`read_json_body`: what it refuses and what it keeps exactly (a property test on well-formed bodies)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hocvuso.core.jsonbody import MAX_DEPTH, MalformedJSON, read_json_body

LIMIT = 1_000_000


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_nesting_up_to_the_limit_is_read_and_one_more_is_refused() -> None:
    assert read_json_body(nested(MAX_DEPTH), max_bytes=LIMIT) is not None

    with pytest.raises(MalformedJSON) as deep:
        read_json_body(nested(MAX_DEPTH + 1), max_bytes=LIMIT)

    assert deep.value.code == "too_deep"


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    body = json.dumps({"text": "[" * 1000 + '\\"{' * 100}).encode()

    assert read_json_body(body, max_bytes=LIMIT) == {"text": "[" * 1000 + '\\"{' * 100}


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(st.characters(blacklist_categories=("Cs",))),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
        max_leaves=30,
    )
)
def test_every_well_formed_value_is_read_back_unchanged(value) -> None:
    assert read_json_body(json.dumps(value, ensure_ascii=False).encode(), max_bytes=LIMIT) == value
