"""Tiny models from real text: the CLI (positional text files, -o), shard folders as text, bad input."""

from __future__ import annotations

import bz2
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpuslab.cli.main import app
from corpuslab.core.errors import ConfigError, CorpuslabError
from corpuslab.models.config import TinyModelConfig
from corpuslab.models.tiny import build_tiny_model, read_texts


def test_cli_tiny_model_from_real_text(tmp_path: Path, shared) -> None:  # type: ignore[no-untyped-def]
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path / "tiny"
    res = CliRunner().invoke(app, ["models", "tiny", str(shared("text/botchan.txt.bz2")), "--out-dir", str(out),
                                   "--arch", "gpt2", "--vocab-size", "600"])
    assert res.exit_code == 0, res.output
    model = AutoModelForCausalLM.from_pretrained(out)
    tok = AutoTokenizer.from_pretrained(out)
    assert model.config.model_type == "gpt2" and model.config.vocab_size == len(tok) <= 600
    assert tok.decode(tok("the school master")["input_ids"]) == "the school master"
    bad = CliRunner().invoke(app, ["models", "tiny", str(shared("text/botchan.txt.bz2")), "-o", str(out),
                                   "--arch", "t5"])
    assert isinstance(bad.exception, ConfigError) and "arch: Input should be 'gpt2', 'llama' or 'qwen2'" in str(
        bad.exception)


def test_texts_from_files_and_shard_folders(tmp_path: Path, shared) -> None:  # type: ignore[no-untyped-def]
    from corpuslab.core.shards import write_records

    write_records(tmp_path / "shards" / "a.jsonl.gz", [{"text": "first doc"}, {"text": "second doc"}])
    plain = tmp_path / "lines.txt"
    plain.write_text("one\n\n  \ntwo\n", encoding="utf-8")
    assert read_texts([tmp_path / "shards", plain]) == ["first doc", "second doc", "one", "two"]
    botchan = read_texts([shared("text/botchan.txt.bz2")])
    assert len(botchan) == sum(1 for ln in bz2.open(shared("text/botchan.txt.bz2"), "rt") if ln.strip())
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpuslabError, match="no shard files"):
        read_texts([tmp_path / "empty"])


def test_build_from_config(tmp_path: Path, shared) -> None:  # type: ignore[no-untyped-def]
    model, tok = build_tiny_model(TinyModelConfig(text=[str(shared("text/botchan.txt.bz2"))], out_dir=str(tmp_path / "m"),
                                                  vocab_size=400, hidden=32, layers=1, seed=3))
    assert model.config.model_type == "llama" and model.config.num_hidden_layers == 1 and len(tok) <= 400
    assert (tmp_path / "m" / "config.json").exists()
    (tmp_path / "blank.txt").write_text("\n\n", encoding="utf-8")
    with pytest.raises(CorpuslabError, match="no text"):
        build_tiny_model(TinyModelConfig(text=[str(tmp_path / "blank.txt")], out_dir=str(tmp_path / "x")))
