"""``revert eval``: metrics overall, per language and anonymous vs registered; plots; a Markdown report.

Metrics follow the reference evaluation (notes B.5): ROC AUC and precision at recall 0.75 on the
unbalanced set; PR AUC (average precision); accuracy and F1 at a 0.5 threshold on the balanced subset
(``is_balanced``); fairness as AIF360's disparate-impact ratio P(ŷ=1 | anonymous) / P(ŷ=1 | registered)
at threshold 0.5, beside the same ratio of the true labels (7.93 in the paper's hold-out) and the AUC gap.
Baselines in the same table: the plain logistic regression and ``score = is_anonymous``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from corpuslab.core.atomic import atomic_path, write_json_atomic
from corpuslab.core.errors import DataError
from corpuslab.core.runinfo import run_info

RECALL_LEVEL = 0.75


def precision_at_recall(y: np.ndarray, score: np.ndarray, recall: float = RECALL_LEVEL) -> float | None:
    """Precision at the highest threshold whose recall is still ≥ ``recall`` (None without positives)."""
    y = np.asarray(y).astype(bool)
    if y.sum() == 0:
        return None
    order = np.argsort(-score, kind="stable")
    s, t = score[order], y[order]
    tp = np.cumsum(t)
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # end of each tie group = a threshold
    rec = tp[last] / y.sum()
    prec = tp[last] / (last + 1)
    ok = np.nonzero(rec >= recall - 1e-12)[0]
    return float(prec[ok[0]])


def binary_metrics(y: np.ndarray, score: np.ndarray, threshold: float = 0.5) -> dict[str, Any]:
    from sklearn.metrics import average_precision_score, roc_auc_score

    y = np.asarray(y).astype(int)
    score = np.asarray(score, dtype=np.float64)
    both = 0 < y.sum() < len(y)
    pred = score >= threshold
    tp = int((pred & (y == 1)).sum())
    prec = tp / pred.sum() if pred.sum() else 0.0
    rec = tp / y.sum() if y.sum() else 0.0
    return {
        "n": len(y), "positives": int(y.sum()), "revert_rate": round(float(y.mean()), 4) if len(y) else None,
        "roc_auc": round(float(roc_auc_score(y, score)), 4) if both else None,
        "pr_auc": round(float(average_precision_score(y, score)), 4) if both else None,
        f"precision_at_recall_{RECALL_LEVEL}": _r(precision_at_recall(y, score)),
        "accuracy": round(float((pred == y).mean()), 4) if len(y) else None,
        "f1": round(float(2 * prec * rec / (prec + rec)), 4) if prec + rec else 0.0,
    }


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def disparate_impact(pred: np.ndarray, anon: np.ndarray) -> float | None:
    """P(pred | anonymous) / P(pred | registered); None when a group is empty or never predicted."""
    anon = anon.astype(bool)
    if anon.sum() == 0 or (~anon).sum() == 0:
        return None
    a, r = pred[anon].mean(), pred[~anon].mean()
    return round(float(a / r), 4) if r > 0 else (math.inf if a > 0 else None)


def evaluate_scores(y: np.ndarray, score: np.ndarray, lang: np.ndarray, anon: np.ndarray,
                    balanced: np.ndarray | None = None, baseline: np.ndarray | None = None,
                    threshold: float = 0.5) -> dict[str, Any]:
    """Everything the report shows, as one JSON-able dict (the ``report`` workflow reads this shape)."""
    anon = anon.astype(bool)
    out: dict[str, Any] = {"threshold": threshold, "overall": binary_metrics(y, score, threshold)}
    out["per_language"] = {lg: binary_metrics(y[lang == lg], score[lang == lg], threshold) for lg in sorted(set(lang))}
    out["by_user_type"] = {"anonymous": binary_metrics(y[anon], score[anon], threshold),
                           "registered": binary_metrics(y[~anon], score[~anon], threshold)}
    a_auc, r_auc = out["by_user_type"]["anonymous"]["roc_auc"], out["by_user_type"]["registered"]["roc_auc"]
    out["disparate_impact"] = {
        "ratio": disparate_impact(score >= threshold, anon), "ground_truth": disparate_impact(y.astype(bool), anon),
        "auc_gap": round(r_auc - a_auc, 4) if a_auc is not None and r_auc is not None else None,
        "definition": "P(score>=threshold | anonymous) / P(score>=threshold | registered)",
    }
    if balanced is not None and balanced.any():
        b = balanced.astype(bool)
        out["balanced"] = {"overall": binary_metrics(y[b], score[b], threshold),
                           "per_language": {lg: binary_metrics(y[b & (lang == lg)], score[b & (lang == lg)], threshold)
                                            for lg in sorted(set(lang[b]))}}
    out["is_anonymous_baseline"] = binary_metrics(y, anon.astype(float), threshold)
    if baseline is not None and not np.isnan(baseline).all():
        out["logistic_regression"] = binary_metrics(y, baseline, threshold)
        out["logistic_regression"]["per_language"] = {
            lg: binary_metrics(y[lang == lg], baseline[lang == lg], threshold)["roc_auc"] for lg in sorted(set(lang))}
    return out


# ---- plots and report --------------------------------------------------------------------------------


def plot_curves(y: np.ndarray, score: np.ndarray, anon: np.ndarray, out_dir: Path,
                baseline: np.ndarray | None = None) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve, roc_curve

    anon = anon.astype(bool)
    groups = [("all", np.ones(len(y), bool)), ("anonymous", anon), ("registered", ~anon)]
    files = []
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
    with atomic_path(out_dir / "curves.png") as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    files.append("curves.png")
    return files


def plot_languages(metrics: dict[str, Any], out_dir: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    with atomic_path(out_dir / "per_language_auc.png") as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
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
    s += "Definitions: research notes B.5 (ROC AUC, PR AUC = average precision, precision at recall 0.75).\n\n"
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


def evaluate(model_dir: str | Path, features_dir: str | Path, out_dir: str | Path, split: str = "test",
             threshold: float = 0.5) -> dict[str, Any]:
    """Score ``features_dir/<split>.parquet`` with a saved model; write metrics.json, plots and report.md."""
    from corpuslab.revert.classifier import load_classifier, score_table

    p = Path(features_dir) / f"{split}.parquet"
    if not p.exists():
        raise DataError(f"{p}: not found (run `corpuslab revert features` first)")
    table = pq.read_table(p)
    if table.num_rows == 0:
        raise DataError(f"{p}: no revisions to evaluate")
    score, lr = score_table(model_dir, table)
    y = table["is_reverted"].to_numpy(zero_copy_only=False).astype(int)
    lang = table["lang"].to_numpy(zero_copy_only=False).astype(str)
    anon = table["is_anonymous"].to_numpy(zero_copy_only=False).astype(bool)
    bal = table["is_balanced"].to_numpy(zero_copy_only=False).astype(bool) if "is_balanced" in table.column_names else None
    m = evaluate_scores(y, score, lang, anon, bal, lr, threshold)
    meta = load_classifier(model_dir).meta
    if "table_comparison" in meta:
        m["table_comparison"] = meta["table_comparison"]
    m.update({"model_dir": str(model_dir), "features": str(p), "split": split, **run_info()})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plots = plot_curves(y, score, anon, out, lr) + [plot_languages(m, out)]
    m["plots"] = plots
    write_json_atomic(out / "metrics.json", m)
    with atomic_path(out / "report.md") as tmp:
        Path(tmp).write_text(markdown_report(m, plots), encoding="utf-8")
    return m
