"""The run and comparison figures are written as PNGs (atomically, no temp files left)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image

from corpuslab.overlap.plots import plot_comparison, plot_overlap_analysis, plot_overlap_vs_steps


def _results(overlaps: list[float]) -> dict:
    steps = [{"step": 10 * i, "avg_overlap_ratio": o, "min_overlap_ratio": o - 0.1, "max_overlap_ratio": min(o + 0.1, 1),
              "overlap_scores": [o - 0.1, o, min(o + 0.1, 1)]} for i, o in enumerate(overlaps)]
    return {"k": 100, "chance": 0.2, "steps": steps, "config": {"base_model": "m"},
            "log_history": [{"step": 10, "loss": 3.0}, {"step": 20, "loss": 2.5}],
            "summary": {"overlap_first": overlaps[0], "overlap_last": overlaps[-1]}}


def test_run_figures(tmp_path: Path) -> None:
    res = _results([1.0, 0.9, 0.7, 0.6])
    curve = plot_overlap_vs_steps(res, tmp_path / "curve.png", title="t")
    analysis = plot_overlap_analysis(res, tmp_path / "analysis.png")
    h, w = matplotlib.image.imread(curve).shape[:2]
    assert 400 < h < 600 and 700 < w < 950  # 7 × 4.2 in at 120 dpi, tight box
    h2, w2 = matplotlib.image.imread(analysis).shape[:2]
    assert h2 > h and w2 > w
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis.png", "curve.png"]


def test_comparison_figure(tmp_path: Path) -> None:
    out = plot_comparison([("a", _results([1.0, 0.8])), ("b", _results([1.0, 0.3]))], tmp_path / "c.png")
    assert matplotlib.image.imread(out).shape[0] > 800
