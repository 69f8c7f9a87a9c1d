"""Hash-keyed bottom-k sampling: uniform without replacement, exact k, seeded, mergeable.

Why this and not a reservoir (Algorithm R/L): every record gets the key ``H(seed, source, unit, index)``
and the sample is the k records with the smallest keys. The key does not depend on stream order or on
what else was read, so per-file samples merge exactly (take the k smallest of the union): the output
is byte-identical for any worker count, any file order and after a resume. Keys are computed for a
whole chunk of indices at once with NumPy (splitmix64), and only records whose key beats the current
k-th smallest are decoded — after the first k, that is about k·ln(n/k) of n records, which is why the
sampler reads JSONL at the speed of a plain pass over the lines. Where the row count is known up front
(Parquet footers), the bottom-k indices are drawn first and only their row groups are read; both paths
pick the same records.

For token budgets (``unit: tokens``) the pool keeps records in key order until their tokens cover the
budget (the smallest-key prefix whose token sum reaches the budget), which is mergeable in the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xxhash

U64_MAX = np.uint64(0xFFFFFFFFFFFFFFFF)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)


def stream_base(seed: int, source: str, unit_id: str) -> int:
    return xxhash.xxh64_intdigest(f"{seed}\x00{source}\x00{unit_id}".encode())


def keys_for(base: int, start: int, n: int) -> np.ndarray:
    """splitmix64 of (base + (index+1)·φ) for indices ``start..start+n-1``: iid-uniform uint64 keys."""
    i = np.arange(start + 1, start + n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(base) + i * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _C1
        z = (z ^ (z >> np.uint64(27))) * _C2
        return z ^ (z >> np.uint64(31))


@dataclass
class Pool:
    """The current sample of one unit (or a merge of units): keys, indices and decoded records.

    Records live in an append-only store addressed by ``slot``; selection only permutes NumPy arrays,
    so keeping the pool costs O(pool) array work per chunk and no per-record Python work.
    """

    k: int | None = None            # document quota, or None in token mode
    budget: int | None = None       # token budget in token mode
    keys: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint64))
    idx: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    tokens: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    slot: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    store: list[Any] = field(default_factory=list)

    @property
    def items(self) -> list[Any]:
        return [self.store[s] for s in self.slot.tolist()]

    def threshold(self) -> np.uint64:
        """Keys at or above this cannot enter the pool."""
        if self.k is not None:
            if self.k == 0:
                return np.uint64(0)
            return self.keys.max() if len(self.keys) >= self.k else U64_MAX
        if self.budget is not None and self.tokens.sum() >= self.budget and len(self.keys):
            return self.keys.max()
        return U64_MAX

    def _take(self, order: np.ndarray) -> None:
        self.keys, self.idx = self.keys[order], self.idx[order]
        self.tokens, self.slot = self.tokens[order], self.slot[order]

    def _select(self) -> None:
        if self.k is not None:
            if len(self.keys) <= self.k:
                return
            part = np.argpartition(self.keys, self.k - 1)[: self.k] if self.k else np.empty(0, np.int64)
            kth = self.keys[part].max() if self.k else None
            if self.k and np.count_nonzero(self.keys == kth) > 1:  # a 64-bit tie: break it by index
                part = np.lexsort((self.idx, self.keys))[: self.k]
            self._take(part)
        elif self.budget is not None:
            order = np.lexsort((self.idx, self.keys))
            cum = np.cumsum(self.tokens[order])
            self._take(order[: int(np.searchsorted(cum, self.budget, side="left")) + 1])
        if len(self.store) > 4 * max(len(self.slot), 1024):  # drop records that left the pool
            self.store = self.items
            self.slot = np.arange(len(self.store), dtype=np.int64)

    def add(self, keys: np.ndarray, idx: np.ndarray, items: list[Any], tokens: np.ndarray | None = None) -> None:
        if not len(keys):
            return
        first = len(self.store)
        self.store.extend(items)
        self.keys = np.concatenate([self.keys, keys])
        self.idx = np.concatenate([self.idx, idx.astype(np.int64)])
        self.slot = np.concatenate([self.slot, np.arange(first, first + len(items), dtype=np.int64)])
        t = tokens if tokens is not None else np.zeros(len(keys), np.int64)
        self.tokens = np.concatenate([self.tokens, t.astype(np.int64)])
        self._select()

    def merge(self, other: Pool, index_offset: int = 0) -> None:
        self.add(other.keys, other.idx + index_offset, other.items, other.tokens)


@dataclass
class OfferStats:
    decoded: int = 0
    invalid: int = 0
    first_invalid: int | None = None


def offer_chunk(
    pool: Pool, base: int, start: int, payloads: list[Any],
    decode: Callable[[Any], Any | None], count_tokens: Callable[[Any], int] | None = None,
    stats: OfferStats | None = None,
) -> None:
    """Offer records ``start..start+len(payloads)-1``; decode only those that can enter the pool.

    Invalid records (decode → None) are left out as if absent and counted in ``stats``.
    """
    n = len(payloads)
    if n == 0:
        return
    keys = keys_for(base, start, n)
    thr = pool.threshold()
    cand = np.nonzero(keys < thr)[0] if thr != U64_MAX else np.arange(n)
    if not len(cand):
        return
    cand = cand[np.argsort(keys[cand], kind="stable")]
    stats = stats if stats is not None else OfferStats()
    pos = 0
    while pos < len(cand):
        # Decode only as many candidates as could still fit: for doc quotas that is the k smallest of
        # pool ∪ candidates; invalid ones free their place for the next candidate.
        if pool.k is not None:
            room = pool.k - int(np.count_nonzero(pool.keys < keys[cand[pos]])) if len(pool.keys) else pool.k
            take = cand[pos: pos + max(room, 0)]
            if not len(take):
                break
        else:
            take = cand[pos: pos + 256]
        pos += len(take)
        thr = pool.threshold()
        take = take[keys[take] < thr] if thr != U64_MAX else take
        if not len(take):
            break
        new_keys, new_idx, items, toks = [], [], [], []
        for j in take.tolist():
            rec = decode(payloads[j])
            stats.decoded += 1
            if rec is None:
                stats.invalid += 1
                if stats.first_invalid is None:
                    stats.first_invalid = start + j
                continue
            new_keys.append(keys[j])
            new_idx.append(start + j)
            items.append(rec)
            if count_tokens is not None:
                toks.append(count_tokens(rec))
        pool.add(np.array(new_keys, np.uint64), np.array(new_idx, np.int64), items,
                 np.array(toks, np.int64) if count_tokens is not None else None)


def finalize_lazy(pool: Pool, k: int, decode: Callable[[Any], Any | None], stats: OfferStats) -> Pool | None:
    """Decode a pool of raw payloads in key order and keep the first ``k`` valid records.

    Used when payloads were stored undecoded (JSONL lines) in a pool of ``k + slack``: decoding only the
    survivors instead of every record that ever entered the pool. Returns None when invalid records
    used up the slack while the pool was full — then the caller re-reads with eager decoding, so the
    result is always the exact bottom-k of the valid records.
    """
    order = np.lexsort((pool.idx, pool.keys)).tolist()
    items = pool.items
    keys, idx, recs = [], [], []
    for i in order:
        rec = decode(items[i])
        stats.decoded += 1
        if rec is None:
            stats.invalid += 1
            oi = int(pool.idx[i])
            stats.first_invalid = oi if stats.first_invalid is None else min(stats.first_invalid, oi)
            continue
        keys.append(pool.keys[i])
        idx.append(pool.idx[i])
        recs.append(rec)
        if len(recs) == k:
            break
    if len(recs) < k and pool.k is not None and len(pool.idx) >= pool.k:
        return None
    out = Pool(k=k)
    out.add(np.array(keys, np.uint64), np.array(idx, np.int64), recs)
    return out


def bottom_k_indices(base: int, n: int, k: int, block: int = 1 << 22) -> np.ndarray:
    """Known-size fast path: indices of the k smallest keys among ``0..n-1`` (sorted), chunked in memory."""
    best_k = np.empty(0, np.uint64)
    best_i = np.empty(0, np.int64)
    for s in range(0, n, block):
        m = min(block, n - s)
        keys = keys_for(base, s, m)
        ks = np.concatenate([best_k, keys])
        ix = np.concatenate([best_i, np.arange(s, s + m, dtype=np.int64)])
        if len(ks) > k:
            part = np.argpartition(ks, k - 1)[:k] if k > 0 else np.empty(0, np.int64)
            ks, ix = ks[part], ix[part]
        best_k, best_i = ks, ix
    return np.sort(best_i)


def sample_records(records: Iterable[dict[str, Any]], k: int, seed: int, stream_id: str,
                   chunk: int = 8192) -> list[tuple[int, dict[str, Any]]]:
    """Uniform sample of ``k`` records (without replacement) from any iterable, seeded and one-pass.

    Returns ``(original_index, record)`` pairs in index order. Same seed and stream id → same sample.
    """
    pool = Pool(k=k)
    base = stream_base(seed, stream_id, "")
    start, buf = 0, []
    for r in records:
        buf.append(r)
        if len(buf) >= chunk:
            offer_chunk(pool, base, start, buf, lambda x: x)
            start += len(buf)
            buf = []
    offer_chunk(pool, base, start, buf, lambda x: x)
    order = np.argsort(pool.idx, kind="stable")
    items = pool.items
    return [(int(pool.idx[i]), items[i]) for i in order]
