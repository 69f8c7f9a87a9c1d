"""Curve summaries: first/last, the overall and per-interval decrease rates, threshold crossings."""

from __future__ import annotations

import pytest

from corpuslab.overlap.curve import curve_summary, first_below, interval_rates


def test_summary_of_a_curve() -> None:
    s = curve_summary([0, 10, 20, 40], [1.0, 0.8, 0.85, 0.4])
    assert s["decrease_rate"] == pytest.approx(0.6 / 40) and s["total_decrease"] == pytest.approx(0.6)
    assert (s["min_overlap"], s["min_step"]) == (0.4, 40)
    assert (s["first_step_below_0_9"], s["first_step_below_0_5"], s["first_step_below_0_2"]) == (10, 40, None)


def test_interval_rates_are_per_step_at_the_midpoints() -> None:
    rates = interval_rates([0, 10, 30], [1.0, 0.8, 0.9])
    assert [r["step"] for r in rates] == [5, 20]
    assert [r["rate"] for r in rates] == pytest.approx([0.02, -0.005])  # a rise is a negative decrease


def test_degenerate_curves() -> None:
    assert curve_summary([], []) == {"num_points": 0}
    assert curve_summary([5], [0.7])["decrease_rate"] == 0.0
    assert first_below([1, 2], [0.9, 0.95], 0.5) is None
