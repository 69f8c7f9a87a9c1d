"""``leia build``: articles (+ redirects + Wikidata tables) → annotated, tokenised, packed LEIA data.

Output folder::

    annotated.jsonl.zst       text + anchors {start, end, title, qid, name} (leia-llm/leia
                              ``scripts/preprocess_wikipedia.py``'s output)
    tokens.parquet            per article: input_ids, entity_start/end (token idx, end exclusive),
                              entity_names (token ids), qids (``scripts/build_wikipedia_dataset.py``'s output);
                              ids in int16/int32
    tokenizer/                the model's tokenizer with <translate> and </translate> added
    packed/epoch-0000.bin     epoch 0 packed windows (raw ids, shape [windows, seq_len]) + meta.json
    report.json               articles, links seen/resolved/kept/inserted, drop reasons, config
    run.json                  the run card (kind ``leia-build``)

Training re-draws insertions per epoch from ``tokens.parquet`` (see :class:`~corpuslab.leia.packing.LeiaPacker`);
the packed epoch is what that draw gives for epoch 0 and is there for inspection and for other trainers.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from corpuslab.core.atomic import atomic_path, write_json_atomic
from corpuslab.core.errors import ConfigError, DataError
from corpuslab.core.records import batched
from corpuslab.core.runcard import run_card
from corpuslab.core.runinfo import run_info
from corpuslab.core.shards import ShardWriter, iter_records, list_shards
from corpuslab.leia.annotate import EntityResolver
from corpuslab.leia.config import LeiaBuildConfig
from corpuslab.leia.insertion import InsertionSettings
from corpuslab.leia.markers import add_marker_tokens
from corpuslab.leia.packing import LeiaPacker, write_packed_epoch
from corpuslab.leia.token_store import TOKENS_FILE, TokenStore, tokens_schema, tokens_table
from corpuslab.leia.tokens import choose_id_dtype, tokenize_articles


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


def _resolver(cfg: LeiaBuildConfig) -> EntityResolver:
    """The link resolver over the build's title tables (redirects optional)."""
    from corpuslab.wiki.tables import read_pairs

    redirects = read_pairs(cfg.redirects) if cfg.redirects is not None else {}
    return EntityResolver.from_tables(redirects, read_pairs(cfg.target_ids), read_pairs(cfg.english_ids),
                                      fragment_links=cfg.fragment_links)


def _write_annotated_and_tokens(cfg: LeiaBuildConfig, source: Any, resolver: EntityResolver, tokenizer: Any,
                                dtype: np.dtype, progress: bool) -> tuple[int, Counter[str]]:
    """Annotate → ``annotated.jsonl.zst``, tokenise → ``tokens.parquet``; return (articles written, source counts).

    As in the reference, articles without any resolved anchor are dropped unless
    ``keep_articles_without_anchors``.
    """
    out = Path(cfg.output_dir)
    c = resolver.counters
    schema = tokens_schema(dtype)
    name_cache: dict[str, np.ndarray] = {}
    src_counters: Counter[str] = Counter()
    n_written = 0
    bar = tqdm(desc="leia build", unit=" articles", disable=not progress)

    def annotated() -> Iterator[dict[str, Any]]:
        for i, art in enumerate(iter_source_articles(source, src_counters)):
            if cfg.max_articles is not None and i >= cfg.max_articles:
                break
            yield resolver.annotate(art)

    with atomic_path(out / TOKENS_FILE) as tmp, ShardWriter(out / "annotated.jsonl.zst") as ann_writer:
        writer = pq.ParquetWriter(tmp, schema, compression="zstd")
        try:
            for batch in batched(annotated(), cfg.batch_size):
                keep = [a for a in batch if a["anchors"] or cfg.keep_articles_without_anchors]
                c["articles_dropped_no_anchors"] += len(batch) - len(keep)
                bar.update(len(batch))
                if not keep:
                    continue
                for a in keep:
                    ann_writer.write({"id": f"{a.get('language') or 'wiki'}-{a.get('page_id')}", "text": a["text"],
                                      "metadata": {k: a[k] for k in ("title", "page_id", "language", "anchors")}})
                toks = tokenize_articles(keep, tokenizer, dtype, c, name_cache)
                writer.write_table(tokens_table(keep, toks, schema))
                n_written += len(keep)
        finally:
            writer.close()
            bar.close()
    return n_written, src_counters


