"""Revert risk (``corpuslab revert eval``): ROC/PR AUC overall, per language, anonymous vs registered.

Recognised by content: a JSON holding an ``overall`` block (or top level) with ``roc_auc``, plus
optional per-language and per-user-type blocks and the disparate-impact ratio.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpuslab.report.charts import bar_chart
from corpuslab.report.model import Block, Heading, Note, Row, Run, Table
from corpuslab.report.registry import RunType, read_json_tolerant, register, tmp_problem, to_float
from corpuslab.report.runs.leia import top_json

METRICS = ("n", "positives", "revert_rate", "roc_auc", "pr_auc", "precision_at_recall_0.75", "precision_at_recall",
           "f1", "accuracy", "n_pos", "support")
COUNTS = ("n", "n_pos", "positives", "support")
LANG_KEYS = ("per_language", "by_language", "languages", "per_wiki", "by_wiki")
USER_KEYS = ("by_user_type", "per_user_type", "user_type", "anonymity", "by_anonymity", "anon_vs_registered")


def _metric_block(d: Any) -> dict[str, float] | None:
    if isinstance(d, dict) and to_float(d.get("roc_auc")) is not None:
        return {k: f for k, v in d.items()
                if (k in METRICS or k.startswith("precision_at")) and (f := to_float(v)) is not None}
    return None


def _groups(obj: dict[str, Any], keys: tuple[str, ...]) -> dict[str, dict[str, float]]:
    for k in keys:
        v = obj.get(k)
        if isinstance(v, dict):
            out = {str(g): m for g, m in ((g, _metric_block(b)) for g, b in v.items()) if m}
            if out:
                return out
        if isinstance(v, list):
            out = {}
            for row in v:
                m = _metric_block(row)
                name = row.get("language") or row.get("wiki") or row.get("group") if isinstance(row, dict) else None
                if m and name:
                    out[str(name)] = m
            if out:
                return out
    return {}


def parse_metrics(obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, dict):
        return None
    overall = _metric_block(obj.get("overall")) or _metric_block(obj.get("all")) or _metric_block(obj)
    if overall is None:
        return None
    users = _groups(obj, USER_KEYS)
    if not users:
        users = {k: m for k in ("anonymous", "registered", "anon") if (m := _metric_block(obj.get(k)))}
    di, di_info = None, {}
    for k in ("disparate_impact", "disparate_impact_ratio", "di_ratio"):
        v = obj.get(k)
        if isinstance(v, dict):
            di_info = v
            v = v.get("ratio", v.get("value"))
        if to_float(v) is not None:
            di = to_float(v)
            break
    baselines = {name: m for name, key in (("baseline", "baseline"), ("logistic regression", "logistic_regression"),
                                           ("score = is_anonymous", "is_anonymous_baseline"))
                 if (m := _metric_block(obj.get(key)))}
    lr_lang = (obj.get("logistic_regression") or {}).get("per_language") if isinstance(
        obj.get("logistic_regression"), dict) else None
    balanced = obj.get("balanced") if isinstance(obj.get("balanced"), dict) else {}
    return {"overall": overall, "languages": _groups(obj, LANG_KEYS), "users": users, "disparate_impact": di,
            "di_truth": to_float(di_info.get("ground_truth")), "auc_gap": to_float(di_info.get("auc_gap")),
            "baselines": baselines, "baseline": next(iter(baselines.values()), None),
            "lr_languages": {str(k): to_float(v) for k, v in lr_lang.items()} if isinstance(lr_lang, dict) else {},
            "balanced_languages": _groups(balanced, LANG_KEYS)}


def detect(path: Path) -> Run | None:
    found = []
    problems: list[str] = []
    for f in top_json(path):
        obj = read_json_tolerant(f, [])
        m = parse_metrics(obj)
        if m:
            found.append((f.name, m))
    if not found:
        return None
    problems.extend(tmp_problem(path))
    return Run(path, "revert", {"metrics": found}, problems=problems)


def _cols(groups: dict[str, dict[str, float]]) -> list[str]:
    cols: list[str] = []
    for m in groups.values():
        cols += [k for k in m if k not in cols]
    return cols


def _group_block(title: str, name: str, groups: dict[str, dict[str, float]],
                 extra: dict[str, dict[str, float | None]] | None = None) -> list[Block]:
    if not groups:
        return []
    cols = _cols(groups)
    metrics = [c for c in ("roc_auc", "pr_auc") if c in cols]
    names = {"roc_auc": "ROC AUC", "pr_auc": "PR AUC"}
    series: dict[str, list[float | None]] = {names[m]: [groups[g].get(m) for g in groups] for m in metrics}
    for label, by_group in (extra or {}).items():
        if by_group:
            series[label] = [by_group.get(g) for g in groups]
    chart = bar_chart(name, title, list(groups), series, y_title="AUC")
    rows = [[g] + [groups[g].get(c) for c in cols] for g in groups]
    return [Row([chart, Table(["group", *cols], rows, formats={c: ".3f" for c in cols if c not in COUNTS})])]


def render(run: Run) -> list[Block]:
    blocks: list[Block] = []
    for fname, m in run.data["metrics"]:
        if len(run.data["metrics"]) > 1:
            blocks.append(Heading(fname))
        o = m["overall"]
        bits = [f"ROC AUC {o['roc_auc']:.3f}"] + ([f"PR AUC {o['pr_auc']:.3f}"] if o.get("pr_auc") is not None else [])
        for bname, b in m["baselines"].items():
            bits.append(f"{bname} ROC AUC {b['roc_auc']:.3f}")
        if m["disparate_impact"] is not None:
            di = f"disparate impact (anonymous / registered) {m['disparate_impact']:.3f}"
            if m["di_truth"] is not None:
                di += f" (true labels: {m['di_truth']:.3f})"
            bits.append(di)
        if m["auc_gap"] is not None:
            bits.append(f"AUC gap registered − anonymous {m['auc_gap']:.3f}")
        blocks.append(Note("Overall: " + "; ".join(bits) + "."))
        overall = {"model": o, **m["baselines"]}
        blocks.append(Table(["", *_cols(overall)], [[g] + [overall[g].get(c) for c in _cols(overall)] for g in overall],
                            formats={c: ".3f" for c in _cols(overall) if c not in COUNTS}))
        blocks += _group_block("AUC per language", "revert-per-language", m["languages"],
                               {"logistic regression ROC AUC": m["lr_languages"]})
        if m["balanced_languages"]:
            blocks.append(Heading("Balanced evaluation set (language × anonymity × label)"))
            blocks += _group_block("AUC per language, balanced", "revert-balanced", m["balanced_languages"])
        blocks += _group_block("Anonymous vs registered editors", "revert-user-type", m["users"])
        if not m["languages"] and not m["users"]:
            blocks.append(Note("No per-language or per-user-type metrics in this file.", "info"))
    return blocks


def compare(runs: list[Run]) -> list[Block]:
    rows, langs = [], []
    for r in runs:
        for fname, m in r.data["metrics"]:
            rows.append((f"{r.label}", fname, m))
            langs += [g for g in m["languages"] if g not in langs]
    if len(rows) < 2:
        return []
    cats = ["overall", *langs]
    series = {lbl if len(runs) == len(rows) else f"{lbl}:{f}": [m["overall"]["roc_auc"]] +
              [m["languages"].get(g, {}).get("roc_auc") for g in langs] for lbl, f, m in rows}
    chart = bar_chart("compare-revert-auc", "ROC AUC overall and per language", cats, series, y_title="ROC AUC")
    table = Table(["run", "file", "ROC AUC", "PR AUC", "disparate impact"],
                  [[lbl, f, m["overall"]["roc_auc"], m["overall"].get("pr_auc"), m["disparate_impact"]]
                   for lbl, f, m in rows], formats={"ROC AUC": ".3f", "PR AUC": ".3f", "disparate impact": ".3f"})
    return [Row([chart, table])]


register(RunType("revert", "Revert-risk evaluation", detect, render, compare,
                 hint="a metrics JSON with roc_auc overall / per language / anonymous vs registered (revert eval)"))
