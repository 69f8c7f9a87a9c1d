"""The page itself: self-contained (no external loads), labels escaped, CLI prints the path."""

from __future__ import annotations

import re

from report_fixtures import make_all, make_overlap_run
from typer.testing import CliRunner

from corpuslab.cli.main import app
from corpuslab.report import build_report
from corpuslab.report.html import plotly_js


def test_report_page_is_self_contained(tmp_path):
    runs = make_all(tmp_path)
    rep = build_report(list(runs.values()), tmp_path / "r.html")
    page = rep.path.read_text(encoding="utf-8")
    assert plotly_js() is not None and plotly_js()[:200] in page  # plotly.js inlined from the package
    assert not re.search(r"<script[^>]+src=", page) and not re.search(r"<link[^>]+href=", page)
    ours = page.replace(plotly_js(), "")  # plotly.js itself names plotly.com in its (unused) modebar link
    assert not re.search(r"""(src|href)=["']https?:""", ours)
    assert "Content-Security-Policy" in page and "connect-src 'none'" in page
    for kind in ("sample", "clean", "overlap", "anatomy", "leia", "revert", "unrecognised"):
        assert f'data-run-type="{kind}"' in page
    assert page.count('class="plot"') == sum(len(s.chart_names()) for s in rep.sections + rep.comparisons)


def test_report_label_is_escaped(tmp_path):
    run = make_overlap_run(tmp_path)
    rep = build_report([run], tmp_path / "r.html", labels=["<b>x</b></script>"])
    page = rep.path.read_text(encoding="utf-8")
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    json_part = page.split('id="corpuslab-charts">', 1)[1].split("</script>", 1)[0]
    assert "<" not in json_part  # chart data cannot close its own script element


def test_report_cli_prints_path_and_survives_bad_dirs(tmp_path):
    run = make_overlap_run(tmp_path)
    out = tmp_path / "page.html"
    res = CliRunner().invoke(app, ["report", str(run), str(tmp_path / "nope"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists() and f"report: {out}" in res.output.replace("\n", "")
    res = CliRunner().invoke(app, ["report", str(run), "-o", str(out), "-l", "a", "-l", "b"])
    assert res.exit_code != 0 and "--label given 2 time(s) for 1 run folder(s)" in str(res.exception)


def test_report_without_plotly_keeps_the_numbers(tmp_path, monkeypatch):
    """No plotly installed (a data-only install): the page still opens, with the tables and a note per chart."""
    from corpuslab.report import html as report_html

    monkeypatch.setattr(report_html, "plotly_js", lambda: None)
    rep = build_report([make_overlap_run(tmp_path)], tmp_path / "r.html")
    page = rep.path.read_text(encoding="utf-8")
    assert "Chart omitted: install plotly" in page and 'class="plot"' not in page
    assert "<td class=\"num\">0.6000</td>" in page  # the last overlap is still in a table
