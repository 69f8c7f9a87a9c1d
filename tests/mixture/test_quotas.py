from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpuslab.mixture.quotas import largest_remainder, redistribute


@given(
    total=st.integers(min_value=0, max_value=10**7),
    weights=st.lists(st.floats(min_value=1e-4, max_value=1e3, allow_nan=False), min_size=1, max_size=30),
)
def test_quotas_sum_exactly_and_match_weights(total: int, weights: list[float]) -> None:
    q = largest_remainder(total, weights)
    assert sum(q) == total
    s = sum(weights)
    for qi, w in zip(q, weights, strict=True):
        assert abs(qi - total * w / s) < 1.0 + 1e-9  # within rounding


def test_smollm3_example_vie_latn() -> None:
    # SmolLM3 stage-1 weights: 0.325 % of 100,000 docs is 325 (reference notes §8)
    names = ["dclm", "fineweb-edu", "stack-edu-python", "fineweb2-vie"]
    q = largest_remainder(100_000, [37.0, 33.3, 2.5, 0.325], names)
    share = [37.0, 33.3, 2.5, 0.325]
    assert sum(q) == 100_000
    assert q[3] == round(100_000 * 0.325 / sum(share))


def test_ties_broken_by_name_not_order() -> None:
    assert largest_remainder(1, [1, 1], ["b", "a"]) == [0, 1]
    assert largest_remainder(1, [1, 1], ["a", "b"]) == [1, 0]


def test_bad_weights_rejected() -> None:
    with pytest.raises(ValueError):
        largest_remainder(10, [1.0, 0.0])
    with pytest.raises(ValueError):
        largest_remainder(10, [])


def test_redistribute_gives_shortfall_by_weight() -> None:
    # source 0 only has 10 of its 50; its 40 go to the others 3:1
    q = redistribute([50, 30, 20], [10, None, None], [5, 3, 1], ["a", "b", "c"])
    assert q[0] == 10 and sum(q) == 100 and q[1] == 30 + 30 and q[2] == 20 + 10
