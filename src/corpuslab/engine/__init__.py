"""Run independent tasks (one per shard or source) on a local process pool or on Ray.

Both paths call the same pure task function and return results in task order, so the output of a
stage never depends on the engine or the worker count.
"""

from corpuslab.engine.ray_cluster import init_ray
from corpuslab.engine.runner import imap_bounded, run_tasks

__all__ = ["imap_bounded", "init_ray", "run_tasks"]
