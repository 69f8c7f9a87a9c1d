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

import contextlib
import gc
import logging
import multiprocessing as mp
import os
import re
import xml.etree.ElementTree as ET
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tqdm.auto import tqdm

from corpuslab.core.atomic import write_json_atomic
from corpuslab.core.errors import DataError
from corpuslab.core.markers import completion_info, mark_complete, write_manifest
from corpuslab.core.runcard import run_card
from corpuslab.core.runinfo import run_info
from corpuslab.core.shards import ShardWriter, encode_line
from corpuslab.core.streams import Bz2Streams, open_read, read_blocks
from corpuslab.engine.runner import imap_bounded
from corpuslab.wiki.config import WikiExtractConfig
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


def read_siteinfo(path: str | os.PathLike[str], header: bytes | None = None) -> SiteInfo:
    """The dump's ``<siteinfo>`` (from ``header``, :func:`_header_bytes`, when the caller has it)."""
    import io

    import mwxml

    head = header if header is not None else _header_bytes(path)
    try:
        return _siteinfo(mwxml.Dump.from_file(io.BytesIO(head + b"</mediawiki>\n")))
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
_PAGE_END = b"</page>"


def _init_worker(site: SiteInfo, header: bytes, encode: bool = False) -> None:
    _WORKER["site"] = site
    _WORKER["ns"] = site.ns_table()
    _WORKER["header"] = header
    _WORKER["encode"] = encode


def _init_pool_worker(site: SiteInfo, header: bytes, encode: bool = False) -> None:
    # The forked worker inherits every object the parent imported; frozen, the cyclic GC stops rescanning them.
    gc.freeze()
    _init_worker(site, header, encode)


def _prepare(art: dict[str, Any] | None) -> Prepared:
    if art is None:
        return None
    rec = _article_record(art, _WORKER["site"].dbname)
    return (encode_line(rec) if _WORKER["encode"] else rec), not art["text"], has_markup_residue(art["text"])


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


def _read_stream_range(path: str, start: int, end: int | None) -> tuple[bytes, bool]:
    """The whole pages in the bz2 streams [start, end) of a multistream dump, and whether a stream was
    damaged (the pages before the damage are kept)."""
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read() if end is None else fh.read(end - start)
    streams = Bz2Streams()
    body = streams.feed(data)
    if b"</siteinfo>" in body:  # the first stream holds the header
        body = body.split(b"</siteinfo>", 1)[1]
    body = body[: body.rfind(_PAGE_END) + len(_PAGE_END)] if _PAGE_END in body else b""
    return body, streams.damaged


def _parse_pages(body: bytes, header: bytes) -> tuple[list[dict[str, Any]], bool]:
    """The ``<page>`` elements of a piece of dump XML (whole pages), parsed inside the dump's own header.

    Returns :func:`iter_pages`'s dicts and whether the XML broke before the end (pages up to the break
    are kept). This is the hot path, so it reads the few fields it needs with ElementTree (expat)
    directly; mwxml, behind :func:`iter_pages`, builds full page and revision objects (timestamps,
    contributors), which took half again as long as the XML parse itself on the viwiki excerpt.
    Tests check both readers give the same pages on the real dumps.
    """
    import io

    out: list[dict[str, Any]] = []
    q = page_tag = None
    try:
        for _, el in ET.iterparse(io.BytesIO(header + body + b"\n</mediawiki>\n")):
            if q is None:  # the export schema's namespace, from the first element
                q = el.tag[: el.tag.index("}") + 1] if el.tag.startswith("{") else ""
                page_tag = q + "page"
            if el.tag != page_tag:
                continue
            revs = el.findall(q + "revision")
            rev = revs[-1] if revs else None
            red = el.find(q + "redirect")
            ns_text = el.findtext(q + "ns")
            out.append({
                "page_id": int(el.findtext(q + "id") or 0),
                "title": el.findtext(q + "title") or "",
                "namespace": int(ns_text) if ns_text else 0,
                "redirect": red.get("title") if red is not None else None,
                "text": (rev.findtext(q + "text") if rev is not None else None) or "",
                "revision_id": int(rev.findtext(q + "id") or 0) if rev is not None else None,
            })
            el.clear()
    except _TRUNCATION_ERRORS:
        return out, True
    return out, False


