"""``revert eval``: score a feature table with a saved model; write metrics.json, plots and report.md.

The metrics themselves are :mod:`corpuslab.revert.metrics` (overall, per language, anonymous vs
registered, the balanced subset ``is_balanced``, disparate impact — 7.93 for the true labels in the
paper's hold-out). Baselines in the same table: the plain logistic regression and ``score = is_anonymous``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from corpuslab.core.atomic import atomic_path, pyplot, save_figure, write_json_atomic
from corpuslab.core.errors import DataError
from corpuslab.core.runcard import run_card
from corpuslab.core.runinfo import run_info
from corpuslab.revert.classifier import load_classifier, score_table
from corpuslab.revert.config import EvalConfig
from corpuslab.revert.metrics import RECALL_LEVEL, evaluate_scores

# ---- plots and report --------------------------------------------------------------------------------


def plot_curves(y: np.ndarray, score: np.ndarray, anon: np.ndarray, out_dir: Path,
                baseline: np.ndarray | None = None) -> list[str]:
    from sklearn.metrics import precision_recall_curve, roc_curve

    plt = pyplot()
    anon = anon.astype(bool)
    groups = [("all", np.ones(len(y), bool)), ("anonymous", anon), ("registered", ~anon)]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for name, m in groups:
        if 0 < y[m].sum() < m.sum():
            fpr, tpr, _ = roc_curve(y[m], score[m])
            axes[0].plot(fpr, tpr, label=name)
            p, r, _ = precision_recall_curve(y[m], score[m])
            axes[1].plot(r, p, label=name)
    if baseline is not None and not np.isnan(baseline).all() and 0 < y.sum() < len(y):
        fpr, tpr, _ = roc_curve(y, baseline)
        axes[0].plot(fpr, tpr, "--", label="logistic regression (all)")
    axes[0].plot([0, 1], [0, 1], ":", color="grey")
    axes[0].set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    axes[1].axvline(RECALL_LEVEL, ls=":", color="grey")
    axes[1].set(xlabel="recall", ylabel="precision", title="Precision–recall")
    for ax in axes:
        ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    save_figure(fig, out_dir / "curves.png", dpi=110)
    return ["curves.png"]


def plot_languages(metrics: dict[str, Any], out_dir: Path) -> str:
    plt = pyplot()

    langs = list(metrics["per_language"])
    auc = [metrics["per_language"][lg]["roc_auc"] or 0 for lg in langs]
    lr = metrics.get("logistic_regression", {}).get("per_language", {})
    x = np.arange(len(langs))
    fig, ax = plt.subplots(figsize=(max(4, 1.2 * len(langs) + 2), 3.8))
    ax.bar(x - 0.2, auc, 0.4, label="classifier")
    if lr:
        ax.bar(x + 0.2, [lr.get(lg) or 0 for lg in langs], 0.4, label="logistic regression")
    ax.set_xticks(x, langs)
    ax.set(ylim=(0, 1), ylabel="ROC AUC", title="ROC AUC per language")
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out_dir / "per_language_auc.png", dpi=110)
    return "per_language_auc.png"


def _fmt(v: Any) -> str:
    return "—" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def markdown_report(m: dict[str, Any], plots: list[str], title: str = "Revert risk evaluation") -> str:
    key = f"precision_at_recall_{RECALL_LEVEL}"
    cols = ["n", "positives", "roc_auc", "pr_auc", key, "accuracy", "f1"]
    head = "| group | " + " | ".join(c.replace("precision_at_recall_", "P@R") for c in cols) + " |\n|" + "---|" * (len(cols) + 1) + "\n"

    def row(name: str, d: dict[str, Any]) -> str:
        return f"| {name} | " + " | ".join(_fmt(d.get(c)) for c in cols) + " |\n"

    s = f"# {title}\n\nMetrics on the unbalanced test set (threshold {m['threshold']} for accuracy/F1). "
    s += ("Definitions: Trokhymovych et al., KDD 2023 (ROC AUC, PR AUC = average precision, precision at "
          "recall 0.75).\n\n")
    s += "## Overall and by user type\n\n" + head + row("all", m["overall"])
    for k, v in m["by_user_type"].items():
        s += row(k, v)
    if "logistic_regression" in m:
        s += row("logistic regression (all)", m["logistic_regression"])
    s += row("score = is_anonymous (all)", m["is_anonymous_baseline"])
    di = m["disparate_impact"]
    s += (f"\n**Disparate impact** (anonymous / registered, positive rate at {m['threshold']}): "
          f"model {_fmt(di['ratio'])}, true labels {_fmt(di['ground_truth'])}; AUC gap (registered − anonymous) "
          f"{_fmt(di['auc_gap'])}. Reference: ORES 20.0, final multilingual model 9.5, ground truth 7.93.\n\n")
    s += "## Per language\n\n" + head
    for k, v in m["per_language"].items():
        s += row(k, v)
    if "balanced" in m:
        s += "\n## Balanced subset (`is_balanced`: language × anonymity × label)\n\n" + head + row("all", m["balanced"]["overall"])
        for k, v in m["balanced"]["per_language"].items():
            s += row(k, v)
    if "table_comparison" in m:
        tc = m["table_comparison"]
        s += "\n## Same classifier on the ORES feature table\n\n| model | ROC AUC | PR AUC |\n|---|---|---|\n"
        for k in (tc["backend"], "logistic_regression"):
            s += f"| {k} | {_fmt(tc[k]['roc_auc'])} | {_fmt(tc[k]['pr_auc'])} |\n"
    s += "\n## Plots\n\n" + "".join(f"![{p}]({p})\n\n" for p in plots)
    return s


def evaluate(cfg: EvalConfig) -> dict[str, Any]:
    """Score ``cfg.features_dir/<split>.parquet`` with the saved model; write metrics.json, plots and report.md."""
    p = Path(cfg.features_dir) / f"{cfg.split}.parquet"
    if not p.exists():
        raise DataError(f"{p}: not found (run `corpuslab revert features` first)")
    with run_card(cfg.out, "revert-eval", cfg, inputs={"model": cfg.model, "features": p}) as card:
        m = _evaluate(cfg, p)
        card.counts.update(revisions=m["overall"]["n"], reverted=m["overall"]["positives"],
                           roc_auc=m["overall"]["roc_auc"], pr_auc=m["overall"]["pr_auc"],
                           precision_at_recall=m["overall"][f"precision_at_recall_{RECALL_LEVEL}"],
                           roc_auc_per_language={k: v["roc_auc"] for k, v in m["per_language"].items()},
                           roc_auc_anonymous=m["by_user_type"]["anonymous"]["roc_auc"],
                           roc_auc_registered=m["by_user_type"]["registered"]["roc_auc"],
                           disparate_impact=m["disparate_impact"]["ratio"])
        card.outputs.update(metrics="metrics.json", report="report.md", plots=m["plots"])
    return m


def _evaluate(cfg: EvalConfig, p: Path) -> dict[str, Any]:
    table = pq.read_table(p)
    if table.num_rows == 0:
        raise DataError(f"{p}: no revisions to evaluate")
    clf = load_classifier(cfg.model)
    score, lr = score_table(clf, table)
    y = table["is_reverted"].to_numpy(zero_copy_only=False).astype(int)
    lang = table["lang"].to_numpy(zero_copy_only=False).astype(str)
    anon = table["is_anonymous"].to_numpy(zero_copy_only=False).astype(bool)
    bal = table["is_balanced"].to_numpy(zero_copy_only=False).astype(bool) if "is_balanced" in table.column_names else None
    m = evaluate_scores(y, score, lang, anon, bal, lr, cfg.threshold)
    if "table_comparison" in clf.meta:
        m["table_comparison"] = clf.meta["table_comparison"]
    m.update({"model_dir": str(cfg.model), "features": str(p), "split": cfg.split, **run_info()})
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    plots = plot_curves(y, score, anon, out, lr) + [plot_languages(m, out)]
    m["plots"] = plots
    write_json_atomic(out / "metrics.json", m)
    with atomic_path(out / "report.md") as tmp:
        Path(tmp).write_text(markdown_report(m, plots), encoding="utf-8")
    return m
