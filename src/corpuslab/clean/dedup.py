"""Exact and MinHash-LSH near-duplicate detection over all sources at once, on integer arrays.

* Exact: documents whose normalised text (:func:`corpuslab.clean.segment.simplify_text`) has the same
  64-bit xxh3 hash; the first in the global order survives.
* Near: MinHash band keys (default FineWeb's 14 bands × 8 rows over word 5-gram shingles, character
  5-grams for CJK); documents sharing a key in any band are candidate pairs; connected components of the
  candidate graph (SciPy's union-find over a sparse edge list) are clusters; the member first in the
  global order (source order, then original index) survives.

Memory: ``N × bands × 8`` bytes of keys plus one band's sort at a time (1M docs × 14 bands ≈ 112 MB).
"""

from __future__ import annotations

import numpy as np


def exact_duplicates(hashes: np.ndarray, rank: np.ndarray, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(is_duplicate mask, index of the surviving document for each row; -1 where not a duplicate)."""
    n = len(hashes)
    dup = np.zeros(n, dtype=bool)
    survivor = np.full(n, -1, dtype=np.int64)
    idx = np.flatnonzero(alive)
    if len(idx) < 2:
        return dup, survivor
    order = idx[np.lexsort((rank[idx], hashes[idx]))]
    h = hashes[order]
    same = np.concatenate([[False], h[1:] == h[:-1]])
    group_start = np.maximum.accumulate(np.where(~same, np.arange(len(order)), 0))
    dup[order[same]] = True
    survivor[order[same]] = order[group_start[same]]
    return dup, survivor


def band_edges(keys: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Candidate pairs from one band: consecutive rows with the same key after sorting (E × 2 int64)."""
    valid = keys != 0
    k, ix = keys[valid], idx[valid]
    if len(k) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    o = np.argsort(k, kind="stable")
    ks, ixs = k[o], ix[o]
    same = ks[1:] == ks[:-1]
    return np.stack([ixs[1:][same], ixs[:-1][same]], axis=1).astype(np.int64)


def minhash_clusters(
    band_keys: np.ndarray, rank: np.ndarray, alive: np.ndarray, edges_fn=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(is_duplicate mask, survivor index per row or -1, cluster size per row) from ``N × bands`` keys.

    ``edges_fn(list_of_(keys, idx)) -> list of edge arrays`` lets the caller group bands elsewhere (Ray).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = band_keys.shape[0]
    dup = np.zeros(n, dtype=bool)
    survivor = np.full(n, -1, dtype=np.int64)
    size = np.ones(n, dtype=np.int64)
    idx = np.flatnonzero(alive)
    if len(idx) < 2:
        return dup, survivor, size
    jobs = [(np.ascontiguousarray(band_keys[idx, b]), idx) for b in range(band_keys.shape[1])]
    parts = edges_fn(jobs) if edges_fn else [band_edges(k, i) for k, i in jobs]
    edges = np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int64)
    if len(edges) == 0:
        return dup, survivor, size
    g = coo_matrix((np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    lab = labels[idx]
    # survivor = member with the smallest rank in each component
    o = np.lexsort((rank[idx], lab))
    lab_s, idx_s = lab[o], idx[o]
    first = np.concatenate([[True], lab_s[1:] != lab_s[:-1]])
    head_pos = np.maximum.accumulate(np.where(first, np.arange(len(o)), 0))
    heads = idx_s[head_pos]
    counts = np.bincount(lab_s)
    comp_size = counts[lab_s]
    is_dup = ~first
    dup[idx_s[is_dup]] = True
    survivor[idx_s[is_dup]] = heads[is_dup]
    size[idx_s] = comp_size
    return dup, survivor, size


def _band_job(job: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return band_edges(*job)


def ray_edges_fn(workers: int, address: str | None):  # type: ignore[no-untyped-def]
    """Group bands as Ray tasks (one per band) through the shared engine."""
    from corpuslab.engine import run_tasks

    def fn(jobs):  # type: ignore[no-untyped-def]
        return run_tasks(_band_job, jobs, workers=workers, engine="ray", ray_address=address, desc="LSH bands", progress=False)

    return fn
