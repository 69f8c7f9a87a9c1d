"""Annotated articles → token ids with each anchor as a token span; the id dtype that holds a vocabulary.

An anchor is kept only if its first and last characters sit on token boundaries of the model's tokenizer
(no token straddles either edge; SentencePiece/byte-level leading spaces are allowed), as in the
leia-llm/leia ``scripts/build_wikipedia_dataset.py``. Deliberate difference: token ids are stored as int16
only while the vocabulary fits (ids ≤ 32767) and as int32 beyond (the reference's int16 default silently
overflows there).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpuslab.core.errors import CorpuslabError


def choose_id_dtype(vocab_size: int, requested: str = "auto") -> np.dtype:
    """Narrowest safe dtype for token ids: int16 while every id ≤ 32767 (``V ≤ 32768``), else int32.

    ``requested`` may force ``int16``/``uint16``/``int32``; a type too narrow for ``V`` raises.
    """
    limits = {"int16": 32767, "uint16": 65535, "int32": 2**31 - 1}
    if requested == "auto":
        return np.dtype(np.int16) if vocab_size - 1 <= limits["int16"] else np.dtype(np.int32)
    if requested not in limits:
        raise CorpuslabError(f"unknown id dtype {requested!r}: use auto, int16, uint16 or int32")
    if vocab_size - 1 > limits[requested]:
        raise CorpuslabError(f"vocabulary of {vocab_size} ids does not fit {requested} (max id {limits[requested]})")
    return np.dtype(requested)


def token_boundaries(text: str, offsets: Sequence[tuple[int, int]]) -> tuple[dict[int, int], dict[int, int]]:
    """Character → token maps: ``starts[c] = k`` if token k starts at c, ``ends[c] = k + 1`` if token k ends at c.

    A position counts only where no token straddles it: byte-level BPE splits a multi-byte character over
    tokens that share its offsets, and such positions are not boundaries. A token whose text begins with
    whitespace also starts at its first non-space character (the SentencePiece ``▁`` fix).
    """
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    prev_end = 0
    n = len(offsets)
    for k, (s, e) in enumerate(offsets):
        if e <= s:
            continue
        if s >= prev_end:
            starts.setdefault(s, k)
            p = s
            while p < e and text[p].isspace():
                p += 1
            if p < e and p != s:
                starts.setdefault(p, k)
        nxt = offsets[k + 1][0] if k + 1 < n else len(text)
        if nxt >= e:
            ends[e] = k + 1
        prev_end = max(prev_end, e)
    return starts, ends


@dataclass
class TokenizedArticle:
    input_ids: np.ndarray          # without BOS
    entity_start: np.ndarray       # token index (int32)
    entity_end: np.ndarray         # exclusive token index (int32)
    entity_names: list[np.ndarray]  # token ids of each English name
    qids: list[str]


def tokenize_articles(articles: Sequence[dict[str, Any]], tokenizer: Any, dtype: np.dtype,
                      counters: Counter[str] | None = None, name_cache: dict[str, np.ndarray] | None = None,
                      ) -> list[TokenizedArticle]:
    """Tokenise annotated articles in one batch call; drop anchors that are not on token boundaries."""
    c = counters if counters is not None else Counter()
    cache = name_cache if name_cache is not None else {}
    enc = tokenizer([a["text"] for a in articles], add_special_tokens=False, return_offsets_mapping=True,
                    verbose=False)
    new_names = sorted({an["name"] for a in articles for an in a["anchors"] if an["name"] not in cache})
    if new_names:
        for name, ids in zip(new_names, tokenizer(new_names, add_special_tokens=False)["input_ids"], strict=True):
            cache[name] = np.asarray(ids, dtype=dtype)
    out = []
    for a, ids, offs in zip(articles, enc["input_ids"], enc["offset_mapping"], strict=True):
        starts, ends = token_boundaries(a["text"], offs)
        es, ee, names, qids = [], [], [], []
        for an in a["anchors"]:
            ts, te = starts.get(an["start"]), ends.get(an["end"])
            if ts is None or te is None or te <= ts:
                c["dropped_not_token_boundary"] += 1
                continue
            name_ids = cache[an["name"]]
            if len(name_ids) == 0:
                c["dropped_empty_name"] += 1
                continue
            es.append(ts)
            ee.append(te)
            names.append(name_ids)
            qids.append(an["qid"])
        c["links_kept"] += len(es)
        c["tokens"] += len(ids)
        out.append(TokenizedArticle(np.asarray(ids, dtype=dtype), np.asarray(es, dtype=np.int32),
                                    np.asarray(ee, dtype=np.int32), names, qids))
    return out
