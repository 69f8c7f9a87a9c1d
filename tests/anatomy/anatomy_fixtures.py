"""Shared helpers for the anatomy tests: a tiny causal LM trained on nothing (random init) over real text."""

from __future__ import annotations

import bz2
import functools
from collections.abc import Iterator
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
    from corpuslab.anatomy.synth import read_code, read_stackexchange

    root = shared_path("stackexchange/beer.stackexchange-Posts.xml.bz2").parents[1]
    se = [t[:chars] for _, t in zip(range(per_category), read_stackexchange(root), strict=False)]
    code = [t[:chars] for _, t in zip(range(per_category), read_code(("rich", "click", "yaml")), strict=False)]
    books = [p[:chars] for p in botchan_paragraphs()[:per_category]]
    return {"books": books, "stackexchange": se, "github": code}
