"""Entity-name insertion: which anchors get ``<translate>name</translate>`` this epoch, and where it goes.

As in LEIA (leia-llm/leia ``leia/data.py``): each kept anchor is inserted independently with probability
``p`` (0.5), re-drawn every epoch; strategies ``after`` (reference ``right``, default), ``before``
(``left``), ``replace`` and ``none``; ``markers=False`` inserts the bare name (the reference's later
``no_separator_tokens`` option).

Deliberate difference: draws come from ``numpy.random.default_rng((seed, epoch, article))`` instead of one
sequential ``random.Random(seed)``, so an article's insertions do not depend on iteration order, workers or
resumption.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from corpuslab.core.errors import CorpuslabError
from corpuslab.leia.markers import MarkerIds
from corpuslab.leia.tokens import TokenizedArticle

STRATEGIES = ("after", "before", "replace", "none")
_STRATEGY_ALIASES = {"right": "after", "left": "before"}

#: ``kind`` of a token in an inserted sequence: text, marker, inserted name (and BOS, set by the packer)
TEXT, MARKER, NAME, BOS = 0, 1, 2, 3


def normalize_strategy(strategy: str) -> str:
    s = _STRATEGY_ALIASES.get(strategy, strategy)
    if s not in STRATEGIES:
        raise CorpuslabError(f"unknown insertion strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
    return s


@dataclass(frozen=True)
class InsertionSettings:
    """How names are inserted: probability ``p``, ``strategy``, the ``seed`` of the draws, with or without markers."""

    p: float = 0.5
    strategy: str = "after"
    seed: int = 42
    markers: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.p <= 1.0:
            raise CorpuslabError(f"insertion probability must be in [0, 1], got {self.p}")
        object.__setattr__(self, "strategy", normalize_strategy(self.strategy))


def insertion_draws(n_anchors: int, p: float, seed: int, epoch: int, article_index: int) -> np.ndarray:
    """Which anchors of one article get their name inserted this epoch (independent Bernoulli(p))."""
    if n_anchors == 0 or p <= 0:
        return np.zeros(n_anchors, dtype=bool)
    rng = np.random.default_rng((seed, epoch, article_index))
    return rng.random(n_anchors) < p


def insert_entity_names(article: TokenizedArticle, take: np.ndarray, marker_ids: MarkerIds,
                        strategy: str = "after", markers: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Insert ``[open] name [close]`` for the anchors with ``take``; return ``(ids, kind)``.

    ``kind`` is :data:`TEXT`, :data:`MARKER` or :data:`NAME` per token (for loss masking and tests).
    Anchors are non-overlapping and sorted by start.
    """
    input_ids = article.input_ids
    if strategy == "none" or not take.any():
        return input_ids, np.zeros(len(input_ids), dtype=np.int8)
    dt = input_ids.dtype
    pieces: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    o = np.asarray([marker_ids.open_id], dtype=dt)
    cl = np.asarray([marker_ids.close_id], dtype=dt)
    pos = 0
    for k in np.flatnonzero(take):
        s, e = int(article.entity_start[k]), int(article.entity_end[k])
        cut = e if strategy == "after" else s
        pieces.append(input_ids[pos:cut])
        kinds.append(np.full(cut - pos, TEXT, dtype=np.int8))
        name = article.entity_names[k].astype(dt, copy=False)
        if markers:
            pieces += [o, name, cl]
            kinds += [np.full(1, MARKER, np.int8), np.full(len(name), NAME, np.int8), np.full(1, MARKER, np.int8)]
        else:
            pieces.append(name)
            kinds.append(np.full(len(name), NAME, np.int8))
        pos = e if strategy == "replace" else cut
    pieces.append(input_ids[pos:])
    kinds.append(np.full(len(input_ids) - pos, TEXT, dtype=np.int8))
    return np.concatenate(pieces), np.concatenate(kinds)
