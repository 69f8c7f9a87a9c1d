"""Bottom-k fingerprint overlap: how much of a base model's fingerprint a fine-tuned model still shares.

Library entry points (the CLI ``corpuslab overlap train|compare|score`` is a thin layer over these):
``generate_fingerprints``/``save_fingerprints``/``load_fingerprints``, ``bottom_k_vocab``,
``overlap_scores``/``overlap_ratio``, ``OverlapTracker``/``OverlapCallback``, ``run_overlap_training``,
``compare_runs``, ``score_models``. Method and pitfalls: ``shared/reference/fingerprint_and_mixture.md`` §2.
"""

from corpuslab.overlap.bottomk import (
    DEFAULT_K,
    bottom_k_vocab,
    bottom_k_vocab_per_prompt,
    overlap_ratio,
    overlap_scores,
    summarize,
)
from corpuslab.overlap.fingerprints import (
    Fingerprint,
    FingerprintSet,
    generate_fingerprints,
    load_fingerprints,
    save_fingerprints,
)

__all__ = [
    "DEFAULT_K", "Fingerprint", "FingerprintSet", "bottom_k_vocab", "bottom_k_vocab_per_prompt",
    "generate_fingerprints", "load_fingerprints", "overlap_ratio", "overlap_scores", "save_fingerprints",
    "summarize",
]
