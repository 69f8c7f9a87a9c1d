"""Stage-1 sample (``corpuslab sample``): the sampling plan against what was kept, per source.

Reads ``plan.json`` (written last, when every source is done) and, when it is missing, the per-source
completion markers in ``_complete/`` — that is what a stage-1 run killed midway leaves behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpuslab.core.markers import MARKER_DIR
from corpuslab.report.artefacts import head_records, read_json_tolerant, read_result, to_float
from corpuslab.report.blocks import Block, Examples, Heading, Note, Row, Run, Table
from corpuslab.report.charts import ChartStyle, bar_chart

RAW_NAME = "raw_data.jsonl.gz"
PLAN_FILE = "plan.json"


def _markers(path: Path) -> list[dict[str, Any]]:
    """Per-source completion markers: what a stage-1 run killed midway leaves behind."""
    out = []
    mdir = path / MARKER_DIR
    if not mdir.is_dir():
        return out
    for m in sorted(mdir.glob("*.json")):
        info = read_json_tolerant(m, [])
        if isinstance(info, dict) and str(info.get("shard", "")).endswith(RAW_NAME):
            out.append(info)
    return out


def load(path: Path, card: dict[str, Any]) -> Run:
    problems: list[str] = []
    got = read_result(path / PLAN_FILE, card, problems, "stage 1 stopped before every source was sampled "
                      f"({len(_markers(path))} source(s) marked complete); re-run `corpuslab sample` to resume")
    plan: dict[str, Any] = got if isinstance(got, dict) else {}
    sources = plan.get("sources") or [
        {"slug": str(m["shard"]).split("/")[0], "name": str(m["shard"]).split("/")[0], "quota": m.get("quota"),
         "seen": m.get("seen"), "kept": m.get("kept"), "shortfall": m.get("shortfall"),
         "read_to_end": m.get("read_to_end"), "complete": True, "problems": m.get("problems", {})}
        for m in _markers(path)]
    for s in sources:
        slug = s.get("slug") or s.get("name")
        out = s.get("output") or f"{slug}/{RAW_NAME}"
        if s.get("complete") is False:
            problems.append(f"source {slug} is not complete")
        elif not (path / out).exists():
            problems.append(f"source {slug}: {out} is missing")
    return Run(path, card["kind"], card, {"plan": plan, "sources": sources}, problems=problems)


def _fmt_problems(p: dict[str, Any] | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in (p or {}).items() if v) or ""


def _kept(s: dict[str, Any], unit: str) -> int:
    """Kept amount in the quota's unit: tokens for ``unit: tokens`` plans, documents otherwise."""
    if unit == "tokens" and s.get("kept_tokens") is not None:
        return int(s["kept_tokens"])
    return int(s.get("kept") or 0)


def render(run: Run) -> list[Block]:
    plan, sources = run.data["plan"], run.data["sources"]
    blocks: list[Block] = []
    if not sources:
        return [Note("No source has finished yet: nothing to show.", "warn")]
    unit = plan.get("unit", "docs")
    target = plan.get("target_samples")
    kept_total = sum(_kept(s, unit) for s in sources)
    summary = f"{kept_total:,} {unit if unit != 'docs' else 'documents'} kept"
    if target:
        summary += f" of a target of {int(target):,}"
    if "seed" in plan:
        summary += f", seed {plan['seed']}"
    if plan.get("redistribute_shortfall"):
        summary += "; shortfalls redistributed to the other sources by weight"
    blocks.append(Note(summary + "."))
    short = [s for s in sources if (s.get("shortfall") or 0) > 0]
    if short:
        blocks.append(Note("Fewer records than their quota (all were taken): " + ", ".join(
            f"{s.get('slug')} ({int(s['shortfall']):,} short)" for s in short), "warn"))
    capped = [s.get("slug") for s in sources if s.get("read_to_end") is False]
    if capped:
        blocks.append(Note("Stopped at max_scan (not read to the end, sample is from the first records seen): "
                           + ", ".join(map(str, capped)), "info"))
    names = [str(s.get("slug") or s.get("name")) for s in sources]
    series: dict[str, list[float | None]] = {}
    if any(s.get("initial_quota") not in (None, s.get("quota")) for s in sources):
        series["initial quota"] = [to_float(s.get("initial_quota")) for s in sources]
    series["quota (plan)"] = [to_float(s.get("quota")) for s in sources]
    series["kept"] = [float(_kept(s, unit)) for s in sources]
    chart = bar_chart("sample-plan-vs-kept", "Plan vs kept per source", names, series, ChartStyle(
        y_title=unit, caption="Quota from the weights (largest remainder) against records actually kept."))
    total_w = sum(to_float(s.get("weight")) or 0 for s in sources)
    rows = []
    for s in sources:
        kept = _kept(s, unit)
        w = to_float(s.get("weight"))
        share = to_float(s.get("share"))
        if share is None and w is not None and total_w:
            share = w / total_w
        rows.append([s.get("slug") or s.get("name"), w, share, s.get("quota"), s.get("seen"), kept,
                     kept / kept_total if kept_total else None, s.get("shortfall"), s.get("read_to_end"),
                     _fmt_problems(s.get("problems"))])
    table = Table(["source", "weight", "planned share", "quota", "seen", "kept" if unit == "docs" else f"kept {unit}",
                   "kept share", "shortfall", "read to end", "skipped"], rows,
                  formats={"planned share": ".2%", "kept share": ".2%", "weight": ".4g"})
    blocks.append(Row([chart, table]))
    items = []
    for s in sources[:12]:
        slug = s.get("slug") or s.get("name")
        recs, problem = head_records(run.path / (s.get("output") or f"{slug}/{RAW_NAME}"), 1)
        if problem and problem not in " ".join(run.problems):
            run.problems.append(problem)
        for r in recs:
            md = r.get("metadata") or {}
            items.append((f"{slug} · {r.get('id', '')} · {md.get('language', '') or ''}".rstrip(" ·"),
                          str(r.get("text", ""))))
    if items:
        blocks.append(Heading("Samples"))
        blocks.append(Examples("First record of each source", items, max_chars=400))
    return blocks


def compare(runs: list[Run]) -> list[Block]:
    runs = [r for r in runs if r.data.get("sources")]
    if len(runs) < 2:
        return []
    names: list[str] = []
    for r in runs:
        for s in r.data["sources"]:
            n = str(s.get("slug") or s.get("name"))
            if n not in names:
                names.append(n)
    series = {}
    for r in runs:
        by = {str(s.get("slug") or s.get("name")): _kept(s, r.data["plan"].get("unit", "docs"))
              for s in r.data["sources"]}
        tot = sum(by.values()) or 1
        series[r.label] = [by.get(n, 0) / tot for n in names]
    chart = bar_chart("compare-sample-shares", "Kept share per source", names, series,
                      ChartStyle(percent=True, y_title="share of kept records"))
    rows = [[r.label, r.data["plan"].get("target_samples"), sum(int(s.get("kept") or 0) for s in r.data["sources"]),
             r.data["plan"].get("seed"), sum(1 for s in r.data["sources"] if (s.get("shortfall") or 0) > 0)]
            for r in runs]
    table = Table(["run", "target", "kept", "seed", "sources short"], rows)
    return [Row([chart, table])]

