"""Chunk readers per format. JSONL is read in large decompressed blocks and split on newlines
without decoding, which is what lets sampling cost about as much as a plain read of the file."""

from __future__ import annotations

import contextlib
import html
import logging
import re
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from corpuslab.core.errors import DataError
from corpuslab.core.records import batched
from corpuslab.core.streams import STREAM_ERRORS, open_read, read_blocks
from corpuslab.sources.base import Unit, decode_mapping, json_line_decoder

log = logging.getLogger(__name__)
BLOCK = 1 << 21  # 2 MB: few chunks to merge; a truncated stream loses at most one block under skip
CHUNK = 65536


@dataclass
class UnitReader:
    unit: Unit
    chunks: Callable[[], Iterator[Sequence[Any]]]
    decode: Callable[[Any], dict[str, Any] | None]
    num_rows: int | None = None
    read_rows: Callable[[Sequence[int]], list[Any]] | None = None
    #: Set by the chunk iterator when the stream ended early under on_error=skip.
    problems: dict[str, int] = field(default_factory=dict)
    #: Payloads are cheap raw bytes worth keeping undecoded until they survive sampling.
    lazy: bool = False


def _identity(x: Any) -> dict[str, Any] | None:
    return x


class LineChunk:
    """The non-blank lines of a decompressed block, located with NumPy and sliced out only on access.

    The sampler touches a few lines per block (those whose key can enter the sample), so splitting
    every block into a list of lines would be most of its cost.
    """

    __slots__ = ("buf", "starts", "ends")

    def __init__(self, buf: bytes, starts: np.ndarray, ends: np.ndarray):
        self.buf, self.starts, self.ends = buf, starts, ends

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, j: int | slice) -> Any:
        if isinstance(j, slice):
            return LineChunk(self.buf, self.starts[j], self.ends[j])
        return self.buf[self.starts[j]: self.ends[j]]

    @classmethod
    def from_block(cls, buf: bytes) -> LineChunk:
        """``buf`` ends with a newline; blank and ``\\r``-only lines are not records."""
        return cls.from_newlines(buf, np.flatnonzero(np.frombuffer(buf, np.uint8) == 10), 0)

    @classmethod
    def from_newlines(cls, buf: bytes, ends: np.ndarray, first_start: int) -> LineChunk:
        """The lines of ``buf`` from ``first_start`` that end at the newline offsets ``ends``, without copying."""
        arr = np.frombuffer(buf, np.uint8)
        starts = np.empty_like(ends)
        starts[0:1] = first_start
        starts[1:] = ends[:-1] + 1
        lengths = ends - starts
        keep = lengths > 0
        one = np.flatnonzero(lengths == 1)
        if len(one):
            keep[one[arr[starts[one]] == 13]] = False
        return cls(buf, starts[keep], ends[keep])


def _jsonl_chunks(unit: Unit, on_error: str, problems: dict[str, int]) -> Iterator[LineChunk]:
    carry = b""
    try:
        with open_read(unit.path) as fh, contextlib.closing(read_blocks(fh, BLOCK)) as blocks:
            for block in blocks:
                ends = np.flatnonzero(np.frombuffer(block, np.uint8) == 10)
                if not len(ends):
                    carry += block
                    continue
                start = 0
                if carry:  # the line cut at the previous block's end: a small copy, the block is not copied
                    head = LineChunk.from_block(carry + block[: ends[0] + 1])
                    if len(head):
                        yield head
                    start, ends = int(ends[0]) + 1, ends[1:]
                carry = block[int(ends[-1]) + 1:] if len(ends) else block[start:]
                if len(ends):
                    yield LineChunk.from_newlines(block, ends, start)
    except STREAM_ERRORS as e:
        if isinstance(e, (FileNotFoundError, PermissionError)):
            raise DataError(f"{unit.path}: {e}") from e
        if on_error == "raise":
            raise DataError(f"{unit.path}: compressed stream is truncated or corrupt ({e})") from e
        problems["truncated_files"] = problems.get("truncated_files", 0) + 1
        log.warning("%s: stream truncated or corrupt (%s); keeping the records read so far", unit.path, e)
        return  # the partial last line in `carry` is dropped: it may be cut
    if carry.strip():
        yield LineChunk.from_block(carry + b"\n")


def _parquet_reader(unit: Unit) -> UnitReader:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(unit.path)
    except Exception as e:  # pyarrow raises several types for a bad file
        raise DataError(f"{unit.path}: not a readable Parquet file ({e})") from e
    tf, fields = unit.options["text_field"], unit.options["fields"]
    if tf.split(".")[0] not in pf.schema_arrow.names:
        raise DataError(f"{unit.path}: no column {tf!r} (columns: {', '.join(pf.schema_arrow.names)})")

    def chunks() -> Iterator[list[Any]]:
        for batch in pf.iter_batches(batch_size=CHUNK):
            yield batch.to_pylist()

    def read_rows(indices: Sequence[int]) -> list[Any]:
        """Read only the row groups holding ``indices`` (sorted), then take those rows."""
        out: list[Any] = []
        starts, s = [], 0
        for g in range(pf.num_row_groups):
            starts.append(s)
            s += pf.metadata.row_group(g).num_rows
        starts.append(s)
        g = 0
        want = list(indices)
        i = 0
        while i < len(want):
            while want[i] >= starts[g + 1]:
                g += 1
            rows = pf.read_row_group(g).to_pylist()
            while i < len(want) and want[i] < starts[g + 1]:
                out.append(rows[want[i] - starts[g]])
                i += 1
        return out

    return UnitReader(unit, chunks, lambda r: decode_mapping(r, tf, fields), pf.metadata.num_rows, read_rows)


