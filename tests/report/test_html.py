"""The page itself: self-contained (no external loads), every status readable, labels and texts escaped."""

from __future__ import annotations

import re

from report_fixtures import make_all, make_overlap_run, make_sample_run

from corpuslab.report.blocks import Details, Section, Table
from corpuslab.report.build import build_report
from corpuslab.report.html import STATUS_TEXT, plotly_js, render_page


def test_the_page_is_self_contained(tmp_path):
    runs = make_all(tmp_path)
    rep = build_report(list(runs.values()), tmp_path / "r.html")
    page = rep.path.read_text(encoding="utf-8")
    assert plotly_js() is not None and plotly_js()[:200] in page  # plotly.js inlined from the package
    assert not re.search(r"<script[^>]+src=", page) and not re.search(r"<link[^>]+href=", page)
    ours = page.replace(plotly_js(), "")  # plotly.js itself names plotly.com in its (unused) modebar link
    assert not re.search(r"""(src|href)=["']https?:""", ours)
    assert "Content-Security-Policy" in page and "connect-src 'none'" in page
    for kind in (*(k for k in runs if k not in ("unrecognised", "interrupted", "failed")), "unrecognised"):
        assert f'data-kind="{kind}"' in page, kind
    assert page.count('class="plot"') == sum(len(s.chart_names()) for s in rep.sections + rep.comparisons)


def test_every_status_has_a_badge_and_a_lead(tmp_path):
    sections = [Section("t", "sample", status=st, problems=["why"]) for st in STATUS_TEXT]
    page = render_page(sections)
    for st, text in STATUS_TEXT.items():
        assert f'data-status="{st}"' in page and text in page
    for lead in ("This run is still going:", "This run failed:", "This run looks interrupted or incomplete:",
                 "something is missing or damaged", "Not a recognised corpuslab run:"):
        assert lead in page


def test_details_fold_their_blocks():
    page = render_page([Section("t", "sample", blocks=[Details("Resolved <config>", [Table(["a"], [[1]])])])])
    assert "<details><summary>Resolved &lt;config&gt;</summary><div class=\"table-block\">" in page


def test_labels_and_chart_data_are_escaped(tmp_path):
    run = make_overlap_run(tmp_path)
    rep = build_report([run], tmp_path / "r.html", labels=["<b>x</b></script>"])
    page = rep.path.read_text(encoding="utf-8")
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    json_part = page.split('id="corpuslab-charts">', 1)[1].split("</script>", 1)[0]
    assert "<" not in json_part  # chart data cannot close its own script element


def test_record_texts_are_escaped(tmp_path):
    import gzip
    import json

    raw = make_sample_run(tmp_path)
    with gzip.open(raw / "news" / "raw_data.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "news/0", "text": "</script><script>alert(1)</script>", "metadata": {}}) + "\n")
    page = build_report([raw], None).html
    assert "<script>alert(1)" not in page and "&lt;/script&gt;&lt;script&gt;alert(1)" in page


def test_without_plotly_the_numbers_stay(tmp_path, monkeypatch):
    """No plotly installed (a data-only install): the page still opens, with the tables and a note per chart."""
    from corpuslab.report import html as report_html

    monkeypatch.setattr(report_html, "plotly_js", lambda: None)
    page = build_report([make_overlap_run(tmp_path)], None).html
    assert "Chart omitted: install plotly" in page and 'class="plot"' not in page
    assert "<td class=\"num\">0.6000</td>" in page  # the last overlap is still in a table
