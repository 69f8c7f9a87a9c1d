"""MediaWiki XML dump → articles (plain text + link spans), streamed, optionally in parallel.

Reading: ``mwxml`` walks the dump (``.xml``, ``.bz2``, ``.gz``, ``.xz``, ``.zst``, multistream included:
Python's bz2 reads concatenated streams). Rendering: :mod:`corpuslab.wiki.wikitext`. Parallelism:
the reader stays in the parent and ships batches of raw pages to worker processes, which do the
expensive rendering; with a multistream index (``…-multistream-index.txt.bz2``) each worker instead
decompresses and parses its own byte range of streams, so the parent does no work per page.

Bad input never stops a run: a truncated or corrupt compressed stream ends the dump where it breaks
(``truncated`` in the counters), a page the tokenizer cannot handle is skipped (``broken_wikitext``).
"""

from __future__ import annotations

import bz2
import logging
import multiprocessing as mp
import os
import re
import xml.etree.ElementTree as ET
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tqdm.auto import tqdm

from corpuslab.core.errors import DataError
from corpuslab.core.records import batched
from corpuslab.core.runinfo import run_info
from corpuslab.core.shards import (
    ShardWriter,
    completion_info,
    encode_line,
    mark_complete,
    open_read,
    write_json_atomic,
    write_manifest,
)
from corpuslab.wiki.titles import Namespaces, language_from_dbname
from corpuslab.wiki.wikitext import WikitextError, wikitext_to_text

log = logging.getLogger(__name__)

# What a damaged/cut compressed stream or XML document raises while mwxml reads it.
_TRUNCATION_ERRORS: tuple[type[BaseException], ...] = (EOFError, OSError, zlib.error, ET.ParseError, ValueError)


@dataclass
class SiteInfo:
    dbname: str | None
    base: str | None
    language: str | None
    namespaces: list[tuple[int, str]]

    def ns_table(self) -> Namespaces:
        return Namespaces.from_siteinfo(self.namespaces)

    def page_url(self, page_id: int) -> str | None:
        if self.language:
            return f"https://{self.language}.wikipedia.org/wiki?curid={page_id}"
        return None


def _siteinfo(dump: Any) -> SiteInfo:
    si = dump.site_info
    nss = [(ns.id, ns.name or "") for ns in (si.namespaces or [])]
    return SiteInfo(si.dbname, si.base, language_from_dbname(si.dbname, si.base), nss)


def _open_dump(path: str | os.PathLike[str]) -> IO[bytes]:
    p = str(path)
    if not os.path.exists(p):
        raise DataError(f"{p}: dump file not found")
    return open_read(p)


def read_siteinfo(path: str | os.PathLike[str]) -> SiteInfo:
    import mwxml

    with _open_dump(path) as fh:
        try:
            return _siteinfo(mwxml.Dump.from_file(fh))
        except _TRUNCATION_ERRORS as e:
            raise DataError(f"{path}: not a MediaWiki XML dump or no <siteinfo> ({e})") from e


def iter_pages(
    path: str | os.PathLike[str], counters: Counter[str] | None = None, site: list[SiteInfo] | None = None
) -> Iterator[dict[str, Any]]:
    """Every page of the dump (latest revision): ``page_id, title, namespace, redirect, text, revision_id``.

    ``site`` (a list) receives the dump's :class:`SiteInfo` before the first page. A dump that ends
    early is counted under ``counters["truncated"]`` and iteration simply stops.
    """
    import mwxml

    c = counters if counters is not None else Counter()
    with _open_dump(path) as fh:
        try:
            dump = mwxml.Dump.from_file(fh)
        except _TRUNCATION_ERRORS as e:
            raise DataError(f"{path}: not a MediaWiki XML dump or no <siteinfo> ({e})") from e
        if site is not None:
            site.append(_siteinfo(dump))
        pages = iter(dump)
        while True:
            try:
                page = next(pages)
                rev = None
                for rev in page:  # noqa: B007 - keep the last revision of history dumps
                    pass
            except StopIteration:
                break
            except _TRUNCATION_ERRORS as e:
                c["truncated"] += 1
                log.warning("%s: dump ends early (%s); keeping the %d pages read so far", path, e, c["pages"])
                break
            c["pages"] += 1
            yield {
                "page_id": page.id,
                "title": page.title,
                "namespace": page.namespace,
                "redirect": page.redirect,
                "text": (rev.text if rev is not None else None) or "",
                "revision_id": rev.id if rev is not None else None,
                "timestamp": str(rev.timestamp) if rev is not None and rev.timestamp else None,
            }


