"""``leia build``: articles (+ redirects + Wikidata tables) → annotated, tokenised, packed LEIA data.

Output folder::

    annotated.jsonl.zst       text + anchors {start, end, title, qid, name} (reference step 4)
    tokens.parquet            per article: input_ids, entity_start/end (token idx, end exclusive),
                              entity_names (token ids), qids (reference step 5); ids in int16/int32
    tokenizer/                the model's tokenizer with <translate> and </translate> added
    packed/epoch-0000.bin     epoch 0 packed windows (raw ids, shape [windows, seq_len]) + meta.json
    report.json               articles, links seen/resolved/kept/inserted, drop reasons, config

Training re-draws insertions per epoch from ``tokens.parquet`` (see :class:`~corpuslab.leia.data.LeiaPacker`);
the packed epoch is what that draw gives for epoch 0 and is there for inspection and for other trainers.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from corpuslab.core.atomic import atomic_path, write_json_atomic
from corpuslab.core.errors import DataError
from corpuslab.core.records import batched
from corpuslab.core.runinfo import run_info
from corpuslab.core.shards import ShardWriter, iter_records, list_shards
from corpuslab.leia.annotate import EntityResolver
from corpuslab.leia.data import (
    LeiaPacker,
    TokenizedArticle,
    add_marker_tokens,
    choose_id_dtype,
    normalize_strategy,
    tokenize_articles,
)


def iter_source_articles(source: str | os.PathLike[str] | Iterable[dict[str, Any]],
                         counters: Counter[str] | None = None) -> Iterator[dict[str, Any]]:
    """Articles from a ``wiki extract`` folder/shard (links in metadata), straight from a dump, or an
    iterable of article dicts (``iter_articles`` output)."""
    if not isinstance(source, (str, os.PathLike)):
        yield from source
        return
    p = str(source)
    if not os.path.exists(p):
        raise DataError(f"{p}: no such articles folder or dump")
    if p.endswith((".xml", ".xml.bz2", ".xml.gz", ".xml.zst", ".xml.xz")):
        from corpuslab.wiki.extract import iter_articles

        yield from iter_articles(p, counters=counters)
        return
    if not list_shards(p):
        raise DataError(f"{p}: no article shards (run `corpuslab wiki extract` first, or pass a dump)")
    for rec in iter_records(p, on_error="skip", errors=counters):  # type: ignore[arg-type]
        md = rec.get("metadata") or {}
        yield {"text": rec["text"], "title": md.get("title"), "page_id": md.get("page_id"),
               "language": md.get("language"), "links": md.get("links") or []}


# ---- tokens.parquet -------------------------------------------------------------------------------


def _tokens_schema(dtype: np.dtype) -> pa.Schema:
    t = pa.from_numpy_dtype(dtype)
    return pa.schema([
        ("title", pa.string()), ("page_id", pa.int64()), ("input_ids", pa.list_(t)),
        ("entity_start", pa.list_(pa.int32())), ("entity_end", pa.list_(pa.int32())),
        ("entity_names", pa.list_(pa.list_(t))), ("qids", pa.list_(pa.string())),
    ])


def _tokens_batch(meta: list[dict[str, Any]], toks: list[TokenizedArticle], schema: pa.Schema) -> pa.Table:
    return pa.table({
        "title": [m.get("title") for m in meta],
        "page_id": [m.get("page_id") for m in meta],
        "input_ids": [t.input_ids for t in toks],
        "entity_start": [t.entity_start for t in toks],
        "entity_end": [t.entity_end for t in toks],
        "entity_names": [[n for n in t.entity_names] for t in toks],
        "qids": [t.qids for t in toks],
    }, schema=schema)


class TokenStore:
    """Random access to ``tokens.parquet`` rows as :class:`TokenizedArticle`, by numpy slicing."""

    def __init__(self, path: str | os.PathLike[str]):
        p = Path(path)
        if p.is_dir():
            p = p / "tokens.parquet"
        if not p.exists():
            raise DataError(f"{p}: not found (run `corpuslab leia build` first)")
        t = pq.read_table(p, memory_map=True)
        self.table = t
        self.titles = t.column("title").to_pylist()

        def flat(name: str) -> tuple[np.ndarray, np.ndarray]:
            a = t.column(name).combine_chunks()
            return a.offsets.to_numpy(), a.values.to_numpy(zero_copy_only=False)

        self._ids_off, self._ids = flat("input_ids")
        self._es_off, self._es = flat("entity_start")
        self._ee = t.column("entity_end").combine_chunks().values.to_numpy(zero_copy_only=False)
        names = t.column("entity_names").combine_chunks()
        self._nm_off = names.offsets.to_numpy()
        inner = names.values
        self._nm_inner_off = inner.offsets.to_numpy()
        self._nm_vals = inner.values.to_numpy(zero_copy_only=False)
        self._qids = t.column("qids").to_pylist()
        self.dtype = self._ids.dtype

    def __len__(self) -> int:
        return len(self._ids_off) - 1

    def __getitem__(self, i: int) -> TokenizedArticle:
        a, b = self._ids_off[i], self._ids_off[i + 1]
        s, e = self._es_off[i], self._es_off[i + 1]
        n0, n1 = self._nm_off[i], self._nm_off[i + 1]
        names = [self._nm_vals[self._nm_inner_off[k]:self._nm_inner_off[k + 1]] for k in range(n0, n1)]
        return TokenizedArticle(self._ids[a:b], self._es[s:e], self._ee[s:e], names, self._qids[i])

    def total_tokens(self) -> int:
        return int(self._ids_off[-1])


def write_packed_epoch(store: Any, out_dir: str | os.PathLike[str], packer: LeiaPacker, epoch: int = 0) -> dict[str, Any]:
    """Materialise one epoch of packed windows as raw ids (``np.memmap``-readable) + ``meta.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    f = out / f"epoch-{epoch:04d}.bin"
    n = 0
    with atomic_path(f) as tmp, open(tmp, "wb") as fh:
        for ids, _kind in packer.epoch_windows(epoch):
            fh.write(np.ascontiguousarray(ids, dtype=store.dtype).tobytes())
            n += 1
    meta = {"file": f.name, "dtype": str(store.dtype), "seq_len": packer.seq_len, "windows": n, "epoch": epoch,
            "bos_prefixed": packer.bos_id is not None}
    write_json_atomic(out / "meta.json", meta)
    return meta


