"""Shared helpers for the anatomy tests: a tiny causal LM trained on nothing (random init) over real text."""

from __future__ import annotations

import bz2
import functools
from typing import Any

from conftest import shared_path


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
