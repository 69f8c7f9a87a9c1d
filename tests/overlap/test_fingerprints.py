"""Fingerprint prompts: deterministic, the reference's sampling rule, ids + text, save/load round trip."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import torch
from overlap_fixtures import _one_torch_thread, botchan_docs, tiny_llama_dir  # noqa: F401
from transformers import AutoModelForCausalLM, AutoTokenizer

from corpuslab.core.errors import CorpuslabError, DataError
from corpuslab.overlap.fingerprints import (
    FingerprintRecipe,
    allowed_token_ids,
    generate_fingerprints,
    load_fingerprints,
    save_fingerprints,
    special_token_ids,
)


@pytest.fixture(scope="module")
def stories(stories260k: Path):  # type: ignore[no-untyped-def]
    return AutoModelForCausalLM.from_pretrained(stories260k).eval(), AutoTokenizer.from_pretrained(stories260k)


def test_deterministic_for_a_seed(stories) -> None:  # type: ignore[no-untyped-def]
    model, tok = stories
    a = generate_fingerprints(model, tok, FingerprintRecipe(num_fingerprints=3, seed=42))
    b = generate_fingerprints(model, tok, FingerprintRecipe(num_fingerprints=3, seed=42))
    c = generate_fingerprints(model, tok, FingerprintRecipe(num_fingerprints=3, seed=7))
    assert a.ids == b.ids and [p.text for p in a.prompts] == [p.text for p in b.prompts]
    assert a.ids != c.ids
    assert all(len(ids) == 64 for ids in a.ids)
    assert not set(sum(a.ids, [])) & special_token_ids(tok)  # never BOS/EOS/UNK
    assert all(p.text == tok.decode(p.ids, skip_special_tokens=True) for p in a.prompts)


def test_reference_sampling_rule(stories) -> None:  # type: ignore[no-untyped-def]
    """Prefix = random.choices(allowed, k=8) from seed 42; every later token is among the 50 least likely."""
    model, tok = stories
    fps = generate_fingerprints(model, tok, FingerprintRecipe(num_fingerprints=2, seed=42))
    allowed = allowed_token_ids(tok, model)
    assert allowed == list(range(3, 512))  # stories260K: <unk>, <s>, </s> excluded
    rng = random.Random(42)
    assert fps.ids[0][:8] == rng.choices(allowed, k=8)
    ids = fps.ids[1]
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0]
    for pos in (8, 20, 40, 63):  # token at `pos` was chosen from the distribution after ids[:pos]
        probs = torch.softmax(logits[pos - 1], -1)
        probs[[0, 1, 2]] = 1e9
        lowest50 = set(torch.argsort(probs, stable=True)[:50].tolist())
        assert ids[pos] in lowest50


def test_save_load_round_trip(stories, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model, tok = stories
    fps = generate_fingerprints(model, tok, FingerprintRecipe(num_fingerprints=4, seed=3), base_model_name="stories260K")
    p = save_fingerprints(tmp_path / "fp.json", fps)
    data = json.loads(p.read_text())
    assert data["meta"]["vocab_size"] == 512 and data["meta"]["base_model"] == "stories260K"
    assert data["fingerprints"][0]["x_prime"] == fps.prompts[0].text  # readable by the reference loader
    back = load_fingerprints(p, tokenizer=tok, model=model)
    assert back.ids == fps.ids and [x.text for x in back.prompts] == [x.text for x in fps.prompts]
    assert back.meta == fps.meta


def test_reference_text_format_is_retokenised(stories, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, tok = stories
    f = tmp_path / "ref.json"
    f.write_text(json.dumps([{"x_prime": "Once upon a time"}, {"x_prime": "the end"}]))
    fps = load_fingerprints(f, tokenizer=tok)
    assert fps.meta["retokenised"] and fps.ids[0] == tok("Once upon a time", add_special_tokens=False)["input_ids"]
    with pytest.raises(DataError, match="need a tokenizer"):
        load_fingerprints(f)


def test_fingerprints_from_another_vocabulary_are_refused(stories, tiny_llama_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    model, tok = stories
    p = save_fingerprints(tmp_path / "fp.json", generate_fingerprints(model, tok, FingerprintRecipe(num_fingerprints=2)))
    tiny = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    tiny_tok = AutoTokenizer.from_pretrained(tiny_llama_dir)
    with pytest.raises(CorpuslabError, match="vocabulary of 512 ids, this model has 1000"):
        load_fingerprints(p, tokenizer=tiny_tok, model=tiny)
    with pytest.raises(CorpuslabError, match="another tokenizer"):
        load_fingerprints(p, tokenizer=tiny_tok)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"fingerprints": [{"ids": ["a"]}]}))
    with pytest.raises(DataError, match="fingerprint 0"):
        load_fingerprints(bad)


def test_tiny_model_fingerprints(tiny_llama_dir: Path) -> None:  # noqa: F811
    model = AutoModelForCausalLM.from_pretrained(tiny_llama_dir).eval()
    tok = AutoTokenizer.from_pretrained(tiny_llama_dir)
    a = generate_fingerprints(model, tok, FingerprintRecipe(num_fingerprints=2, total_len=32, seed=1))
    b = generate_fingerprints(model, tok, FingerprintRecipe(num_fingerprints=2, total_len=32, seed=1))
    assert a.ids == b.ids and len(a.ids[0]) == 32
    assert max(max(r) for r in a.ids) < 1000 and not set(sum(a.ids, [])) & special_token_ids(tok)
    with pytest.raises(CorpuslabError, match="prefix_len"):
        generate_fingerprints(model, tok, FingerprintRecipe(total_len=4, prefix_len=8))
