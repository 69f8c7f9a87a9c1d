"""``revert eval``: metrics.json, report.md and plots from a saved model and a feature table.

Data: constructed histories replayed on real ja/vi article texts (revert_fixtures.py); the classifier is
trained with reduced iterations (reference: 5000).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from revert_fixtures import synth_collected, synth_dumps, synth_features, synth_model, synth_prepared  # noqa: F401

from conftest import check_run_card
from corpuslab.core.errors import DataError
from corpuslab.revert.config import EvalConfig
from corpuslab.revert.evaluate import evaluate


@pytest.fixture(scope="module")
def evaluated(synth_model: Path, synth_features: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:  # noqa: F811
    out = tmp_path_factory.mktemp("revert_eval")
    return evaluate(EvalConfig(model=synth_model, features_dir=synth_features, out=out)), out


def test_eval_metrics_per_group(evaluated: tuple[dict, Path]) -> None:
    m, _ = evaluated
    assert set(m["per_language"]) == {"ja", "vi"} and set(m["by_user_type"]) == {"anonymous", "registered"}
    for block in [m["overall"], *m["per_language"].values(), *m["by_user_type"].values()]:
        assert {"roc_auc", "pr_auc", "precision_at_recall_0.75"} <= set(block)
    assert m["overall"]["roc_auc"] > 0.75  # byte change, edit types and anonymity separate the replayed vandalism
    assert m["disparate_impact"]["ratio"] > 1 and m["disparate_impact"]["ground_truth"] > 1
    assert "logistic_regression" in m and "is_anonymous_baseline" in m and "balanced" in m


def test_eval_writes_report_plots_and_metrics(evaluated: tuple[dict, Path]) -> None:
    m, out = evaluated
    report = (out / "report.md").read_text()
    assert "Per language" in report and "Disparate impact" in report and "![curves.png](curves.png)" in report
    assert m["plots"] == ["curves.png", "per_language_auc.png"]
    for png in m["plots"]:
        assert (out / png).read_bytes()[:4] == b"\x89PNG"
    saved = json.loads((out / "metrics.json").read_text())
    assert saved["overall"] == m["overall"] and saved["split"] == "test"


def test_eval_writes_its_run_card(evaluated: tuple[dict, Path], synth_model: Path) -> None:  # noqa: F811
    m, out = evaluated
    card = check_run_card(out, "revert-eval")
    assert card["counts"]["roc_auc"] == m["overall"]["roc_auc"] and card["counts"]["revisions"] == m["overall"]["n"]
    assert card["counts"]["roc_auc_per_language"] == {k: v["roc_auc"] for k, v in m["per_language"].items()}
    assert card["counts"]["disparate_impact"] == m["disparate_impact"]["ratio"]
    assert card["inputs"]["model"] == str(synth_model) and card["outputs"]["metrics"] == "metrics.json"


def test_eval_of_a_missing_split_names_the_file(synth_model: Path, synth_features: Path, tmp_path: Path) -> None:  # noqa: F811
    with pytest.raises(DataError, match="full_test.parquet: not found"):
        evaluate(EvalConfig(model=synth_model, features_dir=synth_features, out=tmp_path / "e", split="full_test"))
    assert not (tmp_path / "e").exists()
