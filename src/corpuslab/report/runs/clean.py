"""Stage-2 cleaning (``corpuslab clean``): the funnel per step and per source, drop reasons, rejected examples.

Reads ``stats.json`` in the cleaned folder. The funnel is a list of steps, each with documents (and
characters) in and out, optionally per source and with drop reasons; rejected documents (written with
``--keep-rejected``) are read from ``_rejected/`` with their reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpuslab.report.artefacts import head_records, read_result, to_float
from corpuslab.report.blocks import Block, Examples, Heading, Note, Row, Run, Table
from corpuslab.report.charts import ChartStyle, bar_chart, funnel_chart, heatmap_chart

STATS_FILE = "stats.json"

IN_KEYS = ("docs_in", "in_docs", "documents_in", "in", "input", "n_in")
OUT_KEYS = ("docs_out", "out_docs", "documents_out", "out", "output", "kept", "n_out")
CIN_KEYS = ("chars_in", "in_chars", "characters_in")
COUT_KEYS = ("chars_out", "out_chars", "characters_out")
REASON_KEYS = ("drop_reasons", "dropped_by", "reasons", "drops", "dropped")


def first_number(d: dict[str, Any], keys: tuple[str, ...]) -> float | None:
    """The first of ``keys`` in ``d`` that holds a number (the funnel's counts go by several names)."""
    for k in keys:
        if k in d and not isinstance(d[k], (dict, list)) and to_float(d[k]) is not None:
            return to_float(d[k])
    return None


def _reasons(d: dict[str, Any]) -> dict[str, float]:
    for k in REASON_KEYS:
        v = d.get(k)
        if isinstance(v, dict):
            return {str(r): float(n) for r, n in v.items() if to_float(n) is not None}
    return {}


def _steps(obj: Any) -> list[dict[str, Any]]:
    """Normalise a funnel (list of step dicts, or mapping step → dict) to ``[{name, in, out, ...}]``."""
    items: list[tuple[str, dict[str, Any]]] = []
    if isinstance(obj, list):
        items = [(str(s.get("name") or s.get("step") or f"step {i + 1}"), s) for i, s in enumerate(obj)
                 if isinstance(s, dict)]
    elif isinstance(obj, dict):
        items = [(str(k), v) for k, v in obj.items() if isinstance(v, dict)]
    out = []
    for name, s in items:
        docs_in, docs_out = first_number(s, IN_KEYS), first_number(s, OUT_KEYS)
        if docs_in is None and docs_out is None:
            continue
        out.append({"name": name, "in": docs_in, "out": docs_out, "chars_in": first_number(s, CIN_KEYS),
                    "chars_out": first_number(s, COUT_KEYS), "reasons": _reasons(s),
                    "per_source": s.get("by_source") or s.get("per_source") or s.get("sources") or {}})
    return out


def load(path: Path, card: dict[str, Any]) -> Run:
    problems: list[str] = []
    stats = read_result(path / STATS_FILE, card, problems, "stage 2 stopped before writing its statistics "
                        f"({len(list(path.glob('*/cleaned_data.*')))} cleaned shard(s) present); "
                        "re-run `corpuslab clean` to resume")
    stats = stats if isinstance(stats, dict) else {}
    steps = _steps(stats.get("funnel") or stats.get("steps") or stats.get("pipeline"))
    return Run(path, card["kind"], card, {"stats": stats, "steps": steps,
                                          "sources": stats.get("sources") or stats.get("per_source") or {}},
               problems=problems)


def drop_reasons(run: Run) -> list[dict[str, Any]]:
    """``[{reason, step, count, value_min, value_median, value_max}]``, largest first, from the whole run."""
    out: dict[str, dict[str, Any]] = {}
    top = run.data["stats"].get("drop_reasons") if isinstance(run.data.get("stats"), dict) else None
    if isinstance(top, dict):
        for r, v in top.items():
            count = to_float(v.get("count")) if isinstance(v, dict) else to_float(v)
            if count is None:
                continue
            val = v.get("value") if isinstance(v, dict) and isinstance(v.get("value"), dict) else {}
            step = str(r).split(":", 1)[0] if ":" in str(r) else ""
            out[str(r)] = {"reason": str(r), "step": step, "count": count, "value_min": to_float(val.get("min")),
                           "value_median": to_float(val.get("median")), "value_max": to_float(val.get("max"))}
    for s in run.data["steps"]:
        for r, n in s["reasons"].items():
            key = r if ":" in r else f"{s['name']}:{r}"
            if key not in out:
                out[key] = {"reason": key, "step": s["name"], "count": n, "value_min": None, "value_median": None,
                            "value_max": None}
    return sorted(out.values(), key=lambda d: -d["count"])


def _source_rows(run: Run) -> list[list[Any]]:
    rows = []
    src = run.data.get("sources")
    steps = run.data["steps"]
    if not src and steps and steps[0]["per_source"] and steps[-1]["per_source"]:
        first, last = steps[0]["per_source"], steps[-1]["per_source"]
        src = {k: {"docs_in": first_number(v, IN_KEYS), "chars_in": first_number(v, CIN_KEYS),
                   "docs_out": first_number(last.get(k, {}), OUT_KEYS), "chars_out": first_number(last.get(k, {}), COUT_KEYS)}
               for k, v in first.items() if isinstance(v, dict)}
    items: list[tuple[Any, Any]] = []
    if isinstance(src, dict):
        items = list(src.items())
    elif isinstance(src, list):
        items = [(s.get("name") or s.get("source"), s) for s in src if isinstance(s, dict)]
    for name, s in items:
        if not isinstance(s, dict):
            continue
        docs_in, docs_out = first_number(s, IN_KEYS), first_number(s, OUT_KEYS)
        rows.append([name, docs_in, docs_out, (docs_out / docs_in) if docs_in and docs_out is not None else None,
                     first_number(s, CIN_KEYS), first_number(s, COUT_KEYS)])
    return rows


def _rejected(path: Path, limit: int = 30) -> list[tuple[str, str]]:
    """Rejected documents (``--keep-rejected``) with their reason and the metric value that decided it."""
    items: list[tuple[str, str]] = []
    for f in sorted(path.glob("_rejected/**/*.jsonl*")) + sorted(path.glob("rejected/**/*.jsonl*")):
        recs, _ = head_records(f, limit - len(items))
        for r in recs:
            md = r.get("metadata") or {}
            rej = r.get("rejection") if isinstance(r.get("rejection"), dict) else {}
            reason = (":".join(x for x in (rej.get("step"), rej.get("reason")) if x) or r.get("filter_reason")
                      or md.get("filter_reason") or md.get("drop_reason") or "?")
            value = rej.get("value", md.get("filter_value", md.get("metric_value")))
            if isinstance(value, float):
                value = f"{value:.4g}"
            label = f"{md.get('source', f.parent.name)} · {reason}" + (f" = {value}" if value is not None else "")
            items.append((label, str(r.get("text", ""))))
        if len(items) >= limit:
            break
    return items


def _per_source_steps(steps: list[dict[str, Any]]) -> tuple[list[str], list[list[float | None]]] | None:
    if not steps or not all(isinstance(s["per_source"], dict) and s["per_source"] for s in steps):
        return None
    srcs = list(steps[0]["per_source"])
    base = {k: first_number(v, IN_KEYS) for k, v in steps[0]["per_source"].items() if isinstance(v, dict)}
    z = []
    for src in srcs:
        row: list[float | None] = []
        for s in steps:
            out = first_number(s["per_source"].get(src) or {}, OUT_KEYS)
            row.append(out / base[src] if base.get(src) and out is not None else None)
        z.append(row)
    return srcs, z


def render(run: Run) -> list[Block]:
    steps = run.data["steps"]
    blocks: list[Block] = []
    if not steps:
        blocks.append(Note("No funnel statistics yet.", "warn"))
    else:
        first, last = steps[0]["in"], steps[-1]["out"]
        if first and last is not None:
            blocks.append(Note(f"{int(last):,} of {int(first):,} documents kept ({last / first:.1%}) "
                               f"after {len(steps)} step(s)."))
        names = [s["name"] for s in steps]
        values = [s["out"] or 0 for s in steps]
        if steps[0]["name"] != "input":
            names, values = ["input", *names], [steps[0]["in"] or 0, *values]
        chart = funnel_chart("clean-funnel", "Cleaning funnel (documents)", names, values)
        rows = [[s["name"], s["in"], s["out"], (s["in"] or 0) - (s["out"] or 0),
                 (s["out"] / s["in"]) if s["in"] and s["out"] is not None else None,
                 (s["chars_out"] / s["chars_in"]) if s["chars_in"] and s["chars_out"] is not None else None]
                for s in steps]
        blocks.append(Row([chart, Table(["step", "docs in", "docs out", "dropped", "kept", "chars kept"], rows,
                                        formats={"kept": ".1%", "chars kept": ".1%"})]))
        top = drop_reasons(run)[:25]
        if top:
            blocks.append(Row([bar_chart("clean-drop-reasons", "Why documents were dropped",
                                         [d["reason"] for d in top], {"documents": [d["count"] for d in top]},
                                         ChartStyle(horizontal=True, height=max(260, 60 + 24 * len(top)))),
                               Table(["reason", "documents", "metric min", "median", "max"],
                                     [[d["reason"], d["count"], d["value_min"], d["value_median"], d["value_max"]]
                                      for d in top])]))
        per_step = _per_source_steps(steps)
        if per_step:
            srcs, z = per_step
            blocks.append(Row([heatmap_chart("clean-funnel-per-source", "Share of each source left after each step",
                                             [s["name"] for s in steps], srcs, z,
                                             ChartStyle(x_title="step", y_title="source", percent=True))]))
    srows = _source_rows(run)
    if srows:
        blocks.append(Heading("Per source"))
        chart = bar_chart("clean-per-source", "Kept fraction per source", [str(r[0]) for r in srows],
                          {"kept": [r[3] for r in srows]}, ChartStyle(percent=True))
        blocks.append(Row([chart, Table(["source", "docs in", "docs out", "kept", "chars in", "chars out"], srows,
                                        formats={"kept": ".1%"})]))
    rej = _rejected(run.path)
    if rej:
        blocks.append(Examples("Rejected documents with their reason", rej))
    return blocks


def compare(runs: list[Run]) -> list[Block]:
    runs = [r for r in runs if r.data["steps"]]
    if len(runs) < 2:
        return []
    names: list[str] = []
    for r in runs:
        for s in r.data["steps"]:
            if s["name"] not in names:
                names.append(s["name"])
    series = {}
    for r in runs:
        base = r.data["steps"][0]["in"] or 1
        by = {s["name"]: (s["out"] or 0) / base for s in r.data["steps"]}
        series[r.label] = [by.get(n) for n in names]
    chart = bar_chart("compare-clean-funnel", "Share of input left after each step", names, series,
                      ChartStyle(percent=True))
    rows = [[r.label, r.data["steps"][0]["in"], r.data["steps"][-1]["out"],
             (r.data["steps"][-1]["out"] or 0) / (r.data["steps"][0]["in"] or 1)] for r in runs]
    return [Row([chart, Table(["run", "docs in", "docs out", "kept"], rows, formats={"kept": ".1%"})])]