def load_packed_epoch(path: str | os.PathLike[str]) -> np.ndarray:
    """``[windows, seq_len]`` memmap of a packed epoch written by :func:`write_packed_epoch`."""
    d = Path(path)
    meta = json.loads((d / "meta.json").read_text())
    return np.memmap(d / meta["file"], dtype=meta["dtype"], mode="r", shape=(meta["windows"], meta["seq_len"]))


def build_leia_dataset(
    articles: str | os.PathLike[str] | Iterable[dict[str, Any]],
    output_dir: str | os.PathLike[str],
    tokenizer: Any,
    english_ids: str | os.PathLike[str] | dict[str, str],
    target_ids: str | os.PathLike[str] | dict[str, str],
    redirects: str | os.PathLike[str] | dict[str, str] | None = None,
    seq_len: int = 2048,
    p: float = 0.5,
    strategy: str = "after",
    seed: int = 42,
    fragment_links: str = "drop",
    id_dtype: str = "auto",
    batch_size: int = 256,
    max_articles: int | None = None,
    pack_epochs: int = 1,
    keep_articles_without_anchors: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Run annotation → tokenisation → packing; returns (and writes) the report.

    ``tokenizer`` is a tokenizer object or a model name/path. ``english_ids``/``target_ids`` are the
    ``title → QID`` tables of ``corpuslab wiki wikidata`` (paths or dicts); ``redirects`` the table of
    ``corpuslab wiki redirects``. As in the reference, articles without any resolved anchor are
    dropped unless ``keep_articles_without_anchors``.
    """
    from corpuslab.wiki.tables import read_pairs

    t0 = time.perf_counter()
    strategy = normalize_strategy(strategy)
    if fragment_links not in ("drop", "strip"):
        raise DataError(f"fragment_links must be 'drop' or 'strip', got {fragment_links!r}")
    if isinstance(tokenizer, (str, os.PathLike)):
        from corpuslab.models.loading import load_tokenizer

        tokenizer = load_tokenizer(str(tokenizer))
    open_id, close_id = add_marker_tokens(tokenizer)
    vocab = len(tokenizer)
    dtype = choose_id_dtype(vocab, id_dtype)

    def table(x: Any) -> dict[str, str]:
        if x is None:
            return {}
        return x if isinstance(x, dict) else read_pairs(x)

    resolver = EntityResolver.from_tables(table(redirects), table(target_ids), table(english_ids),
                                          fragment_links=fragment_links)  # type: ignore[arg-type]
    c = resolver.counters
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(str(out / "tokenizer"))
    schema = _tokens_schema(dtype)
    name_cache: dict[str, np.ndarray] = {}
    src_counters: Counter[str] = Counter()
    tok_path = out / "tokens.parquet"
    n_written = 0
    bar = tqdm(desc="leia build", unit=" articles", disable=not progress)

    def annotated() -> Iterator[dict[str, Any]]:
        for i, art in enumerate(iter_source_articles(articles, src_counters)):
            if max_articles is not None and i >= max_articles:
                break
            yield resolver.annotate(art)

    with atomic_path(tok_path) as tmp, ShardWriter(out / "annotated.jsonl.zst") as ann_writer:
        writer = pq.ParquetWriter(tmp, schema, compression="zstd")
        try:
            for batch in batched(annotated(), batch_size):
                keep = [a for a in batch if a["anchors"] or keep_articles_without_anchors]
                c["articles_dropped_no_anchors"] += len(batch) - len(keep)
                bar.update(len(batch))
                if not keep:
                    continue
                for a in keep:
                    ann_writer.write({"id": f"{a.get('language') or 'wiki'}-{a.get('page_id')}", "text": a["text"],
                                      "metadata": {k: a[k] for k in ("title", "page_id", "language", "anchors")}})
                toks = tokenize_articles(keep, tokenizer, dtype, c, name_cache)
                writer.write_table(_tokens_batch(keep, toks, schema))
                n_written += len(keep)
        finally:
            writer.close()
            bar.close()
    store = TokenStore(tok_path)
    bos = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    packer = LeiaPacker(store, seq_len, bos, open_id, close_id, p=p, strategy=strategy, seed=seed)
    packed = []
    for e in range(pack_epochs):
        packed.append(write_packed_epoch(store, out / "packed", packer, epoch=e))
    counts = dict(c)
    counts.update({k: v for k, v in src_counters.items() if k in ("truncated", "broken_wikitext", "malformed")})
    counts["articles_written"] = n_written
    for k, v in packer.counters.items():
        counts[f"epoch0_{k}" if pack_epochs == 1 else f"packed_{k}"] = v
    drops = {k.removeprefix("dropped_"): v for k, v in counts.items() if k.startswith("dropped_")}
    report = {
        "articles": counts.get("articles", 0),
        "articles_written": n_written,
        "links_seen": counts.get("links_seen", 0),
        "links_resolved": counts.get("links_resolved", 0),
        "links_kept": counts.get("links_kept", 0),
        "links_inserted": packer.counters.get("links_inserted", 0),
        "drop_reasons": dict(sorted(drops.items(), key=lambda kv: -kv[1])),
        "tokens": counts.get("tokens", 0),
        "windows": packer.counters.get("windows", 0),
        "counts": dict(sorted(counts.items())),
        "vocab_size": vocab,
        "id_dtype": str(dtype),
        "marker_ids": [open_id, close_id],
        "bos_id": bos,
        "config": {"seq_len": seq_len, "p": p, "strategy": strategy, "seed": seed, "fragment_links": fragment_links,
                   "pack_epochs": pack_epochs,
                   "source": str(articles) if isinstance(articles, (str, os.PathLike)) else "<iterable>"},
        "packed": packed,
        "seconds": round(time.perf_counter() - t0, 3),
        "run": run_info(),
    }
    write_json_atomic(out / "report.json", report)
    return report
