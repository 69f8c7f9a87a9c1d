"""Mixtures as the anatomy estimators write them, read back for the page (the report never imports anatomy).

A mixture is ``{category: share}``; these helpers accept the shapes the estimators and the evaluator
write (plain shares, ``{"point"|"mean"|…: x}`` blocks, rows with a ``category``) and score an estimate
the way ``corpuslab anatomy evaluate`` does.
"""

from __future__ import annotations

from typing import Any

from corpuslab.report.artefacts import to_float

VALUE_KEYS = ("mean", "estimate", "value", "prior", "share", "point")


def as_mixture(obj: Any) -> dict[str, float]:
    """``{cat: share}`` from ``{cat: x}``, ``{cat: {"mean"|"estimate"|"value"|"prior": x}}`` or a list of rows."""
    out: dict[str, float] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            x = next((to_float(v[key]) for key in VALUE_KEYS if key in v and to_float(v[key]) is not None),
                     None) if isinstance(v, dict) else to_float(v)
            if x is not None:
                out[str(k)] = x
    elif isinstance(obj, list):
        for row in obj:
            if isinstance(row, dict):
                name = row.get("category") or row.get("name") or row.get("label")
                val = next((to_float(row[k]) for k in VALUE_KEYS if k in row and to_float(row[k]) is not None), None)
                if name is not None and val is not None:
                    out[str(name)] = val
    return out


def mixture_ci(obj: Any) -> dict[str, tuple[float | None, float | None]]:
    """``{cat: (low, high)}`` from ``{cat: {"ci": [lo, hi]}}`` / ``ci_low``/``ci_high`` / ``lo``/``hi``."""
    out: dict[str, tuple[float | None, float | None]] = {}
    rows: list[tuple[Any, Any]] = []
    if isinstance(obj, dict):
        rows = list(obj.items())
    elif isinstance(obj, list):
        rows = [(r.get("category") or r.get("name"), r) for r in obj if isinstance(r, dict)]
    for k, v in rows:
        if not isinstance(v, dict):
            continue
        ci = v.get("ci") or v.get("ci95") or v.get("interval")
        if isinstance(ci, (list, tuple)) and len(ci) == 2:
            out[str(k)] = (to_float(ci[0]), to_float(ci[1]))
            continue
        for lo_k, hi_k in (("ci_low", "ci_high"), ("lo", "hi"), ("low", "high"), ("lower", "upper")):
            if lo_k in v and hi_k in v:
                out[str(k)] = (to_float(v[lo_k]), to_float(v[hi_k]))
                break
    return out


def normalise(m: dict[str, float]) -> dict[str, float]:
    s = sum(v for v in m.values() if v is not None and v > 0)
    return {k: (max(v, 0.0) / s if s > 0 else 0.0) for k, v in m.items()}


def mixture_accuracy(est: dict[str, float], truth: dict[str, float]) -> float:
    """1 − ½·Σ|e_c − g_c| over the union of categories (both normalised): the anatomy evaluator's measure."""
    e, g = normalise(est), normalise(truth)
    cats = set(e) | set(g)
    return 1.0 - 0.5 * sum(abs(e.get(c, 0.0) - g.get(c, 0.0)) for c in cats)
