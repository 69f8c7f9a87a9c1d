"""Training plumbing: streamed token datasets (packing on/off), collator, steps↔samples, a real short run."""

from __future__ import annotations

import bz2
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from corpuslab.core.errors import DataError
from corpuslab.train import (
    CausalLMCollator,
    CausalLMTrainConfig,
    open_text_source,
    text_dataset,
    train_causal_lm,
    training_plan,
)


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():  # type: ignore[no-untyped-def]
    """Tiny models run fastest single-threaded on a shared 2-core machine."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def _botchan_paragraphs(shared) -> list[str]:  # type: ignore[no-untyped-def]
    """The book has no blank lines: every 8 lines make one 'document'."""
    with bz2.open(shared("text/botchan.txt.bz2"), "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()[20:]
    return [" ".join(lines[i : i + 8]) for i in range(0, len(lines) - 8, 8)]


def test_dataset_per_document_and_packed(stories260k: Path, shared) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(stories260k)
    paras = _botchan_paragraphs(shared)[:20]
    per_doc = list(text_dataset(paras, tok, max_length=64))
    assert len(per_doc) == 20
    assert all(len(e["input_ids"]) <= 64 and e["input_ids"][0] == tok.bos_token_id for e in per_doc)
    packed = list(text_dataset(paras, tok, max_length=64, packing=True))
    total = sum(len(tok(p)["input_ids"]) + 1 for p in paras)  # + EOS per document
    assert len(packed) == total // 64
    assert all(len(e["input_ids"]) == 64 for e in packed)
    flat = [i for e in packed for i in e["input_ids"]]
    assert flat.count(tok.eos_token_id) >= len(paras) - 2  # documents separated by EOS
    # num_samples caps documents; records with a text field work too
    recs = [{"text": p, "metadata": {}} for p in paras]
    assert len(list(text_dataset(recs, tok, max_length=64, num_samples=5))) == 5
    with pytest.raises(DataError, match="no string field"):
        list(text_dataset([{"body": "x"}], tok))
    with pytest.raises(DataError, match="produced no training examples"):
        list(text_dataset(["tiny"], tok, max_length=64, packing=True))


def test_collator_masks_padding_not_eos() -> None:
    batch = CausalLMCollator(pad_token_id=2)([{"input_ids": [5, 6, 2]}, {"input_ids": [7]}])
    assert batch["input_ids"].tolist() == [[5, 6, 2], [7, 2, 2]]
    assert batch["labels"].tolist() == [[5, 6, 2], [7, -100, -100]]  # the real EOS keeps its label
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 0, 0]]


def test_training_plan_arithmetic() -> None:
    p = training_plan(500, 4, 8, num_processes=2, num_train_samples=20_000)
    assert p["effective_batch"] == 64 and p["samples_needed"] == 32_000
    assert "20000" in p["warning"] and "32000" in p["warning"]
    assert training_plan(10, 2, 1, num_processes=1, num_train_samples=20)["warning"] is None


def test_open_text_source_shards_and_hf_json(tmp_path: Path, shared) -> None:
    from corpuslab.core.shards import write_records

    paras = _botchan_paragraphs(shared)[:6]
    write_records(tmp_path / "shards" / "a.jsonl.gz", [{"text": p, "metadata": {}} for p in paras[:3]])
    write_records(tmp_path / "shards" / "b.parquet", [{"text": p, "metadata": {}} for p in paras[3:]])
    src = open_text_source(tmp_path / "shards")
    assert list(src) == paras and list(src) == paras  # re-iterable
    jf = tmp_path / "data.jsonl"
    jf.write_text("".join(json.dumps({"text": p}) + "\n" for p in paras), encoding="utf-8")
    hf = open_text_source("json", data_files=str(jf))  # the Hub code path, on a local file
    assert list(hf) == paras
    with pytest.raises(DataError, match="could not be opened"):
        list(open_text_source("json", data_files=str(tmp_path / "missing.jsonl")))


def test_short_training_run_lowers_loss(stories260k: Path, shared, tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(stories260k)
    model = AutoModelForCausalLM.from_pretrained(stories260k)
    ds = text_dataset(_botchan_paragraphs(shared)[:40], tok, max_length=64, packing=True)
    cfg = CausalLMTrainConfig(output_dir=str(tmp_path / "run"), max_steps=8, per_device_train_batch_size=4,
                              learning_rate=3e-3, logging_steps=1, save_final_model=True)
    res = train_causal_lm(model, tok, ds, cfg, progress=False)
    losses = [h["loss"] for h in res.log_history if "loss" in h]
    assert len(losses) == 8 and losses[-1] < losses[0]
    assert (res.final_model_dir / "config.json").exists()
    assert not list((tmp_path / "run").glob("checkpoint-*"))  # no checkpoints by default
    with pytest.raises(ValidationError, match="max_steps"):
        CausalLMTrainConfig(output_dir=str(tmp_path / "r2"), max_steps=0)
