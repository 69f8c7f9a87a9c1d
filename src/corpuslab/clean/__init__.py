"""Stage 2: clean, filter and deduplicate a raw mixture (tag once, decide in seconds, dedup across sources).

The config models are importable without NumPy/Arrow (the CLI reads them at start-up); the runner loads on
first use: ``from corpuslab.clean import CleanRunConfig, run_clean``.
"""

from __future__ import annotations

from typing import Any

from corpuslab.clean.config import CleanConfig, CleanRunConfig

__all__ = ["CleanConfig", "CleanResult", "CleanRunConfig", "discover_inputs", "run_clean"]


def __getattr__(name: str) -> Any:
    if name in ("CleanResult", "discover_inputs", "run_clean"):
        from corpuslab.clean import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'corpuslab.clean' has no attribute {name!r}")
