"""Local category samples: ``data_samples/<category>.jsonl``, one file per category.

``fetch_samples`` streams a SlimPajama-style root (``*.jsonl.zst`` with the category in
``meta.redpajama_set_name``) or any corpuslab shard folder with a category field, and keeps a seeded
uniform sample of ``n`` documents per category. It reuses stage 1's hash-keyed bottom-k sampler
(:mod:`corpuslab.mixture.sampler`): one pool per category, keyed by (seed, category, index within the
category), so the sample does not depend on file order and needs one pass over the data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from corpuslab.anatomy.categories import canonical_category
from corpuslab.anatomy.config import FetchSamplesConfig
from corpuslab.core.atomic import atomic_path, write_json_atomic
from corpuslab.core.errors import DataError
from corpuslab.core.records import get_field
from corpuslab.core.runcard import run_card
from corpuslab.core.runinfo import run_info
from corpuslab.core.safe_names import safe_name
from corpuslab.core.shards import iter_jsonl, list_shards

DEFAULT_CATEGORY_FIELDS = ("meta.redpajama_set_name", "metadata.category", "category",
                           "metadata.redpajama_set_name", "meta.category")


def _category_of(rec: dict[str, Any], fields: tuple[str, ...]) -> str | None:
    for f in fields:
        try:
            v = get_field(rec, f)
        except (KeyError, TypeError):
            continue
        if isinstance(v, str) and v:
            return v
    return None


def iter_category_records(root: str | os.PathLike[str], category_field: str | None = None,
                          merge_web: bool = False) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(category, record)`` for every record under ``root`` that has text and a category."""
    fields = (category_field,) if category_field else DEFAULT_CATEGORY_FIELDS
    files = list_shards(root)
    if not files:
        raise DataError(f"{root}: no .jsonl/.jsonl.zst/.jsonl.gz/.parquet files found")
    from corpuslab.core.shards import iter_parquet

    for f in files:
        it = iter_parquet(f) if f.endswith(".parquet") else iter_jsonl(f, validate=False)
        for rec in it:
            text = rec.get("text")
            cat = _category_of(rec, fields)
            if not isinstance(text, str) or not text.strip() or cat is None:
                continue
            yield canonical_category(cat, merge_web=merge_web), rec


def fetch_samples(cfg: FetchSamplesConfig, progress: bool = True) -> dict[str, int]:
    """Write ``cfg.output_dir/<category>.jsonl`` with up to ``cfg.n`` uniformly sampled documents per category,
    ``samples.json`` (what was available) and ``run.json``.

    Returns the number written per category; categories asked for but absent from the data are an error.
    """
    with run_card(cfg.output_dir, "anatomy-fetch-samples", cfg, inputs={"root": cfg.root}) as card:
        pools, seen = _sample_pools(cfg, progress)
        counts = _write_pools(pools, Path(cfg.output_dir))
        write_json_atomic(Path(cfg.output_dir) / "samples.json",
                          run_info(root=str(cfg.root), n=cfg.n, seed=cfg.seed, merge_web=cfg.merge_web, counts=counts,
                                   available=seen))
        card.counts.update(documents=counts, available=seen, categories=len(counts))
        card.outputs.update({c: f"{safe_name(c)}.jsonl" for c in counts}, info="samples.json")
    return counts


