"""The two marker tokens around an inserted English name: ``<translate>`` and ``</translate>``.

As in LEIA (Yamada & Ri 2024, arXiv 2402.11485; leia-llm/leia ``train.py``) both are added as special tokens,
their *input* embeddings start at the mean of the existing rows, and untied LM-head rows keep
``resize_token_embeddings``' default initialisation.
"""

from __future__ import annotations

from typing import Any, NamedTuple

TRANSLATE_OPEN = "<translate>"
TRANSLATE_CLOSE = "</translate>"


class MarkerIds(NamedTuple):
    """Token ids of ``<translate>`` and ``</translate>`` in one tokenizer (a tuple, so ``list(ids)`` works)."""

    open_id: int
    close_id: int


def add_marker_tokens(tokenizer: Any) -> MarkerIds:
    """Register both markers as special tokens (idempotent); return their ids."""
    missing = [t for t in (TRANSLATE_OPEN, TRANSLATE_CLOSE) if t not in tokenizer.get_vocab()]
    if missing:
        from tokenizers import AddedToken

        tokenizer.add_tokens([AddedToken(t, special=True, normalized=False) for t in missing], special_tokens=True)
    return marker_ids_of(tokenizer)


def marker_ids_of(tokenizer: Any) -> MarkerIds:
    """The markers' ids in a tokenizer that has them (``leia build`` saves its tokenizer with them)."""
    return MarkerIds(tokenizer.convert_tokens_to_ids(TRANSLATE_OPEN), tokenizer.convert_tokens_to_ids(TRANSLATE_CLOSE))


def init_marker_embeddings(model: Any, tokenizer: Any) -> list[int]:
    """Grow the model to the tokenizer and set new *input* embedding rows to the mean of the old ones.

    Returns the ids that were initialised (none if the model already had them).
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
