"""Record shards: JSONL (plain, .gz, .zst, .bz2) and Parquet, streamed both ways, written atomically.

A record is ``{"id", "text", "metadata"}`` (:mod:`corpuslab.core.records`). Writers go through a temp
name (:mod:`corpuslab.core.atomic`); completion is recorded separately (:mod:`corpuslab.core.markers`).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

from corpuslab.core.atomic import TMP_MARK, tmp_name
from corpuslab.core.errors import DataError
from corpuslab.core.markers import MARKER_DIR
from corpuslab.core.records import Record, batched, check_record
from corpuslab.core.streams import STREAM_ERRORS, open_read, open_write

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".json.gz", ".ndjson", ".jsonl.bz2")
PARQUET_SUFFIXES = (".parquet",)
SHARD_SUFFIXES = JSONL_SUFFIXES + PARQUET_SUFFIXES
OnError = Literal["raise", "skip"]
#: Folders inside a stage's output that hold bookkeeping, not records: never read back as input shards.
SKIP_DIRS = ("_tags", "_rejected", "_complete", "_dedup")

try:
    import orjson

    _ORJSON_OPTS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
except ImportError:  # pragma: no cover - orjson is a core dependency
    orjson = None  # type: ignore[assignment]


def encode_line(rec: Record) -> bytes:
    """A record as one JSONL line, exactly as :class:`ShardWriter` writes it (for :meth:`~ShardWriter.write_line`).

    orjson (Rust) is 3-7× faster than ``json.dumps`` on wiki articles; what it refuses (integers
    beyond 64 bits, lone surrogates, exotic types) goes through ``json`` as before.
    """
    if orjson is not None:
        try:
            return orjson.dumps(rec, option=_ORJSON_OPTS)
        except (TypeError, orjson.JSONEncodeError):
            pass
    return (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")


class ShardWriter:
    """Write records to one shard (JSONL[.gz|.zst] or Parquet), atomically.

    Parquet stores ``metadata`` as a JSON string column so records with different metadata keys never
    break a file's schema; :func:`iter_records` decodes it back.
    """

    def __init__(self, path: str | os.PathLike[str], parquet_batch: int = 10_000):
        self.path = str(path)
        self.is_parquet = self.path.endswith(".parquet")
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.tmp = tmp_name(self.path)
        self.count = 0
        self._rows: list[Record] = []
        self._parquet_batch = parquet_batch
        self._pq: pq.ParquetWriter | None = None
        self._fh: IO[bytes] | None = None if self.is_parquet else open_write(self.tmp, self.path)

    def write(self, rec: Record) -> None:
        if self.is_parquet:
            self._rows.append(rec)
            if len(self._rows) >= self._parquet_batch:
                self._flush_parquet()
        else:
            assert self._fh is not None
            self._fh.write(encode_line(rec))
        self.count += 1

    def write_line(self, line: bytes) -> None:
        """A record already encoded by :func:`encode_line` (e.g. in a worker process); JSONL shards only."""
        if self.is_parquet:
            raise TypeError(f"{self.path}: write_line is for JSONL shards; write records to Parquet")
        assert self._fh is not None
        self._fh.write(line)
        self.count += 1

    def write_many(self, recs: Iterable[Record], batch: int = 1024) -> None:
        """Like :meth:`write` per record; JSONL lines go to the compressor ``batch`` at a time (fewer calls)."""
        if self.is_parquet:
            for r in recs:
                self.write(r)
            return
        assert self._fh is not None
        for chunk in batched(recs, batch):
            self._fh.write(b"".join(encode_line(r) for r in chunk))
            self.count += len(chunk)

    def _flush_parquet(self) -> None:
        if not self._rows:
            return
        table = records_to_table(self._rows)
        if self._pq is None:
            import pyarrow.parquet as pq

            self._pq = pq.ParquetWriter(self.tmp, table.schema, compression="zstd")
        self._pq.write_table(table)
        self._rows = []

    def close(self) -> None:
        if self.is_parquet:
            self._flush_parquet()
            if self._pq is None:  # empty shard still gets a valid file
                import pyarrow.parquet as pq

                pq.write_table(records_to_table([]), self.tmp)
            else:
                self._pq.close()
        else:
            assert self._fh is not None
            self._fh.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            if self._fh is not None:
                self._fh.close()
            if self._pq is not None:
                self._pq.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.tmp)

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def records_to_table(recs: list[Record]) -> pa.Table:
    import pyarrow as pa  # imported here: JSONL-only jobs (and every CLI start) skip pyarrow's ~0.1 s import

    return pa.table(
        {
            "id": [r.get("id") for r in recs],
            "text": [r["text"] for r in recs],
            "metadata": [json.dumps(r.get("metadata", {}), ensure_ascii=False) for r in recs],
        },
        schema=pa.schema([("id", pa.string()), ("text", pa.string()), ("metadata", pa.string())]),
    )


def write_records(path: str | os.PathLike[str], recs: Iterable[Record]) -> int:
    with ShardWriter(path) as w:
        w.write_many(recs)
        return w.count


def iter_jsonl(
    path: str | os.PathLike[str],
    on_error: OnError = "raise",
    errors: dict[str, int] | None = None,
    validate: bool = True,
) -> Iterator[Record]:
    """Stream records from a JSONL file; bad lines raise (naming file:line) or are counted in ``errors``."""
    p = str(path)
    lineno = 0
    try:
        with open_read(p) as fh:
            for lineno, raw in enumerate(fh, 1):  # noqa: B007 - lineno used after the loop on error
                if not raw.strip():
                    continue
                try:
                    rec = json.loads(raw)
                    if validate:
                        check_record(rec, f"{p}:{lineno}")
                except (json.JSONDecodeError, UnicodeDecodeError, DataError) as e:
                    if on_error == "raise":
                        msg = e.args[0] if isinstance(e, DataError) else f"{p}:{lineno}: malformed JSON ({e})"
                        raise DataError(msg) from e
                    if errors is not None:
                        errors["malformed"] = errors.get("malformed", 0) + 1
                    continue
                yield rec
    except STREAM_ERRORS as e:
        if isinstance(e, (FileNotFoundError, PermissionError)):
            raise DataError(f"{p}: {e.strerror}") from e
        if on_error == "raise":
            raise DataError(f"{p}: compressed stream is truncated or corrupt after line {lineno} ({e})") from e
        if errors is not None:
            errors["truncated_files"] = errors.get("truncated_files", 0) + 1


def iter_parquet(path: str | os.PathLike[str], batch_size: int = 4096) -> Iterator[Record]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(str(path))
    except (OSError, pa.ArrowInvalid) as e:
        raise DataError(f"{path}: not a readable Parquet file ({e})") from e
    for batch in pf.iter_batches(batch_size=batch_size):
        yield from table_to_records(batch)


def table_to_records(batch: pa.RecordBatch | pa.Table) -> Iterator[Record]:
    cols = batch.column_names
    rows = batch.to_pylist()
    for row in rows:
        md = row.get("metadata")
        if isinstance(md, str):
            row["metadata"] = json.loads(md) if md else {}
        elif md is None and "metadata" in cols:
            row["metadata"] = {}
        if row.get("id") is None:
            row.pop("id", None)
        yield row


def list_shards(path: str | os.PathLike[str]) -> list[str]:
    """Shard files under a folder (recursive), a glob, or a single file; sorted, temp files excluded."""
    p = str(path)
    if any(ch in p for ch in "*?["):
        files = sorted(glob.glob(p, recursive=True))
    elif os.path.isdir(p):
        files = sorted(str(f) for f in Path(p).rglob("*") if f.is_file())
    elif os.path.exists(p):
        files = [p]
    else:
        raise DataError(f"{p}: no such file or folder")
    return [
        f for f in files
        if f.endswith(SHARD_SUFFIXES) and TMP_MARK not in os.path.basename(f) and f"/{MARKER_DIR}/" not in f
    ]


def iter_records(
    path: str | os.PathLike[str], on_error: OnError = "raise", errors: dict[str, int] | None = None
) -> Iterator[Record]:
    """Stream every record of a shard, a folder of shards, or a glob, in sorted file order."""
    for f in list_shards(path):
        if f.endswith(PARQUET_SUFFIXES):
            yield from iter_parquet(f)
        else:
            yield from iter_jsonl(f, on_error=on_error, errors=errors)