def _sample_pools(cfg: FetchSamplesConfig, progress: bool) -> tuple[dict[str, Any], dict[str, int]]:
    """One bottom-k pool of ``cfg.n`` per category, filled in one pass; also the documents seen per category."""
    from corpuslab.mixture.sampler import Pool, offer_chunk, stream_base

    want = {canonical_category(c, cfg.merge_web) for c in cfg.categories} if cfg.categories else None
    pools: dict[str, Pool] = {}
    bufs: dict[str, list[dict[str, Any]]] = {}
    starts: dict[str, int] = {}
    seen: dict[str, int] = {}

    def flush(cat: str) -> None:
        pool = pools.setdefault(cat, Pool(k=cfg.n))
        offer_chunk(pool, stream_base(cfg.seed, "anatomy-samples", cat), starts.get(cat, 0), bufs[cat], lambda x: x)
        starts[cat] = starts.get(cat, 0) + len(bufs[cat])
        bufs[cat] = []

    for cat, rec in tqdm(iter_category_records(cfg.root, cfg.category_field, cfg.merge_web), desc="reading",
                         unit="doc", disable=not progress):
        if want is not None and cat not in want:
            continue
        seen[cat] = seen.get(cat, 0) + 1
        bufs.setdefault(cat, []).append({"text": rec["text"], "category": cat})
        if len(bufs[cat]) >= 8192:
            flush(cat)
    for cat in list(bufs):
        flush(cat)
    missing = sorted(want - set(pools)) if want else []
    if missing:
        raise DataError(f"{cfg.root}: no documents for categories {', '.join(missing)} "
                        f"(found: {', '.join(sorted(pools)) or 'none'})")
    if not pools:
        fields = (cfg.category_field,) if cfg.category_field else DEFAULT_CATEGORY_FIELDS
        raise DataError(f"{cfg.root}: no records with a text and a category field (looked at {', '.join(fields)})")
    return pools, seen


def _write_pools(pools: dict[str, Any], out: Path) -> dict[str, int]:
    """``<category>.jsonl`` per pool, in index order (each record keeps its ``index`` in the category)."""
    counts = {}
    for cat, pool in sorted(pools.items()):
        order = sorted(range(len(pool.idx)), key=lambda i: int(pool.idx[i]))
        with atomic_path(out / f"{safe_name(cat)}.jsonl") as tmp, open(tmp, "w", encoding="utf-8") as fh:
            for i in order:
                fh.write(json.dumps({**pool.items[i], "index": int(pool.idx[i])}, ensure_ascii=False) + "\n")
        counts[cat] = len(order)
    return counts


def load_category_samples(sample_dir: str | os.PathLike[str], categories: list[str] | None = None,
                          max_per_category: int | None = None, min_per_category: int = 2) -> dict[str, list[str]]:
    """``{category: [text, ...]}`` from ``<dir>/<category>.jsonl``; missing or empty files are clear errors."""
    d = Path(sample_dir)
    if not d.is_dir():
        raise DataError(f"{d}: sample folder not found (run `corpuslab anatomy fetch-samples` first)")
    if categories is None:
        files = sorted(p for p in d.glob("*.jsonl"))
        categories = [p.stem for p in files]
        if len(categories) < 2:
            raise DataError(f"{d}: need at least 2 category files <category>.jsonl, found {len(categories)}")
    out: dict[str, list[str]] = {}
    for cat in categories:
        f = d / f"{safe_name(cat)}.jsonl"
        if not f.exists():
            raise DataError(f"{f}: category file missing (expected one <category>.jsonl per category)")
        texts = []
        for rec in iter_jsonl(f, validate=False):
            t = rec.get("text") if isinstance(rec, dict) else None
            if isinstance(t, str) and t.strip():
                texts.append(t)
            if max_per_category and len(texts) >= max_per_category:
                break
        if not texts:
            raise DataError(f"{f}: category file is empty (no records with a non-empty 'text')")
        if len(texts) < min_per_category:
            raise DataError(f"{f}: only {len(texts)} document(s); need at least {min_per_category} "
                            "to hold some out for calibration")
        out[cat] = texts
    return out


def write_category_samples(samples: dict[str, list[str]], out_dir: str | os.PathLike[str]) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for cat, texts in samples.items():
        with atomic_path(out / f"{safe_name(cat)}.jsonl") as tmp, open(tmp, "w", encoding="utf-8") as fh:
            for t in texts:
                fh.write(json.dumps({"text": t, "category": cat}, ensure_ascii=False) + "\n")
