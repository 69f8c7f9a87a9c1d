"""The run card: written at start, finished with status, counts and outputs; one schema for every kind."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pydantic import Field

from corpuslab.core.config import StrictModel
from corpuslab.core.runcard import CARD_KEYS, RUN_CARD, SCHEMA, card_path, read_run_card, run_card


class Settings(StrictModel):
    output_dir: str
    steps: int = Field(10, gt=0)
    seed: int = 7


def _card(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_card_says_running_during_the_run_and_done_after(tmp_path: Path) -> None:
    cfg = Settings(output_dir=str(tmp_path), steps=3)
    with run_card(tmp_path, "toy", cfg, inputs={"data": "in.jsonl"}) as card:
        during = _card(tmp_path / RUN_CARD)
        assert during["status"] == "running" and during["finished"] is None and during["pid"] == os.getpid()
        card.counts["documents"] = 12
        card.outputs["summary"] = "summary.json"
    after = _card(tmp_path / RUN_CARD)
    assert tuple(after) == CARD_KEYS and after["schema"] == SCHEMA and after["kind"] == "toy"
    assert after["status"] == "done" and after["error"] is None and after["wall_seconds"] >= 0
    assert after["counts"] == {"documents": 12} and after["outputs"] == {"summary": "summary.json"}
    assert after["inputs"] == {"data": "in.jsonl"} and after["seed"] == 7
    # given = what the user set; resolved = every setting the run used
    assert after["config"]["given"] == {"output_dir": str(tmp_path), "steps": 3}
    assert after["config"]["resolved"] == {"output_dir": str(tmp_path), "steps": 3, "seed": 7}
    assert read_run_card(tmp_path) == after
    assert "corpuslab" in after["versions"] and after["command"]


def test_a_failing_run_records_its_error_and_reraises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="bad input"), run_card(tmp_path, "toy", {"a": 1}):
        raise ValueError("bad input")
    card = _card(tmp_path / RUN_CARD)
    assert card["status"] == "failed" and card["error"] == "ValueError: bad input"
    assert card["config"] == {"given": {"a": 1}, "resolved": {"a": 1}} and card["seed"] is None


def test_an_interrupted_run_says_so(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), run_card(tmp_path, "toy"):
        raise KeyboardInterrupt
    assert _card(tmp_path / RUN_CARD)["status"] == "interrupted"


def test_a_single_file_output_gets_its_card_beside_it(tmp_path: Path) -> None:
    table = tmp_path / "ja-redirects.tsv"
    with run_card(table, "wiki-redirects", single_file=True):
        table.write_text("a\tb\n")
    assert card_path(table, single_file=True) == tmp_path / "ja-redirects.tsv.run.json"
    assert read_run_card(table)["kind"] == "wiki-redirects"
    assert not (tmp_path / RUN_CARD).exists()


def test_read_run_card_ignores_what_is_not_a_card(tmp_path: Path) -> None:
    assert read_run_card(tmp_path) is None
    (tmp_path / RUN_CARD).write_text('{"kind": "x"}')  # no schema
    assert read_run_card(tmp_path) is None
    (tmp_path / RUN_CARD).write_text('{"schema": "corpuslab-run-v1", "kind": ')  # cut by a kill
    assert read_run_card(tmp_path) is None


def test_only_rank_zero_writes_the_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RANK", "1")
    with run_card(tmp_path / "r1", "toy"):
        pass
    assert not (tmp_path / "r1").exists()
    monkeypatch.setenv("RANK", "0")
    with run_card(tmp_path / "r0", "toy"):
        pass
    assert read_run_card(tmp_path / "r0")["status"] == "done"
