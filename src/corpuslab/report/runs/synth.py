"""``corpuslab anatomy synth``: a model trained from scratch on a known mixture, the estimators' benchmark.

Reads ``synth.json`` (true mixture, each estimate with its accuracy, member/non-member AUROC). A container:
its ``labelshift/``, ``minkpp/`` and ``evaluation/`` runs are shown beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpuslab.report.artefacts import read_result, to_float
from corpuslab.report.blocks import Block, Note, Row, Run, Table
from corpuslab.report.charts import ChartStyle, bar_chart
from corpuslab.report.mixtures import as_mixture, mixture_accuracy, normalise
from corpuslab.report.runs.anatomy import SYNTH_FILE, categories_of


def load(path: Path, card: dict[str, Any]) -> Run:
    problems: list[str] = []
    summary = read_result(path / SYNTH_FILE, card, problems, "the experiment stopped before its summary")
    return Run(path, card["kind"], card, {"summary": summary if isinstance(summary, dict) else {}},
               problems=problems)


def render(run: Run) -> list[Block]:
    s = run.data["summary"]
    truth = normalise(as_mixture(s.get("true_mixture") or {}))
    if not truth:
        return [Note(f"{SYNTH_FILE} has no true mixture yet.", "warn")]
    est = {k: normalise(as_mixture(v)) for k, v in (s.get("estimates") or {}).items() if as_mixture(v)}
    tr = s.get("train") or {}
    bits = [f"A {int(tr['params']):,}-parameter model trained from scratch" if tr.get("params") else "A model "
            "trained from scratch", "on a known mixture of real categories (held-out documents kept aside)"]
    blocks: list[Block] = [Note(" ".join(bits) + "; both estimators run on it and are scored against the truth.")]
    cats = categories_of(truth, *est.values())
    series = {"true mixture": [truth.get(c, 0.0) for c in cats], **{m: [e.get(c, 0.0) for c in cats]
                                                                     for m, e in est.items()}}
    chart = bar_chart("anatomy-synth-mixture", "Estimated vs true mixture (synth)", cats, series,
                      ChartStyle(percent=True, y_title="share"))
    acc = s.get("accuracy") or {}
    rows = [[m, to_float(acc.get(m)) if m in acc else mixture_accuracy(e, truth)] for m, e in est.items()]
    if s.get("uniform_accuracy") is not None:
        rows.append(["uniform guess", to_float(s["uniform_accuracy"])])
    blocks.append(Row([chart, Table(["estimate", "accuracy"], rows, formats={"accuracy": ".4f"})]))
    auc = s.get("auroc") or {}
    metrics = list((auc.get("macro") or auc.get("pooled") or {}).keys())
    if metrics:
        rows = [[m, to_float((auc.get("macro") or {}).get(m)), to_float((auc.get("pooled") or {}).get(m))]
                for m in metrics]
        blocks.append(Table(["score", "AUROC (per category, macro)", "AUROC (pooled)"], rows,
                            formats={"AUROC (per category, macro)": ".3f", "AUROC (pooled)": ".3f"},
                            caption="Members vs non-members of the training data (Min-K%++ is expected best)"))
    return blocks
