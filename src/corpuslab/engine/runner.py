"""Task runner: inline, local process pool (default) or Ray; results always come back in task order."""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.pool
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Literal, TypeVar

from tqdm.auto import tqdm

from corpuslab.core.errors import CorpuslabError

T = TypeVar("T")
R = TypeVar("R")
Engine = Literal["local", "ray"]


def run_tasks(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    workers: int = 1,
    engine: Engine = "local",
    ray_address: str | None = None,
    desc: str | None = None,
    progress: bool = True,
    on_result: Callable[[int, R], None] | None = None,
) -> list[R]:
    """Apply ``fn`` to every task; ``fn`` and tasks must be picklable when ``workers > 1`` or on Ray.

    ``on_result(i, result)`` runs in the calling process as each task finishes (completion order), so
    a stage can write and mark an output as soon as its inputs are done: a killed run then keeps it.
    """
    if engine == "ray":
        return _run_ray(fn, tasks, workers, ray_address, desc, progress, on_result)
    if engine != "local":
        raise CorpuslabError(f"unknown engine {engine!r}: use 'local' or 'ray'")
    if workers <= 1 or len(tasks) <= 1:
        out = []
        for i, t in enumerate(tasks):
            out.append(fn(t))
            if on_result is not None:
                on_result(i, out[-1])
        return out
    results: list[Any] = [None] * len(tasks)
    ctx = mp.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futs = {pool.submit(fn, t): i for i, t in enumerate(tasks)}
        bar = tqdm(total=len(tasks), desc=desc or "tasks", disable=not progress, leave=False)
        for fut in as_completed(futs):
            i = futs[fut]
            results[i] = fut.result()
            if on_result is not None:
                on_result(i, results[i])
            bar.update(1)
        bar.close()
    return results


def _run_ray(fn, tasks, workers, address, desc, progress, on_result):  # type: ignore[no-untyped-def]
    from corpuslab.engine.ray_cluster import init_ray

    ray = init_ray(workers, address)
    remote_fn = ray.remote(fn)
    refs = [remote_fn.remote(t) for t in tasks]
    out = []
    for i, r in enumerate(tqdm(refs, desc=desc or "ray tasks", disable=not progress, leave=False)):
        out.append(ray.get(r))
        if on_result is not None:
            on_result(i, out[-1])
    return out


def imap_bounded(
    pool: multiprocessing.pool.Pool, fn: Callable[[T], R], items: Iterable[T], window: int
) -> Iterator[R]:
    """``pool.imap(fn, items)`` in order, with at most ``window`` tasks in flight.

    ``Pool.imap`` drains its input in a feeder thread as fast as it can, so a producer that outruns the
    workers (a decompressed dump) would end up wholly in memory. Here the producer is pulled only as
    results are taken.
    """
    pending: deque[multiprocessing.pool.AsyncResult[R]] = deque()
    for item in items:
        pending.append(pool.apply_async(fn, (item,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()
