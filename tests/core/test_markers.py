"""Completion markers and the manifest that folds them."""

from __future__ import annotations

from pathlib import Path

from corpuslab.core.markers import clear_complete, completion_info, mark_complete, write_manifest
from corpuslab.core.shards import list_shards, write_records

RECS = [{"id": f"d{i}", "text": f"text {i}", "metadata": {}} for i in range(25)]


def test_markers_and_manifest(tmp_path: Path) -> None:
    write_records(tmp_path / "src" / "part.jsonl.gz", RECS)
    assert completion_info(tmp_path, "src/part.jsonl.gz") is None
    mark_complete(tmp_path, "src/part.jsonl.gz", {"records": 25})
    assert completion_info(tmp_path, "src/part.jsonl.gz")["records"] == 25
    m = write_manifest(tmp_path)
    assert m["shards"] == {"src/part.jsonl.gz": {"records": 25}}
    assert list_shards(tmp_path) == [str(tmp_path / "src" / "part.jsonl.gz")]


def test_a_marker_without_its_shard_counts_as_not_complete(tmp_path: Path) -> None:
    write_records(tmp_path / "a.jsonl", RECS)
    mark_complete(tmp_path, "a.jsonl", {"records": 25})
    (tmp_path / "a.jsonl").unlink()
    assert completion_info(tmp_path, "a.jsonl") is None
    assert write_manifest(tmp_path)["shards"] == {}
    write_records(tmp_path / "a.jsonl", RECS)
    clear_complete(tmp_path, "a.jsonl")
    assert completion_info(tmp_path, "a.jsonl") is None
