"""``corpuslab overlap score``: overlap of arbitrary models with a base model (a lineage check).

Bottom-k ids only mean the same tokens when two models share a tokenizer, so a model whose tokenizer
differs from the base's is refused (reference pitfall 5: cross-tokenizer negatives inflate AUC), unless
``allow_tokenizer_mismatch`` — then it is scored with a warning and flagged in its row.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corpuslab.core.errors import CorpuslabError
from corpuslab.overlap.bottomk import DEFAULT_K, _check_k, bottom_k_vocab, overlap_scores, summarize
from corpuslab.overlap.fingerprints import (
    FingerprintSet,
    generate_fingerprints,
    load_fingerprints,
    model_vocab_size,
    tokenizer_fingerprint,
)

log = logging.getLogger(__name__)


def score_models(
    base: str,
    models: Sequence[str],
    fingerprints: str | Path | FingerprintSet | None = None,
    num_fingerprints: int = 5,
    k: int = DEFAULT_K,
    seed: int = 42,
    positions: int = 1,
    device: str | None = None,
    allow_tokenizer_mismatch: bool = False,
    trust_remote_code: bool = False,
) -> dict[str, Any]:
    """Return ``{"base", "k", "vocab_size", "chance", "rows": [{model, avg/min/max/std overlap, ...}]}``.

    Models are loaded one at a time (fp32, so tail ties are resolved the same way for every model) and
    released after scoring, so many derivatives fit in memory.
    """
    from corpuslab.models.loading import load_causal_lm, load_tokenizer

    if not models:
        raise CorpuslabError("give at least one model to score against the base")
    base_model, base_tok = load_causal_lm(base, device=device, dtype="float32", trust_remote_code=trust_remote_code)
    V = model_vocab_size(base_model)
    _check_k(k, V)
    if isinstance(fingerprints, FingerprintSet):
        fps = fingerprints
    elif fingerprints is not None:
        fps = load_fingerprints(fingerprints, tokenizer=base_tok, model=base_model)
    else:
        fps = generate_fingerprints(base_model, base_tok, num_fingerprints=num_fingerprints, seed=seed,
                                    base_model_name=base)
    pad = base_tok.pad_token_id or 0
    base_sets = bottom_k_vocab(base_model, fps.ids, k=k, positions=positions, pad_token_id=pad)
    base_hash = tokenizer_fingerprint(base_tok)
    del base_model
    gc.collect()
    rows = []
    for name in models:
        tok = load_tokenizer(name, trust_remote_code=trust_remote_code)
        same_tok = tokenizer_fingerprint(tok) == base_hash
        if not same_tok:
            msg = (f"model {name!r} has a different tokenizer from base {base!r} ({len(tok)} vs {len(base_tok)} "
                   "tokens or different ids): bottom-k ids are not comparable across tokenizers")
            if not allow_tokenizer_mismatch:
                raise CorpuslabError(msg + "; pass --allow-tokenizer-mismatch to score anyway")
            log.warning("%s", msg)
        model, _ = load_causal_lm(name, device=device, dtype="float32", trust_remote_code=trust_remote_code)
        Vm = model_vocab_size(model)
        max_id = max(max(p) for p in fps.ids)
        if max_id >= Vm or k > Vm:
            raise CorpuslabError(f"model {name!r} has {Vm} vocabulary rows: cannot run fingerprints with ids up "
                                 f"to {max_id} or k={k}")
        sets = bottom_k_vocab(model, fps.ids, k=k, positions=positions, pad_token_id=pad)
        scores = overlap_scores(base_sets, sets)
        rows.append({"model": name, "same_tokenizer": same_tok, "vocab_size": Vm, **summarize(scores, k, V),
                     "overlap_scores": [float(s) for s in scores]})
        del model
        gc.collect()
    return {"base": base, "k": k, "vocab_size": V, "chance": k / V, "num_fingerprints": len(fps),
            "positions": positions, "rows": rows}