def _render_xml(body: bytes) -> tuple[list[Prepared], Counter[str]]:
    """Worker task: a piece of dump XML (whole pages) → prepared articles and counters."""
    c: Counter[str] = Counter()
    arts: list[Prepared] = []
    pages, broken = _parse_pages(body, _WORKER["header"])
    if broken:
        c["truncated"] += 1
    for p in pages:
        c["pages"] += 1
        if p["redirect"]:
            c["redirects"] += 1
        elif p["namespace"] != 0:
            c["other_namespace"] += 1
        else:
            arts.append(_prepare(render_page(p, _WORKER["ns"], _WORKER["site"])))
    return arts, c


def _render_range(args: tuple[str, int, int | None]) -> tuple[list[Prepared], Counter[str]]:
    body, damaged = _read_stream_range(*args)
    arts, c = _render_xml(body)
    if damaged:
        c["truncated"] += 1
        log.warning("%s: bz2 streams at byte %d are damaged; keeping the pages before the damage", *args[:2])
    return arts, c


def xml_page_chunks(
    dump_path: str | os.PathLike[str], chunk_bytes: int = 1 << 18, counters: Counter[str] | None = None
) -> Iterator[bytes]:
    """The dump's decompressed XML after ``</siteinfo>`` in pieces of whole pages, each the first
    ``</page>`` past ``chunk_bytes``.

    Decompression runs in a read-ahead thread (bz2, gzip, xz and zstd release the GIL), so it overlaps
    with whatever consumes the chunks. A dump that ends early is counted under ``counters["truncated"]``;
    the chunks before the damage are still yielded.
    """
    c = counters if counters is not None else Counter()
    buf = bytearray()
    in_header = True
    broken = False
    with _open_dump(dump_path) as fh, contextlib.closing(read_blocks(fh, 1 << 16)) as blocks:
        try:
            for block in blocks:
                buf += block
                if in_header:
                    k = buf.find(b"</siteinfo>")
                    if k < 0:
                        continue
                    del buf[: k + len(b"</siteinfo>")]
                    in_header = False
                while (cut := buf.find(_PAGE_END, max(chunk_bytes - len(_PAGE_END), 0))) >= 0:
                    cut += len(_PAGE_END)
                    yield bytes(buf[:cut])
                    del buf[:cut]
        except _TRUNCATION_ERRORS as e:
            broken = True
            c["truncated"] += 1
            log.warning("%s: dump ends early (%s); keeping the pages read so far", dump_path, e)
            buf = buf[: buf.rfind(_PAGE_END) + len(_PAGE_END)] if _PAGE_END in buf else bytearray()
    cut = buf.rfind(_PAGE_END) + len(_PAGE_END) if _PAGE_END in buf else 0
    if cut:
        yield bytes(buf[:cut])
    if not broken and b"</mediawiki>" not in buf[cut:]:
        c["truncated"] += 1  # the compressed stream ended cleanly but the XML did not
        log.warning("%s: dump ends early (no </mediawiki>); keeping the pages read so far", dump_path)


def _mp_context() -> mp.context.BaseContext:
    # fork is cheapest and safe here: the parent has imported no threaded library yet when the pool starts
    return mp.get_context("fork" if hasattr(os, "fork") else "spawn")


def extract_dump(cfg: WikiExtractConfig, progress: bool = True) -> dict[str, Any]:
    """Write the dump's articles as corpuslab shards ``articles-00000.<format>``, ``report.json`` and ``run.json``.

    Records are ``{"id": "<dbname>-<page_id>", "text", "metadata": {title, page_id, revision_id,
    language, url, links}}`` in dump order whatever the worker count. Re-running skips shards already
    marked complete. Returns the report (counts, shards, seconds).
    """
    with run_card(cfg.output_dir, "wiki-extract", cfg, inputs={"dump": cfg.dump, "index": cfg.index}) as card:
        report = _extract_shards(cfg, progress)
        card.counts.update(report["counts"])
        card.outputs.update(shards=report["shards"], report="report.json")
    return report


