"""Comparing overlap runs: one row per run, warnings when the runs are not comparable, the figure, the card,
and the argparse-style ``--runs A B --labels x y`` command line."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.image
import pytest
from typer.testing import CliRunner

from conftest import check_run_card
from corpuslab.cli.main import app
from corpuslab.core.errors import CorpuslabError, DataError
from corpuslab.overlap.compare import compare_runs
from corpuslab.overlap.config import OverlapCompareConfig
from corpuslab.overlap.run import write_outputs


def make_run(folder: Path, overlaps: list[float], k: int = 100, sha: str = "abc") -> Path:
    """A run folder as ``overlap train`` leaves it (results JSON + CSV), evaluated every 5 steps."""
    folder.mkdir(parents=True)
    steps = [{"step": 5 * i, "avg_overlap_ratio": o, "min_overlap_ratio": o - 0.05, "max_overlap_ratio": o,
              "overlap_scores": [o - 0.05, o]} for i, o in enumerate(overlaps)]
    write_outputs(folder, {"k": k, "chance": k / 512, "fingerprints_sha": sha, "steps": steps}, plots=False)
    return folder


@pytest.fixture
def runs(tmp_path: Path) -> list[Path]:
    return [make_run(tmp_path / "en", [1.0, 0.9, 0.8, 0.7]), make_run(tmp_path / "ja", [1.0, 0.6, 0.3, 0.1])]


def test_rows_summarise_each_curve(runs: list[Path], tmp_path: Path) -> None:
    res = compare_runs(OverlapCompareConfig(runs=[str(r) for r in runs], labels=["EN", "JA"],
                                            output_dir=str(tmp_path / "cmp")))
    en, ja = res["rows"]
    assert (en["run"], ja["run"]) == ("EN", "JA") and not res["warnings"]
    assert en["decrease_rate"] == pytest.approx(0.3 / 15) and ja["decrease_rate"] == pytest.approx(0.9 / 15)
    assert en["first_step_below_0_5"] is None and ja["first_step_below_0_5"] == 10
    saved = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    assert saved["rows"] == json.loads(json.dumps(res["rows"])) and saved["runs"] == [str(r) for r in runs]
    assert matplotlib.image.imread(tmp_path / "cmp" / "comparison.png").shape[0] > 300


def test_run_card(runs: list[Path], tmp_path: Path) -> None:
    compare_runs(OverlapCompareConfig(runs=[str(r) for r in runs], output_dir=str(tmp_path / "cmp")))
    card = check_run_card(tmp_path / "cmp", "overlap-compare")
    assert card["counts"] == {"runs": 2, "warnings": 0}
    assert card["outputs"] == {"plot": "comparison.png", "comparison": "comparison.json"}


def test_labels_default_to_folder_names_and_differences_warn(runs: list[Path], tmp_path: Path) -> None:
    other = make_run(tmp_path / "k64", [1.0, 0.5], k=64, sha="zzz")
    res = compare_runs(OverlapCompareConfig(runs=[str(runs[0]), str(other)], output_dir=str(tmp_path / "cmp")))
    assert [r["run"] for r in res["rows"]] == ["en", "k64"]
    assert len(res["warnings"]) == 2 and "different fingerprint prompts" in res["warnings"][0]


def test_bad_input(runs: list[Path], tmp_path: Path) -> None:
    with pytest.raises(CorpuslabError, match="1 labels for 2 runs"):
        compare_runs(OverlapCompareConfig(runs=[str(r) for r in runs], labels=["x"], output_dir=str(tmp_path)))
    with pytest.raises(DataError, match="no overlap_results.json"):
        compare_runs(OverlapCompareConfig(runs=[str(tmp_path / "nothing")], output_dir=str(tmp_path / "c")))
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "overlap_results.json").write_text('{"steps": [], "chance": 0.1, "k": 5}')
    with pytest.raises(DataError, match="no evaluated steps"):
        compare_runs(OverlapCompareConfig(runs=[str(tmp_path / "empty")], output_dir=str(tmp_path / "c")))


def test_cli_multi_value_options(runs: list[Path], tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["overlap", "compare", "--runs", str(runs[0]), str(runs[1]),
                                 "--labels", "EN", "JA", "--output-dir", str(tmp_path / "cmp2")])
    assert r.exit_code == 0, r.output
    assert "EN" in r.output and "JA" in r.output and (tmp_path / "cmp2" / "comparison.png").exists()
    assert [row["run"] for row in json.loads((tmp_path / "cmp2" / "comparison.json").read_text())["rows"]] == [
        "EN", "JA"]
    r = CliRunner().invoke(app, ["overlap", "compare", "--labels", "x"])
    assert r.exit_code != 0 and "runs: required: give --runs" in str(r.exception)
