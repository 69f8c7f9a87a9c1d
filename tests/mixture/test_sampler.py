"""The bottom-k sampler: exact k, uniform over positions, chunking- and path-independent keys."""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy.stats import chisquare

from corpuslab.mixture.sampler import (
    Pool,
    bottom_k_indices,
    keys_for,
    offer_chunk,
    sample_records,
    stream_base,
)


def test_reservoir_selection_is_uniform_over_positions() -> None:
    n, k, trials = 40, 8, 4000
    counts = Counter()
    for seed in range(trials):
        for i, _ in sample_records(({"i": i} for i in range(n)), k, seed, "uniformity", chunk=13):
            counts[i] += 1
    observed = np.array([counts[i] for i in range(n)])
    assert observed.sum() == k * trials
    # H0: every position equally likely (expected k*trials/n each); a biased sampler fails this
    assert chisquare(observed).pvalue > 0.001
    # first and last positions are not favoured (a classic reservoir bug)
    assert abs(observed[:5].mean() - observed[-5:].mean()) < 0.15 * observed.mean()


def test_exact_k_and_without_replacement() -> None:
    got = sample_records(({"i": i} for i in range(10_000)), 137, 7, "s")
    idx = [i for i, _ in got]
    assert len(idx) == 137 and len(set(idx)) == 137 and idx == sorted(idx)
    assert all(rec["i"] == i for i, rec in got)


def test_chunking_does_not_change_the_sample() -> None:
    a = [i for i, _ in sample_records(({"i": i} for i in range(5000)), 50, 3, "s", chunk=64)]
    b = [i for i, _ in sample_records(({"i": i} for i in range(5000)), 50, 3, "s", chunk=5000)]
    assert a == b
    c = [i for i, _ in sample_records(({"i": i} for i in range(5000)), 50, 4, "s")]
    assert a != c  # another seed, another sample


def test_known_size_path_matches_streaming_path() -> None:
    base = stream_base(42, "src", "file.parquet")
    pool = Pool(k=100)
    for s in range(0, 100_000, 7_000):
        offer_chunk(pool, base, s, list(range(s, min(s + 7_000, 100_000))), lambda x: {"i": x})
    assert np.array_equal(np.sort(pool.idx), bottom_k_indices(base, 100_000, 100, block=10_000))


def test_keys_are_uint64_and_distinct() -> None:
    k = keys_for(123, 0, 100_000)
    assert k.dtype == np.uint64 and len(np.unique(k)) == 100_000
