"""``corpuslab inspect``: describe what is in a shard folder — counts, length histograms, language mix, samples.

The ``zcat | head | python -m json.tool`` workflow, done properly; works on raw and cleaned folders.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from corpuslab.clean.config import InspectConfig
from corpuslab.core.shards import SKIP_DIRS, iter_records, list_shards


def describe_folder(cfg: InspectConfig) -> dict[str, Any]:
    """Per source (sub-folder): docs, chars, length percentiles and histogram, languages, sample records.
    The working folders of a cleaned folder (tags, rejected, markers, dedup) are skipped."""
    samples, max_docs = cfg.samples, cfg.max_docs
    root = Path(cfg.folder)
    files = [f for f in list_shards(root) if not any(f"/{d}/" in f for d in SKIP_DIRS)]
    per: dict[str, dict[str, Any]] = defaultdict(lambda: {"docs": 0, "lengths": [], "langs": Counter(), "samples": []})
    for f in files:
        rel = os.path.relpath(f, root) if root.is_dir() else os.path.basename(f)
        src = os.path.dirname(rel) or rel
        for rec in iter_records(f, on_error="skip"):
            s = per[src]
            s["docs"] += 1
            s["lengths"].append(len(rec["text"]))
            md = rec.get("metadata") or {}
            s["langs"][str(md.get("language") or md.get("lang") or "?")] += 1
            if len(s["samples"]) < samples:
                s["samples"].append({"id": rec.get("id"), "text": rec["text"][:300], "metadata": md})
            if max_docs and s["docs"] >= max_docs:
                break
    out: dict[str, Any] = {"folder": str(root), "sources": {}}
    for src, s in sorted(per.items()):
        lens = np.asarray(s["lengths"], dtype=np.int64)
        edges = np.unique(np.geomspace(1, max(2, int(lens.max()) + 1), 9).astype(np.int64)) if len(lens) else np.array([1, 2])
        hist, _ = np.histogram(lens, bins=edges)
        out["sources"][src] = {
            "docs": s["docs"],
            "chars": int(lens.sum()),
            "length_percentiles": {p: int(np.percentile(lens, p)) for p in (5, 50, 95)} if len(lens) else {},
            "length_histogram": [{"from": int(a), "to": int(b), "docs": int(h)} for a, b, h in zip(edges[:-1], edges[1:], hist, strict=True)],
            "languages": dict(s["langs"].most_common()),
            "samples": s["samples"],
        }
    out["total_docs"] = sum(v["docs"] for v in out["sources"].values())
    return out
