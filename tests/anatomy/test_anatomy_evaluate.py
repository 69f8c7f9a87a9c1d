"""Evaluator: overlap accuracy, tolerance accuracy and 6/7-class alignment on hand-computed cases; specs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from corpuslab.anatomy.evaluate import (
    align,
    builtin_specs,
    evaluate_runs,
    load_spec,
    overlap_accuracy,
    read_estimates,
    score_mixture,
    tolerance_accuracy,
    uniform_guess,
    write_report,
)
from corpuslab.core.errors import ConfigError, DataError


def test_overlap_accuracy_hand_computed() -> None:
    assert overlap_accuracy(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == pytest.approx(0.5)
    assert overlap_accuracy(np.array([0.2, 0.3, 0.5]), np.array([0.2, 0.3, 0.5])) == pytest.approx(1.0)
    assert overlap_accuracy(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(0.0)
    # ½(|.1-.3| + |.6-.5| + |.3-.2|) = 0.2
    assert overlap_accuracy(np.array([0.1, 0.6, 0.3]), np.array([0.3, 0.5, 0.2])) == pytest.approx(0.8)


def test_tolerance_accuracy() -> None:
    e, g = np.array([0.10, 0.31, 0.59]), np.array([0.11, 0.34, 0.55])
    assert tolerance_accuracy(e, g, 0.02) == pytest.approx(1 / 3)
    assert tolerance_accuracy(e, g, 0.05) == pytest.approx(1.0)


def test_six_vs_seven_class_alignment() -> None:
    est6 = {"web": 0.8, "github": 0.2}
    truth7 = {"commoncrawl": 0.6, "c4": 0.2, "github": 0.2}
    cats, e, g = align(est6, truth7)
    assert cats == ["web", "github"]
    np.testing.assert_allclose(g, [0.8, 0.2])
    assert score_mixture(est6, truth7).accuracy == pytest.approx(1.0)
    # 7-class estimate vs 6-class truth: merged the other way
    s = score_mixture({"commoncrawl": 0.5, "c4": 0.1, "code": 0.4}, {"web": 0.8, "github": 0.2})
    assert s.categories == ["web", "github"] and s.accuracy == pytest.approx(0.8)


def test_seven_class_kept_when_both_sides_are_seven_class() -> None:
    cats, e, g = align({"commoncrawl": 1, "c4": 1}, {"commoncrawl": 3, "c4": 1})
    assert cats == ["commoncrawl", "c4"]
    assert overlap_accuracy(e, g) == pytest.approx(0.75)


def test_missing_categories_count_as_zero_and_unnormalised_input_is_normalised() -> None:
    s = score_mixture({"books": 2, "arxiv": 2}, {"books": 1, "wikipedia": 1})
    assert s.accuracy == pytest.approx(0.5)


def test_builtin_specs_load_and_normalise() -> None:
    specs = builtin_specs()
    assert {"olmo1b", "pythia", "starcoder", "llama1", "amber"} <= set(specs)
    for name in specs:
        sp = load_spec(name)
        assert sum(sp.weights.values()) == pytest.approx(1.0)
        assert "sources" in sp.meta
    olmo = load_spec("olmo1b").weights
    assert olmo["commoncrawl"] == pytest.approx(0.7456, abs=1e-4)
    assert olmo["github"] == pytest.approx(0.1343, abs=1e-4)
    assert load_spec("starcoder").weights["github"] == 1.0
    assert load_spec("llama1").weights["stackexchange"] == pytest.approx(0.02)
    pythia = load_spec("pythia").weights
    assert pythia["arxiv"] == pytest.approx(0.2711, abs=1e-4)


@pytest.mark.parametrize(("spec", "k", "expected"), [
    ("olmo1b", 7, 0.397), ("olmo1b", 6, 0.356), ("pythia", 6, 0.638), ("pythia", 7, 0.583), ("amber", 7, 0.511),
])
def test_uniform_guess_matches_reference_calibration(spec: str, k: int, expected: float) -> None:
    """Uniform-guess accuracies from /work/shared/reference/fingerprint_and_mixture.md §8."""
    from corpuslab.anatomy.categories import CATEGORIES_6, CATEGORIES_7

    cats = list(CATEGORIES_7 if k == 7 else CATEGORIES_6)
    acc = score_mixture(uniform_guess(cats), load_spec(spec).weights).accuracy
    assert acc == pytest.approx(expected, abs=0.0015)


def test_spec_with_unknown_category_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("name: bad\ncategory_weights:\n  commoncrawl: 50\n  podcasts: 50\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: category_weights.podcasts: unknown category"):
        load_spec(p)


def test_spec_bad_weights(tmp_path: Path) -> None:
    p = tmp_path / "neg.yaml"
    p.write_text("category_weights:\n  books: -1\n  arxiv: 2\n")
    with pytest.raises(ConfigError, match="books"):
        load_spec(p)
    p.write_text("category_weights:\n  books: 0\n")
    with pytest.raises(ConfigError, match="sum to 0"):
        load_spec(p)
    p.write_text("name: x\n")
    with pytest.raises(ConfigError, match="category_weights"):
        load_spec(p)
    with pytest.raises(ConfigError, match="no such file"):
        load_spec(tmp_path / "nope.yaml")


def _write_runs(tmp_path: Path) -> tuple[Path, Path]:
    ls = tmp_path / "ls"
    ls.mkdir()
    (ls / "summary.json").write_text(json.dumps({"priors": {
        "bbse": {"point": {"web": 0.8, "github": 0.2}, "mean": {"web": 0.7, "github": 0.3}},
        "em": {"mean": {"web": 0.6, "github": 0.4}}}}))
    mk = tmp_path / "mk"
    mk.mkdir()
    (mk / "summary.json").write_text(json.dumps({"global_mixture_over_sampled_pool": {"commoncrawl": 0.25, "c4": 0.25,
                                                                                       "github": 0.5}}))
    return ls, mk


def test_read_estimates_both_estimators_and_compare_report(tmp_path: Path) -> None:
    ls, mk = _write_runs(tmp_path)
    assert read_estimates(ls) == {"bbse": {"web": 0.8, "github": 0.2}, "em": {"web": 0.6, "github": 0.4}}
    assert read_estimates(mk / "summary.json", method="minkpp")["minkpp"]["github"] == 0.5
    spec = tmp_path / "t.yaml"
    spec.write_text("name: t\ncategory_weights: {commoncrawl: 60, c4: 20, github: 20}\n")
    scores = evaluate_runs([str(ls), str(mk)], load_spec(spec), tol=0.02)
    acc = {(s.run, s.method): s.accuracy for s in scores}
    assert acc[("ls", "bbse")] == pytest.approx(1.0)
    assert acc[("ls", "em")] == pytest.approx(0.8)
    assert acc[("mk", "minkpp")] == pytest.approx(0.65)  # 7-class both sides: ½(.35+.05+.3)
    assert acc[("uniform-guess", "uniform")] == pytest.approx(0.7)  # web/github uniform: ½(.3+.3)
    paths = write_report(scores, load_spec(spec), tmp_path / "ev")
    report = Path(paths["report"]).read_text()
    assert "| ls | bbse | 1.0000 |" in report
    assert Path(paths["plot"]).stat().st_size > 1000
    with pytest.raises(DataError, match="no estimate for method 'minkpp'"):
        read_estimates(ls, method="minkpp")
    with pytest.raises(DataError, match="no summary.json"):
        read_estimates(tmp_path / "nothing")
