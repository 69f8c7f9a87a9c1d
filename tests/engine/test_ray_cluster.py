"""Ray: the runner's Ray path gives the local path's results; a running Ray instance is reused."""

from __future__ import annotations

import pytest

from corpuslab.engine import init_ray, run_tasks


def _cube(x: int) -> int:
    return x ** 3


@pytest.mark.ray
def test_ray_results_equal_local_and_the_session_instance_is_reused(local_ray) -> None:  # type: ignore[no-untyped-def]
    assert init_ray(workers=8) is local_ray  # already initialised: used as it is, not restarted
    assert local_ray.cluster_resources().get("CPU") == 2
    assert run_tasks(_cube, list(range(12)), workers=2, engine="ray", progress=False) == \
        run_tasks(_cube, list(range(12)), workers=1, progress=False)
