"""The rule "the unit that stands for it after mergers", written once (territory.models) and read by the
selectors and by the indicators' rollup."""

from datetime import date

from hocvuso.territory.models import MAX_MERGER_HOPS, follow_successors, passed_to_successor

DAY = date(2026, 1, 1)


def test_a_unit_passes_to_its_successor_only_after_it_ended_before_the_day() -> None:
    assert passed_to_successor(date(2025, 12, 31), 7, DAY) is True
    assert passed_to_successor(DAY, 7, DAY) is False  # its last day: still itself
    assert passed_to_successor(None, None, DAY) is False
    assert passed_to_successor(date(2025, 12, 31), None, DAY) is False  # abolished: stands for itself


def test_successors_are_followed_to_the_end_of_the_chain() -> None:
    assert follow_successors(1, {1: 2, 2: 3}) == 3
    assert follow_successors(3, {1: 2, 2: 3}) == 3
    assert follow_successors(9, {}) == 9


def test_a_cycle_of_successors_stops_after_the_hop_limit() -> None:
    assert follow_successors(1, {1: 2, 2: 1}) == (1 if MAX_MERGER_HOPS % 2 == 0 else 2)