def render_page(page: dict[str, Any], ns: Namespaces, site: SiteInfo | None = None) -> dict[str, Any] | None:
    """Raw page → article dict, or None when its wikitext cannot be tokenized."""
    try:
        text, links = wikitext_to_text(page["text"], ns)
    except WikitextError as e:
        log.warning("page %s (%s): broken wikitext (%s); skipped", page["page_id"], page["title"], e)
        return None
    art = {
        "page_id": page["page_id"],
        "title": page["title"],
        "text": text,
        "links": links,
        "revision_id": page.get("revision_id"),
    }
    if site is not None:
        art["language"] = site.language
        art["url"] = site.page_url(page["page_id"])
    return art


def has_markup_residue(text: str) -> bool:
    """Broken wikitext the tokenizer left as literal text (unclosed ``{{``/``[[``): counted, page kept."""
    return "{{" in text or "[[" in text


def _is_article(page: dict[str, Any], namespaces: tuple[int, ...]) -> bool:
    return page["namespace"] in namespaces and not page["redirect"]


def iter_articles(
    dump_path: str | os.PathLike[str],
    counters: Counter[str] | None = None,
    namespaces: tuple[int, ...] = (0,),
    skip_empty: bool = False,
) -> Iterator[dict[str, Any]]:
    """Stream main-namespace, non-redirect articles: ``page_id, title, text, links, language, url``.

    ``links`` is a list of ``{start, end, target_title[, fragment]}`` character spans into ``text``.
    Single process; see :func:`extract_dump` for the parallel, shard-writing version. Counters:
    ``pages``, ``articles``, ``redirects``, ``other_namespace``, ``broken_wikitext`` (tokenizer failed: page
    skipped), ``markup_residue`` (unparsable markup left as text: page kept), ``truncated``, ``empty``.
    """
    c = counters if counters is not None else Counter()
    site: list[SiteInfo] = []
    ns_table: Namespaces | None = None
    for page in iter_pages(dump_path, c, site):
        if ns_table is None:
            ns_table = site[0].ns_table()
        if page["redirect"]:
            c["redirects"] += 1
            continue
        if page["namespace"] not in namespaces:
            c["other_namespace"] += 1
            continue
        art = render_page(page, ns_table, site[0])
        if art is None:
            c["broken_wikitext"] += 1
            continue
        if not art["text"]:
            c["empty"] += 1
            if skip_empty:
                continue
        if has_markup_residue(art["text"]):
            c["markup_residue"] += 1
        c["articles"] += 1
        yield art


# ---- parallel extraction to shards -----------------------------------------------------------------

_WORKER: dict[str, Any] = {}


#: What a worker hands back per article: (record, or its JSONL line when the shards are JSONL; text empty;
#: markup residue), or None for a page whose wikitext could not be parsed. Encoding in the worker keeps the
#: JSON work off the writing process and makes the result cheap to send back.
Prepared = tuple[Any, bool, bool] | None


def _init_worker(site: SiteInfo, encode: bool = False) -> None:
    _WORKER["site"] = site
    _WORKER["ns"] = site.ns_table()
    _WORKER["encode"] = encode


def _prepare(art: dict[str, Any] | None) -> Prepared:
    if art is None:
        return None
    rec = _article_record(art, _WORKER["site"].dbname)
    return (encode_line(rec) if _WORKER["encode"] else rec), not art["text"], has_markup_residue(art["text"])


def _render_batch(pages: list[dict[str, Any]]) -> list[Prepared]:
    return [_prepare(render_page(p, _WORKER["ns"], _WORKER["site"])) for p in pages]


