"""Bottom-k vocabularies and the overlap metric (KimAu197/llm_fingerprint ``watermarking/utils/bottomk_processor.py``,
``compute_bottomk_vocab_for_model``, and ``watermarking/new/run_bottomk_subspace_overlap_from_base.py``,
``overlap_ratio``).

Bottom-k of a model for a prompt: the ``k`` token ids with the lowest *raw logits* at the last position
(one forward pass, raw prompt, no chat template), computed in fp32 — ties among tail logits are common in
half precision. Overlap of a model with the base: mean over prompts of ``|B_base ∩ B_model| / k`` (not
Jaccard; Jaccard = r / (2 − r)). Chance level for independent uniform k-subsets of V ids is ``k / V``.

:func:`bottom_k_vocab` runs all prompts in batches (left padding + attention mask + explicit position ids,
so a padded prompt sees exactly the positions it would see alone); :func:`bottom_k_vocab_per_prompt` is
the reference's one-prompt-at-a-time loop, kept as the benchmark peer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from corpuslab.core.errors import CorpuslabError
from corpuslab.models.loading import evaluating
from corpuslab.overlap.config import DEFAULT_K
from corpuslab.overlap.fingerprints import model_vocab_size


def check_k(k: int, V: int) -> None:
    """Refuse a k that no vocabulary of ``V`` ids can hold (one-line error)."""
    if k < 1:
        raise CorpuslabError(f"bottom-k must be >= 1, got {k}")
    if k > V:
        raise CorpuslabError(f"bottom-k k={k} is larger than the model's vocabulary of {V} ids; use k <= {V}")


def _forward_tail(model: Any, input_ids: Any, attention_mask: Any, position_ids: Any, positions: int) -> Any:
    kwargs = {"input_ids": input_ids, "attention_mask": attention_mask, "position_ids": position_ids,
              "use_cache": False}
    try:
        out = model(**kwargs, logits_to_keep=positions)
    except TypeError:  # architectures without logits_to_keep
        out = model(**kwargs)
    return out.logits[:, -positions:, :]


def padded_tail_logits(model: Any, prompts: Sequence[Sequence[int]], positions: int = 1,
                       pad_token_id: int = 0) -> Any:
    """Logits at the last ``positions`` positions of each prompt, from one left-padded forward pass.

    Shape ``(n_prompts, positions, V)``; each row equals the prompt's own unpadded pass up to float rounding.
    """
    import torch

    dev = next(model.parameters()).device
    L = max(len(p) for p in prompts)
    if all(len(p) == L for p in prompts):  # no padding: the plain causal pass (no 4-D mask to build)
        ids = torch.as_tensor([list(p) for p in prompts], dtype=torch.long, device=dev)
        return _forward_tail(model, ids, None, None, positions)
    ids = torch.full((len(prompts), L), pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(prompts), L), dtype=torch.long)
    for i, p in enumerate(prompts):  # left padding: the last position is real for every prompt
        ids[i, L - len(p):] = torch.as_tensor(list(p), dtype=torch.long)
        mask[i, L - len(p):] = 1
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    return _forward_tail(model, ids.to(dev), mask.to(dev), pos.to(dev), positions)


def bottom_k_vocab(
    model: Any,
    prompts: Sequence[Sequence[int]],
    k: int = DEFAULT_K,
    batch_size: int | None = None,
    positions: int = 1,
    pad_token_id: int = 0,
) -> np.ndarray:
    """Bottom-k id sets, shape ``(n_prompts, positions, k)`` (sorted by logit, lowest first).

    ``positions > 1`` also takes the last ``positions`` positions of each prompt (the reference uses 1;
    more positions shrink the variance of the overlap estimate). ``batch_size=None`` = all prompts at once.
    The model is put in eval mode for the call and restored afterwards.
    """
    import torch

    V = model_vocab_size(model)
    check_k(k, V)
    if not prompts:
        raise CorpuslabError("no prompts to compute bottom-k for")
    if positions < 1 or positions > min(len(p) for p in prompts):
        raise CorpuslabError(f"positions={positions} must be between 1 and the shortest prompt length")
    bs = batch_size or len(prompts)
    out = np.empty((len(prompts), positions, k), dtype=np.int64)
    with evaluating(model), torch.no_grad():
        for start in range(0, len(prompts), bs):
            logits = padded_tail_logits(model, prompts[start : start + bs], positions, pad_token_id)
            idx = torch.topk(logits.float(), k, dim=-1, largest=False, sorted=True).indices
            out[start : start + len(idx)] = idx.cpu().numpy()
    return out


def bottom_k_vocab_per_prompt(model: Any, prompts: Sequence[Sequence[int]], k: int = DEFAULT_K) -> np.ndarray:
    """The reference loop: one full forward pass per prompt (all positions' logits), last position only.

    Kept as the benchmark peer for :func:`bottom_k_vocab`; shape ``(n_prompts, 1, k)``.
    """
    import torch

    V = model_vocab_size(model)
    check_k(k, V)
    dev = next(model.parameters()).device
    out = np.empty((len(prompts), 1, k), dtype=np.int64)
    with evaluating(model), torch.no_grad():
        for i, p in enumerate(prompts):
            logits = model(input_ids=torch.as_tensor([list(p)], device=dev)).logits[0, -1, :]
            out[i, 0] = torch.topk(logits.float(), k, largest=False).indices.cpu().numpy()
    return out


def overlap_ratio(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> float:
    """``|set(a) ∩ set(b)| / |set(a)|`` (0 when ``a`` is empty) — the reference's scalar definition."""
    sa = set(np.asarray(a).ravel().tolist())
    if not sa:
        return 0.0
    return len(sa & set(np.asarray(b).ravel().tolist())) / len(sa)


def overlap_scores(base: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Per-prompt overlap ``|B_base ∩ B_other| / k``, averaged over positions; shape ``(n_prompts,)``.

    Vectorised: each base set becomes a boolean row over the vocabulary, then the other set's ids index it.
    """
    base = np.asarray(base)
    other = np.asarray(other)
    if base.ndim == 2:
        base, other = base[:, None, :], other[:, None, :]
    if base.shape != other.shape:
        raise CorpuslabError(f"bottom-k shapes differ: {base.shape} vs {other.shape} (same prompts and k?)")
    n, m, k = base.shape
    V = int(max(base.max(), other.max())) + 1
    flat_b = base.reshape(n * m, k)
    flat_o = other.reshape(n * m, k)
    member = np.zeros((n * m, V), dtype=bool)
    rows = np.arange(n * m)[:, None]
    member[rows, flat_b] = True
    hits = member[rows, flat_o].sum(axis=1)
    return (hits / k).reshape(n, m).mean(axis=1)


def summarize(scores: np.ndarray, k: int, vocab_size: int) -> dict[str, float]:
    """Mean, min, max, standard deviation over prompts, and the chance level ``k / V``."""
    s = np.asarray(scores, dtype=float)
    return {
        "avg_overlap_ratio": float(s.mean()),
        "min_overlap_ratio": float(s.min()),
        "max_overlap_ratio": float(s.max()),
        "std_overlap_ratio": float(s.std(ddof=1)) if len(s) > 1 else 0.0,
        "chance": k / vocab_size,
    }
