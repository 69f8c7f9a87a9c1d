"""MinHash-LSH quality on planted near-duplicates at known Jaccard similarity, and deterministic survivors."""

from __future__ import annotations

import numpy as np

from corpuslab.clean.dedup import exact_duplicates, minhash_clusters
from corpuslab.clean.tag import band_keys_batch, shingle_tokens


def _shingles(words: list[str], n: int = 5) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_planted_near_duplicates_recall_and_false_merges() -> None:
    rng = np.random.default_rng(7)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocab = sorted({"".join(rng.choice(letters, 6)) for _ in range(20000)})  # no digits: simplify_text maps them to 0
    docs: list[list[str]] = []
    pairs: list[tuple[int, int, float]] = []
    for _ in range(400):
        base = [vocab[i] for i in rng.integers(0, len(vocab), 200)]
        b = len(docs)
        docs.append(base)
        # edits spread over the text: Jaccard ~0.95, 0.9, 0.87, 0.82, then 0.45, 0.38, 0.27, 0.15 (below 0.5
        # spread evenly: with 14x8 bands the candidate probability is 5.3% at J=0.5 but 0.04% at J=0.27)
        for m in (1, 2, 3, 4, 15, 20, 30, 33):
            v = list(base)
            for pos in rng.choice(np.arange(0, 200, 6), size=m, replace=False):
                v[pos] = vocab[int(rng.integers(0, len(vocab)))] + "q"
            j = len(_shingles(base) & _shingles(v)) / len(_shingles(base) | _shingles(v))
            pairs.append((b, len(docs), j))
            docs.append(v)
    toks = [shingle_tokens(" ".join(d), "en", True) for d in docs]
    keys = band_keys_batch([t for t, _ in toks], [c for _, c in toks], 5, 5, 14, 8, 1)
    rank = np.arange(len(docs))
    # cluster each (base, variant) pair on its own so transitive merges through siblings do not help recall
    high = [(a, b) for a, b, j in pairs if j >= 0.8]
    low = [(a, b) for a, b, j in pairs if j < 0.5]
    assert len(high) > 1000 and len(low) > 700

    def same(a: int, b: int) -> bool:
        """A pair on its own is merged iff it shares a band key (what minhash_clusters does, checked below)."""
        return bool((keys[a] == keys[b]).any())

    for a, b in high[:50] + low[:50]:
        dup, surv, _ = minhash_clusters(keys[[a, b]], rank[:2], np.ones(2, bool))
        assert bool(dup[1] and surv[1] == 0) == same(a, b)
    recall = np.mean([same(a, b) for a, b in high])
    false_merge = np.mean([same(a, b) for a, b in low])
    assert recall >= 0.95, recall
    assert false_merge <= 0.01, false_merge
    near_half = [(a, b) for a, b, j in pairs if 0.4 <= j < 0.5]
    assert np.mean([same(a, b) for a, b in near_half]) <= 0.06  # S-curve 1-(1-s^8)^14 <= 0.053 here
    # all documents together: every base survives (it ranks first in its cluster), unrelated bases never merge
    dup, surv, size = minhash_clusters(keys, rank, np.ones(len(docs), bool))
    bases = np.array(sorted({a for a, _, _ in pairs}))
    assert not dup[bases].any()
    assert (surv[dup] >= 0).all() and set(surv[dup].tolist()) <= set(bases.tolist())


def test_japanese_near_duplicates_use_character_shingles() -> None:
    a = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。"
    b = a.replace("薄暗い", "明るい")
    c = "東京は日本の首都であり、政治と経済の中心地である。人口は約千四百万人で、世界有数の大都市圏を形成している。"
    toks = [shingle_tokens(t, "ja", True) for t in (a, b, c)]
    assert toks[0][1] is True  # characters, not words
    keys = band_keys_batch([t for t, _ in toks], [f for _, f in toks], 5, 5, 14, 8, 1)
    dup, surv, size = minhash_clusters(keys, np.arange(3), np.ones(3, bool))
    assert list(dup) == [False, True, False] and surv[1] == 0 and size[0] == 2


def test_exact_duplicates_keep_first_in_rank_order() -> None:
    h = np.array([9, 4, 9, 9, 4], dtype=np.uint64)
    rank = np.array([3, 1, 0, 2, 4])
    dup, surv = exact_duplicates(h, rank, np.array([True, True, True, True, True]))
    assert list(dup) == [True, False, False, True, True]
    assert surv[0] == 2 and surv[3] == 2 and surv[4] == 1
