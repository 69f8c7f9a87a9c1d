"""``revert features``: the feature vector's layout, text-model features, −1 where a piece is missing.

Data: constructed histories replayed on real ja/vi article texts (revert_fixtures.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from revert_fixtures import (  # noqa: F401
    synth_collected,
    synth_dumps,
    synth_features,
    synth_prepared,
    tiny_text_models,
)

from conftest import check_run_card
from corpuslab.core.errors import DataError
from corpuslab.revert.config import FeaturesConfig
from corpuslab.revert.features import FEATURE_COLUMNS, MLM_COLUMNS, NUMERIC_FEATURES, build_features, features


@pytest.mark.model
def test_feature_shapes_with_text_models(synth_prepared: Path, tiny_text_models: Path, tmp_path: Path) -> None:  # noqa: F811
    rep = features(FeaturesConfig(prepared=synth_prepared, out=tmp_path, text_models=tiny_text_models, max_length=48))
    train = pq.read_table(synth_prepared / "train.parquet")
    ft = pq.read_table(tmp_path / "train.parquet")
    assert ft.num_rows == rep["rows"]["train"] == int((~train["is_text_train"].to_numpy(zero_copy_only=False)).sum())
    assert len(MLM_COLUMNS) == 24 and len(FEATURE_COLUMNS) == 1 + len(NUMERIC_FEATURES)
    assert [c for c in ft.column_names if c in FEATURE_COLUMNS] == FEATURE_COLUMNS
    x = np.stack([ft[c].to_numpy() for c in NUMERIC_FEATURES], axis=1)
    assert x.shape == (ft.num_rows, len(NUMERIC_FEATURES)) and np.isfinite(x).all()
    n_ins = np.array([len(v) for v in train.filter(~train["is_text_train"].to_numpy(zero_copy_only=False))["texts_insert"].to_pylist()])
    has = ft["insert_p1_max"].to_numpy() != -1
    assert (has == (n_ins > 0)).all()  # −1 exactly where the edit has no inserted text
    p = ft["insert_p1_mean"].to_numpy()[has]
    assert ((p >= 0) & (p <= 1)).all() and np.allclose(p + ft["insert_p0_mean"].to_numpy()[has], 1, atol=1e-5)
    assert (ft["insert_p1_max"].to_numpy()[has] >= p - 1e-6).all()
    assert (ft["title_score"].to_numpy() != -1).all()
    assert set(rep["coverage"]["test"]) == {"change", "insert", "remove"}
    card = check_run_card(tmp_path, "revert-features")
    assert card["inputs"]["text_models"] == str(tiny_text_models)
    assert card["counts"]["text_feature_coverage"] == rep["coverage"]


def test_features_without_text_models_are_minus_one(synth_prepared: Path) -> None:  # noqa: F811
    t = pq.read_table(synth_prepared / "test.parquet").slice(0, 20)
    ft = build_features(t, None)
    assert all((ft[c].to_numpy() == -1).all() for c in [*MLM_COLUMNS, "title_score"])
    assert ft["is_anonymous"].to_numpy().tolist() == t["is_anonymous"].to_numpy(zero_copy_only=False).astype(float).tolist()


def test_features_writes_its_run_card(synth_features: Path, synth_prepared: Path) -> None:  # noqa: F811
    card = check_run_card(synth_features, "revert-features")
    rep = json.loads((synth_features / "features.json").read_text())
    assert card["counts"]["rows_train"] == rep["rows"]["train"] == pq.read_metadata(synth_features / "train.parquet").num_rows
    assert card["counts"]["rows_test"] == rep["rows"]["test"] > 0
    assert card["counts"]["feature_columns"] == len(FEATURE_COLUMNS)
    assert card["inputs"] == {"prepared": str(synth_prepared)}


def test_missing_text_model_folder_is_an_error_before_any_output(synth_prepared: Path, tmp_path: Path) -> None:  # noqa: F811
    with pytest.raises(DataError, match="text-model folder not found"):
        features(FeaturesConfig(prepared=synth_prepared, out=tmp_path / "f", text_models=tmp_path / "none"))
    assert not (tmp_path / "f").exists()