def _article_record(art: dict[str, Any], dbname: str | None) -> dict[str, Any]:
    md = {k: v for k, v in art.items() if k != "text"}
    return {"id": f"{dbname or 'wiki'}-{art['page_id']}", "text": art["text"], "metadata": md}


def find_multistream_index(dump_path: str | os.PathLike[str]) -> str | None:
    """``x-pages-articles-multistream.xml.bz2`` → ``x-pages-articles-multistream-index.txt.bz2`` if present."""
    p = str(dump_path)
    m = re.match(r"(.*)\.xml\.bz2$", p)
    if not m:
        return None
    cand = f"{m.group(1)}-index.txt.bz2"
    return cand if os.path.exists(cand) else None


def read_multistream_offsets(index_path: str | os.PathLike[str]) -> list[int]:
    """Sorted distinct stream start offsets from an index (``offset:page_id:title`` lines)."""
    offs: set[int] = set()
    with open_read(index_path) as fh:
        for line in fh:
            head = line.split(b":", 1)[0]
            if head.isdigit():
                offs.add(int(head))
    return sorted(offs)


def _iter_stream_range(args: tuple[str, int, int | None, bytes]) -> list[dict[str, Any]]:
    """Worker: decompress streams in [start, end) of a multistream dump, parse their pages with mwxml."""
    import io

    import mwxml

    path, start, end, header = args
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read() if end is None else fh.read(end - start)
    xml = bytearray()
    dec = bz2.BZ2Decompressor()
    try:
        while data:
            xml += dec.decompress(data)
            data = dec.unused_data if dec.eof else b""
            if dec.eof:
                dec = bz2.BZ2Decompressor()
    except (OSError, EOFError, ValueError):
        pass  # a damaged stream: keep the pages decoded so far
    body = bytes(xml)
    cut = body.rfind(b"</page>")
    body = body[: cut + len(b"</page>")] if cut >= 0 else b""
    if b"</siteinfo>" in body:  # first stream repeats the header
        body = body.split(b"</siteinfo>", 1)[1]
    doc = header + body + b"\n</mediawiki>\n"
    out = []
    try:
        dump = mwxml.Dump.from_file(io.BytesIO(doc))
        for page in dump:
            rev = None
            for rev in page:  # noqa: B007
                pass
            out.append({"page_id": page.id, "title": page.title, "namespace": page.namespace,
                        "redirect": page.redirect, "text": (rev.text if rev else None) or "",
                        "revision_id": rev.id if rev else None})
    except _TRUNCATION_ERRORS:
        out.append({"_truncated": True})
    return out


def _render_range(args: tuple[str, int, int | None, bytes]) -> tuple[list[Prepared], Counter[str]]:
    c: Counter[str] = Counter()
    arts: list[Prepared] = []
    for p in _iter_stream_range(args):
        if p.get("_truncated"):
            c["truncated"] += 1
            continue
        c["pages"] += 1
        if p["redirect"]:
            c["redirects"] += 1
        elif p["namespace"] != 0:
            c["other_namespace"] += 1
        else:
            arts.append(_prepare(render_page(p, _WORKER["ns"], _WORKER["site"])))
    return arts, c


def _mp_context() -> mp.context.BaseContext:
    # fork is cheapest and safe here: the parent has imported no threaded library yet when the pool starts
    return mp.get_context("fork" if hasattr(os, "fork") else "spawn")


