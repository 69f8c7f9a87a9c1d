"""The llama2.c importer reproduces the real stories260K model exactly (golden greedy output)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from corpuslab.core.errors import DataError
from corpuslab.models.llama2c import import_llama2c, read_llama2c_checkpoint, read_llama2c_tokenizer

GOLDEN = (
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, "
    "she saw a big, red ball. She wanted to play with it, but it was too high"
)


def test_header_matches_sources_md(shared) -> None:
    h, w = read_llama2c_checkpoint(shared("models/stories260K/checkpoint_legacy.bin"))
    assert (h.dim, h.hidden_dim, h.n_layers, h.n_heads, h.n_kv_heads, h.vocab_size, h.seq_len) == (
        64, 172, 5, 8, 4, 512, 512)
    assert h.shared_classifier
    assert w["wk"].shape == (5, 32, 64)


def test_greedy_generation_from_bos_is_golden(stories260k: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(stories260k).eval()
    tok = AutoTokenizer.from_pretrained(stories260k)
    assert model.config.vocab_size == 512 and model.config.tie_word_embeddings
    assert model.num_parameters() < 300_000
    gold_ids = tok(GOLDEN)["input_ids"]
    assert gold_ids[0] == tok.bos_token_id == 1
    out = model.generate(torch.tensor([[1]]), max_new_tokens=len(gold_ids) - 1, do_sample=False)
    assert out[0].tolist() == gold_ids  # token-exact, not only text-exact
    assert tok.decode(out[0], skip_special_tokens=True) == GOLDEN


def test_tokenizer_round_trips_with_byte_fallback(stories260k: Path, shared) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(stories260k)
    assert len(tok) == 512
    for text in ["Tom and Lily went to the park.", "naïve café — 日本語", "  two  spaces\nnew line"]:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        assert tok.decode(ids) == text
    # unknown characters use byte tokens <0x..> (ids 3..258), never <unk>
    ids = tok("日本", add_special_tokens=False)["input_ids"]
    assert 0 not in ids and all(3 <= i <= 258 for i in ids if i < 259)


def test_cli_import(tmp_path: Path, shared) -> None:
    from corpuslab.cli.main import app

    src = shared("models/stories260K/checkpoint_legacy.bin").parent
    out = tmp_path / "hf"
    res = CliRunner().invoke(app, ["models", "import-llama2c", str(src / "checkpoint_legacy.bin"),
                                   str(src / "tokenizer.bin"), str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "config.json").exists() and (out / "tokenizer.json").exists()
    assert not list(tmp_path.glob(".tmp-*"))
    missing = CliRunner().invoke(app, ["models", "import-llama2c", str(src / "checkpoint_legacy.bin")])
    assert missing.exit_code != 0 and "tokenizer_bin: required" in str(missing.exception)


def test_bad_inputs(tmp_path: Path, shared) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(struct.pack("7i", 64, 172, 5, 8, 4, 512, 512) + b"\0" * 100)
    with pytest.raises(DataError, match="header implies"):
        read_llama2c_checkpoint(bad)
    with pytest.raises(DataError, match="not found"):
        import_llama2c(tmp_path / "nope.bin", tmp_path / "tok.bin", tmp_path / "o")
    with pytest.raises(DataError, match="not a llama2.c tokenizer"):
        read_llama2c_tokenizer(bad, 512)
