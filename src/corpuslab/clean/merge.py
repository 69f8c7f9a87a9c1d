"""``corpuslab merge``: one seeded, shuffled training set from every source of a cleaned folder.

Output by suffix: ``.jsonl``/``.jsonl.gz``/``.jsonl.zst`` (one file), ``.parquet`` (one file), or a folder
(a Hugging Face ``datasets`` dataset saved with ``save_to_disk``; ``format: parquet`` writes Parquet
shards in the folder instead). Metadata is kept; ``metadata.source_folder`` records the source sub-folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from corpuslab.clean.config import MergeConfig
from corpuslab.core.atomic import atomic_path, write_json_atomic
from corpuslab.core.errors import CorpuslabError
from corpuslab.core.shards import JSONL_SUFFIXES, SKIP_DIRS, ShardWriter, iter_records, list_shards


def cleaned_shards(folder: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """(source, path) of the cleaned JSONL shards (Parquet copies are skipped to avoid double counting)."""
    root = Path(folder)
    out = []
    for f in list_shards(root):
        if any(f"/{d}/" in f for d in SKIP_DIRS) or f.endswith(".parquet"):
            continue
        rel = os.path.relpath(f, root)
        out.append((os.path.dirname(rel) or rel, f))
    if not out:
        raise CorpuslabError(f"{folder}: no cleaned shards found (run `corpuslab clean` first)")
    return out


def merge_cleaned(cfg: MergeConfig) -> dict[str, Any]:
    """Shuffle all records with ``numpy.random.default_rng(seed)`` and write them; returns a summary."""
    seed, fmt, shard_size = cfg.seed, cfg.format, cfg.shard_size
    recs: list[dict[str, Any]] = []
    for src, f in cleaned_shards(cfg.cleaned_folder):
        for r in iter_records(f):
            r.setdefault("metadata", {})["source_folder"] = src
            recs.append(r)
    perm = np.random.default_rng(seed).permutation(len(recs))
    out = cfg.output
    if fmt == "auto":
        fmt = "jsonl" if out.endswith(JSONL_SUFFIXES) else "parquet" if out.endswith(".parquet") else "hf"
    if fmt == "jsonl" or fmt == "parquet" and out.endswith(".parquet"):
        with ShardWriter(out) as w:
            for i in perm:
                w.write(recs[i])
    elif fmt == "parquet":
        Path(out).mkdir(parents=True, exist_ok=True)
        for k, start in enumerate(range(0, max(1, len(perm)), shard_size)):
            part = [recs[i] for i in perm[start : start + shard_size]]
            with atomic_path(Path(out) / f"train-{k:05d}.parquet") as tmp:
                pq.write_table(_json_metadata_table(part), tmp, compression="zstd")
    else:  # hf
        import datasets

        ds = datasets.Dataset(_json_metadata_table([recs[i] for i in perm]))
        if Path(out).exists() and any(Path(out).iterdir()):
            raise CorpuslabError(f"{out}: output folder exists and is not empty")
        ds.save_to_disk(out)
    summary = {"docs": len(recs), "seed": seed, "format": fmt, "output": out}
    if Path(out).is_dir():
        write_json_atomic(Path(out) / "merge_info.json", summary)
    return summary


def _json_metadata_table(recs: list[dict[str, Any]]) -> pa.Table:
    """Arrow table with the metadata as a JSON string column (schemas differ between sources)."""
    return pa.table({
        "id": [r.get("id") for r in recs],
        "text": [r["text"] for r in recs],
        "metadata": [json.dumps(r.get("metadata", {}), ensure_ascii=False) for r in recs],
        "source": [r.get("metadata", {}).get("source_folder", "") for r in recs],
    })