def extract_dump(
    dump_path: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    workers: int = 1,
    shard_size: int = 10_000,
    fmt: str = "jsonl.zst",
    batch_size: int = 16,
    index_path: str | os.PathLike[str] | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Write the dump's articles as corpuslab shards ``articles-00000.<fmt>`` and a ``report.json``.

    Records are ``{"id": "<dbname>-<page_id>", "text", "metadata": {title, page_id, revision_id,
    language, url, links}}`` in dump order whatever the worker count. Re-running skips shards already
    marked complete. Returns the report (counts, shards, seconds).
    """
    import time

    t0 = time.perf_counter()
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    site = read_siteinfo(dump_path)
    c: Counter[str] = Counter()
    idx = str(index_path) if index_path else find_multistream_index(dump_path)
    shard_idx = 0
    in_shard = 0
    writer: ShardWriter | None = None
    shards: list[str] = []

    def shard_name(k: int) -> str:
        return f"articles-{k:05d}.{fmt}"

    encode = not fmt.endswith("parquet")

    def add(item: Prepared) -> None:
        nonlocal writer, shard_idx, in_shard
        if item is None:
            c["broken_wikitext"] += 1
            return
        rec, empty, residue = item
        if empty:
            c["empty"] += 1
        if residue:
            c["markup_residue"] += 1
        c["articles"] += 1
        name = shard_name(shard_idx)
        done = completion_info(out, name) is not None
        if not done:
            if writer is None:
                writer = ShardWriter(out / name)
            if encode:
                writer.write_line(rec)
            else:
                writer.write(rec)
        in_shard += 1
        if in_shard >= shard_size:
            _close()

    def _close() -> None:
        nonlocal writer, shard_idx, in_shard
        name = shard_name(shard_idx)
        if writer is not None:
            writer.close()
            mark_complete(out, name, {"records": writer.count})
            writer = None
        if in_shard:
            shards.append(name)
        shard_idx += 1
        in_shard = 0

    bar = tqdm(desc="wiki extract", unit=" articles", disable=not progress)
    try:
        if idx:
            offsets = read_multistream_offsets(idx)
            header = _header_bytes(dump_path)
            ranges = [(str(dump_path), offsets[i], offsets[i + 1] if i + 1 < len(offsets) else None, header)
                      for i in range(len(offsets))]
            _init_worker(site, encode)
            if workers > 1:
                with _mp_context().Pool(workers, initializer=_init_worker, initargs=(site, encode)) as pool:
                    for arts, cc in pool.imap(_render_range, ranges, chunksize=1):
                        c.update(cc)
                        for a in arts:
                            add(a)
                            bar.update(1)
            else:
                for r in ranges:
                    arts, cc = _render_range(r)
                    c.update(cc)
                    for a in arts:
                        add(a)
                        bar.update(1)
        else:
            def raw_articles() -> Iterator[dict[str, Any]]:
                for page in iter_pages(dump_path, c):
                    if page["redirect"]:
                        c["redirects"] += 1
                    elif page["namespace"] != 0:
                        c["other_namespace"] += 1
                    else:
                        page.pop("timestamp", None)
                        yield page

            _init_worker(site, encode)
            if workers > 1:
                with _mp_context().Pool(workers, initializer=_init_worker, initargs=(site, encode)) as pool:
                    for arts in pool.imap(_render_batch, batched(raw_articles(), batch_size), chunksize=1):
                        for a in arts:
                            add(a)
                            bar.update(1)
            else:
                for page in raw_articles():
                    add(_prepare(render_page(page, _WORKER["ns"], site)))
                    bar.update(1)
        if in_shard:
            _close()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        bar.close()
    report = {
        "dump": str(dump_path),
        "dbname": site.dbname,
        "language": site.language,
        "multistream_index": idx,
        "workers": workers,
        "counts": dict(sorted(c.items())),
        "shards": shards,
        "seconds": round(time.perf_counter() - t0, 3),
        "run": run_info(),
    }
    write_manifest(out, {"kind": "wiki-articles", "dbname": site.dbname, "language": site.language})
    write_json_atomic(out / "report.json", report)
    return report


def _header_bytes(dump_path: str | os.PathLike[str]) -> bytes:
    """The ``<mediawiki …><siteinfo>…</siteinfo>`` prefix, to wrap each stream's pages for mwxml."""
    buf = b""
    with open_read(dump_path) as fh:
        while b"</siteinfo>" not in buf:
            chunk = fh.read(1 << 16)
            if not chunk:
                raise DataError(f"{dump_path}: no </siteinfo> in the dump header")
            buf += chunk
    return buf.split(b"</siteinfo>", 1)[0] + b"</siteinfo>\n"
