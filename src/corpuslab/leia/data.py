"""Tokenise annotated articles, insert ``<translate>name</translate>``, pack into windows, mask the loss.

Reference behaviour (shared/reference/leia_and_revertrisk.md A.2 step 6, A.3):

* an anchor is kept only if its first and last characters sit on token boundaries of the model's
  tokenizer (no token straddles either edge; SentencePiece/byte-level leading spaces are allowed);
* each kept anchor is inserted independently with probability ``p`` (0.5), re-drawn every epoch;
  strategies ``after`` (reference ``right``, default), ``before`` (``left``), ``replace``, ``none``;
* articles are BOS-prefixed (no EOS), shuffled per epoch, appended to one running buffer, and every
  full window is emitted (the remainder carries over; the final partial window is dropped);
* labels = input ids, with both markers (and padding) set to -100; the inserted name tokens are trained.

Deliberate differences: draws come from ``numpy.random.default_rng((seed, epoch, article))`` instead of
one sequential ``random.Random(seed)``, so an article's insertions do not depend on iteration order,
workers or resumption; token ids are stored as int16 only while the vocabulary fits (ids ≤ 32767) and
as int32 beyond (the reference's int16 default silently overflows there).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from corpuslab.core.errors import CorpuslabError

TRANSLATE_OPEN = "<translate>"
TRANSLATE_CLOSE = "</translate>"
Strategy = Literal["after", "before", "replace", "none"]
STRATEGIES = ("after", "before", "replace", "none")
_STRATEGY_ALIASES = {"right": "after", "left": "before"}


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


def normalize_strategy(strategy: str) -> str:
    s = _STRATEGY_ALIASES.get(strategy, strategy)
    if s not in STRATEGIES:
        raise CorpuslabError(f"unknown insertion strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
    return s


def add_marker_tokens(tokenizer: Any) -> tuple[int, int]:
    """Register ``<translate>``/``</translate>`` as special tokens (idempotent); return their ids."""
    missing = [t for t in (TRANSLATE_OPEN, TRANSLATE_CLOSE) if t not in tokenizer.get_vocab()]
    if missing:
        from tokenizers import AddedToken

        tokenizer.add_tokens([AddedToken(t, special=True, normalized=False) for t in missing], special_tokens=True)
    return tokenizer.convert_tokens_to_ids(TRANSLATE_OPEN), tokenizer.convert_tokens_to_ids(TRANSLATE_CLOSE)


def init_marker_embeddings(model: Any, tokenizer: Any) -> list[int]:
    """Grow the model to the tokenizer and set new *input* embedding rows to the mean of the old ones.

    Returns the ids that were initialised (none if the model already had them). As in the reference,
    untied LM-head rows keep ``resize_token_embeddings``' default initialisation.
    """
    import torch

    old = model.get_input_embeddings().weight.shape[0]
    new = len(tokenizer)
    if new <= old:
        return []
    try:  # no mean/covariance resizing: the reference's LM-head rows keep the plain default initialisation
        model.resize_token_embeddings(new, mean_resizing=False)
    except TypeError:  # older transformers
        model.resize_token_embeddings(new)
    emb = model.get_input_embeddings().weight
    with torch.no_grad():
        emb[old:new] = emb[:old].mean(dim=0, keepdim=True)
    return list(range(old, new))


# ---- tokenisation and alignment -------------------------------------------------------------------


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


# ---- insertion ------------------------------------------------------------------------------------


def insertion_draws(n_anchors: int, p: float, seed: int, epoch: int, article_index: int) -> np.ndarray:
    """Which anchors of one article get their name inserted this epoch (independent Bernoulli(p))."""
    if n_anchors == 0 or p <= 0:
        return np.zeros(n_anchors, dtype=bool)
    rng = np.random.default_rng((seed, epoch, article_index))
    return rng.random(n_anchors) < p


def insert_entity_names(
    input_ids: np.ndarray, entity_start: np.ndarray, entity_end: np.ndarray, entity_names: Sequence[np.ndarray],
    take: np.ndarray, open_id: int, close_id: int, strategy: str = "after", markers: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Insert ``[open] name [close]`` for anchors with ``take``; return ``(ids, kind)``.

    ``kind`` is 0 for text tokens, 1 for markers, 2 for inserted name tokens (for loss masking and tests).
    Anchors are non-overlapping and sorted by start.
    """
    if strategy == "none" or not take.any():
        return input_ids, np.zeros(len(input_ids), dtype=np.int8)
    dt = input_ids.dtype
    pieces: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    o = np.asarray([open_id], dtype=dt)
    cl = np.asarray([close_id], dtype=dt)
    pos = 0
    for k in np.flatnonzero(take):
        s, e = int(entity_start[k]), int(entity_end[k])
        cut = e if strategy == "after" else s
        pieces.append(input_ids[pos:cut])
        kinds.append(np.zeros(cut - pos, dtype=np.int8))
        name = entity_names[k].astype(dt, copy=False)
        if markers:
            pieces += [o, name, cl]
            kinds += [np.ones(1, np.int8), np.full(len(name), 2, np.int8), np.ones(1, np.int8)]
        else:
            pieces.append(name)
            kinds.append(np.full(len(name), 2, np.int8))
        pos = e if strategy == "replace" else cut
    pieces.append(input_ids[pos:])
    kinds.append(np.zeros(len(input_ids) - pos, dtype=np.int8))
    return np.concatenate(pieces), np.concatenate(kinds)


# ---- packing --------------------------------------------------------------------------------------


