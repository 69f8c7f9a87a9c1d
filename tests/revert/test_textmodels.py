"""``revert tune``: training examples per text model, tuning a tiny encoder, the tokenizer's length cap.

Data: constructed histories replayed on real ja/vi article texts (revert_fixtures.py). The encoder is a
tiny random BERT whose tokenizer is trained on those real texts (corpuslab.models.tiny).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from revert_fixtures import synth_collected, synth_dumps, synth_prepared, tiny_text_models  # noqa: F401

from conftest import check_run_card
from corpuslab.revert.textmodels import text_examples, tokenize_inputs


def _text_part(prepared: Path):  # type: ignore[no-untyped-def]
    train = pq.read_table(prepared / "train.parquet")
    return train.filter(train["is_text_train"])


def test_insert_examples_are_balanced_single_pieces(synth_prepared: Path) -> None:  # noqa: F811
    xs, y = text_examples(_text_part(synth_prepared), "insert")
    assert len(xs) == len(y) > 0 and y.sum() * 2 == len(y)  # negatives downsampled to the positives
    assert all(isinstance(x, str) for x in xs)


def test_change_examples_are_sentence_pairs(synth_prepared: Path) -> None:  # noqa: F811
    pairs, y = text_examples(_text_part(synth_prepared), "change")
    assert pairs and len(pairs) == len(y) and all(isinstance(p, tuple) and len(p) == 2 for p in pairs)


def test_title_examples_are_page_revert_rates(synth_prepared: Path) -> None:  # noqa: F811
    titles, rates = text_examples(_text_part(synth_prepared), "title", min_title_revisions=5)
    assert titles and len(titles) == len(rates) and ((rates >= 0) & (rates <= 1)).all()
    assert len(text_examples(_text_part(synth_prepared), "title", max_examples=2)[0]) == 2


@pytest.mark.model
def test_tune_writes_four_models(tiny_text_models: Path) -> None:  # noqa: F811
    rep = json.loads((tiny_text_models / "tune.json").read_text())
    assert set(rep["models"]) == {"change", "insert", "remove", "title"}
    for kind, info in rep["models"].items():
        assert "skipped" not in info, info
        assert (tiny_text_models / kind / "config.json").exists()
        assert info["n_train"] + info["n_eval"] <= 40
    assert "eval_rmse" in rep["models"]["title"]["eval"] and "eval_accuracy" in rep["models"]["insert"]["eval"]
    assert len(json.loads((tiny_text_models / "title" / "config.json").read_text())["id2label"]) == 1
    assert "prepared" not in rep["config"] and rep["config"]["max_examples"] == 40  # tune.json stays as it was


@pytest.mark.model
def test_tune_writes_its_run_card(tiny_text_models: Path) -> None:  # noqa: F811
    card = check_run_card(tiny_text_models, "revert-tune")
    rep = json.loads((tiny_text_models / "tune.json").read_text())
    assert card["counts"]["trained"] == ["change", "insert", "remove", "title"] and card["counts"]["skipped"] == []
    assert card["counts"]["examples"]["insert"] == rep["models"]["insert"]["n_train"] + rep["models"]["insert"]["n_eval"]
    assert card["counts"]["eval"]["title"] == rep["models"]["title"]["eval"]["eval_rmse"]
    assert card["config"]["resolved"]["kinds"] == ["change", "insert", "remove", "title"]


def test_tokenize_caps_giant_unspaced_pieces() -> None:
    """A 60k-character unspaced CJK 'sentence' (real dumps have them: tables, long lines) must not make
    the byte-level BPE quadratic; it once took 20 GB of RAM."""
    import time

    from corpuslab.models.tiny import train_bpe_tokenizer

    tok = train_bpe_tokenizer(["東京は日本の首都である。", "Hà Nội là thủ đô."] * 20, vocab_size=300)
    giant = "東京は日本の首都であり人口が多い" * 4000
    t = time.perf_counter()
    enc = tokenize_inputs(tok, [(giant, giant), ("a", "b")], max_length=32)
    assert time.perf_counter() - t < 5 and max(len(i) for i in enc["input_ids"]) <= 32
