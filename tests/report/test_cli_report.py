"""``corpuslab report``: flags from ReportConfig, ``--config`` file, the page's path as the last line."""

from __future__ import annotations

import yaml
from report_fixtures import make_overlap_run
from typer.testing import CliRunner

from corpuslab.cli.main import app


def test_prints_the_path_and_survives_bad_folders(tmp_path):
    run = make_overlap_run(tmp_path)
    out = tmp_path / "page.html"
    res = CliRunner().invoke(app, ["report", str(run), str(tmp_path / "nope"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists() and res.output.strip().splitlines()[-1] == f"report: {out}"
    assert "overlap_en" in res.output and "missing" in res.output


def test_labels_are_one_per_folder(tmp_path):
    run = make_overlap_run(tmp_path)
    res = CliRunner().invoke(app, ["report", str(run), "-o", str(tmp_path / "p.html"), "-l", "a", "-l", "b"])
    assert res.exit_code != 0 and "--label given 2 time(s) for 1 run folder(s)" in str(res.exception)


def test_settings_from_a_config_file_flags_win(tmp_path):
    run = make_overlap_run(tmp_path)
    cfg = tmp_path / "report.yaml"
    cfg.write_text(yaml.safe_dump({"run_dirs": [str(run)], "output": str(tmp_path / "from_file.html"),
                                   "title": "From the file", "label": ["English"]}), encoding="utf-8")
    res = CliRunner().invoke(app, ["report", "--config", str(cfg), "--title", "From the flag"])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "from_file.html").read_text(encoding="utf-8")
    assert "<title>From the flag</title>" in page and ">English<" in page


def test_no_folder_is_an_error(tmp_path):
    res = CliRunner().invoke(app, ["report", "-o", str(tmp_path / "p.html")])
    assert res.exit_code != 0 and "run_dirs" in str(res.exception)
