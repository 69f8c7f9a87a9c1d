"""Stage-1 runner: quotas → per-unit bottom-k samples (in parallel) → merged per source → raw shards.

Output layout (what users inspect with ``zcat | head``)::

    <raw-folder>/<org>_<name>[_<config>]/raw_data.jsonl.gz   {"id", "text", "metadata": {...}}
    <raw-folder>/plan.json                                   quotas, counts seen/kept, seed, versions
    <raw-folder>/manifest.json, _complete/                   which sources are complete

A source is written atomically and marked complete with a fingerprint of everything that decides its
sample (its config, the seed, its quota); a re-run skips complete sources whose fingerprint matches,
and an interrupted source simply runs again (nothing partial survives under the final name).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from tqdm.auto import tqdm

from corpuslab.core.atomic import remove_stale_tmp, write_json_atomic
from corpuslab.core.errors import ConfigError, DataError
from corpuslab.core.markers import completion_info, mark_complete, write_manifest
from corpuslab.core.runcard import run_card
from corpuslab.core.runinfo import run_info
from corpuslab.core.shards import ShardWriter
from corpuslab.engine import run_tasks
from corpuslab.mixture.config import MixtureConfig, SourceConfig
from corpuslab.mixture.quotas import largest_remainder, redistribute
from corpuslab.mixture.sampler import (
    OfferStats,
    Pool,
    bottom_k_indices,
    finalize_lazy,
    keys_for,
    offer_chunk,
    stream_base,
)
from corpuslab.sources.base import Unit, resolve_units
from corpuslab.sources.readers import open_unit

log = logging.getLogger(__name__)
RAW_NAME = "raw_data.jsonl.gz"


@dataclass
class SourceTask:
    """Picklable work item: one or more units of one source, read in order."""

    slug: str
    units: list[Unit]
    quota: int
    seed: int
    unit_kind: str
    tokenizer: str | None
    on_error: str
    max_scan: int | None
    progress: bool = True


@dataclass
class UnitResult:
    slug: str
    unit_ids: list[str]
    counts: list[int]
    pools: list[Pool]
    read_to_end: bool
    invalid: int = 0
    decoded: int = 0
    problems: dict[str, int] = field(default_factory=dict)


@functools.lru_cache(maxsize=4)
def _token_counter(name: str | None) -> Any:
    if name is None:
        return None
    from corpuslab.models.loading import load_tokenizer

    tok = load_tokenizer(name)
    return lambda rec: len(tok(rec["text"], add_special_tokens=False)["input_ids"])


def sample_task(task: SourceTask) -> UnitResult:
    """Sample one task's units. Each unit keeps its own pool (merged later with index offsets)."""
    res = UnitResult(task.slug, [], [], [], read_to_end=True)
    left = task.max_scan
    for unit in task.units:
        reader = open_unit(unit, task.on_error)
        base = stream_base(task.seed, unit.source, unit.unit_id)
        pool = Pool(k=task.quota) if task.unit_kind == "docs" else Pool(budget=task.quota)
        n_unit = reader.num_rows if reader.num_rows is not None else None
        stats = OfferStats()
        seen = 0
        if n_unit is not None and reader.read_rows is not None and task.unit_kind == "docs":
            # Known size: draw the indices first, read only their row groups. Same keys → same sample.
            n = n_unit if left is None else min(n_unit, left)
            idx = bottom_k_indices(base, n, task.quota)
            rows = reader.read_rows(idx.tolist())
            for i, row in zip(idx.tolist(), rows, strict=True):
                rec = reader.decode(row)
                if rec is None:
                    stats.invalid += 1
                    stats.first_invalid = stats.first_invalid if stats.first_invalid is not None else i
                    continue
                pool.add(np.array([_key_at(base, i)], np.uint64), np.array([i]), [rec])
            seen = n
        else:
            # JSONL lines are kept raw and decoded only if they survive (finalize_lazy); a slack of
            # extra candidates covers invalid lines among the survivors.
            lazy = reader.lazy and task.unit_kind == "docs"
            slack = max(64, task.quota // 50) if lazy else 0
            if lazy:
                pool = Pool(k=task.quota + slack)
            seen, complete = _scan(reader, pool, base, left, task, stats, lazy)
            if not complete:
                res.read_to_end = False
            if lazy:
                final = finalize_lazy(pool, task.quota, reader.decode, stats)
                if final is None:  # invalid lines used up the slack: read again, decoding eagerly
                    pool, stats = Pool(k=task.quota), OfferStats()
                    reader.problems.clear()
                    seen, _ = _scan(reader, pool, base, left, task, stats, False)
                else:
                    pool = final
        if stats.first_invalid is not None and task.on_error == "raise":
            raise DataError(
                f"{unit.path}: record {stats.first_invalid + 1}: malformed JSON or no string "
                f"'{unit.options['text_field']}' field (set on_error: skip to count and skip such records)"
            )
        res.unit_ids.append(unit.unit_id)
        res.counts.append(seen)
        res.pools.append(pool)
        res.invalid += stats.invalid
        res.decoded += stats.decoded
        for k, v in reader.problems.items():
            res.problems[k] = res.problems.get(k, 0) + v
        if left is not None:
            left -= seen
            if left <= 0:  # max_scan reached: whatever follows was not read
                res.read_to_end = False
                break
    return res


def _scan(reader: Any, pool: Pool, base: int, left: int | None, task: SourceTask, stats: OfferStats,
          lazy: bool) -> tuple[int, bool]:
    """One pass over a unit's chunks; returns (records seen, whether the stream was read to its end)."""
    count_tokens = _token_counter(task.tokenizer) if task.unit_kind == "tokens" else None
    decode = _raw if lazy else reader.decode
    seen, complete = 0, True
    bar = tqdm(desc=f"{task.slug}:{reader.unit.unit_id or 'stream'}"[:60], unit=" rec",
               disable=not task.progress, leave=False, mininterval=0.5)
    try:
        for payloads in reader.chunks():
            if left is not None and seen + len(payloads) > left:
                payloads = payloads[: left - seen]
            offer_chunk(pool, base, seen, payloads, decode, count_tokens, stats)
            seen += len(payloads)
            bar.update(len(payloads))
            bar.set_postfix(kept=min(len(pool.idx), task.quota), refresh=False)
            if left is not None and seen >= left:
                complete = False
                break
    finally:
        bar.close()
    return seen, complete


def _raw(payload: Any) -> Any:
    return payload


def _key_at(base: int, i: int) -> np.uint64:
    return keys_for(base, i, 1)[0]


def source_fingerprint(src: SourceConfig, seed: int, quota: int, unit_kind: str) -> str:
    blob = json.dumps([src.model_dump(mode="json"), seed, quota, unit_kind], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _metadata(src: SourceConfig, rec: dict[str, Any], original_index: int) -> dict[str, Any]:
    md = {k: v for k, v in rec.items() if k != "text"}
    md.update({"source": src.name, "config": src.config, "split": src.split, "weight": src.weight,
               "original_index": original_index})
    if src.language:
        md["language"] = src.language
    if src.category:
        md["category"] = src.category
    return md


def _write_source(raw_folder: str, src: SourceConfig, merged: Pool, info: dict[str, Any]) -> None:
    rel = f"{src.slug}/{RAW_NAME}"
    order = np.argsort(merged.idx, kind="stable")
    items = merged.items
    slug = src.slug  # a property that sanitises the name: once, not per record
    with ShardWriter(os.path.join(raw_folder, rel)) as w:
        w.write_many({"id": f"{slug}/{oi}", "text": items[i]["text"], "metadata": _metadata(src, items[i], oi)}
                     for i, oi in zip(order.tolist(), merged.idx[order].tolist(), strict=True))
    mark_complete(raw_folder, rel, info)


class SampledSource(NamedTuple):
    """One source's merged sample: the pool and what reading the source found."""

    pool: Pool
    seen: int
    read_to_end: bool
    problems: dict[str, int]


def _merge(results: list[UnitResult], unit_kind: str, quota: int) -> SampledSource:
    merged = Pool(k=quota) if unit_kind == "docs" else Pool(budget=quota)
    offset, read_to_end, problems = 0, True, {"invalid_records": 0}
    for r in results:
        for count, pool in zip(r.counts, r.pools, strict=True):
            merged.merge(pool, offset)
            offset += count
        read_to_end = read_to_end and r.read_to_end
        problems["invalid_records"] += r.invalid
        for k, v in r.problems.items():
            problems[k] = problems.get(k, 0) + v
    return SampledSource(merged, offset, read_to_end, problems)


def _previous_final_quotas(raw_folder: str, cfg: MixtureConfig, initial: list[int]) -> list[int]:
    """On a re-run, start from the quotas a finished redistribution arrived at (so complete sources match)."""
    path = os.path.join(raw_folder, "plan.json")
    if not os.path.exists(path):
        return initial
    try:
        with open(path, encoding="utf-8") as fh:
            prev = json.load(fh)
        same = (prev.get("seed") == cfg.seed and prev.get("unit") == cfg.unit
                and [s["slug"] for s in prev["sources"]] == [d.slug for d in cfg.datasets]
                and [s["initial_quota"] for s in prev["sources"]] == initial)
        return [int(s["quota"]) for s in prev["sources"]] if same else initial
    except (OSError, ValueError, KeyError, TypeError):
        return initial


def build_plan(cfg: MixtureConfig) -> list[dict[str, Any]]:
    weights = [d.weight for d in cfg.datasets]
    quotas = largest_remainder(cfg.target_samples, weights, [d.slug for d in cfg.datasets])
    total_w = sum(weights)
    return [
        {"name": d.name, "slug": d.slug, "config": d.config, "weight": d.weight, "share": d.weight / total_w,
         "quota": q, "max_scan": d.max_scan, "language": d.language}
        for d, q in zip(cfg.datasets, quotas, strict=True)
    ]


def run_sample(cfg: MixtureConfig, base_dir: str | None = None, progress: bool = True) -> dict[str, Any]:
    """Run stage 1 into ``cfg.raw_folder``; return the plan dict that is also written to ``plan.json``.

    ``base_dir`` is the folder relative source paths resolve against (the config file's folder).

    Without redistribution each source is written (and marked complete) as soon as its units are
    sampled, so a killed run keeps finished sources. With ``redistribute_shortfall`` every source is
    sampled once with the whole target as its cap; final quotas are then settled from what each source
    really holds, and each pool is cut to its quota — the bottom-q of a bottom-k pool is exactly what
    sampling with q would have drawn, so one pass suffices.
    """
    if not cfg.raw_folder:
        raise ConfigError("raw_folder: set it in the config or give --raw-folder")
    raw_folder = str(cfg.raw_folder)
    os.makedirs(raw_folder, exist_ok=True)
    remove_stale_tmp(raw_folder)
    with run_card(raw_folder, "sample", cfg, inputs={"datasets": [d.name for d in cfg.datasets]}) as card:
        result = _run_sample(cfg, raw_folder, base_dir, progress)
        card.counts.update(total_kept=result["total_kept"], sources=len(result["sources"]),
                           shortfall=sum(s["shortfall"] for s in result["sources"]))
        card.outputs.update({s["slug"]: s["output"] for s in result["sources"]}, plan="plan.json")
    return result


def _run_sample(cfg: MixtureConfig, raw_folder: str, base_dir: str | None, progress: bool) -> dict[str, Any]:
    workers, engine = cfg.workers, cfg.engine
    plan = build_plan(cfg)
    initial = [p["quota"] for p in plan]
    redistributing = cfg.redistribute_shortfall
    quotas = _previous_final_quotas(raw_folder, cfg, initial) if redistributing else initial
    done: dict[str, dict[str, Any]] = {}
    pending = []
    for d, q in zip(cfg.datasets, quotas, strict=True):
        fp = source_fingerprint(d, cfg.seed, q, cfg.unit)
        info = completion_info(raw_folder, f"{d.slug}/{RAW_NAME}")
        if info and info.get("fingerprint") == fp:
            done[d.slug] = {**info, "resumed": True}
        else:
            pending.append((d, q, fp))
    if redistributing and pending:  # quotas may move: sample everything once, with the target as cap
        pending = [(d, cfg.target_samples, "") for d in cfg.datasets]
        done = {}

    tasks, owners = [], []
    for d, q, _ in pending:
        units = resolve_units(d, base_dir)
        for g in ([units] if d.max_scan is not None else [[u] for u in units]):
            tasks.append(SourceTask(d.slug, g, q, cfg.seed, cfg.unit, cfg.tokenizer, cfg.on_error, d.max_scan,
                                    progress))
            owners.append(d.slug)
    pending_by_slug = {d.slug: (d, q, fp) for d, q, fp in pending}
    waiting = {slug: owners.count(slug) for slug in pending_by_slug}
    got: dict[str, list[tuple[int, UnitResult]]] = {slug: [] for slug in pending_by_slug}
    sampled: dict[str, SampledSource] = {}

    def finish(i: int, r: UnitResult) -> None:
        """Merge a source as soon as its last unit is sampled; write it unless quotas may still move."""
        got[r.slug].append((i, r))
        waiting[r.slug] -= 1
        if waiting[r.slug]:
            return
        d, q, fp = pending_by_slug[r.slug]
        mine = [res for _, res in sorted(got[r.slug], key=lambda x: x[0])]
        sampled[r.slug] = _merge(mine, cfg.unit, q)
        if not redistributing:
            done[d.slug] = _finalize(raw_folder, d, cfg, q, fp, sampled[r.slug])

    run_tasks(sample_task, tasks, workers=workers, engine=engine, desc="sources", progress=progress,
              on_result=finish)

    if redistributing and sampled:
        avail: list[int | None] = []
        for d in cfg.datasets:
            pool, _, read_to_end, _ = sampled[d.slug]
            have = int(pool.tokens.sum()) if cfg.unit == "tokens" else len(pool.idx)
            avail.append(have if read_to_end and have < cfg.target_samples else None)
        quotas = redistribute(initial, avail, [d.weight for d in cfg.datasets], [d.slug for d in cfg.datasets])
        for d, q in zip(cfg.datasets, quotas, strict=True):
            cut = Pool(k=q) if cfg.unit == "docs" else Pool(budget=q)
            cut.merge(sampled[d.slug].pool)
            fp = source_fingerprint(d, cfg.seed, q, cfg.unit)
            done[d.slug] = _finalize(raw_folder, d, cfg, q, fp, sampled[d.slug]._replace(pool=cut))

    sources = []
    for p, q in zip(plan, quotas, strict=True):
        info = done[p["slug"]]
        if info["shortfall"]:
            log.warning("source %s holds fewer %s than its quota: kept %d of %d", p["slug"], cfg.unit,
                        info["kept"], q)
        sources.append({**p, "initial_quota": p["quota"], "quota": q, "seen": info["seen"], "kept": info["kept"],
                        "kept_tokens": info.get("kept_tokens"), "shortfall": info["shortfall"],
                        "read_to_end": info["read_to_end"], "problems": info.get("problems", {}),
                        "resumed": info.get("resumed", False), "complete": True,
                        "output": f"{p['slug']}/{RAW_NAME}"})
    result = {
        "stage": "sample", "target_samples": cfg.target_samples, "unit": cfg.unit, "seed": cfg.seed,
        "tokenizer": cfg.tokenizer, "redistribute_shortfall": cfg.redistribute_shortfall,
        "total_kept": sum(s["kept"] for s in sources), "sources": sources, **run_info(),
    }
    write_json_atomic(os.path.join(raw_folder, "plan.json"), result)
    write_manifest(raw_folder, {"stage": "sample", "seed": cfg.seed})
    return result


def _finalize(raw_folder: str, d: SourceConfig, cfg: MixtureConfig, q: int, fp: str,
              sampled: SampledSource) -> dict[str, Any]:
    merged, seen, read_to_end, problems = sampled
    kept_units = int(merged.tokens.sum()) if cfg.unit == "tokens" else len(merged.idx)
    info = {"fingerprint": fp, "quota": q, "seen": seen, "kept": len(merged.idx),
            "kept_tokens": int(merged.tokens.sum()) if cfg.unit == "tokens" else None,
            "read_to_end": read_to_end, "shortfall": max(0, q - kept_units) if read_to_end else 0,
            "problems": problems}
    _write_source(raw_folder, d, merged, info)
    return {**info, "resumed": False}