class LeiaPacker:
    """Iterate packed windows over tokenised articles, one epoch at a time, insertions re-drawn per epoch."""

    def __init__(self, articles: Any, seq_len: int, bos_id: int | None, open_id: int, close_id: int,
                 p: float = 0.5, strategy: str = "after", seed: int = 42, shuffle: bool = True,
                 markers: bool = True):
        if seq_len < 2:
            raise CorpuslabError(f"seq_len must be >= 2, got {seq_len}")
        if not 0.0 <= p <= 1.0:
            raise CorpuslabError(f"insertion probability must be in [0, 1], got {p}")
        self.articles = articles  # sequence-like: len() and [i] → TokenizedArticle
        self.seq_len = seq_len
        self.bos_id = bos_id
        self.open_id, self.close_id = open_id, close_id
        self.p = p
        self.strategy = normalize_strategy(strategy)
        self.seed = seed
        self.shuffle = shuffle
        self.markers = markers
        self.counters: Counter[str] = Counter()

    def order(self, epoch: int) -> np.ndarray:
        n = len(self.articles)
        if not self.shuffle:
            return np.arange(n)
        return np.random.default_rng((self.seed, epoch)).permutation(n)

    def epoch_windows(self, epoch: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """``(ids, kind)`` windows of exactly ``seq_len`` tokens; ``kind`` 3 marks BOS."""
        buf_ids: list[np.ndarray] = []
        buf_kind: list[np.ndarray] = []
        buffered = 0
        L = self.seq_len
        c = self.counters
        for idx in self.order(epoch):
            art = self.articles[int(idx)]
            take = insertion_draws(len(art.entity_start), self.p, self.seed, epoch, int(idx))
            if self.strategy == "none":
                take[:] = False
            ids, kind = insert_entity_names(art.input_ids, art.entity_start, art.entity_end, art.entity_names,
                                            take, self.open_id, self.close_id, self.strategy, self.markers)
            c["articles"] += 1
            c["links_inserted"] += int(take.sum())
            c["links_not_inserted"] += int(len(take) - take.sum())
            if self.bos_id is not None:
                ids = np.concatenate([np.asarray([self.bos_id], dtype=ids.dtype), ids])
                kind = np.concatenate([np.asarray([3], dtype=np.int8), kind])
            buf_ids.append(ids)
            buf_kind.append(kind)
            buffered += len(ids)
            if buffered >= L:
                all_ids = np.concatenate(buf_ids)
                all_kind = np.concatenate(buf_kind)
                n_full = len(all_ids) // L
                for w in range(n_full):
                    c["windows"] += 1
                    yield all_ids[w * L:(w + 1) * L], all_kind[w * L:(w + 1) * L]
                buf_ids = [all_ids[n_full * L:]]
                buf_kind = [all_kind[n_full * L:]]
                buffered = len(buf_ids[0])
        c["tokens_dropped_tail"] += buffered


def _torch_iterable_base() -> type:
    import torch.utils.data

    return torch.utils.data.IterableDataset


class LeiaDataset(_torch_iterable_base()):  # type: ignore[misc]
    """Endless (or ``epochs``-long) stream of packed LEIA windows for Trainer: ``input_ids`` + ``entity_name_mask``.

    One DataLoader worker only, as in the reference: the epoch order is global.
    """

    def __init__(self, packer: LeiaPacker, epochs: int | None = None, start_epoch: int = 0):
        super().__init__()
        self.packer = packer
        self.epochs = epochs
        self.start_epoch = start_epoch

    def __iter__(self) -> Iterator[dict[str, Any]]:
        epoch = self.start_epoch
        while self.epochs is None or epoch < self.start_epoch + self.epochs:
            produced = False
            for ids, kind in self.packer.epoch_windows(epoch):
                produced = True
                yield {"input_ids": ids.astype(np.int64), "entity_name_mask": (kind == 2)}
            if not produced:
                raise CorpuslabError(f"no full window of {self.packer.seq_len} tokens: too little data for seq_len")
            epoch += 1


@dataclass
class LeiaCollator:
    """Batch windows; labels = ids with markers, padding (and optionally name tokens) set to -100.

    Padding is masked by position, not id, so with ``pad = eos`` a real EOS is still learned (the
    reference masks the pad id; with packing there is no padding either way).
    """

    marker_ids: tuple[int, ...]
    pad_token_id: int = 0
    mask_entity_names: bool = False

    def __call__(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        n = max(len(e["input_ids"]) for e in examples)
        ids = torch.full((len(examples), n), self.pad_token_id, dtype=torch.long)
        attn = torch.zeros((len(examples), n), dtype=torch.long)
        names = torch.zeros((len(examples), n), dtype=torch.bool)
        for i, e in enumerate(examples):
            L = len(e["input_ids"])
            ids[i, :L] = torch.as_tensor(np.asarray(e["input_ids"], dtype=np.int64))
            attn[i, :L] = 1
            if self.mask_entity_names and "entity_name_mask" in e:
                names[i, :L] = torch.as_tensor(np.asarray(e["entity_name_mask"], dtype=bool))
        labels = ids.clone()
        labels[attn == 0] = -100
        labels[torch.isin(ids, torch.as_tensor(list(self.marker_ids), dtype=torch.long))] = -100
        labels[names] = -100
        return {"input_ids": ids, "attention_mask": attn, "labels": labels}


def windows_needed(total_tokens: int, seq_len: int) -> int:
    return math.floor(total_tokens / seq_len)
