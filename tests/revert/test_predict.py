"""``revert score``: P(reverted) for new revisions, from a feature table or straight from a collect output."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from revert_fixtures import (  # noqa: F401
    synth_collected,
    synth_dumps,
    synth_features,
    synth_model,
    synth_prepared,
)

from conftest import check_run_card
from corpuslab.core.errors import DataError
from corpuslab.revert.config import ScoreConfig
from corpuslab.revert.predict import score_revisions


@pytest.fixture(scope="module")
def collected_scores(synth_model: Path, synth_collected: Path,  # noqa: F811
                     tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, pa.Table]:
    """Scores straight from a collect output: features are computed on the fly (no text models: −1)."""
    out = tmp_path_factory.mktemp("revert_scores") / "scores.parquet"
    rep = score_revisions(ScoreConfig(model=synth_model, inputs=synth_collected, out=out))
    return rep, pq.read_table(out)


def test_score_collected_revisions(collected_scores: tuple[dict, pa.Table], synth_collected: Path) -> None:  # noqa: F811
    rep, s = collected_scores
    risk = s["revert_risk"].to_numpy()
    n_collected = sum(pq.read_metadata(f).num_rows for f in synth_collected.glob("lang=*/*.parquet"))
    assert rep["rows"] == s.num_rows == n_collected
    assert ((risk >= 0) & (risk <= 1)).all() and rep["mean_risk"] == pytest.approx(float(risk.mean()))
    assert s.column_names == ["rev_id", "lang", "page_id", "timestamp", "revert_risk", "revert_risk_logistic"]


def test_the_scores_file_has_its_card_beside_it(collected_scores: tuple[dict, pa.Table]) -> None:
    rep, _ = collected_scores
    card = check_run_card(rep["out"], "revert-score", single_file=True)
    assert card["counts"]["rows"] == rep["rows"] and card["outputs"] == {"scores": "scores.parquet"}


def test_a_feature_table_scores_like_the_collected_revisions(
        collected_scores: tuple[dict, pa.Table], synth_model: Path, synth_features: Path, tmp_path: Path) -> None:  # noqa: F811
    score_revisions(ScoreConfig(model=synth_model, inputs=synth_features / "test.parquet", out=tmp_path / "t.parquet"))
    t = pq.read_table(tmp_path / "t.parquet")
    assert t.num_rows == pq.read_metadata(synth_features / "test.parquet").num_rows > 0
    by_rev = dict(zip(collected_scores[1]["rev_id"].to_pylist(), collected_scores[1]["revert_risk"].to_pylist(), strict=True))
    assert [by_rev[r] for r in t["rev_id"].to_pylist()] == pytest.approx(t["revert_risk"].to_pylist())


def test_score_rejects_other_inputs(synth_model: Path, tmp_path: Path) -> None:  # noqa: F811
    (tmp_path / "x.csv").write_text("a\n")
    with pytest.raises(DataError, match="expected a features .parquet"):
        score_revisions(ScoreConfig(model=synth_model, inputs=tmp_path / "x.csv", out=tmp_path / "s.parquet"))
