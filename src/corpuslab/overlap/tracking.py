"""Track the bottom-k overlap with the base model during training (a ``TrainerCallback``).

The base bottom-k sets are computed from the *training model itself* at ``on_train_begin`` — after Trainer
has placed it on its device and before any optimiser step — with the very same batched function used for
every later evaluation. The step-0 overlap is therefore exactly 1.0 by construction, and no second frozen
copy of the model is needed. (KimAu197/llm_fingerprint ``watermarking/train/train_and_eval_overlap.py``
loads a separate fp16 reference copy, resizes the training copy's embeddings and has no step-0 point, which
is why its curve starts at 0.978.)

Evaluations happen at step 0, whenever ``global_step % eval_steps == 0``, at the last step and at any
``extra_steps`` (e.g. step 1, the reference's first point); each runs in
eval mode on the world-process-zero only and restores train mode afterwards.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from corpuslab.overlap.bottomk import DEFAULT_K, bottom_k_vocab, overlap_scores, summarize
from corpuslab.overlap.fingerprints import FingerprintSet, model_vocab_size

log = logging.getLogger(__name__)


def _callback_base() -> type:
    from transformers import TrainerCallback

    return TrainerCallback


@dataclass
class OverlapPoint:
    step: int
    scores: list[float]
    stats: dict[str, float]
    seconds: float
    samples_seen: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "samples_seen": self.samples_seen, **self.stats,
                "overlap_scores": self.scores, "eval_seconds": round(self.seconds, 6)}


@dataclass
class OverlapTracker:
    """Holds the fingerprints, the cached base bottom-k and the evaluated points (usable without Trainer)."""

    fingerprints: FingerprintSet
    k: int = DEFAULT_K
    positions: int = 1
    batch_size: int | None = None
    pad_token_id: int = 0
    base_bottomk: np.ndarray | None = None
    points: list[OverlapPoint] = field(default_factory=list)
    vocab_size: int | None = None

    def bottomk(self, model: Any) -> np.ndarray:
        return bottom_k_vocab(model, self.fingerprints.ids, k=self.k, batch_size=self.batch_size,
                              positions=self.positions, pad_token_id=self.pad_token_id)

    def cache_base(self, model: Any) -> np.ndarray:
        self.vocab_size = model_vocab_size(model)
        self.base_bottomk = self.bottomk(model)
        return self.base_bottomk

    def evaluate(self, model: Any, step: int, samples_seen: int | None = None) -> OverlapPoint:
        if self.base_bottomk is None:
            self.cache_base(model)
        t0 = time.perf_counter()
        sets = self.bottomk(model)
        scores = overlap_scores(self.base_bottomk, sets)  # type: ignore[arg-type]
        seconds = time.perf_counter() - t0
        point = OverlapPoint(step=step, scores=[float(s) for s in scores],
                             stats=summarize(scores, self.k, self.vocab_size or model_vocab_size(model)),
                             seconds=seconds, samples_seen=samples_seen)
        self.points.append(point)
        return point


class OverlapCallback(_callback_base()):  # type: ignore[misc]
    """Evaluate the overlap at step 0, every ``eval_steps`` and at the end of training."""

    def __init__(self, tracker: OverlapTracker, eval_steps: int = 100, effective_batch: int | None = None,
                 on_point: Callable[[OverlapPoint], None] | None = None, extra_steps: tuple[int, ...] = ()):
        if eval_steps < 1:
            raise ValueError(f"eval_steps must be >= 1, got {eval_steps}")
        self.tracker = tracker
        self.eval_steps = eval_steps
        self.effective_batch = effective_batch
        self.on_point = on_point
        self.extra_steps = set(extra_steps)

    def _eval(self, state: Any, model: Any) -> None:
        if not state.is_world_process_zero or model is None:
            return
        if self.tracker.points and self.tracker.points[-1].step == state.global_step:
            return
        seen = state.global_step * self.effective_batch if self.effective_batch else None
        point = self.tracker.evaluate(model, state.global_step, samples_seen=seen)
        log.info("step %d: overlap %.4f", point.step, point.stats["avg_overlap_ratio"])
        if self.on_point:
            self.on_point(point)

    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if self.tracker.base_bottomk is None and model is not None and state.is_world_process_zero:
            self.tracker.cache_base(model)  # before any optimiser step: the untouched base weights
        self._eval(state, model)

    def on_step_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        step = state.global_step
        if step % self.eval_steps == 0 or step >= state.max_steps or step in self.extra_steps:
            self._eval(state, model)

    def on_train_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        self._eval(state, model)
