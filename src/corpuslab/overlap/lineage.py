"""``corpuslab overlap score``: overlap of arbitrary models with a base model (a lineage check).

KimAu197/llm_fingerprint ``watermarking/new/run_bottomk_subspace_overlap_from_base.py`` scores derived and
unrelated Hub models against a base the same way. Bottom-k ids only mean the same tokens when two models
share a tokenizer; the reference compares across tokenizers, which inflates its separation. So a model whose
tokenizer differs from the base's is refused unless ``allow_tokenizer_mismatch`` (then it is scored with a
warning and flagged in its row).
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from corpuslab.core.atomic import write_json_atomic
from corpuslab.core.errors import CorpuslabError
from corpuslab.core.runcard import run_card
from corpuslab.overlap.bottomk import bottom_k_vocab, check_k, overlap_scores, summarize
from corpuslab.overlap.config import OverlapScoreConfig
from corpuslab.overlap.fingerprints import (
    FingerprintRecipe,
    FingerprintSet,
    generate_fingerprints,
    load_fingerprints,
    model_vocab_size,
    tokenizer_fingerprint,
)

log = logging.getLogger(__name__)


def score_models(cfg: OverlapScoreConfig, fingerprints: FingerprintSet | None = None) -> dict[str, Any]:
    """Return ``{"base", "k", "vocab_size", "chance", "rows": [{model, avg/min/max/std overlap, ...}]}``.

    The prompts are ``fingerprints`` when given (in memory), else ``cfg.load_fingerprints``, else generated
    from the base. Models are loaded one at a time (fp32, so tail ties are resolved the same way for every
    model) and released after scoring, so many derivatives fit in memory. With ``cfg.output`` the result is
    also written there as JSON, with its run card beside it.
    """
    if cfg.output is None:
        return _score(cfg, fingerprints)
    with run_card(cfg.output, "overlap-score", cfg, inputs={"base": cfg.base, "models": cfg.models},
                  single_file=True) as card:
        res = _score(cfg, fingerprints)
        write_json_atomic(cfg.output, res)
        card.counts.update(models=len(res["rows"]), num_fingerprints=res["num_fingerprints"], chance=res["chance"],
                           tokenizer_mismatches=sum(not r["same_tokenizer"] for r in res["rows"]))
    return res


def _score(cfg: OverlapScoreConfig, fingerprints: FingerprintSet | None) -> dict[str, Any]:
    from corpuslab.models.loading import load_causal_lm, load_tokenizer

    k, remote = cfg.bottom_k_vocab, cfg.trust_remote_code
    base_model, base_tok = load_causal_lm(cfg.base, device=cfg.device, dtype="float32", trust_remote_code=remote)
    V = model_vocab_size(base_model)
    check_k(k, V)
    if fingerprints is not None:
        fps = fingerprints
    elif cfg.load_fingerprints is not None:
        fps = load_fingerprints(cfg.load_fingerprints, tokenizer=base_tok, model=base_model)
    else:
        recipe = FingerprintRecipe(num_fingerprints=cfg.num_fingerprints, seed=cfg.seed)
        fps = generate_fingerprints(base_model, base_tok, recipe, base_model_name=cfg.base)
    pad = base_tok.pad_token_id or 0
    base_sets = bottom_k_vocab(base_model, fps.ids, k=k, positions=cfg.positions, pad_token_id=pad)
    base_hash = tokenizer_fingerprint(base_tok)
    del base_model
    gc.collect()
    rows = []
    for name in cfg.models:
        tok = load_tokenizer(name, trust_remote_code=remote)
        same_tok = tokenizer_fingerprint(tok) == base_hash
        if not same_tok:
            msg = (f"model {name!r} has a different tokenizer from base {cfg.base!r} ({len(tok)} vs "
                   f"{len(base_tok)} tokens or different ids): bottom-k ids are not comparable across tokenizers")
            if not cfg.allow_tokenizer_mismatch:
                raise CorpuslabError(msg + "; pass --allow-tokenizer-mismatch to score anyway")
            log.warning("%s", msg)
        model, _ = load_causal_lm(name, device=cfg.device, dtype="float32", trust_remote_code=remote)
        Vm = model_vocab_size(model)
        max_id = max(max(p) for p in fps.ids)
        if max_id >= Vm or k > Vm:
            raise CorpuslabError(f"model {name!r} has {Vm} vocabulary rows: cannot run fingerprints with ids up "
                                 f"to {max_id} or k={k}")
        sets = bottom_k_vocab(model, fps.ids, k=k, positions=cfg.positions, pad_token_id=pad)
        scores = overlap_scores(base_sets, sets)
        rows.append({"model": name, "same_tokenizer": same_tok, "vocab_size": Vm, **summarize(scores, k, V),
                     "overlap_scores": [float(s) for s in scores]})
        del model
        gc.collect()
    return {"base": cfg.base, "k": k, "vocab_size": V, "chance": k / V, "num_fingerprints": len(fps),
            "positions": cfg.positions, "rows": rows}
