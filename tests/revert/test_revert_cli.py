"""``corpuslab revert …`` end to end through the CLI on constructed histories replayed on real ja/vi
article texts (revert_fixtures.py); iterations reduced (reference: 5000)."""

from __future__ import annotations

import json
from pathlib import Path

from revert_fixtures import synth_dumps  # noqa: F401
from typer.testing import CliRunner

from corpuslab.cli.main import app


def test_cli_pipeline(synth_dumps: list[Path], tmp_path: Path, shared) -> None:  # noqa: F811
    r = CliRunner()

    def ok(*args: str) -> str:
        res = r.invoke(app, list(args))
        assert res.exit_code == 0, (args, res.output, res.exception)
        return res.output

    out = ok("revert", "collect", *map(str, synth_dumps), "-o", str(tmp_path / "col"), "-f2", "1", "-n", "150", "-q")
    assert "ja" in out and "filtered_revision_war" in out
    rep = json.loads((tmp_path / "col" / "collect.json").read_text())
    assert rep["config"]["drop_revision_wars"] and rep["config"]["max_per_language"] == 150
    ok("revert", "prepare", str(tmp_path / "col"), "-o", str(tmp_path / "prep"), "--split-date", "2022-06-01")
    ok("revert", "features", str(tmp_path / "prep"), "-o", str(tmp_path / "feat"))
    ok("revert", "train", str(tmp_path / "feat"), "-o", str(tmp_path / "model"), "--iterations", "60", "--lr", "0.1")
    out = ok("revert", "eval", str(tmp_path / "model"), str(tmp_path / "feat"), "-o", str(tmp_path / "eval"))
    assert "anonymous" in out and "disparate impact" in out
    assert (tmp_path / "eval" / "report.md").exists()
    ok("revert", "score", str(tmp_path / "model"), str(tmp_path / "feat" / "test.parquet"), "-o", str(tmp_path / "s.parquet"))
    out = ok("revert", "train", "-o", str(tmp_path / "ores"), "--table-train", str(shared("revert/enwiki.features_reverted.training.20k_2015.tsv.bz2")),
             "--table-test", str(shared("revert/enwiki.features_reverted.testing.20k_2015.tsv.bz2")), "--id-column", "0",
             "--iterations", "50", "--lr", "0.1")
    assert "logistic_regression" in out and "catboost" in out
    bad = r.invoke(app, ["revert", "collect", str(tmp_path / "nope.xml"), "-o", str(tmp_path / "x")])
    assert bad.exit_code != 0 and "file not found" in str(bad.exception)


def test_cli_collect_yaml_config(synth_dumps: list[Path], tmp_path: Path) -> None:  # noqa: F811
    """The example YAML (reference windows) loads; a typo'd key is a one-line error naming file and key."""
    cfg = Path(__file__).resolve().parents[2] / "examples" / "revert" / "collect.yaml"
    r = CliRunner()
    res = r.invoke(app, ["revert", "collect", *map(str, synth_dumps), "-o", str(tmp_path / "a"), "-c", str(cfg),
                         "--train-end", "2022-03-01", "-q"])
    assert res.exit_code == 0, res.output
    rep = json.loads((tmp_path / "a" / "collect.json").read_text())
    assert rep["window"] == ["2022-01-01T00:00:00Z", "2022-03-01T00:00:00Z"] and rep["config"]["max_per_language"] == 300000
    bad = tmp_path / "bad.yaml"
    bad.write_text("max_per_langauge: 5\n")
    res = r.invoke(app, ["revert", "collect", *map(str, synth_dumps), "-o", str(tmp_path / "b"), "-c", str(bad)])
    assert res.exit_code != 0 and "max_per_langauge: unknown key" in str(res.exception)
