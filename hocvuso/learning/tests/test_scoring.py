"""Scoring of every question type, including the partial-credit rules of multiple, ordering and matching."""

import random
from fractions import Fraction

import pytest

from hocvuso.core.errors import DomainError
from hocvuso.learning.scoring import (
    answer_key_problems,
    make_layout,
    normalise_answer,
    public_options,
    right_answer,
    score_answer,
)

SINGLE = {"choices": [{"text": "A", "correct": False}, {"text": "B", "correct": True}, {"text": "C", "correct": False}]}
MULTIPLE = {
    "choices": [
        {"text": "A", "correct": True},
        {"text": "B", "correct": True},
        {"text": "C", "correct": False},
        {"text": "D", "correct": False},
    ]
}
ORDERING = {"items": ["một", "hai", "ba", "bốn"]}
MATCHING = {"pairs": [{"left": "L1", "right": "R1"}, {"left": "L2", "right": "R2"}, {"left": "L3", "right": "R3"}]}
IDENTITY3 = {"choices": [0, 1, 2]}
IDENTITY4 = {"choices": [0, 1, 2, 3], "items": [0, 1, 2, 3]}


def test_single_and_image_score_one_for_the_right_choice_only() -> None:
    layout = {"choices": [2, 0, 1]}  # displayed: C, A, B

    assert score_answer("single", SINGLE, layout, 2) == 1
    assert score_answer("single", SINGLE, layout, 0) == 0
    assert score_answer("image", SINGLE, layout, 2) == 1
    assert score_answer("image", SINGLE, layout, 1) == 0
    assert score_answer("single", SINGLE, layout, None) == 0


def test_true_false_scores_one_when_equal() -> None:
    assert score_answer("true_false", {"answer": False}, {}, False) == 1
    assert score_answer("true_false", {"answer": False}, {}, True) == 0


@pytest.mark.parametrize(
    ("ticked", "points"),
    [
        ([0, 1], Fraction(1)),  # both right options
        ([0], Fraction(1, 2)),  # one of two right options
        ([0, 2], Fraction(0)),  # one right, one wrong
        ([0, 1, 2], Fraction(1, 2)),  # both right, one wrong
        ([2, 3], Fraction(0)),  # never below zero
        ([], Fraction(0)),
    ],
)
def test_multiple_scores_right_ticks_minus_wrong_ticks_over_right_options(ticked: list[int], points: Fraction) -> None:
    assert score_answer("multiple", MULTIPLE, IDENTITY4, ticked) == points


@pytest.mark.parametrize(
    ("order", "points"),
    [
        ([0, 1, 2, 3], Fraction(1)),
        ([1, 0, 2, 3], Fraction(1, 3)),  # first two swapped: only (2, 3) still neighbours
        ([0, 1, 3, 2], Fraction(1, 3)),  # last two swapped: only (0, 1) still neighbours
        ([3, 2, 1, 0], Fraction(0)),
        ([1, 2, 3, 0], Fraction(2, 3)),  # first item moved to the end: (1,2), (2,3) kept
    ],
)
def test_ordering_scores_the_share_of_right_neighbours(order: list[int], points: Fraction) -> None:
    assert score_answer("ordering", ORDERING, IDENTITY4, order) == points


def test_ordering_reads_the_answer_through_the_attempts_shuffle() -> None:
    layout = {"items": [2, 0, 3, 1]}  # displayed: ba, một, bốn, hai

    assert score_answer("ordering", ORDERING, layout, [1, 3, 0, 2]) == 1  # một, hai, ba, bốn
    assert right_answer("ordering", ORDERING, layout) == [1, 3, 0, 2]


def test_matching_scores_the_share_of_lefts_matched_to_their_right() -> None:
    layout = {"left": [0, 1, 2], "right": [2, 0, 1]}  # rights shown: R3, R1, R2

    assert score_answer("matching", MATCHING, layout, [1, 2, 0]) == 1
    assert score_answer("matching", MATCHING, layout, [1, 0, 2]) == Fraction(1, 3)
    assert score_answer("matching", MATCHING, layout, [1, 2, None]) == Fraction(2, 3)
    assert score_answer("matching", MATCHING, layout, [None, None, None]) == 0
    assert right_answer("matching", MATCHING, layout) == [1, 2, 0]


