import json

import numpy as np
import pyarrow.parquet as pq
import pytest
import torch
from leia_fixtures import fresh_tiny_tokenizer, ja_articles, real_tables
from typer.testing import CliRunner

from corpuslab.cli.main import app
from corpuslab.leia.build import TokenStore, build_leia_dataset, load_packed_epoch
from corpuslab.leia.data import TRANSLATE_CLOSE, TRANSLATE_OPEN, init_marker_embeddings
from corpuslab.wiki.tables import write_pairs


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("leia")
    red, ja, en = real_tables()
    tok = fresh_tiny_tokenizer()
    tok.save_pretrained(str(d / "tok"))
    write_pairs(d / "en.tsv", sorted(en.items()))
    write_pairs(d / "ja.parquet", sorted(ja.items()))
    write_pairs(d / "red.tsv", sorted(red.items()))
    rep = build_leia_dataset(ja_articles(), d / "out", str(d / "tok"), d / "en.tsv", d / "ja.parquet",
                             d / "red.tsv", seq_len=128, progress=False)
    return d, rep


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
    assert (w == o).sum() == (w == c).sum() or abs(int((w == o).sum()) - int((w == c).sum())) <= 1  # window edges
    assert abs(int((w == o).sum()) - rep["links_inserted"]) <= 1
    assert (w == rep["bos_id"]).sum() >= rep["articles_written"] - 1
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(out / "tokenizer"))
    assert tok.convert_tokens_to_ids([TRANSLATE_OPEN, TRANSLATE_CLOSE]) == [o, c]
    ann = [json.loads(x) for x in __import__("zstandard").ZstdDecompressor().stream_reader(
        open(out / "annotated.jsonl.zst", "rb")).read().decode().splitlines()]
    assert len(ann) == rep["articles_written"] and all(r["metadata"]["anchors"] for r in ann)


def test_marker_embeddings_start_at_the_mean():
    from transformers import AutoModelForCausalLM

    from corpuslab.models.tiny import tiny_config

    tok = fresh_tiny_tokenizer()
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(tiny_config("llama", len(tok), tok, hidden=32, layers=1, heads=2))
    old = model.get_input_embeddings().weight.detach().clone()
    from corpuslab.leia.data import add_marker_tokens

    o, c = add_marker_tokens(tok)
    assert init_marker_embeddings(model, tok) == [o, c]
    emb = model.get_input_embeddings().weight.detach()
    assert emb.shape[0] == len(tok)
    assert torch.allclose(emb[o], old.mean(0), atol=1e-6) and torch.allclose(emb[c], old.mean(0), atol=1e-6)
    assert torch.equal(emb[: old.shape[0]], old)
    assert init_marker_embeddings(model, tok) == []


def test_train_few_steps_cpu(built, tmp_path):
    from transformers import AutoModelForCausalLM

    from corpuslab.models.tiny import tiny_config

    d, rep = built
    tok = fresh_tiny_tokenizer()  # the base model knows nothing of the markers
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(tiny_config("llama", len(tok), tok, hidden=32, layers=1, heads=2,
                                                 max_positions=128)).save_pretrained(tmp_path / "base")
    r = CliRunner().invoke(app, ["leia", "train", "-m", str(tmp_path / "base"), "-d", str(d / "out"), "-o",
                                 str(tmp_path / "run"), "--max-steps", "3", "--batch-size", "2", "--lr", "1e-3", "-q"])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "run" / "train_report.json").read_text())
    assert len(s["losses"]) == 3 and all(np.isfinite(s["losses"]))
    assert s["hyperparameters"]["lr_scheduler_type"] == "cosine" and s["hyperparameters"]["adam_beta2"] == 0.95
    assert s["hyperparameters"]["weight_decay"] == 0.1 and s["hyperparameters"]["adam_epsilon"] == 1e-6
    assert s["initialised_embedding_rows"] == rep["marker_ids"]
    m = AutoModelForCausalLM.from_pretrained(tmp_path / "run" / "final_model")
    assert m.get_input_embeddings().weight.shape[0] == 802
