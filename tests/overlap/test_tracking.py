"""When the callback evaluates: step 0, every eval_steps, extra steps, the last step; once per step; rank 0."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from corpuslab.overlap.tracking import OverlapCallback, OverlapPoint


@dataclass
class _State:
    max_steps: int
    global_step: int = 0
    is_world_process_zero: bool = True


@dataclass
class _Tracker:
    """Records evaluations instead of running models."""

    points: list[OverlapPoint] = field(default_factory=list)
    base_bottomk: Any = None

    def cache_base(self, model: Any) -> None:
        self.base_bottomk = "cached"

    def evaluate(self, model: Any, step: int, samples_seen: int | None = None) -> OverlapPoint:
        p = OverlapPoint(step=step, scores=[1.0], stats={"avg_overlap_ratio": 1.0}, seconds=0.0,
                         samples_seen=samples_seen)
        self.points.append(p)
        return p


def _train(cb: OverlapCallback, state: _State) -> None:
    cb.on_train_begin(None, state, None, model="m")
    for s in range(1, state.max_steps + 1):
        state.global_step = s
        cb.on_step_end(None, state, None, model="m")
    cb.on_train_end(None, state, None, model="m")


def test_schedule() -> None:
    tracker, seen = _Tracker(), []
    cb = OverlapCallback(tracker, eval_steps=4, effective_batch=8, on_point=seen.append, extra_steps=(1,))
    _train(cb, _State(max_steps=10))
    assert [p.step for p in tracker.points] == [0, 1, 4, 8, 10]  # the last step once, not again at train end
    assert [p.samples_seen for p in seen] == [0, 8, 32, 64, 80]
    assert tracker.base_bottomk == "cached"


def test_only_the_main_process_evaluates() -> None:
    tracker = _Tracker()
    _train(OverlapCallback(tracker, eval_steps=2), _State(max_steps=4, is_world_process_zero=False))
    assert tracker.points == [] and tracker.base_bottomk is None


def test_eval_steps_must_be_positive() -> None:
    with pytest.raises(ValueError, match="eval_steps"):
        OverlapCallback(_Tracker(), eval_steps=0)  # type: ignore[arg-type]
