"""Bottom-k fingerprint overlap: how much of a base model's fingerprint a fine-tuned model still shares.

Library entry points (the CLI ``corpuslab overlap train|compare|score`` is a thin layer over these):
``generate_fingerprints``/``save_fingerprints``/``load_fingerprints``, ``bottom_k_vocab``,
``overlap_scores``/``overlap_ratio``, ``OverlapTracker``/``OverlapCallback`` (``tracking``),
``run_overlap_training`` (``run``), ``compare_runs`` (``compare``), ``score_models`` (``lineage``); their
settings are the models of ``overlap.config``. The method is the public research code
KimAu197/llm_fingerprint (``watermarking/train/train_and_eval_overlap.py``) with RoFL-style prompts (Tsai et
al., arXiv 2505.12682).
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name → the module defining it; imported on first use, so ``corpuslab.overlap.config`` (read by the
#: CLI at start-up) does not pull in numpy and the model code
_EXPORTS = {
    **dict.fromkeys(("DEFAULT_K", "bottom_k_vocab", "bottom_k_vocab_per_prompt", "overlap_ratio", "overlap_scores",
                     "summarize"), "bottomk"),
    **dict.fromkeys(("Fingerprint", "FingerprintRecipe", "FingerprintSet", "generate_fingerprints",
                     "load_fingerprints", "save_fingerprints"), "fingerprints"),
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
