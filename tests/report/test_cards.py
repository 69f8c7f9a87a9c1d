"""The run card part of every section: headline, counts (a chart only where the kind draws none), inputs,
outputs, command, config as given, resolved config and versions folded away."""

from __future__ import annotations

from report_fixtures import (
    column,
    make_failed_clean,
    make_sample_run,
    make_wiki_redirects_run,
    notes,
    render_one,
    table_with,
)

from corpuslab.report.blocks import Details, Heading, iter_blocks
from corpuslab.report.cards import flatten, seconds_text


def test_seconds_text():
    assert [seconds_text(x) for x in (None, 3.04, 65, 7380)] == ["–", "3.0 s", "1 min 05 s", "2 h 03 min"]


def test_flatten_nested_config():
    assert flatten({"a": 1, "b": {"c": [1, 2], "d": [{"e": "x"}], "f": {}}, "g": []}) == [
        ("a", 1), ("b.c", "1, 2"), ("b.d[0].e", "x"), ("b.f", "{}"), ("g", "[]")]


def test_card_part_of_a_section(tmp_path):
    _, sec = render_one(make_sample_run(tmp_path), "sample")
    assert notes(sec)[0].startswith("Done after ") and "finished" in notes(sec)[0]
    assert Heading("Run card") in sec.blocks
    counts = table_with(sec, "count")
    assert dict(zip(column(counts, "count"), column(counts, "value"), strict=True)) == {
        "total_kept": 27, "sources": 2, "shortfall": 3}
    assert "run-counts" not in sec.chart_names()  # the sample draws its own chart
    outputs = table_with(sec, "output")
    assert dict(outputs.rows)["plan"] == "plan.json"
    assert column(table_with(sec, "input"), "value") == ["sources/news.jsonl, sources/forum.jsonl"]
    facts = dict(table_with(sec, "").rows)
    assert facts["command"] == "corpuslab sample -c sample.yaml" and facts["seed"] == 7
    given = table_with(sec, "setting")
    assert given.caption == "Config as given (file and flags)"
    assert dict(given.rows) == {"target_samples": 30, "seed": 7, "datasets[0].name": "sources/news.jsonl",
                                "datasets[0].weight": 3, "datasets[0].alias": "news",
                                "datasets[1].name": "sources/forum.jsonl", "datasets[1].weight": 1,
                                "datasets[1].alias": "forum"}
    folded = [b for b in iter_blocks(sec.blocks) if isinstance(b, Details)]
    assert [d.title for d in folded] == ["Resolved config: every setting, defaults included", "Package versions"]
    resolved = dict(folded[0].blocks[0].rows)
    assert resolved["unit"] == "docs" and resolved["workers"] == 1 and resolved["raw_folder"] == "raw"


def test_a_kind_with_only_its_card_gets_a_counts_chart(tmp_path):
    _, sec = render_one(make_wiki_redirects_run(tmp_path), "wiki-redirects")
    assert sec.status == "ok" and sec.title == "Wikipedia redirects"
    assert sec.chart_names() == ["run-counts"]
    assert dict(table_with(sec, "count").rows) == {"redirects": 1, "chains_followed": 0, "loops_dropped": 0}


def test_a_failed_run_shows_the_cards_error(tmp_path):
    _, sec = render_one(make_failed_clean(tmp_path), "clean")
    assert sec.status == "failed"
    assert sec.problems[0] == "failed: DataError: raw/news/raw_data.jsonl.gz: compressed stream is truncated"
    assert notes(sec)[0].startswith("Failed after ")
