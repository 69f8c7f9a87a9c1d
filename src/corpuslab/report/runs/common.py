"""Small helpers shared by the run renderers: reading a few records, shaping mixtures."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

from corpuslab.report.registry import to_float


def head_records(path: Path, n: int = 2) -> tuple[list[dict[str, Any]], str | None]:
    """The first ``n`` records of a JSONL(.gz) shard, and a problem string if it is truncated or corrupt."""
    out: list[dict[str, Any]] = []
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
            for line in fh:
                if not line.strip():
                    continue
                out.append(json.loads(line))
                if len(out) >= n:
                    break
    except FileNotFoundError:
        return out, f"{path.name} is missing"
    except (EOFError, OSError, zlib.error, json.JSONDecodeError, UnicodeDecodeError) as e:
        return out, f"{path.parent.name}/{path.name} is truncated or corrupt ({type(e).__name__})"
    return out, None


def as_mixture(obj: Any) -> dict[str, float]:
    """``{cat: share}`` from ``{cat: x}``, ``{cat: {"mean"|"estimate"|"value"|"prior": x}}`` or a list of rows."""
    out: dict[str, float] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, dict):
                for key in ("mean", "estimate", "value", "prior", "share", "point"):
                    if key in v and to_float(v[key]) is not None:
                        out[str(k)] = to_float(v[key])  # type: ignore[assignment]
                        break
            elif to_float(v) is not None:
                out[str(k)] = to_float(v)  # type: ignore[assignment]
    elif isinstance(obj, list):
        for row in obj:
            if isinstance(row, dict):
                name = row.get("category") or row.get("name") or row.get("label")
                val = next((to_float(row[k]) for k in ("mean", "estimate", "share", "prior", "value")
                            if k in row and to_float(row[k]) is not None), None)
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
