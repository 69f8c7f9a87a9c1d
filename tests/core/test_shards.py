"""Record shards: JSONL plain/.gz/.zst and Parquet round trips, atomic writes, bad lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpuslab.core.errors import DataError
from corpuslab.core.markers import mark_complete
from corpuslab.core.shards import SKIP_DIRS, ShardWriter, iter_records, list_shards, write_records

RECS = [{"id": f"d{i}", "text": f"text {i} — ü 日本", "metadata": {"i": i, "tags": ["a"] if i % 2 else {}}}
        for i in range(25)]


@pytest.mark.parametrize("name", ["s.jsonl", "s.jsonl.gz", "s.jsonl.zst", "s.parquet"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    assert write_records(tmp_path / name, RECS) == 25
    assert list(iter_records(tmp_path / name)) == RECS
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), ShardWriter(tmp_path / "x.jsonl.gz") as w:
        w.write(RECS[0])
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_gzip_output_is_byte_identical(tmp_path: Path) -> None:
    write_records(tmp_path / "a" / "s.jsonl.gz", RECS)
    write_records(tmp_path / "b" / "s.jsonl.gz", RECS)
    assert (tmp_path / "a" / "s.jsonl.gz").read_bytes() == (tmp_path / "b" / "s.jsonl.gz").read_bytes()


def test_malformed_line_error_names_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text('{"text": "ok"}\n{"text": \n')
    with pytest.raises(DataError, match=r"bad.jsonl:2"):
        list(iter_records(p))
    errors: dict[str, int] = {}
    assert len(list(iter_records(p, on_error="skip", errors=errors))) == 1 and errors["malformed"] == 1


def test_list_shards_leaves_out_temp_files_and_markers(tmp_path: Path) -> None:
    write_records(tmp_path / "src" / "part.jsonl.gz", RECS)
    mark_complete(tmp_path, "src/part.jsonl.gz", {"records": 25})
    (tmp_path / "src" / ".tmp-123-part.jsonl.gz").write_bytes(b"")
    (tmp_path / "src" / "notes.txt").write_text("x")
    assert list_shards(tmp_path) == [str(tmp_path / "src" / "part.jsonl.gz")]
    assert "_complete" in SKIP_DIRS
