"""Fingerprint overlap: the curve with its band, summary numbers, a run killed midway."""

from __future__ import annotations

import pytest
from report_fixtures import chart, column, make_overlap_run, render_one, table_with


def test_summary_numbers(tmp_path):
    _, sec = render_one(make_overlap_run(tmp_path, decay=0.15, steps=5), "overlap-train")
    row = dict(zip(*(lambda t: (t.columns, t.rows[0]))(table_with(sec, "decrease / step")), strict=True))
    assert row["first overlap"] == 1.0 and row["last overlap"] == pytest.approx(0.4)
    assert row["decrease / step"] == pytest.approx(0.6 / 40)
    assert row["first step < 0.5"] == 40 and row["chance k/V"] == pytest.approx(50 / 512)
    band, line = chart(sec, "overlap-curve").figure["data"]
    assert band["fill"] == "toself" and line["y"][-1] == pytest.approx(0.4)


def test_killed_midway(tmp_path):
    _, sec = render_one(make_overlap_run(tmp_path, steps=3, finished=False), "overlap-train")
    assert sec.status == "interrupted" and sec.problems[0].startswith("killed")
    assert "training stopped before the end: last evaluation at step 20 of 100" in sec.problems[1]
    assert column(table_with(sec, "mean"), "step") == [0, 10, 20]


def test_csv_only(tmp_path):
    out = make_overlap_run(tmp_path)
    (out / "overlap_results.json").unlink()
    _, sec = render_one(out, "overlap-train")
    assert sec.status == "incomplete"
    assert sec.problems == ["overlap_results.json is missing (the curve is read from overlap_summary.csv)"]
    assert column(table_with(sec, "mean"), "mean") == [1.0, 0.9, 0.8, 0.7, 0.6]
