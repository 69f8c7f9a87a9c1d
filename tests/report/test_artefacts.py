"""Tolerant readers: a missing or damaged artefact is a problem string, never an exception."""

from __future__ import annotations

import gzip
import json

from corpuslab.report.artefacts import (
    head_records,
    leftover_tmp,
    read_csv_tolerant,
    read_json_tolerant,
    tmp_problem,
)


def test_head_records_of_a_good_a_truncated_and_a_missing_shard(tmp_path):
    p = tmp_path / "src" / "data.jsonl.gz"
    p.parent.mkdir()
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        for i in range(2000):
            fh.write(json.dumps({"id": str(i), "text": "x" * 50}) + "\n")
    recs, problem = head_records(p, 3)
    assert [r["id"] for r in recs] == ["0", "1", "2"] and problem is None
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    recs, problem = head_records(p, 5000)
    assert recs and problem.startswith("src/data.jsonl.gz: compressed stream is truncated or corrupt")
    assert head_records(tmp_path / "none.jsonl", 1) == ([], "none.jsonl is missing")


def test_json_and_csv_readers_note_what_is_wrong(tmp_path):
    problems: list[str] = []
    (tmp_path / "cut.json").write_text('{"a": [1,', encoding="utf-8")
    assert read_json_tolerant(tmp_path / "cut.json", problems) is None
    assert read_json_tolerant(tmp_path / "gone.json", problems) is None
    assert read_csv_tolerant(tmp_path / "gone.csv", problems) is None
    assert problems[0].startswith("cut.json is not valid JSON (line 1") and problems[1:] == [
        "gone.json is missing", "gone.csv is missing"]


def test_leftover_temp_files_of_a_folder_and_of_a_single_file(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / ".tmp-12-x.gz").write_bytes(b"")
    (tmp_path / ".tmp-13-table.tsv").write_bytes(b"")
    assert leftover_tmp(tmp_path) == [".tmp-13-table.tsv", "a/.tmp-12-x.gz"]
    assert leftover_tmp(tmp_path, recursive=False) == [".tmp-13-table.tsv"]
    assert leftover_tmp(tmp_path / "table.tsv") == [".tmp-13-table.tsv"]
    assert leftover_tmp(tmp_path / "other.tsv") == []
    for i in range(5):
        (tmp_path / "a" / f".tmp-{i}-y").write_bytes(b"")
    assert tmp_problem(tmp_path / "a")[0].endswith("and 3 more")
