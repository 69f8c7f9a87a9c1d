"""Bottom-k sets and the overlap metric: self = 1.0, independent init ≈ k/V, batched = per-prompt."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from overlap_fixtures import _one_torch_thread, botchan_docs, tiny_llama_dir  # noqa: F401
from transformers import AutoModelForCausalLM, AutoTokenizer

from corpuslab.core.errors import CorpuslabError
from corpuslab.overlap.bottomk import (
    bottom_k_vocab,
    bottom_k_vocab_per_prompt,
    overlap_ratio,
    overlap_scores,
    padded_tail_logits,
    summarize,
)
from corpuslab.overlap.fingerprints import FingerprintRecipe, generate_fingerprints


@pytest.fixture(scope="module")
def stories(stories260k: Path):  # type: ignore[no-untyped-def]
    model = AutoModelForCausalLM.from_pretrained(stories260k).eval()
    tok = AutoTokenizer.from_pretrained(stories260k)
    return model, tok, generate_fingerprints(model, tok, FingerprintRecipe(num_fingerprints=8, seed=42))


def test_sets_are_the_k_lowest_logits(stories) -> None:  # type: ignore[no-untyped-def]
    model, _, fps = stories
    sets = bottom_k_vocab(model, fps.ids, k=40)
    assert sets.shape == (8, 1, 40)
    with torch.no_grad():
        logits = model(torch.tensor(fps.ids[:1])).logits[0, -1]
    order = torch.argsort(logits)
    assert set(sets[0, 0].tolist()) == set(order[:40].tolist())
    assert logits[sets[0, 0]].max() <= logits[order[40:]].min()


def test_self_overlap_is_exactly_one(stories) -> None:  # type: ignore[no-untyped-def]
    model, _, fps = stories
    a = bottom_k_vocab(model, fps.ids, k=200)
    b = bottom_k_vocab(model, fps.ids, k=200)
    assert np.array_equal(overlap_scores(a, b), np.ones(8))
    assert summarize(overlap_scores(a, b), 200, 512)["avg_overlap_ratio"] == 1.0


def _last_logits(model, prompt) -> torch.Tensor:  # type: ignore[no-untyped-def]
    with torch.no_grad():
        return model(torch.tensor([list(prompt)])).logits[0, -1].float()


def _assert_same_up_to_ties(model, prompts, a: np.ndarray, b: np.ndarray, tol: float = 1e-4) -> None:  # type: ignore[no-untyped-def]
    """Equal sets, except ids whose logit ties the k-th lowest within ``tol``.

    stories260K's tail is crowded (~30 logits within 1e-4 of the 100th lowest), and a batched, padded GEMM
    rounds differently from a single-prompt one in the last ulp on some CPUs: such ties may swap, nothing else.
    """
    k = a.shape[-1]
    for i, p in enumerate(prompts):
        logits = _last_logits(model, p)
        kth = torch.sort(logits).values[k - 1]
        diff = set(a[i].ravel().tolist()) ^ set(b[i].ravel().tolist())
        assert all(abs(float(logits[t] - kth)) <= tol for t in diff), (i, sorted(diff))


def test_batched_with_left_padding_equals_per_prompt_loop(stories) -> None:  # type: ignore[no-untyped-def]
    model, _, fps = stories
    prompts = [fps.ids[0][:17], fps.ids[1], fps.ids[2][:40], fps.ids[3][:9]]  # unequal lengths → padding
    batched = bottom_k_vocab(model, prompts, k=100, batch_size=3)
    loop = bottom_k_vocab_per_prompt(model, prompts, k=100)
    _assert_same_up_to_ties(model, prompts, batched, loop)
    assert overlap_scores(batched, loop).min() >= 0.95
    # this model's bottom-k hardly depends on context, so check the padded pass itself: each prompt sees
    # exactly what it sees alone (logits equal to float32 rounding; an unmasked pad moves them by ~1e-2)
    with torch.no_grad():
        padded = padded_tail_logits(model, prompts)[:, -1]
    for row, p in zip(padded, prompts, strict=True):
        assert torch.allclose(row, _last_logits(model, p), atol=1e-4, rtol=0)


def test_independent_init_scores_near_chance(stories, tiny_llama_dir: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    model, _, fps = stories
    k, V = 64, 512
    torch.manual_seed(123)
    fresh = AutoModelForCausalLM.from_config(model.config).eval()  # same architecture and vocabulary
    s = overlap_scores(bottom_k_vocab(model, fps.ids, k=k), bottom_k_vocab(fresh, fps.ids, k=k))
    assert abs(s.mean() - k / V) < 0.06, s
    # two tiny models: same tokenizer trained on real text, different random init
    tiny = AutoModelForCausalLM.from_pretrained(tiny_llama_dir).eval()
    tok = AutoTokenizer.from_pretrained(tiny_llama_dir)
    torch.manual_seed(321)
    other = AutoModelForCausalLM.from_config(tiny.config).eval()
    tfps = generate_fingerprints(tiny, tok, FingerprintRecipe(num_fingerprints=8, total_len=32))
    s2 = overlap_scores(bottom_k_vocab(tiny, tfps.ids, k=100), bottom_k_vocab(other, tfps.ids, k=100))
    assert abs(s2.mean() - 100 / 1000) < 0.05, s2
    assert s2.mean() < 0.3


def test_metric_definition_not_jaccard() -> None:
    a = np.array([[[1, 2, 3, 4]]])
    b = np.array([[[3, 4, 5, 6]]])
    assert overlap_scores(a, b)[0] == 0.5 == overlap_ratio([1, 2, 3, 4], [3, 4, 5, 6])  # Jaccard would be 1/3
    assert overlap_ratio([], [1]) == 0.0
    # positions are averaged per prompt
    a2 = np.array([[[1, 2], [1, 2]], [[5, 6], [7, 8]]])
    b2 = np.array([[[1, 2], [3, 4]], [[5, 9], [7, 8]]])
    assert overlap_scores(a2, b2).tolist() == [0.5, 0.75]
    s = summarize(np.array([0.2, 0.4]), k=2000, vocab_size=151936)
    assert s["chance"] == pytest.approx(0.013163, abs=1e-6) and s["min_overlap_ratio"] == 0.2
    with pytest.raises(CorpuslabError, match="shapes differ"):
        overlap_scores(a, a2)


def test_positions_and_bad_k(stories) -> None:  # type: ignore[no-untyped-def]
    model, _, fps = stories
    sets = bottom_k_vocab(model, fps.ids[:2], k=10, positions=4)
    assert sets.shape == (2, 4, 10)
    _assert_same_up_to_ties(model, fps.ids[:2], sets[:, -1], bottom_k_vocab(model, fps.ids[:2], k=10)[:, 0])
    assert not np.array_equal(sets[:, 0], sets[:, -1])  # earlier positions are other sets
    with pytest.raises(CorpuslabError, match="k=600 is larger than the model's vocabulary of 512"):
        bottom_k_vocab(model, fps.ids, k=600)
    with pytest.raises(CorpuslabError, match="positions"):
        bottom_k_vocab(model, [[5, 6]], k=10, positions=3)
