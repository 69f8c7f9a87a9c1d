"""The estimators' and the evaluator's figures are written as PNG files (and nothing without data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corpuslab.anatomy.evaluate import score_mixture
from corpuslab.anatomy.minkpp import DocScores
from corpuslab.anatomy.plots import plot_mixtures, plot_score_histogram

PNG = b"\x89PNG\r\n\x1a\n"


def test_plot_mixtures(tmp_path: Path) -> None:
    scores = [score_mixture({"web": 0.7, "books": 0.3}, {"web": 0.5, "books": 0.5}, run="r", method="bbse")]
    plot_mixtures(scores, tmp_path / "m.png", title="t")
    assert (tmp_path / "m.png").read_bytes().startswith(PNG)
    plot_mixtures([], tmp_path / "none.png")
    assert not (tmp_path / "none.png").exists()


def test_plot_score_histogram_skips_non_finite_scores(tmp_path: Path) -> None:
    v = np.array([0.1, np.nan, 0.3, 0.2])
    plot_score_histogram({"a": DocScores(v, v, v, np.ones(4, dtype=int))}, tmp_path / "h.png")
    assert (tmp_path / "h.png").read_bytes().startswith(PNG)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.png"]  # written atomically: no temp file left
