"""Shared helpers for the anatomy tests: real category texts, a tiny random-init causal LM, estimator outputs."""

from __future__ import annotations

import bz2
import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import shared_path


@pytest.fixture
def one_thread() -> Iterator[None]:
    """Run torch single-threaded for the test: on a shared 2-core machine, intra-op threads fighting
    other processes make tiny-model forward passes 10-30x slower. Restored afterwards."""
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


@functools.lru_cache(maxsize=1)
def botchan_paragraphs() -> tuple[str, ...]:
    text = bz2.open(shared_path("text/botchan.txt.bz2")).read().decode("utf-8", "replace")
    # this copy has one line per row and no blank lines: group lines into ~300-character passages
    paras, buf = [], ""
    for line in text.splitlines():
        buf += line.strip() + " "
        if len(buf) > 300:
            paras.append(buf.strip())
            buf = ""
    return tuple(paras[20:400])


@functools.lru_cache(maxsize=1)
def tiny_lm() -> tuple[Any, Any]:
    """A random-init 2-layer llama (vocab ~300) with a BPE tokenizer trained on Botchan."""
    from corpuslab.models.tiny import build_tiny_causal_lm

    model, tok = build_tiny_causal_lm(list(botchan_paragraphs()), arch="llama", vocab_size=300, seed=0, hidden=32,
                                      layers=2, heads=2, max_positions=160)
    model.eval()
    return model, tok


def real_category_texts(per_category: int = 80, chars: int = 600) -> dict[str, list[str]]:
    """Real passages for three categories (Botchan, beer.stackexchange posts, installed .py files)."""
    from corpuslab.anatomy.synth_benchmark import read_code, read_stackexchange

    root = shared_path("stackexchange/beer.stackexchange-Posts.xml.bz2").parents[1]
    se = [t[:chars] for _, t in zip(range(per_category), read_stackexchange(root), strict=False)]
    code = [t[:chars] for _, t in zip(range(per_category), read_code(("rich", "click", "yaml")), strict=False)]
    books = [p[:chars] for p in botchan_paragraphs()[:per_category]]
    return {"books": books, "stackexchange": se, "github": code}


def split_real(tmp_path: Path) -> tuple[Path, Path, dict[str, float]]:
    """Samples (first 50 per category) + 'generations' drawn from the rest in a known 60/30/10 mix."""
    from corpuslab.anatomy.samples import write_category_samples

    texts = real_category_texts(per_category=80)
    write_category_samples({c: v[:50] for c, v in texts.items()}, tmp_path / "samples")
    take = {"github": 24, "stackexchange": 12, "books": 4}
    gens = tmp_path / "gens.jsonl"
    with open(gens, "w") as fh:
        for c, k in take.items():
            for t in texts[c][50: 50 + k]:
                fh.write(json.dumps({"text": t}) + "\n")
    return tmp_path / "samples", gens, {c: k / 40 for c, k in take.items()}


def write_estimator_runs(tmp_path: Path) -> tuple[Path, Path]:
    """Two estimator output folders as the estimators write them: label shift (6-class) and Min-K%++ (7-class)."""
    ls = tmp_path / "ls"
    ls.mkdir()
    (ls / "summary.json").write_text(json.dumps({"priors": {
        "bbse": {"point": {"web": 0.8, "github": 0.2}, "mean": {"web": 0.7, "github": 0.3}},
        "em": {"mean": {"web": 0.6, "github": 0.4}}}}))
    mk = tmp_path / "mk"
    mk.mkdir()
    (mk / "summary.json").write_text(json.dumps({"global_mixture_over_sampled_pool": {"commoncrawl": 0.25, "c4": 0.25,
                                                                                       "github": 0.5}}))
    return ls, mk


def write_spec(path: Path, weights: dict[str, float], name: str = "t") -> Path:
    path.write_text(f"name: {name}\ncategory_weights:\n" + "".join(f"  {c}: {w}\n" for c, w in weights.items()))
    return path
