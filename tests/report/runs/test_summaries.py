"""Stages whose result is one summary JSON: its numbers as tables and charts, settings left to the card."""

from __future__ import annotations

from report_fixtures import (
    LEIA_LOSSES,
    chart,
    column,
    make_leia_train_run,
    make_overlap_compare_run,
    make_overlap_score_run,
    make_revert_collect_run,
    make_revert_prepare_run,
    make_revert_train_run,
    notes,
    render_one,
    table_with,
)

from corpuslab.report.blocks import Heading
from corpuslab.report.runs.summaries import structure_blocks


def test_revert_collect_languages_and_counts(tmp_path):
    _, sec = render_one(make_revert_collect_run(tmp_path), "revert-collect")
    langs = table_with(sec, "languages")
    assert langs.columns == ["languages", "revisions", "reverted", "anonymous", "revert_rate"]
    assert langs.rows == [["en", 300, 30, 90, 0.1], ["ja", 200, 40, 50, 0.2]]
    assert chart(sec, "summary-revert-collect-languages").figure["data"][0]["y"] == [300.0, 200.0]
    assert dict(table_with(sec, "bad_input").rows) == {"malformed_rows": 2, "bad_timestamps": 0}
    scalars = dict(table_with(sec, "field").rows)
    assert scalars["written"] == 500 and scalars["window"] == "2022-01-01, 2022-12-31"
    assert "config" not in scalars  # the run card shows the settings


def test_leia_train_losses_as_a_line(tmp_path):
    _, sec = render_one(make_leia_train_run(tmp_path), "leia-train")
    line = chart(sec, "summary-leia-train-losses").figure["data"][0]
    assert line["y"] == LEIA_LOSSES and line["x"][0] == 1
    assert "hyperparameters" not in [b.text for b in sec.blocks if isinstance(b, Heading)]


def test_nested_mappings_and_records(tmp_path):
    _, sec = render_one(make_revert_prepare_run(tmp_path), "revert-prepare")
    test = table_with(sec, "test")
    assert test.rows == [["en", 60, 6], ["ja", 37, 8]]
    _, sec = render_one(make_overlap_compare_run(tmp_path), "overlap-compare")
    rows = table_with(sec, "decrease_rate")
    assert column(rows, "run") == ["en", "ja"] and column(rows, "first_step_below_0_5") == [None, 30]
    assert "runs used different k" in notes(sec)


def test_a_single_json_output_is_its_own_summary(tmp_path):
    _, sec = render_one(make_overlap_score_run(tmp_path), "overlap-score")
    rows = table_with(sec, "avg_overlap_ratio")
    assert column(rows, "model") == ["derived", "unrelated"] and "overlap_scores" not in rows.columns
    assert dict(table_with(sec, "field").rows)["base"] == "tiny"


def test_long_lists_are_shortened(tmp_path):
    _, sec = render_one(make_revert_train_run(tmp_path), "revert-train")
    scalars = dict(table_with(sec, "field").rows)
    assert scalars["numeric_features"].endswith("f11 … (30 in all)") and scalars["best_iteration"] == 120


def test_structure_blocks_stop_at_the_depth_limit():
    nested = {"a": {"x": 1, "b": {"c": {"d": {"f": 1}}}}}
    assert [b.text for b in structure_blocks("t", nested, "n") if isinstance(b, Heading)] == ["a", "b", "c"]
    too_deep = {"a": {"b": {"c": {"d": {"e": {"f": 1, "g": "x"}}}}}}
    assert structure_blocks("t", too_deep, "n") == []