def build_leia_dataset(cfg: LeiaBuildConfig, progress: bool = True, *,
                       articles: Iterable[dict[str, Any]] | None = None, tokenizer: Any = None) -> dict[str, Any]:
    """Run annotation → tokenisation → packing into ``cfg.output_dir``; return (and write) the report.

    ``articles`` (an iterable of article dicts, e.g. ``iter_articles`` output) and ``tokenizer`` (a tokenizer
    object) are in-memory stand-ins for ``cfg.articles`` and ``cfg.model``. ``english_ids``/``target_ids``
    are the ``title → QID`` tables of ``corpuslab wiki wikidata``, ``redirects`` the table of ``corpuslab wiki
    redirects``. Writes ``run.json`` (kind ``leia-build``).
    """
    source = articles if articles is not None else cfg.articles
    if source is None:
        raise ConfigError("articles: required: give --articles or set articles in --config")
    if tokenizer is None and cfg.model is None:
        raise ConfigError("model: required: give --model or set model in --config")
    inputs = {"articles": str(cfg.articles) if articles is None else "<in memory>",
              "model": cfg.model if tokenizer is None else "<in-memory tokenizer>",
              "english_ids": cfg.english_ids, "target_ids": cfg.target_ids, "redirects": cfg.redirects}
    with run_card(cfg.output_dir, "leia-build", cfg, inputs=inputs) as card:
        report = _build(cfg, source, tokenizer, progress)
        card.counts.update({k: report[k] for k in ("articles", "articles_written", "links_seen", "links_resolved",
                                                   "links_kept", "links_inserted", "tokens", "windows")})
        card.outputs.update(report="report.json", tokens=TOKENS_FILE, annotated="annotated.jsonl.zst",
                            tokenizer="tokenizer", packed="packed")
    return report


def _build(cfg: LeiaBuildConfig, source: Any, tokenizer: Any, progress: bool) -> dict[str, Any]:
    t0 = time.perf_counter()
    insertion = InsertionSettings(p=cfg.p, strategy=cfg.strategy, seed=cfg.seed)
    if tokenizer is None:
        from corpuslab.models.loading import load_tokenizer

        tokenizer = load_tokenizer(str(cfg.model))
    marker_ids = add_marker_tokens(tokenizer)
    vocab = len(tokenizer)
    dtype = choose_id_dtype(vocab, cfg.id_dtype)
    resolver = _resolver(cfg)
    c = resolver.counters
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(str(out / "tokenizer"))
    n_written, src_counters = _write_annotated_and_tokens(cfg, source, resolver, tokenizer, dtype, progress)
    store = TokenStore(out / TOKENS_FILE)
    bos = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    packer = LeiaPacker(store, cfg.seq_len, bos, marker_ids, insertion)
    packed = [write_packed_epoch(out / "packed", packer, store.dtype, epoch=e) for e in range(cfg.pack_epochs)]
    counts = dict(c)
    counts.update({k: v for k, v in src_counters.items() if k in ("truncated", "broken_wikitext", "malformed")})
    counts["articles_written"] = n_written
    for k, v in packer.counters.items():
        counts[f"epoch0_{k}" if cfg.pack_epochs == 1 else f"packed_{k}"] = v
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
        "marker_ids": list(marker_ids),
        "bos_id": bos,
        "config": {"seq_len": cfg.seq_len, "p": cfg.p, "strategy": insertion.strategy, "seed": cfg.seed,
                   "fragment_links": cfg.fragment_links, "pack_epochs": cfg.pack_epochs,
                   "source": str(source) if isinstance(source, (str, os.PathLike)) else "<iterable>"},
        "packed": packed,
        "seconds": round(time.perf_counter() - t0, 3),
        "run": run_info(),
    }
    write_json_atomic(out / "report.json", report)
    return report
