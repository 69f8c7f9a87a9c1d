"""Atomic writes: the final name appears only complete; figures are saved the same way and closed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpuslab.core.atomic import (
    atomic_path,
    pyplot,
    read_json,
    remove_stale_tmp,
    save_figure,
    write_json_atomic,
)
from corpuslab.core.errors import DataError


def test_a_failed_block_leaves_neither_the_file_nor_its_temp(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.txt"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        Path(tmp).write_text("half")
        raise RuntimeError("killed")
    assert not target.exists() and list((tmp_path / "sub").iterdir()) == []
    with atomic_path(target) as tmp:
        Path(tmp).write_text("whole")
    assert target.read_text() == "whole" and [p.name for p in (tmp_path / "sub").iterdir()] == ["out.txt"]


def test_json_round_trip_and_errors_name_the_file(tmp_path: Path) -> None:
    write_json_atomic(tmp_path / "a.json", {"x": [1, 2], "ü": "日本"})
    assert read_json(tmp_path / "a.json") == {"x": [1, 2], "ü": "日本"}
    assert "日本" in (tmp_path / "a.json").read_text(encoding="utf-8")  # not \\u-escaped
    (tmp_path / "bad.json").write_text('{"x": ')
    with pytest.raises(DataError, match=r"bad.json: invalid JSON at line 1"):
        read_json(tmp_path / "bad.json")
    with pytest.raises(DataError, match="missing.json: file not found"):
        read_json(tmp_path / "missing.json")


def test_remove_stale_tmp_counts_what_a_killed_run_left(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / ".tmp-99-x.jsonl.gz").write_bytes(b"x")
    (tmp_path / ".tmp-98-plan.json").write_text("{")
    (tmp_path / "keep.json").write_text(json.dumps({}))
    assert remove_stale_tmp(tmp_path) == 2
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["keep.json"]


def test_save_figure_writes_a_png_and_closes_the_figure(tmp_path: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    out = save_figure(fig, tmp_path / "f.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(fig.number)
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]
