"""Revert-risk metrics as pure functions: ROC/PR AUC, precision at recall, disparate impact, group tables.

Definitions follow the paper's evaluation (Trokhymovych et al., KDD 2023; trokhymovych/KI_multilingual_training
``notebooks/performance_metrics_calculation.ipynb``): ROC AUC and precision at recall 0.75 on the unbalanced
set; PR AUC (average precision); accuracy and F1 at a threshold; fairness as AIF360's disparate-impact
ratio P(ŷ=1 | anonymous) / P(ŷ=1 | registered) beside the same ratio of the true labels and the AUC gap.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

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
    """Counts, ROC/PR AUC and precision at recall 0.75 (ranking); accuracy and F1 at ``threshold``."""
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
        f"precision_at_recall_{RECALL_LEVEL}": _round4(precision_at_recall(y, score)),
        "accuracy": round(float((pred == y).mean()), 4) if len(y) else None,
        "f1": round(float(2 * prec * rec / (prec + rec)), 4) if prec + rec else 0.0,
    }


def _round4(v: float | None) -> float | None:
    """Four decimals, as every metric in metrics.json; None stays None."""
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
