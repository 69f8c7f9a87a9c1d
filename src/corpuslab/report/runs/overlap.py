"""Fingerprint overlap (``corpuslab overlap``): bottom-k overlap with the base model against training steps.

The curve comes from the per-step entries of ``overlap_results.json`` (rewritten after every evaluation;
the final write adds ``wall_seconds``) or, when that is missing or damaged, from ``overlap_summary.csv``
(``step,avg_overlap_ratio[,min,max]``); first/last overlap, decrease rate and the step where overlap first
drops below 0.5 are computed from the curve. Several runs share one chart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpuslab.report.artefacts import read_csv_tolerant, read_json_tolerant, to_float
from corpuslab.report.blocks import Block, Note, Row, Run, Table
from corpuslab.report.charts import ChartStyle, line_chart

RESULTS_FILE = "overlap_results.json"
SUMMARY_CSV = "overlap_summary.csv"

STEP_KEYS = ("step", "global_step")
MEAN_KEYS = ("avg_overlap_ratio", "overlap", "mean_overlap", "mean", "avg_overlap")
MIN_KEYS = ("min_overlap_ratio", "min_overlap", "min")
MAX_KEYS = ("max_overlap_ratio", "max_overlap", "max")


def _pick(d: dict[str, Any], keys: tuple[str, ...]) -> float | None:
    for k in keys:
        if k in d and to_float(d[k]) is not None:
            return to_float(d[k])
    return None


def _entries(results: Any) -> list[dict[str, Any]]:
    if isinstance(results, list):
        return [e for e in results if isinstance(e, dict)]
    if isinstance(results, dict):
        for k in ("steps", "results", "history", "evaluations", "per_step", "curve"):
            if isinstance(results.get(k), list):
                return [e for e in results[k] if isinstance(e, dict)]
    return []


def curve_points(data: dict[str, Any]) -> list[dict[str, float | None]]:
    """``[{step, mean, min, max}]`` sorted by step: from the JSON (per-prompt scores give min/max), else the CSV."""
    pts: list[dict[str, float | None]] = []
    for e in _entries(data.get("results")):
        step, mean = _pick(e, STEP_KEYS), _pick(e, MEAN_KEYS)
        scores = [to_float(x) for x in (e.get("overlap_scores") or e.get("scores") or []) if to_float(x) is not None]
        if mean is None and scores:
            mean = sum(scores) / len(scores)  # type: ignore[arg-type]
        if step is None or mean is None:
            continue
        lo = _pick(e, MIN_KEYS)
        hi = _pick(e, MAX_KEYS)
        if scores:
            lo = min(scores) if lo is None else lo  # type: ignore[type-var]
            hi = max(scores) if hi is None else hi  # type: ignore[type-var]
        pts.append({"step": step, "mean": mean, "min": lo, "max": hi})
    if not pts:
        for row in data.get("csv") or []:
            step, mean = _pick(row, STEP_KEYS), _pick(row, MEAN_KEYS)
            if step is not None and mean is not None:
                pts.append({"step": step, "mean": mean, "min": _pick(row, MIN_KEYS), "max": _pick(row, MAX_KEYS)})
    pts.sort(key=lambda p: p["step"])  # type: ignore[arg-type,return-value]
    return pts


def load(path: Path, card: dict[str, Any]) -> Run:
    has_json, has_csv = (path / RESULTS_FILE).exists(), (path / SUMMARY_CSV).exists()
    problems: list[str] = []
    results = read_json_tolerant(path / RESULTS_FILE, problems) if has_json else None
    rows = read_csv_tolerant(path / SUMMARY_CSV, problems) if has_csv else None
    if not has_json:
        problems.append(f"{RESULTS_FILE} is missing" + (f" (the curve is read from {SUMMARY_CSV})" if has_csv else ""))
    elif isinstance(results, dict) and "wall_seconds" not in results:
        # written after every evaluation; the final write adds wall_seconds and train_metrics
        steps = [e.get("step") for e in _entries(results) if isinstance(e.get("step"), (int, float))]
        want = (results.get("config") or {}).get("max_steps")
        problems.append(f"training stopped before the end: last evaluation at step {max(steps) if steps else '–'}"
                        + (f" of {want}" if want else "") + ", no final metrics or model")
    summary = results.get("summary") if isinstance(results, dict) else None
    run = Run(path, card["kind"], card, {"results": results, "csv": rows,
                                         "summary": summary if isinstance(summary, dict) else {}}, problems=problems)
    if not curve_points(run.data):
        run.problems.append("no overlap measurement recorded yet")
    return run


def _summary_rows(run: Run) -> list[list[Any]]:
    s = run.data.get("summary") or {}
    pts = curve_points(run.data)
    first = _pick(s, ("overlap_first", "first", "first_overlap")) if s else None
    last = _pick(s, ("overlap_last", "last", "last_overlap", "final", "final_overlap")) if s else None
    if first is None and pts:
        first = pts[0]["mean"]
    if last is None and pts:
        last = pts[-1]["mean"]
    rate = _pick(s, ("decrease_rate", "decrease_rate_per_step")) if s else None
    if rate is None and len(pts) >= 2 and pts[-1]["step"] != pts[0]["step"]:
        rate = (pts[0]["mean"] - pts[-1]["mean"]) / (pts[-1]["step"] - pts[0]["step"])  # type: ignore[operator]
    below = None
    for key in ("first_step_below_0_5", "step_below_half", "first_step_below_0.5", "half_life_step"):
        if s and key in s:
            below = s[key]
            break
    else:
        below = "?"
    if below == "?" and pts:
        below = next((p["step"] for p in pts if (p["mean"] or 0) < 0.5), None)
    return [[run.label, len(pts), first, last, rate, below, _chance(run)]]


def _chance(run: Run) -> float | None:
    r = run.data.get("results")
    if isinstance(r, dict):
        for src in (r.get("summary") or {}, r, r.get("config") or {}):
            v = _pick(src, ("chance_level", "chance"))
            if v is not None:
                return v
        cfg = r.get("config") or {}
        k, v = to_float(cfg.get("k") or cfg.get("bottom_k")), to_float(cfg.get("vocab_size"))
        if k and v:
            return k / v
    return None


SUMMARY_COLS = ["run", "evaluations", "first overlap", "last overlap", "decrease / step", "first step < 0.5",
                "chance k/V"]


def render(run: Run) -> list[Block]:
    pts = curve_points(run.data)
    if not pts:
        return [Note("No overlap measurement recorded yet.", "warn")]
    xs = [p["step"] for p in pts]
    series = {run.label or "overlap": (xs, [p["mean"] for p in pts])}
    bands = None
    if all(p["min"] is not None and p["max"] is not None for p in pts):
        bands = {run.label or "overlap": ([p["min"] for p in pts], [p["max"] for p in pts])}
    hl = {"0.5": 0.5}
    ch = _chance(run)
    if ch is not None:
        hl[f"chance k/V = {ch:.3g}"] = ch
    chart = line_chart("overlap-curve", "Fingerprint overlap with the base model", series, ChartStyle(
        x_title="training step", y_title="mean |B_base ∩ B_model| / k",
        caption="Line: mean over prompts; band: min–max over prompts."), bands=bands, hlines=hl)
    table = Table(["step", "mean", "min", "max"], [[p["step"], p["mean"], p["min"], p["max"]] for p in pts],
                  formats={"mean": ".4f", "min": ".4f", "max": ".4f", "step": ",.0f"})
    return [Row([chart, table]),
            Table(SUMMARY_COLS, _summary_rows(run), formats={"first overlap": ".4f", "last overlap": ".4f",
                                                            "decrease / step": ".3g"})]


def compare(runs: list[Run]) -> list[Block]:
    runs = [r for r in runs if curve_points(r.data)]
    if len(runs) < 2:
        return []
    series = {}
    for r in runs:
        pts = curve_points(r.data)
        series[r.label] = ([p["step"] for p in pts], [p["mean"] for p in pts])
    chart = line_chart("compare-overlap-curves", "Overlap vs steps, all runs", series,
                       ChartStyle(x_title="training step", y_title="mean overlap"), hlines={"0.5": 0.5})
    rows = [row for r in runs for row in _summary_rows(r)]
    return [Row([chart, Table(SUMMARY_COLS, rows, formats={"first overlap": ".4f", "last overlap": ".4f",
                                                          "decrease / step": ".3g"})])]

