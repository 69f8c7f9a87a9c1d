"""The task runner: results in task order whatever the engine or worker count; lazy bounded imap."""

from __future__ import annotations

import multiprocessing as mp
import os

import pytest

from corpuslab.core.errors import CorpuslabError
from corpuslab.engine import imap_bounded, run_tasks


def _square(x: int) -> int:
    return x * x


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def test_run_tasks_inline_and_on_a_pool_give_the_same_ordered_results() -> None:
    seen: list[tuple[int, int]] = []
    inline = run_tasks(_square, list(range(20)), workers=1, progress=False,
                       on_result=lambda i, r: seen.append((i, r)))
    assert inline == [i * i for i in range(20)] and seen == [(i, i * i) for i in range(20)]
    pooled_seen: list[int] = []
    pooled = run_tasks(_pid_and_square, list(range(20)), workers=2, progress=False,
                       on_result=lambda i, r: pooled_seen.append(i))
    assert [r for _, r in pooled] == inline  # task order, not completion order
    assert sorted(pooled_seen) == list(range(20))
    assert os.getpid() not in {pid for pid, _ in pooled}  # really ran in worker processes


def test_a_task_error_surfaces_and_an_unknown_engine_is_a_clear_error() -> None:
    with pytest.raises(ZeroDivisionError):
        run_tasks(lambda x: 1 // x, [1, 0], workers=1, progress=False)
    with pytest.raises(CorpuslabError, match="unknown engine 'spark'"):
        run_tasks(_square, [1], engine="spark")  # type: ignore[arg-type]


def test_imap_bounded_keeps_order_and_pulls_input_lazily() -> None:
    pulled: list[int] = []

    def items():  # type: ignore[no-untyped-def]
        for i in range(50):
            pulled.append(i)
            yield i

    with mp.get_context("fork").Pool(2) as pool:
        out = []
        for k, r in enumerate(imap_bounded(pool, _square, items(), window=4)):
            # when result k is handed back, at most window inputs beyond it have been read
            assert len(pulled) <= k + 4
            out.append(r)
    assert out == [i * i for i in range(50)]
