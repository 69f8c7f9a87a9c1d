"""Summaries of an overlap-vs-steps curve: first, last, decrease rate, threshold crossings.

``decrease_rate`` and the per-interval rate are the ones KimAu197/llm_fingerprint
``watermarking/train/compare_overlap_experiments.py`` reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def interval_rates(steps: Sequence[int], overlaps: Sequence[float]) -> list[dict[str, float]]:
    """Per-interval decrease rate ``(o_{j-1} - o_j) / (s_j - s_{j-1})`` at each interval's midpoint."""
    out = []
    for j in range(1, len(steps)):
        ds = steps[j] - steps[j - 1]
        if ds > 0:
            out.append({"step": (steps[j] + steps[j - 1]) / 2, "step_from": steps[j - 1], "step_to": steps[j],
                        "rate": (overlaps[j - 1] - overlaps[j]) / ds})
    return out


def first_below(steps: Sequence[int], overlaps: Sequence[float], threshold: float) -> int | None:
    """The first evaluated step whose overlap is below ``threshold`` (None if never)."""
    return next((s for s, o in zip(steps, overlaps, strict=True) if o < threshold), None)


def curve_summary(steps: Sequence[int], overlaps: Sequence[float]) -> dict[str, Any]:
    """``decrease_rate = (first − last) / (step_last − step_first)``, plus min and the step below 0.5."""
    if not steps:
        return {"num_points": 0}
    i_min = min(range(len(overlaps)), key=lambda i: overlaps[i])
    span = steps[-1] - steps[0]
    return {
        "num_points": len(steps),
        "step_first": steps[0], "overlap_first": overlaps[0],
        "step_last": steps[-1], "overlap_last": overlaps[-1],
        "decrease_rate": (overlaps[0] - overlaps[-1]) / span if span > 0 else 0.0,
        "total_decrease": overlaps[0] - overlaps[-1],
        "min_overlap": overlaps[i_min], "min_step": steps[i_min],
        "first_step_below_0_9": first_below(steps, overlaps, 0.9),
        "first_step_below_0_5": first_below(steps, overlaps, 0.5),
        "first_step_below_0_2": first_below(steps, overlaps, 0.2),
    }
