"""The stage-2 commands (cli/clean.py): flags and --config, the run card, today's flag spellings."""

from __future__ import annotations

from pathlib import Path

from clean_fixtures import make_raw
from typer.testing import CliRunner

from conftest import check_run_card
from corpuslab.cli.main import app

runner = CliRunner()


def test_clean_writes_the_funnel_and_a_valid_card(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    cfg = tmp_path / "mix.yaml"
    cfg.write_text("target_samples: 8\nseed: 0\ndatasets: [{name: x.jsonl, weight: 1}]\n"
                   "cleaning: {html: true}\nfiltering:\n  min_length: 20\ndedup: {exact: true}\n")
    r = runner.invoke(app, ["clean", "-c", str(cfg), "--raw-folder", str(raw), "--cleaned-folder", str(tmp_path / "out"),
                            "-w", "1", "--keep-rejected", "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "exact_dedup" in r.output and "kept 5 of 8" in r.output
    card = check_run_card(tmp_path / "out", "clean")
    assert card["counts"]["documents_out"] == 5 and card["config"]["resolved"]["keep_rejected"] is True
    assert (tmp_path / "out/_rejected").is_dir()
    r = runner.invoke(app, ["clean", "--config", str(cfg), "--raw-folder", str(raw), "--cleaned-folder",
                            str(tmp_path / "out"), "--json"])
    assert r.exit_code == 0 and '"drop_reasons"' in r.output


def test_clean_names_a_typo_and_a_missing_folder(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("filtering:\n  gopher_quality: {min_wrds: 3}\n")
    r = runner.invoke(app, ["clean", "--config", str(bad), "--raw-folder", str(raw), "--cleaned-folder", str(tmp_path / "x")])
    assert r.exit_code != 0 and "filtering.gopher_quality.min_wrds: unknown key" in str(r.exception)
    assert str(bad) in str(r.exception)
    r = runner.invoke(app, ["clean", "--raw-folder", str(raw)])
    assert "cleaned_folder: required: give --cleaned-folder" in str(r.exception)


def test_inspect_merge_push_keep_their_flags(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    r = runner.invoke(app, ["inspect", str(raw), "-n", "1"])
    assert r.exit_code == 0 and "8 documents" in r.output, r.output
    r = runner.invoke(app, ["inspect", str(raw), "--samples", "0", "--json"])
    assert r.exit_code == 0 and '"total_docs": 8' in r.output
    out = tmp_path / "out"
    assert runner.invoke(app, ["clean", "--raw-folder", str(raw), "--cleaned-folder", str(out)]).exit_code == 0
    r = runner.invoke(app, ["merge", "--cleaned-folder", str(out), "-o", str(tmp_path / "m.jsonl"), "--seed", "1",
                            "--format", "jsonl"])
    assert r.exit_code == 0 and "merged 7 documents" in r.output and (tmp_path / "m.jsonl").exists()
    r = runner.invoke(app, ["push", "--input-folder", str(out), "--repo-name", "u/x", "--private", "--dry-run",
                            "--staging", str(tmp_path / "st")])
    assert r.exit_code == 0 and (tmp_path / "st/README.md").exists() and "dry run" in r.output
