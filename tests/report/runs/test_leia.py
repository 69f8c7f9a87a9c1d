"""LEIA: link statistics of a build, accuracy per language of an evaluation, a build killed midway."""

from __future__ import annotations

from report_fixtures import (
    DEAD_PID,
    column,
    make_leia_build_run,
    make_leia_eval_run,
    render_one,
    table_with,
    write_card,
)


def test_build_links_and_drop_reasons(tmp_path):
    _, sec = render_one(make_leia_build_run(tmp_path), "leia-build")
    links = table_with(sec, "of seen")
    assert dict(zip(column(links, "count"), column(links, "of seen"), strict=True)) == {
        "links seen": 1.0, "links resolved": 0.7, "links kept": 0.68, "links inserted": 0.34}
    assert table_with(sec, "reason").rows[0] == ["no_qid", 200]
    assert {"leia-links", "leia-drop-reasons"} <= set(sec.chart_names())


def test_eval_accuracy_per_language(tmp_path):
    _, sec = render_one(make_leia_eval_run(tmp_path), "leia-eval")
    acc = table_with(sec, "task/language")
    assert dict(zip(column(acc, "task/language"), column(acc, "accuracy"), strict=True)) == {
        "xcodah/en": 0.62, "xcodah/ja": 0.41}
    assert column(acc, "CI low") == [0.55, 0.34] and column(acc, "chance") == [0.25, 0.25]
    assert "leia-accuracy" in sec.chart_names()


def test_build_killed_before_its_report(tmp_path):
    out = make_leia_build_run(tmp_path)
    (out / "report.json").unlink()
    write_card(out, "leia-build", status="running", pid=DEAD_PID)
    _, sec = render_one(out, "leia-build")
    assert sec.status == "interrupted" and "report.json is missing" in sec.problems[1]
