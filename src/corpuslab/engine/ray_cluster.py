"""Ray start-up, in one place for every stage that runs on Ray (task runner, Ray Data tagging)."""

from __future__ import annotations

from typing import Any

from corpuslab.core.errors import CorpuslabError


def init_ray(workers: int = 1, address: str | None = None) -> Any:
    """The ``ray`` module, connected: to ``address`` (a running cluster) or to a local instance with
    ``workers`` CPUs. An already initialised Ray (a test session, a driver script) is used as it is."""
    try:
        import ray
    except ImportError as e:
        raise CorpuslabError("engine 'ray' needs Ray: pip install 'corpuslab[ray]'") from e
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"ignore_reinit_error": True, "log_to_driver": False}
        kwargs.update({"address": address} if address else {"num_cpus": max(1, workers)})
        ray.init(**kwargs)
    return ray
