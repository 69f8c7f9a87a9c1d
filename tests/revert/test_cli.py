"""``corpuslab revert …`` through the CLI on constructed histories replayed on real ja/vi article texts
(revert_fixtures.py); iterations reduced (reference: 5000). The reference scripts' flag spellings
(``-f1 1``, ``-f2 1``, ``-n``, ``--keep-bots``, ``--lr``, ``--kinds a,b`` …) keep working."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from revert_fixtures import ORES_TEST, ORES_TRAIN, synth_dumps  # noqa: F401
from typer.testing import CliRunner

from conftest import check_run_card, shared_path
from corpuslab.cli.main import app


def ok(*args: object) -> str:
    res = CliRunner().invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, (args, res.output, res.exception)
    return res.output


@pytest.fixture(scope="module")
def pipeline(synth_dumps: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:  # noqa: F811
    """collect (reference flags) → prepare → features → train → eval → score; each command's output."""
    d = tmp_path_factory.mktemp("revert_cli")
    printed = {
        "collect": ok("revert", "collect", *synth_dumps, "-o", d / "col", "-f2", "1", "-n", "150", "-q"),
        "prepare": ok("revert", "prepare", d / "col", "-o", d / "prep", "--split-date", "2022-06-01"),
        "features": ok("revert", "features", d / "prep", "-o", d / "feat"),
        "train": ok("revert", "train", d / "feat", "-o", d / "model", "--iterations", "60", "--lr", "0.1"),
        "eval": ok("revert", "eval", d / "model", d / "feat", "-o", d / "eval"),
        "score": ok("revert", "score", d / "model", d / "feat" / "test.parquet", "-o", d / "s.parquet"),
    }
    return {"dir": d, "printed": printed}


def test_collect_takes_the_reference_flags(pipeline: dict) -> None:
    d = pipeline["dir"]
    assert "ja" in pipeline["printed"]["collect"] and "filtered_revision_war" in pipeline["printed"]["collect"]
    rep = json.loads((d / "col" / "collect.json").read_text())
    assert rep["config"]["drop_revision_wars"] and rep["config"]["max_per_language"] == 150
    assert all(v["revisions"] <= 150 for v in rep["languages"].values())


def test_every_stage_writes_its_run_card(pipeline: dict) -> None:
    d = pipeline["dir"]
    for folder, kind in (("col", "revert-collect"), ("prep", "revert-prepare"), ("feat", "revert-features"),
                         ("model", "revert-train"), ("eval", "revert-eval")):
        check_run_card(d / folder, kind)
    train = json.loads((d / "model" / "run.json").read_text())
    assert train["config"]["given"] == {"features_dir": str(d / "feat"), "out": str(d / "model"), "iterations": 60,
                                        "learning_rate": 0.1}


def test_eval_prints_groups_and_writes_the_report(pipeline: dict) -> None:
    out = pipeline["printed"]["eval"]
    assert "anonymous" in out and "lang ja" in out and "disparate impact" in out
    assert (pipeline["dir"] / "eval" / "report.md").exists()


def test_score_writes_a_parquet(pipeline: dict) -> None:
    assert "scored" in pipeline["printed"]["score"] and (pipeline["dir"] / "s.parquet").exists()


def test_train_on_the_ores_tables(tmp_path: Path) -> None:
    out = ok("revert", "train", "-o", tmp_path, "--table-train", shared_path(ORES_TRAIN), "--table-test",
             shared_path(ORES_TEST), "--id-column", "0", "--iterations", "50", "--lr", "0.1")
    assert "logistic_regression" in out and "catboost" in out
    assert check_run_card(tmp_path, "revert-train")["counts"]["test_rows"] == 4862


def test_hidden_aliases_set_their_fields(synth_dumps: list[Path], tmp_path: Path) -> None:  # noqa: F811
    ok("revert", "collect", synth_dumps[0], "-o", tmp_path / "a", "--keep-bots", "--keep-creations", "-f1", "1",
       "--window-hours", "48", "-q")
    rep = json.loads((tmp_path / "a" / "collect.json").read_text())
    assert rep["config"]["drop_bots"] is False and rep["config"]["drop_page_creations"] is False
    assert rep["config"]["anonymous_only"] is True and rep["config"]["revert_window_hours"] == 48
    assert rep["counts"].get("filtered_bot", 0) == 0 and rep["counts"]["filtered_registered"] > 0
    ok("revert", "collect", synth_dumps[0], "-o", tmp_path / "b", "-q")
    defaults = json.loads((tmp_path / "b" / "collect.json").read_text())["config"]
    assert defaults["drop_bots"] is True and defaults["anonymous_only"] is False  # absent aliases change nothing


def test_missing_input_is_a_one_line_error(tmp_path: Path) -> None:
    bad = CliRunner().invoke(app, ["revert", "collect", str(tmp_path / "nope.xml"), "-o", str(tmp_path / "x")])
    assert bad.exit_code != 0 and "file not found" in str(bad.exception)
    assert not (tmp_path / "x").exists()
    res = CliRunner().invoke(app, ["revert", "collect", "-o", str(tmp_path / "x")])
    assert res.exit_code != 0 and "inputs: required: give INPUTS" in str(res.exception)


def test_tune_kinds_must_be_known(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["revert", "tune", str(tmp_path), "-o", str(tmp_path / "m"), "--kinds", "change,bogus"])
    assert res.exit_code != 0 and "unknown text model bogus" in str(res.exception)


def test_collect_yaml_config(synth_dumps: list[Path], tmp_path: Path) -> None:  # noqa: F811
    """The example YAML (reference windows) loads; flags win; a typo'd key is a one-line error naming file and key."""
    cfg = Path(__file__).resolve().parents[2] / "examples" / "revert" / "collect.yaml"
    ok("revert", "collect", *synth_dumps, "-o", tmp_path / "a", "-c", cfg, "--train-end", "2022-03-01", "-q")
    rep = json.loads((tmp_path / "a" / "collect.json").read_text())
    assert rep["window"] == ["2022-01-01T00:00:00Z", "2022-03-01T00:00:00Z"] and rep["config"]["max_per_language"] == 300000
    bad = tmp_path / "bad.yaml"
    bad.write_text("max_per_langauge: 5\n")
    res = CliRunner().invoke(app, ["revert", "collect", *map(str, synth_dumps), "-o", str(tmp_path / "b"), "-c", str(bad)])
    assert res.exit_code != 0 and "max_per_langauge: unknown key" in str(res.exception)
