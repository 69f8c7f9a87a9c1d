"""``revert prepare``: no page in both the text-model and classifier parts; no test revision earlier than train;
balancing key. Data: constructed histories replayed on real ja/vi article texts (revert_fixtures.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from revert_fixtures import synth_collected, synth_dumps, synth_prepared  # noqa: F401

from conftest import check_run_card
from corpuslab.revert.collect import read_collected
from corpuslab.revert.config import PrepareConfig
from corpuslab.revert.prepare import prepare


def test_prepare_time_split_and_page_disjoint(synth_prepared: Path, synth_collected: Path) -> None:  # noqa: F811
    train = pq.read_table(synth_prepared / "train.parquet").to_pylist()
    test = pq.read_table(synth_prepared / "test.parquet").to_pylist()
    assert train and test
    assert max(r["timestamp"] for r in train) < "2022-06-01T00:00:00Z" <= min(r["timestamp"] for r in test)
    text_pages = {(r["lang"], r["page_id"]) for r in train if r["is_text_train"]}
    clf_pages = {(r["lang"], r["page_id"]) for r in train if not r["is_text_train"]}
    assert text_pages and clf_pages and not text_pages & clf_pages
    for lang in ("ja", "vi"):  # 60/40 of pages per language
        n_text = sum(1 for p in text_pages if p[0] == lang)
        n_all = len({p for p in text_pages | clf_pages if p[0] == lang})
        assert n_text == round(0.6 * n_all)
    assert not any(r["is_revision_war"] for r in train + test)
    collected = read_collected(synth_collected)
    n_wars = int(np.sum(collected["is_revision_war"].to_numpy(zero_copy_only=False)))
    assert n_wars > 0 and len(train) + len(test) == collected.num_rows - n_wars


def test_prepare_balancing_key_and_counts(synth_prepared: Path) -> None:  # noqa: F811
    rep = json.loads((synth_prepared / "prepare.json").read_text())
    test = pq.read_table(synth_prepared / "test.parquet").to_pylist()
    for r in test:
        assert r["balance_key"] == f"{r['lang']}|{'anonymous' if r['is_anonymous'] else 'registered'}|{'reverted' if r['is_reverted'] else 'kept'}"
    for lang in ("ja", "vi"):
        for anon in (True, False):
            cell = [r for r in test if r["lang"] == lang and r["is_anonymous"] == anon]
            pos = sum(r["is_reverted"] for r in cell)
            neg = len(cell) - pos
            bal = [r for r in cell if r["is_balanced"]]
            assert sum(r["is_reverted"] for r in bal) == pos  # every reverted revision
            assert len(bal) - pos == min(pos, neg)  # plus as many kept ones
    c = rep["counts"]["test"]
    assert sum(v["revisions"] for v in c.values()) == len(test)
    assert all(v["reverted"] + v["kept"] == v["revisions"] for v in c.values())
    assert set(rep["counts"]) == {"train_text_model", "train_classifier", "test"}


def test_prepare_is_deterministic_and_full_test(synth_collected: Path, tmp_path: Path) -> None:  # noqa: F811
    for run in ("a", "b"):
        prepare(PrepareConfig(collected=synth_collected, out=tmp_path / run, full_test=synth_collected,
                              split_date="2022-06-01", seed=7))
    for name in ("train", "test", "full_test"):
        assert pq.read_table(tmp_path / "a" / f"{name}.parquet").equals(pq.read_table(tmp_path / "b" / f"{name}.parquet"))
    card = check_run_card(tmp_path / "a", "revert-prepare")
    assert card["inputs"] == {"collected": str(synth_collected), "full_test": str(synth_collected)}
    assert card["counts"]["rows_full_test"] == pq.read_metadata(tmp_path / "a" / "full_test.parquet").num_rows


def test_prepare_quantile_split_without_a_date(synth_collected: Path, tmp_path: Path) -> None:  # noqa: F811
    rep = prepare(PrepareConfig(collected=synth_collected, out=tmp_path, train_fraction=0.5))
    assert abs(rep["rows"]["train"] - rep["rows"]["test"]) <= 2


def test_prepare_writes_its_run_card(synth_prepared: Path) -> None:  # noqa: F811
    card = check_run_card(synth_prepared, "revert-prepare")
    rep = json.loads((synth_prepared / "prepare.json").read_text())
    c = card["counts"]
    assert (c["rows_train"], c["rows_test"]) == (rep["rows"]["train"], rep["rows"]["test"])
    assert c["text_model_rows"] + c["classifier_rows"] == rep["rows"]["train"]
    assert c["revision_wars_dropped"] == rep["revision_wars_dropped"] > 0
    assert c["split_timestamp"] == "2022-06-01T00:00:00Z"
    assert card["config"]["given"]["split_date"] == "2022-06-01"
    assert set(rep["config"]) == {"split_date", "train_fraction", "text_train_fraction", "drop_revision_wars", "seed"}