def _text_chunks(unit: Unit) -> Iterator[list[Any]]:
    with open_read(unit.path) as fh:
        raw = fh.read()
    text = raw.decode("utf-8", errors="replace")
    mode = unit.options.get("text_unit", "file")
    if mode == "file":
        yield [{"text": text, "file": unit.unit_id}]
        return
    if mode == "lines":
        docs = [ln for ln in text.splitlines() if ln.strip()]
    else:
        size, docs, buf, n = unit.options.get("chunk_chars", 2000), [], [], 0
        for ln in text.splitlines(keepends=True):
            buf.append(ln)
            n += len(ln)
            if n >= size:
                docs.append("".join(buf))
                buf, n = [], 0
        if "".join(buf).strip():
            docs.append("".join(buf))
    yield from batched(iter({"text": d, "file": unit.unit_id} for d in docs), CHUNK)


def _stackexchange_docs(unit: Unit) -> Iterator[dict[str, Any]]:
    """Posts.xml rows: title + HTML body kept raw (stage 2 strips markup)."""
    with open_read(unit.path) as fh:
        try:
            for _, el in ET.iterparse(fh, events=("end",)):
                if el.tag != "row":
                    continue
                a = el.attrib
                body = a.get("Body", "")
                title = a.get("Title")
                yield {
                    "text": (f"{title}\n\n" if title else "") + body,
                    "post_id": a.get("Id"), "post_type": a.get("PostTypeId"),
                    "tags": a.get("Tags"), "score": int(a.get("Score", "0") or 0),
                }
                el.clear()
        except ET.ParseError as e:
            raise DataError(f"{unit.path}: malformed XML ({e})") from e


_CHARSET = re.compile(r"charset=([\w-]+)", re.I)


def _decode_html(body: bytes, content_type: str = "") -> str:
    m = _CHARSET.search(content_type or "") or _CHARSET.search(body[:2000].decode("ascii", "ignore"))
    enc = m.group(1) if m else "utf-8"
    try:
        return body.decode(enc, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _warc_docs(unit: Unit) -> Iterator[dict[str, Any]]:
    from warcio.archiveiterator import ArchiveIterator

    with open(unit.path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_type != "response" or rec.http_headers is None:
                continue
            ctype = rec.http_headers.get_header("Content-Type") or ""
            if "html" not in ctype and "text" not in ctype:
                continue
            yield {
                "text": _decode_html(rec.content_stream().read(), ctype),
                "url": rec.rec_headers.get_header("WARC-Target-URI"),
                "warc_date": rec.rec_headers.get_header("WARC-Date"),
            }


def _tar_docs(unit: Unit) -> Iterator[dict[str, Any]]:
    try:
        with tarfile.open(unit.path, "r:*") as tf:
            for m in sorted(tf.getmembers(), key=lambda m: m.name):
                if not m.isfile():
                    continue
                fh = tf.extractfile(m)
                if fh is None:
                    continue
                yield {"text": _decode_html(fh.read()), "member": m.name}
    except (tarfile.TarError, EOFError) as e:
        raise DataError(f"{unit.path}: unreadable tar archive ({e})") from e


def _mediawiki_docs(unit: Unit) -> Iterator[dict[str, Any]]:
    try:
        from corpuslab.sources.mediawiki import iter_mediawiki_docs
    except ImportError as e:
        raise DataError(f"{unit.path}: reading MediaWiki dumps needs: pip install 'corpuslab[wiki]' ({e})") from e

    yield from iter_mediawiki_docs(unit.path)


def _hf_chunks(unit: Unit) -> Iterator[list[Any]]:
    from corpuslab.sources.hf import stream_hf

    yield from batched(stream_hf(unit), 4096)


def open_unit(unit: Unit, on_error: str = "raise") -> UnitReader:
    fmt = unit.format
    tf, fields = unit.options["text_field"], unit.options["fields"]
    if fmt == "jsonl":
        problems: dict[str, int] = {}
        r = UnitReader(unit, lambda: _jsonl_chunks(unit, on_error, problems), json_line_decoder(tf, fields))
        r.problems, r.lazy = problems, True
        return r
    if fmt == "parquet":
        return _parquet_reader(unit)
    if fmt == "hf":
        return UnitReader(unit, lambda: _hf_chunks(unit), lambda r: decode_mapping(r, tf, fields))
    doc_iters: dict[str, Callable[[Unit], Iterator[dict[str, Any]]]] = {
        "stackexchange": _stackexchange_docs, "warc": _warc_docs, "html-tar": _tar_docs,
        "mediawiki": _mediawiki_docs,
    }
    if fmt == "text":
        return UnitReader(unit, lambda: _text_chunks(unit), _identity)
    if fmt in doc_iters:
        return UnitReader(unit, lambda: batched(doc_iters[fmt](unit), 4096), _identity)
    raise DataError(f"{unit.path}: unsupported format {fmt!r}")


def unescape(s: str) -> str:
    return html.unescape(s)
