"""Figures for overlap runs (matplotlib, Agg backend, written atomically through ``core.atomic``).

The panels follow KimAu197/llm_fingerprint ``watermarking/train/plot_overlap_vs_steps.py`` and
``compare_overlap_experiments.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corpuslab.core.atomic import pyplot, save_figure
from corpuslab.overlap.curve import curve_summary, interval_rates

DPI = 120  # the figures' resolution since the first release; bounding boxes are tight


def _series(results: dict[str, Any]) -> tuple[list[int], list[float], list[float], list[float]]:
    pts = results["steps"]
    return ([p["step"] for p in pts], [p["avg_overlap_ratio"] for p in pts],
            [p["min_overlap_ratio"] for p in pts], [p["max_overlap_ratio"] for p in pts])


def plot_overlap_vs_steps(results: dict[str, Any], path: str | Path, title: str | None = None) -> Path:
    """Mean overlap with the min–max band over prompts and the chance line k/V."""
    plt = pyplot()
    steps, mean, lo, hi = _series(results)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.fill_between(steps, lo, hi, alpha=0.2, label="min–max over prompts")
    ax.plot(steps, mean, marker="o", ms=3, label="mean overlap")
    ax.axhline(results["chance"], color="grey", ls="--", lw=1, label=f"chance k/V = {results['chance']:.4f}")
    ax.set_xlabel("training step")
    ax.set_ylabel(f"bottom-{results['k']} overlap with base")
    ax.set_ylim(0, 1.05)
    ax.set_title(title or "Fingerprint overlap vs training steps")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    return save_figure(fig, path, dpi=DPI, tight=True)


def plot_overlap_analysis(results: dict[str, Any], path: str | Path) -> Path:
    """2×2: mean curve, per-prompt curves, per-interval decrease rate, training loss."""
    plt = pyplot()
    steps, mean, lo, hi = _series(results)
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    ax = axes[0, 0]
    ax.fill_between(steps, lo, hi, alpha=0.2)
    ax.plot(steps, mean, marker="o", ms=3)
    ax.axhline(results["chance"], color="grey", ls="--", lw=1)
    ax.set(title="mean overlap (band: min–max)", xlabel="step", ylabel="overlap", ylim=(0, 1.05))
    ax = axes[0, 1]
    per_prompt = list(zip(*[p["overlap_scores"] for p in results["steps"]], strict=True))
    for i, row in enumerate(per_prompt):
        ax.plot(steps, row, lw=1, alpha=0.8, label=f"prompt {i}" if i < 10 else None)
    ax.set(title="overlap per fingerprint prompt", xlabel="step", ylabel="overlap", ylim=(0, 1.05))
    if len(per_prompt) <= 10:
        ax.legend(fontsize=7)
    ax = axes[1, 0]
    rates = interval_rates(steps, mean)
    if rates:
        ax.bar([r["step"] for r in rates], [r["rate"] for r in rates],
               width=[0.8 * (r["step_to"] - r["step_from"]) for r in rates])
    ax.axhline(0, color="black", lw=0.8)
    ax.set(title="decrease rate per interval  (o[j-1]-o[j])/(s[j]-s[j-1])", xlabel="step", ylabel="per step")
    ax = axes[1, 1]
    loss = [(h["step"], h["loss"]) for h in results.get("log_history", []) if "loss" in h and "step" in h]
    if loss:
        ax.plot([s for s, _ in loss], [v for _, v in loss])
    ax.set(title="training loss", xlabel="step", ylabel="loss")
    s = results.get("summary", {})
    fig.suptitle(f"{results.get('config', {}).get('base_model', '')}: overlap {s.get('overlap_first', 0):.3f} → "
                 f"{s.get('overlap_last', 0):.3f}, chance {results['chance']:.4f}")
    for a in axes.ravel():
        a.grid(alpha=0.3)
    fig.tight_layout()
    return save_figure(fig, path, dpi=DPI, tight=True)


def plot_comparison(runs: Sequence[tuple[str, dict[str, Any]]], path: str | Path) -> Path:
    """The reference's 2×2 comparison: curves, per-interval decrease rate, final overlap bars, stats table."""
    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(13, 9))
    rows = []
    for label, res in runs:
        steps, mean, _, _ = _series(res)
        axes[0, 0].plot(steps, mean, marker="o", ms=3, label=label)
        rates = interval_rates(steps, mean)
        axes[0, 1].plot([r["step"] for r in rates], [r["rate"] for r in rates], marker=".", label=label)
        s = curve_summary(steps, mean)
        rows.append([label, f"{s['overlap_first']:.4f}", f"{s['overlap_last']:.4f}", f"{s['decrease_rate']:.5f}",
                     str(s["first_step_below_0_5"] if s["first_step_below_0_5"] is not None else "—"),
                     f"{s['min_overlap']:.4f} @ {s['min_step']}"])
    chance = runs[0][1]["chance"] if runs else 0.0
    axes[0, 0].axhline(chance, color="grey", ls="--", lw=1, label=f"chance {chance:.4f}")
    axes[0, 0].set(title="overlap vs training steps", xlabel="step", ylabel="overlap", ylim=(0, 1.05))
    axes[0, 0].legend(fontsize=8)
    axes[0, 1].axhline(0, color="black", lw=0.8)
    axes[0, 1].set(title="decrease rate per interval", xlabel="step", ylabel="overlap lost per step")
    axes[0, 1].legend(fontsize=8)
    labels = [lab for lab, _ in runs]
    finals = [r[1]["summary"]["overlap_last"] for r in runs]
    bars = axes[1, 0].bar(labels, finals, color=[f"C{i}" for i in range(len(runs))])
    axes[1, 0].bar_label(bars, fmt="%.3f")
    axes[1, 0].axhline(chance, color="grey", ls="--", lw=1)
    axes[1, 0].set(title="final overlap", ylabel="overlap", ylim=(0, 1.05))
    axes[1, 1].axis("off")
    table = axes[1, 1].table(cellText=rows, colLabels=["run", "first", "last", "decrease/step", "first <0.5", "min"],
                             loc="center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1, 1.6)
    axes[1, 1].set_title("statistics")
    for a in axes.ravel()[:3]:
        a.grid(alpha=0.3)
    fig.tight_layout()
    return save_figure(fig, path, dpi=DPI, tight=True)
