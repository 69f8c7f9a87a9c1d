"""Two-column title tables (redirects, title→QID) as TSV (optionally .gz/.zst/.bz2) or Parquet.

TSV is the reference pipeline's format (``source<TAB>target``, no header); MediaWiki titles cannot
contain tabs or newlines, so no quoting is needed. Parquet has named columns and loads faster.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from corpuslab.core.atomic import atomic_path
from corpuslab.core.errors import DataError
from corpuslab.core.streams import open_read, open_write


def write_pairs(path: str | os.PathLike[str], pairs: Iterable[tuple[str, str]],
                columns: tuple[str, str] = ("source", "target")) -> int:
    """Write ``(key, value)`` rows; the format follows the suffix (``.parquet`` or TSV). Atomic."""
    p = str(path)
    rows = list(pairs)
    with atomic_path(p) as tmp:
        if p.endswith(".parquet"):
            table = pa.table({columns[0]: [a for a, _ in rows], columns[1]: [b for _, b in rows]})
            pq.write_table(table, tmp, compression="zstd")
        else:
            fh = open_write(tmp) if p.endswith((".gz", ".zst")) else open(tmp, "wb")
            if p.endswith(".bz2"):
                import bz2

                fh.close()
                fh = bz2.open(tmp, "wb")
            with fh:
                w = io.BufferedWriter(fh, 1 << 20) if isinstance(fh, io.RawIOBase) else fh
                w.write("".join(f"{a}\t{b}\n" for a, b in rows).encode("utf-8"))
    return len(rows)


def read_pairs(path: str | os.PathLike[str], errors: dict[str, int] | None = None) -> dict[str, str]:
    """Load a table written by :func:`write_pairs` (or the reference TSVs) into a dict."""
    p = str(path)
    if not Path(p).exists():
        raise DataError(f"{p}: table not found")
    if p.endswith(".parquet"):
        try:
            t = pq.read_table(p)
        except (OSError, pa.ArrowInvalid) as e:
            raise DataError(f"{p}: not a readable Parquet file ({e})") from e
        if t.num_columns < 2:
            raise DataError(f"{p}: expected two columns, found {t.column_names}")
        return dict(zip(t.column(0).to_pylist(), t.column(1).to_pylist(), strict=True))
    out: dict[str, str] = {}
    with open_read(p) as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if not line:
                continue
            a, sep, b = line.partition("\t")
            if not sep or not a or not b:
                if errors is not None:
                    errors["bad_table_lines"] = errors.get("bad_table_lines", 0) + 1
                    continue
                raise DataError(f"{p}:{lineno}: expected 'key<TAB>value'")
            out[a] = b
    return out
