"""Stage-2 cleaning: funnel per step and source, drop reasons with metric ranges, rejected documents."""

from __future__ import annotations

import pytest
from report_fixtures import chart, column, make_clean_run, notes, render_one, table_with

from corpuslab.report.blocks import Examples, iter_blocks


def test_funnel_drop_reasons_and_rejected(tmp_path):
    _, sec = render_one(make_clean_run(tmp_path), "clean")
    t = table_with(sec, "docs out")
    assert column(t, "step") == ["input", "gopher_quality", "minhash_dedup"]
    assert column(t, "dropped") == [0, 20, 8]
    reasons = table_with(sec, "metric min")
    assert column(reasons, "reason")[0] == "gopher_quality:gopher_short_document"
    assert reasons.rows[0][1:] == [12, 3, 20, 49]
    assert {"clean-funnel", "clean-drop-reasons", "clean-funnel-per-source", "clean-per-source"} <= set(
        sec.chart_names())
    heat = chart(sec, "clean-funnel-per-source").figure["data"][0]
    assert heat["y"] == ["news", "forum"] and heat["z"][1] == pytest.approx([1.0, 14 / 25, 12 / 25])
    assert table_with(sec, "chars in").rows[1][:4] == ["forum", 25, 12, pytest.approx(0.48)]
    assert "72 of 100 documents kept (72.0%) after 3 step(s)." in notes(sec)
    (ex,) = [b for b in iter_blocks(sec.blocks) if isinstance(b, Examples)]
    assert ex.items == [("forum · gopher_quality:gopher_short_document = 3", "buy buy buy")]


def test_stats_missing_while_running(tmp_path):
    from report_fixtures import DEAD_PID, write_card

    out = make_clean_run(tmp_path)
    (out / "stats.json").unlink()
    write_card(out, "clean", status="running", pid=DEAD_PID)
    _, sec = render_one(out, "clean")
    assert sec.status == "interrupted"
    assert "stats.json is missing: stage 2 stopped before writing its statistics (1 cleaned shard(s) present)" \
        in sec.problems[1]
    assert "No funnel statistics yet." in notes(sec)
