"""Revert risk (``corpuslab revert eval``): ROC/PR AUC overall, per language, anonymous vs registered.

Reads ``metrics.json``: an ``overall`` block (or the top level) with ``roc_auc``, plus per-language and
per-user-type blocks, baselines and the disparate-impact ratio.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpuslab.report.artefacts import read_result, to_float
from corpuslab.report.blocks import Block, Heading, Note, Row, Run, Table
from corpuslab.report.charts import ChartStyle, bar_chart

METRICS_FILE = "metrics.json"

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


def load(path: Path, card: dict[str, Any]) -> Run:
    problems: list[str] = []
    metrics = parse_metrics(read_result(path / METRICS_FILE, card, problems,
                                        "the evaluation stopped before writing it"))
    if metrics is None and not problems:
        problems.append(f"{METRICS_FILE} holds no overall roc_auc")
    return Run(path, card["kind"], card, {"metrics": metrics}, problems=problems)


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
    chart = bar_chart(name, title, list(groups), series, ChartStyle(y_title="AUC"))
    rows = [[g] + [groups[g].get(c) for c in cols] for g in groups]
    return [Row([chart, Table(["group", *cols], rows, formats={c: ".3f" for c in cols if c not in COUNTS})])]


def render(run: Run) -> list[Block]:
    m = run.data["metrics"]
    if m is None:
        return [Note("No evaluation metrics yet.", "warn")]
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
    blocks: list[Block] = [Note("Overall: " + "; ".join(bits) + ".")]
    overall = {"model": o, **m["baselines"]}
    cols = _cols(overall)
    blocks.append(Table(["", *cols], [[g] + [overall[g].get(c) for c in cols] for g in overall],
                        formats={c: ".3f" for c in cols if c not in COUNTS}))
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
    rows = [(r.label, r.data["metrics"]) for r in runs if r.data["metrics"]]
    if len(rows) < 2:
        return []
    langs: list[str] = []
    for _, m in rows:
        langs += [g for g in m["languages"] if g not in langs]
    cats = ["overall", *langs]
    series = {label: [m["overall"]["roc_auc"]] + [m["languages"].get(g, {}).get("roc_auc") for g in langs]
              for label, m in rows}
    chart = bar_chart("compare-revert-auc", "ROC AUC overall and per language", cats, series,
                      ChartStyle(y_title="ROC AUC"))
    table = Table(["run", "ROC AUC", "PR AUC", "disparate impact"],
                  [[label, m["overall"]["roc_auc"], m["overall"].get("pr_auc"), m["disparate_impact"]]
                   for label, m in rows], formats={"ROC AUC": ".3f", "PR AUC": ".3f", "disparate impact": ".3f"})
    return [Row([chart, table])]
