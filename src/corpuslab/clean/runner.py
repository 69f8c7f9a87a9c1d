"""Stage 2 runner: tag every input shard once, decide with the current thresholds, deduplicate across all
sources, write the cleaned shards and ``stats.json``.

Reads as a story:

1. :func:`discover_inputs` lists the shards of the raw folder (stage-1 layout ``<slug>/raw_data.jsonl.gz`` or
   any corpuslab shard folder) and their source order (``plan.json`` when present).
2. :func:`tag_shard` (process pool, or Ray Data ``map_batches``) writes ``_tags/<shard>.parquet``; a shard
   whose tags exist with the same tag key is skipped — re-running after a threshold change re-tags nothing.
3. :func:`corpuslab.clean.decide.decide` applies thresholds on the tag columns; exact and MinHash dedup run
   on the survivors of all shards together.
4. :func:`write_shard` writes ``<source>/cleaned_data.jsonl.gz`` (+ ``.parquet`` on request, + rejected
   documents with their reason on request); :mod:`corpuslab.clean.stats` builds the funnel.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from corpuslab.clean.config import CleanRunConfig
from corpuslab.clean.decide import Decision, decide
from corpuslab.clean.tag import TagPlan, tag_table
from corpuslab.core.atomic import atomic_path, read_json, remove_stale_tmp, write_json_atomic
from corpuslab.core.errors import CorpuslabError, DataError
from corpuslab.core.markers import completion_info, mark_complete, write_manifest
from corpuslab.core.runcard import run_card
from corpuslab.core.runinfo import run_info
from corpuslab.core.shards import PARQUET_SUFFIXES, ShardWriter, iter_parquet, list_shards
from corpuslab.core.streams import open_read
from corpuslab.engine import run_tasks

log = logging.getLogger(__name__)

TAG_DIR = "_tags"
REJECTED_DIR = "_rejected"
DEDUP_DIR = "_dedup"
BATCH = 2000
#: A JSONL line longer than this many bytes is skipped without being held in memory (counted as oversized).
MAX_LINE_BYTES = 64 << 20
_READ_CHUNK = 1 << 20


@dataclass
class InputShard:
    path: str
    rel: str  # path relative to the raw folder
    source: str
    source_rank: int
    index: int

    @property
    def tag_rel(self) -> str:
        return f"{TAG_DIR}/{_strip_suffix(self.rel)}.parquet"

    def output_rel(self, suffix: str = ".jsonl.gz") -> str:
        base = _strip_suffix(self.rel)
        parent, name = os.path.split(base)
        name = "cleaned_data" if name.startswith("raw_data") else name
        return os.path.join(parent, name + suffix) if parent else name + suffix


def _strip_suffix(rel: str) -> str:
    for suf in (".jsonl.gz", ".jsonl.zst", ".jsonl.bz2", ".json.gz", ".jsonl", ".ndjson", ".parquet"):
        if rel.endswith(suf):
            return rel[: -len(suf)]
    return rel


def discover_inputs(raw_folder: str | os.PathLike[str], exclude: str | os.PathLike[str] | None = None) -> list[InputShard]:
    """Input shards in source order: ``plan.json``'s source order when present, else sorted paths.
    Files under ``exclude`` (the cleaned folder, if it sits inside the raw folder) are ignored."""
    root = Path(raw_folder)
    if not root.exists():
        raise DataError(f"{root}: no such file or folder")
    files = list_shards(root) if root.is_dir() else [str(root)]
    if exclude is not None:
        ex = os.path.abspath(exclude) + os.sep
        files = [f for f in files if not os.path.abspath(f).startswith(ex)]
    if not files:
        raise DataError(f"{root}: no shard files (*.jsonl[.gz|.zst] or *.parquet) found")
    plan_order: dict[str, int] = {}
    plan_path = root / "plan.json" if root.is_dir() else None
    if plan_path is not None and plan_path.exists():
        with contextlib.suppress(Exception):
            plan = read_json(plan_path)
            for i, s in enumerate(plan.get("sources", [])):
                plan_order[str(s.get("slug") or s.get("name"))] = i
    shards = []
    for f in files:
        rel = os.path.relpath(f, root) if root.is_dir() else os.path.basename(f)
        parent = os.path.dirname(rel)
        source = parent if parent else _strip_suffix(rel)
        shards.append((f, rel, source))
    sources = sorted({s for _, _, s in shards}, key=lambda s: (plan_order.get(s, len(plan_order)), s))
    rank = {s: i for i, s in enumerate(sources)}
    shards.sort(key=lambda t: (rank[t[2]], t[1]))
    return [InputShard(f, rel, src, rank[src], i) for i, (f, rel, src) in enumerate(shards)]


# ---- reading ----------------------------------------------------------------------------------------------


def _read_lines_bounded(path: str, counts: dict[str, int]) -> Iterator[bytes]:
    """Lines of a (compressed) file; a line over MAX_LINE_BYTES is consumed in chunks and skipped."""
    with open_read(path) as fh:
        while True:
            line = fh.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                while True:
                    chunk = fh.readline(_READ_CHUNK)
                    if not chunk or chunk.endswith(b"\n"):
                        break
                counts["oversized_lines"] = counts.get("oversized_lines", 0) + 1
                continue
            yield line


def iter_input_records(path: str, counts: dict[str, int]) -> Iterator[tuple[dict[str, Any], bool]]:
    """(record, had_invalid_utf8) for every readable record; bad lines are counted, not fatal."""
    if path.endswith(PARQUET_SUFFIXES):
        for rec in iter_parquet(path):
            yield rec, False
        return
    lineno = 0
    try:
        for lineno, raw in enumerate(_read_lines_bounded(path, counts), 1):  # noqa: B007
            if not raw.strip():
                continue
            bad = False
            try:
                s = raw.decode("utf-8")
            except UnicodeDecodeError:
                s = raw.decode("utf-8", errors="replace")
                bad = True
            try:
                rec = json.loads(s)
            except json.JSONDecodeError:
                counts["malformed"] = counts.get("malformed", 0) + 1
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                counts["malformed"] = counts.get("malformed", 0) + 1
                continue
            if bad:
                counts["non_utf8"] = counts.get("non_utf8", 0) + 1
            yield rec, bad
    except (EOFError, OSError) as e:
        log.warning("%s: truncated or corrupt after line %d (%s)", path, lineno, e)
        counts["truncated_files"] = counts.get("truncated_files", 0) + 1


def iter_record_batches(shard: InputShard, counts: dict[str, int], batch: int = BATCH) -> Iterator[pa.Table]:
    """Arrow batches (id, text, metadata JSON, source, order, row, non_utf8) of one input shard."""
    cols: dict[str, list[Any]] = {k: [] for k in ("id", "text", "metadata", "source", "order", "row", "non_utf8")}
    row = 0
    for rec, bad in iter_input_records(shard.path, counts):
        md = rec.get("metadata") if isinstance(rec.get("metadata"), dict) else {}
        oi = md.get("original_index")
        cols["id"].append(str(rec.get("id", f"{shard.source}/{row}")))
        cols["text"].append(rec["text"])
        cols["metadata"].append(json.dumps(md, ensure_ascii=False))
        cols["source"].append(shard.source)
        cols["order"].append(int(oi) if isinstance(oi, int) else row)
        cols["row"].append(row)
        cols["non_utf8"].append(bad)
        row += 1
        if len(cols["text"]) >= batch:
            yield _batch_table(cols)
            cols = {k: [] for k in cols}
    if cols["text"] or row == 0:
        yield _batch_table(cols)


_IN_SCHEMA = pa.schema([
    ("id", pa.string()), ("text", pa.string()), ("metadata", pa.string()), ("source", pa.string()),
    ("order", pa.int64()), ("row", pa.int64()), ("non_utf8", pa.bool_()),
])


def _batch_table(cols: dict[str, list[Any]]) -> pa.Table:
    return pa.table(cols, schema=_IN_SCHEMA)


# ---- tag phase --------------------------------------------------------------------------------------------


@dataclass
class TagTask:
    shard: InputShard
    out_folder: str
    plan: TagPlan


def _tag_valid(task: TagTask) -> dict[str, Any] | None:
    info = completion_info(task.out_folder, task.shard.tag_rel)
    if info is None or info.get("tag_key") != task.plan.key:
        return None
    st = os.stat(task.shard.path)
    if info.get("input_size") != st.st_size or info.get("input_mtime") != int(st.st_mtime):
        return None
    return info


def _write_tags(task: TagTask, tables: Iterator[pa.Table], counts: dict[str, int]) -> dict[str, Any]:
    out = Path(task.out_folder) / task.shard.tag_rel
    n = 0
    writer: pq.ParquetWriter | None = None
    with atomic_path(out) as tmp:
        try:
            for t in tables:
                if writer is None:
                    writer = pq.ParquetWriter(tmp, t.schema, compression="zstd")
                writer.write_table(t)
                n += t.num_rows
        finally:
            if writer is not None:
                writer.close()
    st = os.stat(task.shard.path)
    info = {
        "tag_key": task.plan.key, "docs": n, "input": task.shard.rel, "input_size": st.st_size,
        "input_mtime": int(st.st_mtime), "read_problems": counts,
    }
    mark_complete(task.out_folder, task.shard.tag_rel, info)
    return info


def tag_shard(task: TagTask) -> dict[str, Any]:
    """Tag one input shard (skipped when its tags exist under the same tag key and input file)."""
    done = _tag_valid(task)
    if done is not None:
        return {**done, "skipped": True}
    counts: dict[str, int] = {}
    tables = (tag_table(b, task.plan) for b in iter_record_batches(task.shard, counts))
    return {**_write_tags(task, tables, counts), "skipped": False}


def _tag_with_ray_data(tasks: list[TagTask], plan: TagPlan, workers: int, address: str | None) -> list[dict[str, Any]]:
    """Tag shards on Ray Data: ``map_batches`` of the same pure :func:`tag_table` over Arrow blocks."""
    from corpuslab.engine.ray_cluster import init_ray

    ray = init_ray(workers, address)
    results = []
    for task in tasks:
        counts: dict[str, int] = {}
        blocks = list(iter_record_batches(task.shard, counts))
        ds = ray.data.from_arrow(blocks)
        tagged = ds.map_batches(tag_table, fn_kwargs={"plan": plan}, batch_format="pyarrow", batch_size=500)
        tables = [t for t in (ray.get(r) for r in tagged.to_arrow_refs()) if t.num_rows]
        merged = pa.concat_tables(tables).sort_by("row") if tables else tag_table(blocks[0].slice(0, 0), plan)
        results.append({**_write_tags(task, iter([merged]), counts), "skipped": False})
    return results


# ---- write phase ------------------------------------------------------------------------------------------


@dataclass
class WriteTask:
    shard: InputShard
    out_folder: str
    keep_rows: np.ndarray
    reject_rows: np.ndarray | None = None
    reject_reasons: list[str] = field(default_factory=list)
    reject_values: list[float] = field(default_factory=list)
    parquet: bool = False
    decision_key: str = ""


def write_shard(task: WriteTask) -> dict[str, Any]:
    out_rel = task.shard.output_rel()
    info = completion_info(task.out_folder, out_rel)
    if info is not None and info.get("decision_key") == task.decision_key:
        return {**info, "skipped": True}
    tag_path = Path(task.out_folder) / task.shard.tag_rel
    cols = ["id", "text", "metadata"]
    table = pq.read_table(tag_path, columns=cols)
    kept = table.take(pa.array(task.keep_rows, pa.int64()))
    outs = [out_rel] + ([task.shard.output_rel(".parquet")] if task.parquet else [])
    for rel in outs:
        with ShardWriter(Path(task.out_folder) / rel) as w:
            for r in kept.to_pylist():
                w.write({"id": r["id"], "text": r["text"], "metadata": json.loads(r["metadata"]) if r["metadata"] else {}})
    if task.reject_rows is not None:
        rej = table.take(pa.array(task.reject_rows, pa.int64())).to_pylist()
        rpath = Path(task.out_folder) / REJECTED_DIR / task.shard.output_rel().replace("cleaned_data", "rejected_data")
        with ShardWriter(rpath) as w:
            for r, reason, value in zip(rej, task.reject_reasons, task.reject_values, strict=True):
                step, _, rule = reason.partition(":")
                w.write({
                    "id": r["id"], "text": r["text"], "metadata": json.loads(r["metadata"]) if r["metadata"] else {},
                    "rejection": {"step": step, "reason": rule, "value": None if value != value else value},
                })
    info = {"docs": int(kept.num_rows), "decision_key": task.decision_key, "source": task.shard.source}
    mark_complete(task.out_folder, out_rel, info)
    return {**info, "skipped": False}


# ---- the whole stage --------------------------------------------------------------------------------------

_DECIDE_DROP = ("text", "metadata", "band_keys")


@dataclass
class CleanResult:
    stats: dict[str, Any]
    cleaned_folder: str


def run_clean(cfg: CleanRunConfig, progress: bool = True) -> CleanResult:
    """Run stage 2 end to end; returns the stats also written to ``<cleaned>/stats.json`` (and ``run.json``)."""
    out = cfg.cleaned_folder
    if os.path.abspath(out) == os.path.abspath(cfg.raw_folder):
        raise CorpuslabError("cleaned_folder must differ from raw_folder")
    shards = discover_inputs(cfg.raw_folder, exclude=out)
    with run_card(out, "clean", cfg, inputs={"raw_folder": cfg.raw_folder}) as card:
        remove_stale_tmp(out)
        stats = _clean(cfg, shards, progress)
        removed = {r: v["count"] for r, v in stats["drop_reasons"].items()}
        card.counts.update(
            documents_in=stats["input"]["docs"], documents_out=stats["output"]["docs"],
            chars_in=stats["input"]["chars"], chars_out=stats["output"]["chars"], shards=len(shards),
            dropped_by_filters=sum(c for r, c in removed.items() if not r.startswith(("input:", "exact_dedup:", "minhash_dedup:"))),
            exact_duplicates=removed.get("exact_dedup:duplicate", 0),
            near_duplicates=removed.get("minhash_dedup:near_duplicate", 0),
            empty_or_huge=sum(c for r, c in removed.items() if r.startswith("input:")),
        )
        card.outputs.update(stats="stats.json", cleaned=[s.output_rel() for s in shards], tags=TAG_DIR)
        if cfg.keep_rejected:
            card.outputs["rejected"] = REJECTED_DIR
        if cfg.dedup is not None and cfg.dedup.minhash is not None and cfg.dedup.write_clusters:
            card.outputs["clusters"] = f"{DEDUP_DIR}/clusters.jsonl"
    return CleanResult(stats=stats, cleaned_folder=out)


def _clean(cfg: CleanRunConfig, shards: list[InputShard], progress: bool) -> dict[str, Any]:
    """Tag, decide, dedup, write; returns the stats (also written to stats.json)."""
    from corpuslab.clean.dedup import exact_duplicates, minhash_clusters, ray_edges_fn
    from corpuslab.clean.stats import build_stats

    out, workers, engine = cfg.cleaned_folder, cfg.workers, cfg.engine
    plan = TagPlan(cfg)

    # 1. tag
    tasks = [TagTask(s, out, plan) for s in shards]
    if engine == "ray":
        pending = [t for t in tasks if _tag_valid(t) is None]
        tagged = _tag_with_ray_data(pending, plan, workers, cfg.ray_address)
        fresh = {id(t): r for t, r in zip(pending, tagged, strict=True)}
        tag_infos = [fresh.get(id(t)) or {**(_tag_valid(t) or {}), "skipped": True} for t in tasks]
    else:
        tag_infos = run_tasks(tag_shard, tasks, workers=workers, engine="local", desc="tag shards", progress=progress)

    # 2. decide, per shard, on the stored columns only
    tables, decisions = [], []
    band_parts: list[np.ndarray] = []
    mh = cfg.dedup.minhash if cfg.dedup else None
    for s in shards:
        path = Path(out) / s.tag_rel
        schema = pq.read_schema(path)
        cols = [c for c in schema.names if c not in _DECIDE_DROP]
        t = pq.read_table(path, columns=cols)
        tables.append(t)
        decisions.append(decide(t, cfg))
        if mh is not None:
            bk = pq.read_table(path, columns=["band_keys"]).column("band_keys")
            flat = pa.concat_arrays([c.flatten() for c in bk.chunks]) if bk.num_chunks else pa.array([], pa.uint64())
            band_parts.append(flat.to_numpy(zero_copy_only=False).reshape(-1, mh.bands))

    # 3. dedup across all shards: global arrays in (source order, original index) rank
    sizes = [t.num_rows for t in tables]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n_all = int(offsets[-1])
    step_index = np.concatenate([d.step_index for d in decisions]) if decisions else np.zeros(0, np.int64)
    reason = np.concatenate([d.reason for d in decisions]) if decisions else np.zeros(0, object)
    value = np.concatenate([d.value for d in decisions]) if decisions else np.zeros(0)
    src_rank = np.concatenate([np.full(t.num_rows, s.source_rank, np.int64) for s, t in zip(shards, tables, strict=True)])
    order = np.concatenate([t.column("order").to_numpy() for t in tables]).astype(np.int64)
    shard_pos = np.concatenate([np.full(t.num_rows, s.index, np.int64) for s, t in zip(shards, tables, strict=True)])
    rows = np.concatenate([t.column("row").to_numpy() for t in tables]).astype(np.int64)
    rank = np.empty(n_all, dtype=np.int64)
    rank[np.lexsort((rows, shard_pos, order, src_rank))] = np.arange(n_all)
    n_steps = len(cfg.steps)
    cluster_size = np.ones(n_all, dtype=np.int64)
    survivor = np.full(n_all, -1, dtype=np.int64)
    dedup_steps: list[str] = []
    if cfg.dedup is not None and cfg.dedup.exact:
        dedup_steps.append("exact_dedup")
        hashes = np.concatenate([t.column("exact_hash").to_numpy() for t in tables]).astype(np.uint64)
        dup, surv = exact_duplicates(hashes, rank, step_index < 0)
        k = n_steps + len(dedup_steps)
        reason[dup], step_index[dup], value[dup], survivor[dup] = "exact_dedup:duplicate", k, 1.0, surv[dup]
    if mh is not None:
        dedup_steps.append("minhash_dedup")
        keys = np.concatenate(band_parts) if band_parts else np.zeros((0, mh.bands), np.uint64)
        edges_fn = ray_edges_fn(workers, cfg.ray_address) if engine == "ray" else None
        dup, surv, size = minhash_clusters(keys, rank, step_index < 0, edges_fn)
        k = n_steps + len(dedup_steps)
        reason[dup], step_index[dup], survivor[dup] = "minhash_dedup:near_duplicate", k, surv[dup]
        value[dup] = size[dup]
        cluster_size = size
        if cfg.dedup is not None and cfg.dedup.write_clusters:
            _write_clusters(out, tables, surv, dup)

    # 4. write
    decision_key = hashlib.sha256(
        json.dumps(cfg.stage2_summary(), sort_keys=True, default=str).encode() + step_index.tobytes() + plan.key.encode()
    ).hexdigest()[:16]
    wtasks = []
    for s, a, b in zip(shards, offsets[:-1], offsets[1:], strict=True):
        si = step_index[a:b]
        wt = WriteTask(s, out, np.flatnonzero(si < 0), parquet=cfg.parquet,
                       decision_key=decision_key + str(cfg.keep_rejected) + str(cfg.parquet))
        if cfg.keep_rejected:
            rr = np.flatnonzero(si >= 0)
            wt.reject_rows = rr
            wt.reject_reasons = reason[a:b][rr].tolist()
            wt.reject_values = value[a:b][rr].astype(float).tolist()
        wtasks.append(wt)
    run_tasks(write_shard, wtasks, workers=workers, engine="local", desc="write shards", progress=progress)
    _remove_orphans(out, shards, cfg.parquet)

    stats = build_stats(
        cfg=cfg, shards=shards, tables=tables, decision=Decision(reason=reason, value=value, step_index=step_index),
        dedup_steps=dedup_steps, tag_infos=tag_infos, cluster_size=cluster_size,
    )
    stats["run"] = run_info(stage="clean", raw_folder=cfg.raw_folder, engine=engine, workers=workers, tag_key=plan.key)
    stats["config"] = cfg.stage2_summary()
    write_json_atomic(Path(out) / "stats.json", stats)
    write_manifest(out, {"stage": "clean", "tag_key": plan.key, "raw_folder": cfg.raw_folder})
    return stats


def _write_clusters(out: str, tables: list[pa.Table], survivor: np.ndarray, dup: np.ndarray) -> None:
    """``_dedup/clusters.jsonl``: per surviving document, the near duplicates removed in its favour."""
    ids = np.concatenate([np.asarray(t.column("id").to_pylist(), dtype=object) for t in tables]) if tables else np.zeros(0, object)
    clusters: dict[int, list[str]] = {}
    for i in np.flatnonzero(dup):
        clusters.setdefault(int(survivor[i]), []).append(str(ids[i]))
    with atomic_path(Path(out) / DEDUP_DIR / "clusters.jsonl") as tmp, open(tmp, "w", encoding="utf-8") as fh:
        for head in sorted(clusters):
            fh.write(json.dumps({"kept": str(ids[head]), "removed": clusters[head]}, ensure_ascii=False) + "\n")


def _remove_orphans(out: str, shards: list[InputShard], parquet: bool) -> None:
    """Drop a Parquet copy left by an earlier ``--parquet`` run so outputs always match this run."""
    if parquet:
        return
    for s in shards:
        p = Path(out) / s.output_rel(".parquet")
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
