"""``tokens.parquet``, the tokenised articles of a ``leia build``: its schema, writing a batch, random access.

One row per article: ``input_ids``, ``entity_start``/``entity_end`` (token indices, end exclusive),
``entity_names`` (token ids of each English name) and ``qids`` (the leia-llm/leia
``scripts/build_wikipedia_dataset.py`` columns, under shorter names), plus ``title`` and ``page_id``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from corpuslab.core.errors import DataError
from corpuslab.leia.tokens import TokenizedArticle

TOKENS_FILE = "tokens.parquet"


def tokens_schema(dtype: np.dtype) -> pa.Schema:
    t = pa.from_numpy_dtype(dtype)
    return pa.schema([
        ("title", pa.string()), ("page_id", pa.int64()), ("input_ids", pa.list_(t)),
        ("entity_start", pa.list_(pa.int32())), ("entity_end", pa.list_(pa.int32())),
        ("entity_names", pa.list_(pa.list_(t))), ("qids", pa.list_(pa.string())),
    ])


def tokens_table(meta: list[dict[str, Any]], toks: list[TokenizedArticle], schema: pa.Schema) -> pa.Table:
    """Rows of ``tokens.parquet`` for articles (``title``/``page_id`` from ``meta``) and their tokens."""
    return pa.table({
        "title": [m.get("title") for m in meta],
        "page_id": [m.get("page_id") for m in meta],
        "input_ids": [t.input_ids for t in toks],
        "entity_start": [t.entity_start for t in toks],
        "entity_end": [t.entity_end for t in toks],
        "entity_names": [list(t.entity_names) for t in toks],
        "qids": [t.qids for t in toks],
    }, schema=schema)


class TokenStore:
    """Random access to ``tokens.parquet`` rows as :class:`TokenizedArticle`, by numpy slicing."""

    def __init__(self, path: str | os.PathLike[str]):
        p = Path(path)
        if p.is_dir():
            p = p / TOKENS_FILE
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
