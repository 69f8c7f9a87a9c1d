"""BBSE and EM recover priors exactly on synthetic classifier outputs with a known shift; the runner on real text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from anatomy_fixtures import split_real

from conftest import check_run_card
from corpuslab.anatomy.config import LabelShiftConfig
from corpuslab.anatomy.labelshift import (
    BootstrapSettings,
    bbse,
    check_confusion,
    confusion_matrix,
    em_priors,
    estimate_priors,
    project_simplex,
    run_labelshift,
    stratified_split,
)
from corpuslab.core.errors import CorpuslabError, DataError

# p(x|y) over 4 discrete inputs for 3 classes (rows sum to 1, multiples of 0.1 → integer counts)
A = np.array([[0.6, 0.2, 0.1, 0.1],
              [0.1, 0.6, 0.2, 0.1],
              [0.1, 0.1, 0.2, 0.6]])
P_SOURCE = np.array([1 / 3, 1 / 3, 1 / 3])


def _posteriors(prior: np.ndarray) -> np.ndarray:
    """Exact Bayes posteriors p_s(y|x) for each of the 4 inputs under the source prior."""
    joint = prior[:, None] * A
    return (joint / joint.sum(axis=0)).T  # (4, 3)


def _world(q: np.ndarray, n_src: int = 10, n_tgt: int = 100) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    post = _posteriors(P_SOURCE)
    src_probs, src_labels = [], []
    for y in range(3):
        for x in range(4):
            cnt = int(round(A[y, x] * n_src))
            src_probs += [post[x]] * cnt
            src_labels += [y] * cnt
    px = q @ A
    tgt = []
    for x in range(4):
        tgt += [post[x]] * int(round(px[x] * n_tgt))
    return np.array(src_probs), np.array(src_labels), np.array(tgt)


@pytest.mark.parametrize("q", [np.array([0.6, 0.3, 0.1]), np.array([0.2, 0.2, 0.6]), np.array([0.5, 0.5, 0.0])])
@pytest.mark.parametrize("mode", ["soft", "hard"])
def test_bbse_recovers_shifted_priors_exactly(q: np.ndarray, mode: str) -> None:
    sp, sl, tp = _world(q)
    assert len(tp) == 100
    est = bbse(sp, sl, tp, mode=mode)
    np.testing.assert_allclose(est, q, atol=1e-9)


@pytest.mark.parametrize("q", [np.array([0.6, 0.3, 0.1]), np.array([0.2, 0.2, 0.6])])
def test_em_recovers_shifted_priors(q: np.ndarray) -> None:
    _, _, tp = _world(q)
    est, iters = em_priors(tp, P_SOURCE, max_iter=20000, tol=1e-13)
    np.testing.assert_allclose(est, q, atol=1e-6)
    assert iters > 1


def test_em_without_shift_stays_at_training_prior() -> None:
    _, _, tp = _world(P_SOURCE, n_tgt=300)
    est, _ = em_priors(tp, P_SOURCE)
    np.testing.assert_allclose(est, P_SOURCE, atol=1e-9)


def test_estimate_priors_bootstrap_ci_covers_truth_on_sampled_data() -> None:
    rng = np.random.default_rng(1)
    q = np.array([0.7, 0.2, 0.1])
    post = _posteriors(P_SOURCE)
    ys = rng.choice(3, 3000, p=P_SOURCE)
    src_x = np.array([rng.choice(4, p=A[y]) for y in ys])
    yt = rng.choice(3, 2000, p=q)
    tgt_x = np.array([rng.choice(4, p=A[y]) for y in yt])
    res = estimate_priors(post[src_x], ys, post[tgt_x], ["a", "b", "c"],
                          bootstrap=BootstrapSettings(n_bootstrap=100, seed=0))
    for est in (res.bbse, res.em):
        assert abs(est.point.sum() - 1) < 1e-9
        assert np.all(est.ci_low <= q + 0.02) and np.all(est.ci_high >= q - 0.02)
        assert np.abs(est.point - q).max() < 0.06
    s = res.summary()
    assert set(s["priors"]) == {"bbse", "em"}
    assert s["priors"]["bbse"]["ci_low"]["a"] <= s["priors"]["bbse"]["point"]["a"] <= s["priors"]["bbse"]["ci_high"]["a"]
    assert s["warnings"] == []


def test_singular_confusion_warns_and_falls_back() -> None:
    # classes 1 and 2 get identical posteriors: C has two equal rows → rank 2 < 3
    sp = np.array([[0.8, 0.1, 0.1]] * 10 + [[0.1, 0.45, 0.45]] * 20)
    sl = np.array([0] * 10 + [1] * 10 + [2] * 10)
    tp = np.array([[0.8, 0.1, 0.1]] * 5 + [[0.1, 0.45, 0.45]] * 5)
    res = estimate_priors(sp, sl, tp, ["web", "books", "wikipedia"], bootstrap=BootstrapSettings(n_bootstrap=5))
    assert res.warnings and "singular" in res.warnings[0]
    assert "books and wikipedia" in res.warnings[0]
    assert np.all(np.isfinite(res.bbse.point)) and abs(res.bbse.point.sum() - 1) < 1e-9
    # the identifiable part is still right: half the target mass is class 0
    assert res.bbse.point[0] == pytest.approx(0.5, abs=1e-6)


def test_check_confusion_names_unpredicted_class() -> None:
    c = confusion_matrix(np.eye(3)[[0, 0, 1, 1, 1, 1]], np.array([0, 0, 1, 1, 2, 2]), 3, mode="hard")
    msg = check_confusion(c, ["a", "b", "c"])
    assert msg is not None and "never predicted: c" in msg


def test_project_simplex() -> None:
    np.testing.assert_allclose(project_simplex(np.array([0.5, 0.5])), [0.5, 0.5])
    np.testing.assert_allclose(project_simplex(np.array([1.2, -0.2, 0.0])), [1.0, 0.0, 0.0])
    np.testing.assert_allclose(project_simplex(np.array([0.7, 0.6, -0.1])), [0.55, 0.45, 0.0])


def test_stratified_split_keeps_every_class_on_both_sides() -> None:
    y = np.array([0] * 10 + [1] * 3 + [2] * 2)
    tr, ho = stratified_split(y, 0.2, seed=0)
    assert set(y[tr]) == {0, 1, 2} and set(y[ho]) == {0, 1, 2}
    assert len(set(tr) & set(ho)) == 0 and len(tr) + len(ho) == len(y)


def test_without_bootstrap_the_interval_is_the_point() -> None:
    sp, sl, tp = _world(np.array([0.6, 0.3, 0.1]))
    res = estimate_priors(sp, sl, tp, ["a", "b", "c"], bootstrap=BootstrapSettings(n_bootstrap=0))
    np.testing.assert_allclose(res.bbse.ci_low, res.bbse.point)
    assert res.summary()["priors"]["em"]["n_bootstrap"] == 0


# ---- the runner -------------------------------------------------------------------------------------


def test_run_labelshift_recovers_a_known_mix_of_real_text(tmp_path: Path) -> None:
    samples, gens, truth = split_real(tmp_path)
    cfg = LabelShiftConfig(samples=str(samples), output_dir=str(tmp_path / "ls"), use_cached_generations=str(gens),
                           n_bootstrap=30)
    s = run_labelshift(cfg, progress=False)
    for m in ("bbse", "em"):
        for c, g in truth.items():
            assert s["priors"][m]["point"][c] == pytest.approx(g, abs=0.08), (m, c, s["priors"][m])
    assert s["generations"] == {"source": str(gens), "n": 40, "num_prompts": 300, "max_new_tokens": 512,
                                "temperature": 0.8, "top_p": 0.9, "top_k": 0}
    assert json.loads((tmp_path / "ls" / "summary.json").read_text())["priors"] == s["priors"]
    for f in ("summary.csv", "confusion_matrix.png", "priors.png", "pbar_vs_ctpi.png", "target_probs.npy"):
        assert (tmp_path / "ls" / f).stat().st_size > 0
    card = check_run_card(tmp_path / "ls", "anatomy-labelshift")
    assert card["counts"]["documents"] == {"books": 50, "stackexchange": 50, "github": 50}
    assert card["counts"]["generations"] == 40
    assert card["counts"]["bbse"] == s["priors"]["bbse"]["point"]
    assert card["config"]["given"]["n_bootstrap"] == 30 and card["inputs"]["use_cached_generations"] == str(gens)


def test_run_labelshift_needs_a_model_or_cached_texts_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(CorpuslabError, match="give --model"):
        run_labelshift(LabelShiftConfig(samples=str(tmp_path / "s"), output_dir=str(tmp_path / "o")), progress=False)
    assert not (tmp_path / "o").exists()


def test_run_labelshift_names_a_missing_category_file(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "books.jsonl").write_text('{"text": "a"}\n{"text": "b"}\n')
    cfg = LabelShiftConfig(samples=str(tmp_path / "s"), output_dir=str(tmp_path / "o"), categories=["books", "arxiv"],
                           use_cached_generations="x.jsonl")
    with pytest.raises(DataError, match="arxiv.jsonl: category file missing"):
        run_labelshift(cfg, progress=False)
