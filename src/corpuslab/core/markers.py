"""Completion markers: ``<folder>/_complete/<shard>.json`` per finished output (DataTrove-style: no shared
file for concurrent workers to race on); :func:`write_manifest` folds them into ``manifest.json``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from corpuslab.core.atomic import read_json, write_json_atomic

MARKER_DIR = "_complete"


def _marker_path(folder: str | os.PathLike[str], shard: str) -> Path:
    safe = shard.replace(os.sep, "__")
    return Path(folder) / MARKER_DIR / f"{safe}.json"


def mark_complete(folder: str | os.PathLike[str], shard: str, info: dict[str, Any]) -> None:
    """Record that ``shard`` (relative to ``folder``) is complete, with counts and anything useful."""
    write_json_atomic(_marker_path(folder, shard), {"shard": shard, **info})


def completion_info(folder: str | os.PathLike[str], shard: str) -> dict[str, Any] | None:
    m = _marker_path(folder, shard)
    if not m.exists() or not (Path(folder) / shard).exists():
        return None
    return read_json(m)


def clear_complete(folder: str | os.PathLike[str], shard: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        _marker_path(folder, shard).unlink()


def write_manifest(folder: str | os.PathLike[str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fold the per-shard markers into ``manifest.json``: which shards are complete, with their counts."""
    shards = {}
    mdir = Path(folder) / MARKER_DIR
    if mdir.exists():
        for m in sorted(mdir.glob("*.json")):
            info = read_json(m)
            if (Path(folder) / info["shard"]).exists():
                shards[info["shard"]] = {k: v for k, v in info.items() if k != "shard"}
    manifest = {"shards": shards, **(extra or {})}
    write_json_atomic(Path(folder) / "manifest.json", manifest)
    return manifest
