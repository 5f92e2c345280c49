"""Hole 9 of issue 8, from the attacker's side: on `/tien-do/` the province total minus the communes shown must
tell nothing about the communes withheld — not a small count, and not "none of them" (0) or "all of them"
(100%), which give away every withheld person's status as surely."""

from hypothesis import given, settings
from hypothesis import strategies as st

from hocvuso.indicators.selectors import rankings
from hocvuso.indicators.selectors.rankings import SUPPRESS_BELOW


def what_the_attacker_learns(total, counts, withheld, province_withheld):
    """Province total minus every commune shown: the withheld communes together, or None when it cannot be done."""
    if province_withheld or not withheld:
        return None
    shown = [counts[pk] for pk in counts if pk not in withheld]
    return total[0] - sum(pair[0] for pair in shown), total[1] - sum(pair[1] for pair in shown)


def publish(counts):
    total = (sum(pair[0] for pair in counts.values()), sum(pair[1] for pair in counts.values()))
    withheld = rankings._withheld(counts)
    return total, withheld, rankings._province_withheld(total, counts, withheld)


def test_the_reported_attack_no_longer_works():
    # two tiny communes where nobody is reached yet, beside a large one: before, 0/3 and 0/2 were withheld, the
    # large one and the province shown, and "province − shown = 0 of 5" told that none of the 5 was reached
    counts = {1: (0, 3), 2: (0, 2), 3: (120, 400)}

    total, withheld, province_withheld = publish(counts)

    assert withheld == {1, 2, 3}
    assert province_withheld is False
    # all the subtraction yields now is the province total itself: 120 of 405, nothing about the small communes
    assert what_the_attacker_learns(total, counts, withheld, province_withheld) == (120, 405)


def test_a_province_whose_withheld_remainder_is_zero_withholds_its_total_too():
    counts = {1: (0, 2), 2: (0, 300)}

    _total, withheld, province_withheld = publish(counts)

    assert withheld == {1, 2}
    assert province_withheld is True  # 0 of 302: the total would say no one in the 2-person commune is reached


counts_of_communes = st.dictionaries(
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=0, max_value=60).flatmap(
        lambda d: st.tuples(st.integers(min_value=0, max_value=d), st.just(d))
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=400, deadline=None)
@given(counts_of_communes)
def test_the_province_total_minus_the_communes_shown_never_discloses_anything(counts):
    total, withheld, province_withheld = publish(counts)

    learnt = what_the_attacker_learns(total, counts, withheld, province_withheld)

    if learnt is not None:
        numerator, denominator = learnt
        assert numerator >= SUPPRESS_BELOW, (counts, withheld)
        assert denominator - numerator >= SUPPRESS_BELOW, (counts, withheld)
        assert denominator >= SUPPRESS_BELOW
    for pk in counts:
        if pk not in withheld:
            assert not rankings._singles_out(*counts[pk])
