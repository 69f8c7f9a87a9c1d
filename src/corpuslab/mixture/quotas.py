"""Quotas: ``target = total × w / Σw`` rounded by the largest-remainder method so they sum exactly."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


def largest_remainder(total: int, weights: Sequence[float], names: Sequence[str] | None = None) -> list[int]:
    """Apportion ``total`` units by ``weights``; Σ result == total exactly.

    Floors first, then one extra unit each to the largest fractional parts; ties go to the earlier name
    in sort order (deterministic whatever the source order). Exact rational arithmetic, so two equal
    weights always get quotas differing by at most one.
    """
    if total < 0:
        raise ValueError("total must be >= 0")
    if not weights:
        raise ValueError("no weights")
    if any(w <= 0 for w in weights):
        raise ValueError("weights must be > 0")
    ws = [Fraction(w) for w in weights]
    s = sum(ws)
    exact = [Fraction(total) * w / s for w in ws]
    floors = [int(e) for e in exact]
    left = total - sum(floors)
    names = list(names) if names is not None else [f"{i:09d}" for i in range(len(ws))]
    order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - floors[i]), names[i]))
    for i in order[:left]:
        floors[i] += 1
    return floors


def redistribute(quotas: list[int], available: list[int | None], weights: Sequence[float],
                 names: Sequence[str]) -> list[int]:
    """Cap each quota at what its source holds and give the shortfall to the others by weight.

    ``available[i]`` is None when a source is not exhausted (it can give more). Repeats until no
    capped source is over-asked or nobody can take more.
    """
    q = list(quotas)
    capped = [False] * len(q)
    while True:
        deficit = 0
        for i, a in enumerate(available):
            if a is not None and q[i] > a:
                deficit += q[i] - a
                q[i] = a
                capped[i] = True
            elif a is not None and q[i] == a:
                capped[i] = True
        open_ = [i for i in range(len(q)) if not capped[i]]
        if deficit == 0 or not open_:
            return q
        extra = largest_remainder(deficit, [weights[i] for i in open_], [names[i] for i in open_])
        for i, e in zip(open_, extra, strict=True):
            q[i] += e