def test_answers_that_do_not_fit_the_question_are_refused() -> None:
    cases = [
        ("single", SINGLE, 3),
        ("single", SINGLE, True),
        ("single", SINGLE, [0]),
        ("multiple", MULTIPLE, [0, 0]),
        ("multiple", MULTIPLE, 1),
        ("true_false", {"answer": True}, "maybe"),
        ("ordering", ORDERING, [0, 1, 2]),
        ("ordering", ORDERING, [0, 0, 1, 2]),
        ("matching", MATCHING, [0, 1]),
        ("matching", MATCHING, [0, 9, 1]),
    ]
    for question_type, data, answer in cases:
        with pytest.raises(DomainError) as caught:
            normalise_answer(question_type, data, answer)
        assert caught.value.message == "Câu trả lời không hợp lệ với câu hỏi này.", (question_type, answer)
    with pytest.raises(DomainError) as caught:
        normalise_answer("matching", MATCHING, [0, 0, 1])
    assert caught.value.message == "Mỗi phương án bên phải chỉ được ghép một lần."


def test_answers_posted_as_text_are_read_as_numbers() -> None:
    assert normalise_answer("single", SINGLE, "2") == 2
    assert normalise_answer("multiple", MULTIPLE, ["3", "1"]) == [1, 3]
    assert normalise_answer("true_false", {"answer": True}, "false") is False
    assert normalise_answer("matching", MATCHING, ["0", "", "1"]) == [0, None, 1]
    assert normalise_answer("single", SINGLE, "") is None


def test_the_display_is_never_the_answer_for_ordering_and_matching() -> None:
    rng = random.Random(4)
    for _ in range(200):
        assert make_layout("ordering", {"items": ["a", "b"]}, rng)["items"] == [1, 0]
        layout = make_layout("matching", MATCHING, rng)
        assert layout["left"] != layout["right"]
        assert sorted(make_layout("single", SINGLE, rng)["choices"]) == [0, 1, 2]


def test_public_options_carry_texts_in_display_order_and_no_key() -> None:
    layout = {"choices": [2, 0, 1]}

    assert public_options("single", SINGLE, layout) == {
        "choices": [{"key": 0, "text": "C"}, {"key": 1, "text": "A"}, {"key": 2, "text": "B"}]
    }
    assert public_options("true_false", {"answer": True}, {}) == {
        "choices": [{"key": True, "text": "Đúng"}, {"key": False, "text": "Sai"}]
    }
    assert public_options("matching", MATCHING, {"left": [1, 0, 2], "right": [2, 0, 1]}) == {
        "left": [{"key": 0, "text": "L2"}, {"key": 1, "text": "L1"}, {"key": 2, "text": "L3"}],
        "right": [{"key": 0, "text": "R3"}, {"key": 1, "text": "R1"}, {"key": 2, "text": "R2"}],
    }


def test_answer_keys_are_checked_per_type() -> None:
    assert answer_key_problems("single", SINGLE) == []
    none_right = {"choices": [{"text": "A", "correct": False}, {"text": "B", "correct": False}]}
    assert answer_key_problems("multiple", none_right) == ["câu nhiều lựa chọn phải có ít nhất 1 phương án đúng"]
    assert answer_key_problems("true_false", {"answer": "yes"}) == [
        "câu Đúng/Sai cần «answer: true» hoặc «answer: false»"
    ]
    assert answer_key_problems("ordering", {"items": ["a"]}) == [
        "«items» phải là danh sách từ 2 đến 12 mục (theo thứ tự đúng)"
    ]
    assert answer_key_problems("matching", {"pairs": [{"left": "a", "right": "x"}, {"left": "a", "right": "y"}]}) == [
        "có hai vế trái hoặc hai vế phải giống hệt nhau"
    ]
    twice = {"choices": [{"text": "A", "correct": True}, {"text": "A", "correct": False}]}
    assert answer_key_problems("single", twice) == ["có hai phương án giống hệt nhau"]
