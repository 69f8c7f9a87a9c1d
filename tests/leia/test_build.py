import json

import numpy as np
import pyarrow.parquet as pq
import pytest
import zstandard
from leia_fixtures import build_config, fresh_tiny_tokenizer, ja_articles, write_table_dir

from conftest import check_run_card
from corpuslab.core.errors import ConfigError
from corpuslab.leia.build import build_leia_dataset
from corpuslab.leia.markers import TRANSLATE_CLOSE, TRANSLATE_OPEN
from corpuslab.leia.packing import load_packed_epoch
from corpuslab.leia.token_store import TokenStore


@pytest.fixture(scope="module")
def table_dir(tmp_path_factory):
    return write_table_dir(tmp_path_factory.mktemp("leia-tables"))


@pytest.fixture(scope="module")
def built(table_dir):
    return table_dir, build_leia_dataset(build_config(table_dir, table_dir / "out"), progress=False,
                                         articles=ja_articles())


def test_build_report_on_real_jawiki(built):
    d, rep = built
    assert rep["articles"] == 189 and rep["links_seen"] > 70_000
    assert rep["links_seen"] == rep["links_resolved"] + sum(v for k, v in rep["drop_reasons"].items()
                                                            if k != "not_token_boundary")
    assert rep["links_kept"] == rep["links_resolved"] - rep["drop_reasons"].get("not_token_boundary", 0)
    assert 0.3 * rep["links_kept"] < rep["links_inserted"] < 0.7 * rep["links_kept"]
    assert rep["drop_reasons"]["no_qid"] > 0 and "fragment" in rep["drop_reasons"]
    assert rep["id_dtype"] == "int16" and rep["vocab_size"] == 802
    assert rep["articles_written"] == rep["counts"]["articles_with_anchors"]
    assert rep["config"] == {"seq_len": 128, "p": 0.5, "strategy": "after", "seed": 42, "fragment_links": "drop",
                             "pack_epochs": 1, "source": "<iterable>"}


def test_build_writes_its_run_card(built):
    d, rep = built
    card = check_run_card(d / "out", "leia-build")
    assert card["counts"] == {k: rep[k] for k in ("articles", "articles_written", "links_seen", "links_resolved",
                                                  "links_kept", "links_inserted", "tokens", "windows")}
    assert card["inputs"]["articles"] == "<in memory>" and card["inputs"]["english_ids"].endswith("en.tsv")
    assert card["config"]["resolved"]["seq_len"] == 128 and card["seed"] == 42


def test_build_outputs_tokens_and_packed_windows(built):
    d, rep = built
    out = d / "out"
    t = pq.read_table(out / "tokens.parquet")
    assert str(t.schema.field("input_ids").type) == "list<element: int16>"
    store = TokenStore(out)
    assert len(store) == rep["articles_written"] and store.total_tokens() == rep["tokens"]
    w = load_packed_epoch(out / "packed")
    assert w.shape == (rep["windows"], 128) and w.dtype == np.int16
    o, c = rep["marker_ids"]
    assert abs(int((w == o).sum()) - int((w == c).sum())) <= 1  # a name can be cut at a window edge
    assert abs(int((w == o).sum()) - rep["links_inserted"]) <= 1
    assert (w == rep["bos_id"]).sum() >= rep["articles_written"] - 1


def test_build_saves_the_tokenizer_with_markers_and_the_annotated_articles(built):
    from transformers import AutoTokenizer

    d, rep = built
    out = d / "out"
    tok = AutoTokenizer.from_pretrained(str(out / "tokenizer"))
    assert tok.convert_tokens_to_ids([TRANSLATE_OPEN, TRANSLATE_CLOSE]) == rep["marker_ids"]
    with open(out / "annotated.jsonl.zst", "rb") as fh:
        ann = [json.loads(x) for x in zstandard.ZstdDecompressor().stream_reader(fh).read().decode().splitlines()]
    assert len(ann) == rep["articles_written"] and all(r["metadata"]["anchors"] for r in ann)


def test_in_memory_tokenizer_and_several_packed_epochs(table_dir, tmp_path):
    cfg = build_config(table_dir, tmp_path / "out", max_articles=40, pack_epochs=2, keep_articles_without_anchors=True)
    rep = build_leia_dataset(cfg.model_copy(update={"model": None}), progress=False, articles=ja_articles(),
                             tokenizer=fresh_tiny_tokenizer())
    assert rep["articles"] == rep["articles_written"] == 40 and "articles_dropped_no_anchors" in rep["counts"]
    assert [p["epoch"] for p in rep["packed"]] == [0, 1] and rep["counts"]["packed_windows"] > 0
    assert check_run_card(tmp_path / "out", "leia-build")["inputs"]["model"] == "<in-memory tokenizer>"


def test_missing_articles_or_model_name_the_setting(table_dir, tmp_path):
    with pytest.raises(ConfigError, match="articles: required"):
        build_leia_dataset(build_config(table_dir, tmp_path / "a"), progress=False)
    with pytest.raises(ConfigError, match="model: required"):
        build_leia_dataset(build_config(table_dir, tmp_path / "b").model_copy(update={"model": None}), articles=[])
