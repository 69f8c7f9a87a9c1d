"""The record model every stage shares: ``{"id": str, "text": str, "metadata": dict}``.

Records stay plain dicts (no per-document object construction) because stages move millions of them;
this module only says what a valid record is and builds one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from corpuslab.core.errors import DataError

Record = dict[str, Any]


def make_record(text: str, metadata: dict[str, Any] | None = None, id: str | None = None) -> Record:
    rec: Record = {"text": text, "metadata": dict(metadata or {})}
    if id is not None:
        rec = {"id": id, **rec}
    return rec


def check_record(rec: Any, where: str = "") -> Record:
    """Validate a decoded record; ``where`` (e.g. ``file:line``) goes into the error message."""
    prefix = f"{where}: " if where else ""
    if not isinstance(rec, dict):
        raise DataError(f"{prefix}expected a JSON object, got {type(rec).__name__}")
    if not isinstance(rec.get("text"), str):
        raise DataError(f"{prefix}record has no string 'text' field")
    md = rec.get("metadata", {})
    if not isinstance(md, dict):
        raise DataError(f"{prefix}'metadata' must be an object, got {type(md).__name__}")
    return rec


def get_field(obj: dict[str, Any], path: str) -> Any:
    """Read a dotted field path (``meta.redpajama_set_name``); KeyError if absent."""
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            raise KeyError(path)
        cur = cur[part]
    return cur


def batched(it: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of ``size`` items (the last one shorter); ``itertools.batched`` is Python ≥ 3.12 only."""
    buf: list[Any] = []
    for x in it:
        buf.append(x)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf
