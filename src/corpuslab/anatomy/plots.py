"""Plots for the anatomy estimators and the evaluator (``corpuslab.core.atomic``: headless, atomic PNGs)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from corpuslab.core.atomic import pyplot, save_figure


def plot_confusion(c: np.ndarray, classes: list[str], path: str | os.PathLike[str]) -> None:
    """Row-normalised held-out confusion P(ŷ|y), annotated."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(1.0 + 0.8 * len(classes), 0.8 + 0.8 * len(classes)))
    im = ax.imshow(c, vmin=0, vmax=1, cmap="Blues")
    ax.set_xticks(range(len(classes)), classes, rotation=35, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(len(classes)):
        for j in range(len(classes)):
            ax.text(j, i, f"{c[i, j]:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if c[i, j] > 0.5 else "black")
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax.set_title("held-out confusion P(ŷ|y)")
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def plot_priors(res: Any, path: str | os.PathLike[str]) -> None:
    """BBSE and EM priors with bootstrap CIs, next to the classifier's training priors."""
    plt = pyplot()
    classes = res.classes
    x = np.arange(len(classes))
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(classes)), 4))
    for off, est, color in ((-0.2, res.bbse, "tab:blue"), (0.2, res.em, "tab:orange")):
        yerr = np.vstack([np.clip(est.point - est.ci_low, 0, None), np.clip(est.ci_high - est.point, 0, None)])
        ax.bar(x + off, est.point, 0.4, yerr=yerr, capsize=3, label=est.method.upper(), color=color)
    ax.scatter(x, res.train_priors, marker="_", s=400, color="black", label="classifier training prior")
    ax.set_xticks(x, classes, rotation=20)
    ax.set_ylabel("estimated share")
    ax.legend(fontsize=8)
    ax.set_title("estimated training-data mixture (95% bootstrap CI)")
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def plot_pbar_vs_ctpi(res: Any, path: str | os.PathLike[str]) -> None:
    """Fit check: mean target posterior p̄ against Cᵀπ̂ (BBSE) — equal when the linear system is consistent."""
    plt = pyplot()
    classes = res.classes
    ctpi = res.confusion.T @ res.bbse.point
    x = np.arange(len(classes))
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(classes)), 4))
    ax.bar(x - 0.2, res.pbar, 0.4, label="p̄ (mean posterior on generations)")
    ax.bar(x + 0.2, ctpi, 0.4, label="Cᵀπ̂ (BBSE fit)")
    ax.set_xticks(x, classes, rotation=20)
    ax.legend(fontsize=8)
    ax.set_title(f"p̄ vs Cᵀπ̂ (L1 gap {np.abs(res.pbar - ctpi).sum():.3f})")
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def plot_score_histogram(scores: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Min-K%++ score distribution per category (``scores``: category → :class:`~corpuslab.anatomy.minkpp.DocScores`)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for c, s in scores.items():
        v = s.minkpp[np.isfinite(s.minkpp)]
        if len(v):
            ax.hist(v, bins=30, alpha=0.5, label=c)
    ax.set_xlabel("Min-K%++ score (higher = more member-like)")
    ax.set_ylabel("documents")
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def plot_mixtures(scores: list[Any], path: str | os.PathLike[str], title: str = "") -> None:
    """Truth and every scored estimate side by side per category (``scores``: evaluator :class:`Score` rows)."""
    if not scores:
        return
    plt = pyplot()
    cats = scores[0].categories
    x = np.arange(len(cats))
    width = 0.8 / (len(scores) + 1)
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(cats)), 4))
    ax.bar(x - 0.4 + width / 2, scores[0].truth, width, label="truth", color="black")
    for i, s in enumerate(scores, 1):
        vals = [s.estimate[s.categories.index(c)] if c in s.categories else 0.0 for c in cats]
        ax.bar(x - 0.4 + width * (i + 0.5), vals, width, label=f"{s.run}/{s.method} (acc {s.accuracy:.3f})")
    ax.set_xticks(x, cats, rotation=20)
    ax.set_ylabel("share")
    ax.set_title(title)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)
