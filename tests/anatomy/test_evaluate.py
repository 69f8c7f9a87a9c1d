"""Evaluator: overlap accuracy, tolerance accuracy and 6/7-class alignment on hand-computed cases; specs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from anatomy_fixtures import write_estimator_runs, write_spec

from conftest import check_run_card
from corpuslab.anatomy.config import EvaluateConfig
from corpuslab.anatomy.evaluate import (
    MixtureSpec,
    align,
    builtin_specs,
    evaluate_runs,
    load_spec,
    overlap_accuracy,
    read_estimates,
    run_evaluate,
    score_mixture,
    tolerance_accuracy,
    uniform_guess,
    write_report,
)
from corpuslab.core.errors import ConfigError, CorpuslabError, DataError


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
    """Uniform-guess accuracy 1 − ½Σ|1/K − g_c|, worked out by hand from each spec's published weights."""
    from corpuslab.anatomy.categories import CATEGORIES_6, CATEGORIES_7

    cats = list(CATEGORIES_7 if k == 7 else CATEGORIES_6)
    acc = score_mixture(uniform_guess(cats), load_spec(spec).weights).accuracy
    assert acc == pytest.approx(expected, abs=0.0015)


def test_spec_with_unknown_category_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("name: bad\ncategory_weights:\n  commoncrawl: 50\n  podcasts: 50\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: category_weights.podcasts: unknown category"):
        load_spec(p)


@pytest.mark.parametrize(("text", "message"), [
    ("category_weights:\n  books: -1\n  arxiv: 2\n", r"category_weights.books: weight must be finite and >= 0"),
    ("category_weights:\n  books: 0\n", "sum to 0"),
    ("name: x\n", "missing 'category_weights'"),
])
def test_spec_bad_weights(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_spec(p)


def test_spec_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_spec(tmp_path / "nope.yaml")


def test_read_estimates_of_both_estimators(tmp_path: Path) -> None:
    ls, mk = write_estimator_runs(tmp_path)
    # label shift: the point estimate when present, else the bootstrap mean
    assert read_estimates(ls) == {"bbse": {"web": 0.8, "github": 0.2}, "em": {"web": 0.6, "github": 0.4}}
    assert read_estimates(mk / "summary.json", method="minkpp")["minkpp"]["github"] == 0.5


def test_read_estimates_bad_input(tmp_path: Path) -> None:
    ls, _ = write_estimator_runs(tmp_path)
    with pytest.raises(DataError, match="no estimate for method 'minkpp'"):
        read_estimates(ls, method="minkpp")
    with pytest.raises(DataError, match="no summary.json"):
        read_estimates(tmp_path / "nothing")


def test_evaluate_runs_aligns_each_run_and_adds_a_uniform_guess(tmp_path: Path) -> None:
    ls, mk = write_estimator_runs(tmp_path)
    spec = load_spec(write_spec(tmp_path / "t.yaml", {"commoncrawl": 60, "c4": 20, "github": 20}))
    acc = {(s.run, s.method): s.accuracy for s in evaluate_runs([str(ls), str(mk)], spec, tol=0.02)}
    assert acc[("ls", "bbse")] == pytest.approx(1.0)
    assert acc[("ls", "em")] == pytest.approx(0.8)
    assert acc[("mk", "minkpp")] == pytest.approx(0.65)  # 7-class both sides: ½(.35+.05+.3)
    assert acc[("uniform-guess", "uniform")] == pytest.approx(0.7)  # web/github uniform: ½(.3+.3)
    assert len(evaluate_runs([str(ls)], spec, include_uniform=False)) == 2


def test_write_report(tmp_path: Path) -> None:
    ls, _ = write_estimator_runs(tmp_path)
    spec = load_spec(write_spec(tmp_path / "t.yaml", {"web": 80, "github": 20}))
    paths = write_report(evaluate_runs([str(ls)], spec), spec, tmp_path / "ev")
    assert "| ls | bbse | 1.0000 |" in Path(paths["report"]).read_text()
    assert Path(paths["plot"]).stat().st_size > 1000
    assert "ls,em,0.800000," in Path(paths["csv"]).read_text()
    assert [s["method"] for s in json.loads(Path(paths["json"]).read_text())["scores"]] == ["bbse", "em", "uniform"]


def test_run_evaluate_writes_the_report_and_a_run_card(tmp_path: Path) -> None:
    ls, mk = write_estimator_runs(tmp_path)
    spec = write_spec(tmp_path / "t.yaml", {"web": 80, "github": 20})
    cfg = EvaluateConfig(results_dir=str(ls), compare=[str(mk)], ground_truth=str(spec), method="all",
                         output_dir=str(tmp_path / "ev"))
    scores = run_evaluate(cfg)
    assert [(s.run, s.method) for s in scores] == [("ls", "bbse"), ("ls", "em"), ("mk", "minkpp"),
                                                   ("uniform-guess", "uniform")]
    card = check_run_card(tmp_path / "ev", "anatomy-evaluate")
    assert card["counts"]["accuracy"]["ls/bbse"] == pytest.approx(1.0) and card["counts"]["estimates"] == 4
    assert card["inputs"] == {"runs": [str(ls), str(mk)], "ground_truth": str(spec)}
    assert (tmp_path / "ev" / "report.md").exists()


def test_run_evaluate_without_output_dir_only_scores(tmp_path: Path) -> None:
    ls, mk = write_estimator_runs(tmp_path)
    cfg = EvaluateConfig(runs=[str(mk), str(ls)], ground_truth="starcoder", uniform=False)
    assert [(s.run, s.method) for s in run_evaluate(cfg)] == [("mk", "minkpp"), ("ls", "bbse"), ("ls", "em")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ls", "mk"]


def test_run_evaluate_needs_a_run_folder() -> None:
    with pytest.raises(CorpuslabError, match="give --results-dir"):
        run_evaluate(EvaluateConfig(ground_truth="olmo1b"))


def test_run_evaluate_uses_a_spec_in_memory(tmp_path: Path) -> None:
    ls, _ = write_estimator_runs(tmp_path)
    truth = MixtureSpec(name="mine", weights={"web": 0.6, "github": 0.4}, source="memory")
    cfg = EvaluateConfig(runs=[str(ls)], ground_truth="not-a-file.yaml", output_dir=str(tmp_path / "ev"))
    assert run_evaluate(cfg, truth=truth)[1].accuracy == pytest.approx(1.0)  # em: web .6, github .4
    assert json.loads((tmp_path / "ev" / "evaluation.json").read_text())["spec_file"] == "memory"
