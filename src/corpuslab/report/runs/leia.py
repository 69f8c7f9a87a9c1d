"""LEIA (``corpuslab leia build`` / ``leia eval``): link statistics of a build, accuracy per language of an eval.

A build's ``report.json`` holds the link counts (``links_seen``, ``links_resolved``, ``links_kept``,
``links_inserted``) and drop reasons; an evaluation writes ``{task}_metrics.json`` per task, with accuracy
per language and its bootstrap CI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpuslab.report.artefacts import read_json_tolerant, read_result, to_float
from corpuslab.report.blocks import Block, Heading, Note, Row, Run, Table
from corpuslab.report.charts import ChartStyle, bar_chart
from corpuslab.report.mixtures import mixture_ci

LINK_KEYS = ("links_seen", "links_resolved", "links_kept", "links_inserted")
BUILD_REPORT = "report.json"
METRICS_GLOB = "*_metrics.json"


def _find_links(obj: Any, depth: int = 0) -> dict[str, Any] | None:
    if not isinstance(obj, dict) or depth > 2:
        return None
    if sum(k in obj for k in LINK_KEYS) >= 2:
        return obj
    for v in obj.values():
        found = _find_links(v, depth + 1)
        if found:
            return found
    return None


def per_language_accuracy(obj: Any) -> dict[str, dict[str, Any]]:
    """``{lang: {"accuracy", "ci", "n", "task"}}`` from a mapping or a list of rows, searched 2 levels deep."""
    out: dict[str, dict[str, Any]] = {}

    def visit(o: Any, task: str | None, depth: int) -> None:
        if depth > 3:
            return
        if isinstance(o, list):
            for r in o:
                if isinstance(r, dict) and "accuracy" in r and (r.get("language") or r.get("lang")):
                    lang = str(r.get("language") or r.get("lang"))
                    t = str(r.get("task") or task or "")
                    out[f"{t}/{lang}" if t else lang] = _acc_row(r)
            return
        if not isinstance(o, dict):
            return
        for k, v in o.items():
            if isinstance(v, dict) and to_float(v.get("accuracy")) is not None and len(str(k)) <= 12:
                out[f"{task}/{k}" if task else str(k)] = _acc_row(v)
            elif isinstance(v, (dict, list)) and k not in ("config", "args", "settings", "run"):
                sub = task
                if k not in ("results", "per_language", "languages", "by_language", "metrics", "accuracy"):
                    sub = f"{task}/{k}" if task else str(k)
                visit(v, sub, depth + 1)

    task = obj.get("task") if isinstance(obj, dict) and isinstance(obj.get("task"), str) else None
    visit(obj, task, 0)
    return out


def _acc_row(r: dict[str, Any]) -> dict[str, Any]:
    ci = mixture_ci({"x": r}).get("x", (None, None))
    return {"accuracy": to_float(r.get("accuracy")), "ci": ci, "n": r.get("n") or r.get("n_items") or r.get("count"),
            "chance": to_float(r.get("chance"))}


def load(path: Path, card: dict[str, Any]) -> Run:
    builds, evals = [], []
    problems: list[str] = []
    if card["kind"] == "leia-build":
        obj = read_result(path / BUILD_REPORT, card, problems, "`leia build` stopped before it finished")
        links = _find_links(obj)
        if links:
            builds.append((BUILD_REPORT, links, obj))
    else:
        for f in sorted(path.glob(METRICS_GLOB)):
            obj = read_json_tolerant(f, problems)
            acc = per_language_accuracy(obj)
            if acc:
                evals.append((f.name, acc, obj))
        if not evals and card.get("status") == "done":
            problems.append(f"no {METRICS_GLOB} with accuracy per language")
    return Run(path, card["kind"], card, {"builds": builds, "evals": evals}, problems=problems)


def render(run: Run) -> list[Block]:
    blocks: list[Block] = []
    if not run.data["builds"] and not run.data["evals"]:
        return [Note("Nothing finished yet.", "warn")]
    for name, links, obj in run.data["builds"]:
        blocks.append(Heading(f"Build: {name}"))
        seen = to_float(links.get("links_seen")) or 0
        counts = [(k.replace("links_", "links "), to_float(links.get(k))) for k in LINK_KEYS if k in links]
        arts = obj.get("articles") if isinstance(obj, dict) else None
        if isinstance(arts, (int, float)):
            blocks.append(Note(f"{int(arts):,} articles; {int(seen):,} links seen."))
        reasons = None
        for k in ("drop_reasons", "dropped", "drops", "dropped_links"):
            if isinstance(links.get(k), dict):
                reasons = links[k]
            elif isinstance(obj, dict) and isinstance(obj.get(k), dict):
                reasons = obj[k]
            if reasons:
                break
        chart = bar_chart("leia-links", "Links: seen → resolved → inserted", [c[0] for c in counts],
                          {"links": [c[1] for c in counts]})
        rows = [[c[0], c[1], (c[1] / seen) if seen and c[1] is not None else None] for c in counts]
        blocks.append(Row([chart, Table(["count", "links", "of seen"], rows, formats={"of seen": ".1%"})]))
        if reasons:
            top = sorted(((str(k), to_float(v) or 0) for k, v in reasons.items()), key=lambda kv: -kv[1])
            blocks.append(Row([bar_chart("leia-drop-reasons", "Why links were dropped", [k for k, _ in top],
                                         {"links": [v for _, v in top]},
                                         ChartStyle(horizontal=True, height=max(240, 60 + 24 * len(top)))),
                               Table(["reason", "links"], [[k, v] for k, v in top])]))
        other = {k: v for k, v in (obj.items() if isinstance(obj, dict) else [])
                 if isinstance(v, (int, float, str)) and k not in LINK_KEYS and k != "articles"}
        if other:
            blocks.append(Table(["field", "value"], [[k, v] for k, v in list(other.items())[:20]]))
    for name, acc, _obj in run.data["evals"]:
        blocks.append(Heading(f"Evaluation: {name}"))
        langs = list(acc)
        vals = [acc[k]["accuracy"] for k in langs]
        err = {"accuracy": ([acc[k]["ci"][0] for k in langs], [acc[k]["ci"][1] for k in langs])}
        chart = bar_chart("leia-accuracy", "Multiple-choice accuracy per language", langs, {"accuracy": vals},
                          ChartStyle(percent=True, caption="Whiskers: bootstrap CI."), errors=err)
        rows = [[k, acc[k]["accuracy"], acc[k]["ci"][0], acc[k]["ci"][1], acc[k]["n"], acc[k]["chance"]]
                for k in langs]
        blocks.append(Row([chart, Table(["task/language", "accuracy", "CI low", "CI high", "items", "chance"], rows,
                                        formats={"accuracy": ".1%", "CI low": ".1%", "CI high": ".1%",
                                                 "chance": ".0%"})]))
    return blocks


def compare(runs: list[Run]) -> list[Block]:
    evals = [(r, acc) for r in runs for _, acc, _ in r.data["evals"]]
    if len(evals) < 2:
        return []
    langs: list[str] = []
    for _, acc in evals:
        langs += [k for k in acc if k not in langs]
    series = {r.label: [acc.get(k, {}).get("accuracy") for k in langs] for r, acc in evals}
    chart = bar_chart("compare-leia-accuracy", "Accuracy per language, all runs", langs, series,
                      ChartStyle(percent=True))
    rows = [[k] + [acc.get(k, {}).get("accuracy") for _, acc in evals] for k in langs]
    cols = ["task/language"] + [r.label for r, _ in evals]
    return [Row([chart, Table(cols, rows, formats={c: ".1%" for c in cols[1:]})])]