def _extract_shards(cfg: WikiExtractConfig, progress: bool) -> dict[str, Any]:
    import time

    t0 = time.perf_counter()
    dump_path, workers, fmt = cfg.dump, cfg.workers, cfg.format
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    header = _header_bytes(dump_path)
    site = read_siteinfo(dump_path, header)
    c: Counter[str] = Counter()
    idx = cfg.index or find_multistream_index(dump_path)
    shard_idx = 0
    in_shard = 0
    writer: ShardWriter | None = None
    shards: list[str] = []

    def shard_name(k: int) -> str:
        return f"articles-{k:05d}.{fmt}"

    done = False  # the current shard was completed by an earlier run

    def add(item: Prepared) -> None:
        nonlocal writer, shard_idx, in_shard, done
        if item is None:
            c["broken_wikitext"] += 1
            return
        rec, empty, residue = item
        if empty:
            c["empty"] += 1
        if residue:
            c["markup_residue"] += 1
        c["articles"] += 1
        if in_shard == 0:  # a finished shard (earlier run) is skipped whole
            done = completion_info(out, shard_name(shard_idx)) is not None
        if not done:
            if writer is None:
                writer = ShardWriter(out / shard_name(shard_idx))
            if isinstance(rec, bytes):
                writer.write_line(rec)
            else:
                writer.write(rec)
        in_shard += 1
        if in_shard >= cfg.shard_size:
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
    # Tasks: with a multistream index, byte ranges of bz2 streams (workers decompress them too); else
    # pieces of XML the parent decompresses (in a read-ahead thread) and cuts at page boundaries. A
    # stream is the smallest range (100 pages in Wikimedia's dumps), so with fewer than 4 per worker
    # the ranges cannot be balanced and the pieces are faster; so they are with one worker, whose
    # decompression then overlaps rendering.
    tasks: Iterable[Any]
    offsets = read_multistream_offsets(idx) if idx and workers > 1 else []
    by_stream = len(offsets) >= 4 * workers
    if by_stream:
        tasks = [(str(dump_path), o, offsets[i + 1] if i + 1 < len(offsets) else None) for i, o in enumerate(offsets)]
        task_fn: Callable[[Any], tuple[list[Prepared], Counter[str]]] = _render_range
    else:
        tasks = xml_page_chunks(dump_path, cfg.chunk_bytes, c)
        task_fn = _render_xml
    init = (site, header, not fmt.endswith("parquet"))
    try:
        with contextlib.ExitStack() as stack:
            if workers > 1:
                pool = stack.enter_context(_mp_context().Pool(workers, initializer=_init_pool_worker, initargs=init))
                results: Iterator[tuple[list[Prepared], Counter[str]]] = imap_bounded(pool, task_fn, tasks, 4 * workers)
            else:
                _init_worker(*init)
                results = map(task_fn, tasks)
            for arts, cc in results:
                c.update(cc)
                for item in arts:
                    add(item)
                bar.update(len(arts))
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
        "tasks": "streams" if by_stream else "pieces",
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
    """The ``<mediawiki …><siteinfo>…</siteinfo>`` prefix, to wrap pieces of pages for the XML parser."""
    buf = b""
    with _open_dump(dump_path) as fh:
        while b"</siteinfo>" not in buf:
            try:
                chunk = fh.read(1 << 16)
            except _TRUNCATION_ERRORS as e:
                raise DataError(f"{dump_path}: unreadable before the end of <siteinfo> ({e})") from e
            if not chunk or len(buf) > 1 << 24:
                raise DataError(f"{dump_path}: not a MediaWiki XML dump (no </siteinfo> in its first 16 MB)")
            buf += chunk
    return buf.split(b"</siteinfo>", 1)[0] + b"</siteinfo>\n"
