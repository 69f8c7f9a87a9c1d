"""Helpers for stage-1 tests: small JSONL sources and configs written into tmp folders."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import yaml


def write_jsonl(path: Path, n: int, prefix: str = "doc", gz: bool = True, extra: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if (gz and path.name.endswith(".gz")) else open
    with opener(path, "wt", encoding="utf-8") as fh:
        for i in range(n):
            rec: dict[str, Any] = {"text": f"{prefix} {i} " + "word " * (i % 7 + 1)}
            if extra:
                rec["url"] = f"https://example.org/{prefix}/{i}"
            fh.write(json.dumps(rec) + "\n")
    return path


def write_config(path: Path, datasets: list[dict[str, Any]], **top: Any) -> Path:
    cfg = {"target_samples": 100, "seed": 42, "datasets": datasets, **top}
    path.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    return path


def read_raw(folder: Path, slug: str) -> list[dict[str, Any]]:
    with gzip.open(folder / slug / "raw_data.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every raw shard's bytes, by relative path (plan.json holds timestamps, so it is left out)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("raw_data.jsonl.gz"))}
