"""Diff pieces, text-model tuning with a tiny encoder, and feature shapes.

Data: constructed histories replayed on real ja/vi article texts (revert_fixtures.py). The encoder is a
tiny random BERT whose tokenizer is trained on those real texts (corpuslab.models.tiny).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from revert_fixtures import synth_collected, synth_dumps, synth_prepared  # noqa: F401

from corpuslab.revert.diff import EDIT_TYPE_COLUMNS, diff_pieces, plain_text, sentences
from corpuslab.revert.features import FEATURE_COLUMNS, MLM_COLUMNS, NUMERIC_FEATURES, build_features, features
from corpuslab.revert.textmodels import TuneConfig, text_examples, tune


def test_diff_pieces_insert_remove_change() -> None:
    old = "Paris is the capital of France. It has many museums.\n\n[[Category:Cities]]\n{{Infobox}}\nRome is old."
    new = ("Paris is the capital city of France. It has many museums.\n\nLOL POOP\n[[Category:Cities]]\n"
           "[[Category:Capitals]]\nSee [[Louvre|the Louvre]].")
    d = diff_pieces(old, new)
    assert d.changes == [("Paris is the capital of France.", "Paris is the capital city of France.")]
    assert d.inserts == ["LOL POOP", "See the Louvre."]
    assert d.removes == ["Rome is old."]
    assert d.edit_types["et_category_insert"] == 1 and d.edit_types["et_template_remove"] == 1
    assert d.edit_types["et_wikilink_insert"] == 1 and d.edit_types["et_text_change"] == 1
    assert set(d.edit_types) == set(EDIT_TYPE_COLUMNS)
    assert diff_pieces(old, old).inserts == [] and diff_pieces(old, old).edit_types["et_text_insert"] == 0


def test_plain_text_and_cjk_sentences() -> None:
    assert plain_text("'''東京'''は[[日本|日本国]]の首都<ref>x</ref>。{{要出典}}") == "東京は日本国の首都。"
    assert sentences("東京は首都。人口が多い。\nHello world. Bye!") == ["東京は首都。", "人口が多い。", "Hello world.", "Bye!"]


def test_text_examples_are_balanced_single_piece(synth_prepared: Path) -> None:  # noqa: F811
    train = pq.read_table(synth_prepared / "train.parquet")
    text = train.filter(train["is_text_train"])
    xs, y = text_examples(text, "insert")
    assert len(xs) == len(y) > 0 and y.sum() * 2 == len(y)  # negatives downsampled to the positives
    assert all(isinstance(x, str) for x in xs)
    pairs, yp = text_examples(text, "change")
    assert pairs and all(isinstance(p, tuple) and len(p) == 2 for p in pairs)
    titles, rates = text_examples(text, "title", min_title_revisions=5)
    assert titles and ((rates >= 0) & (rates <= 1)).all()


@pytest.fixture(scope="module")
def tiny_text_models(synth_prepared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    from corpuslab.models.tiny import build_tiny_encoder

    d = tmp_path_factory.mktemp("tiny_revert")
    train = pq.read_table(synth_prepared / "train.parquet")
    texts = [s for col in ("texts_insert", "texts_remove", "texts_change_new") for x in train[col].to_pylist() for s in x]
    build_tiny_encoder(texts[:1500], vocab_size=400, out_dir=d / "base", hidden=32, layers=1, heads=2, max_positions=64)
    tune(synth_prepared, d / "tm", TuneConfig(base_model=str(d / "base"), epochs=1, max_length=48, batch_size=16,
                                             learning_rate=1e-3, max_examples=40))
    return d / "tm"


def test_tune_writes_four_models(tiny_text_models: Path) -> None:
    rep = json.loads((tiny_text_models / "tune.json").read_text())
    assert set(rep["models"]) == {"change", "insert", "remove", "title"}
    for kind, info in rep["models"].items():
        assert "skipped" not in info, info
        assert (tiny_text_models / kind / "config.json").exists()
        assert info["n_train"] + info["n_eval"] <= 40
    assert "eval_rmse" in rep["models"]["title"]["eval"] and "eval_accuracy" in rep["models"]["insert"]["eval"]
    assert len(json.loads((tiny_text_models / "title" / "config.json").read_text())["id2label"]) == 1


def test_feature_shapes(synth_prepared: Path, tiny_text_models: Path, tmp_path: Path) -> None:  # noqa: F811
    rep = features(synth_prepared, tmp_path, tiny_text_models, max_length=48)
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


def test_features_without_text_models_are_minus_one(synth_prepared: Path) -> None:  # noqa: F811
    t = pq.read_table(synth_prepared / "test.parquet").slice(0, 20)
    ft = build_features(t, None)
    assert all((ft[c].to_numpy() == -1).all() for c in [*MLM_COLUMNS, "title_score"])
    assert ft["is_anonymous"].to_numpy().tolist() == t["is_anonymous"].to_numpy(zero_copy_only=False).astype(float).tolist()


def test_tokenize_caps_giant_unspaced_pieces() -> None:
    """A 60k-character unspaced CJK 'sentence' (real dumps have them: tables, long lines) must not make
    the byte-level BPE quadratic; it once took 20 GB of RAM."""
    import time

    from corpuslab.models.tiny import train_bpe_tokenizer
    from corpuslab.revert.textmodels import tokenize_inputs

    tok = train_bpe_tokenizer(["東京は日本の首都である。", "Hà Nội là thủ đô."] * 20, vocab_size=300)
    giant = "東京は日本の首都であり人口が多い" * 4000
    t = time.perf_counter()
    enc = tokenize_inputs(tok, [(giant, giant), ("a", "b")], max_length=32)
    assert time.perf_counter() - t < 5 and max(len(i) for i in enc["input_ids"]) <= 32
