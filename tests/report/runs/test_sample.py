"""Stage-1 sample: plan against kept per source, shortfalls, a killed run from its markers, tokens plans."""

from __future__ import annotations

import gzip
import json

from report_fixtures import (
    chart,
    column,
    make_interrupted_sample,
    make_sample_run,
    notes,
    render_one,
    table_with,
    write_card,
)

from corpuslab.report.build import build_report


def test_plan_vs_kept(tmp_path):
    _, sec = render_one(make_sample_run(tmp_path), "sample")
    assert sec.status == "ok" and not sec.problems
    t = table_with(sec, "quota")
    by = dict(zip(column(t, "source"), zip(column(t, "quota"), column(t, "kept"), column(t, "shortfall"),
                                           strict=True), strict=True))
    assert by == {"news": (22, 22, 0), "forum": (8, 5, 3)}
    assert column(t, "kept share") == [22 / 27, 5 / 27]
    assert chart(sec, "sample-plan-vs-kept").figure["data"][-1]["y"] == [22.0, 5.0]
    assert "27 documents kept of a target of 30, seed 7." in notes(sec)
    assert "Fewer records than their quota (all were taken): forum (3 short)" in notes(sec)


def test_killed_midway_shows_what_finished(tmp_path):
    _, sec = render_one(make_interrupted_sample(tmp_path), "sample")
    assert sec.status == "interrupted"
    text = " | ".join(sec.problems)
    assert "killed: the card says running" in text and "plan.json is missing" in text
    assert "temporary files left by an interrupted write" in text
    assert column(table_with(sec, "quota"), "source") == ["news"]  # from its completion marker


def test_truncated_shard_makes_a_finished_run_incomplete(tmp_path):
    raw = make_sample_run(tmp_path)
    p = raw / "news" / "raw_data.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        for i in range(3000):
            fh.write(json.dumps({"id": f"news/{i}", "text": f"{i} " * 40}) + "\n")
    data = p.read_bytes()
    p.write_bytes(data[:200])
    _, sec = render_one(raw, "sample")
    assert sec.status == "incomplete" and any("truncated or corrupt" in x for x in sec.problems)


def test_a_tokens_plan_compares_tokens(tmp_path):
    """A ``unit: tokens`` plan: quotas are tokens, so the page compares them with kept tokens, not documents."""
    out = tmp_path / "raw_tokens"
    out.mkdir()
    (out / "plan.json").write_text(json.dumps({
        "stage": "sample", "target_samples": 1000, "unit": "tokens", "seed": 1,
        "sources": [{"slug": "a", "name": "a", "weight": 1, "quota": 600, "seen": 50, "kept": 12, "kept_tokens": 601,
                     "shortfall": 0, "read_to_end": True, "complete": True, "output": "a/raw_data.jsonl.gz"},
                    {"slug": "b", "name": "b", "weight": 1, "quota": 400, "seen": 9, "kept": 9, "kept_tokens": 380,
                     "shortfall": 20, "read_to_end": True, "complete": True, "output": "b/raw_data.jsonl.gz"}]}))
    for s in ("a", "b"):
        (out / s).mkdir()
        with gzip.open(out / s / "raw_data.jsonl.gz", "wt") as fh:
            fh.write(json.dumps({"id": f"{s}/0", "text": "x", "metadata": {}}) + "\n")
    write_card(out, "sample", {"unit": "tokens"})
    _, sec = render_one(out, "sample")
    assert column(table_with(sec, "kept tokens"), "kept tokens") == [601, 380]
    assert chart(sec, "sample-plan-vs-kept").figure["data"][-1]["y"] == [601.0, 380.0]
    assert "981 tokens kept of a target of 1,000, seed 1." in notes(sec)


def test_compare_kept_shares(tmp_path):
    a, b = make_sample_run(tmp_path / "a"), make_sample_run(tmp_path / "b")
    (cmp,) = build_report([a, b], None, labels=["A", "B"]).comparisons
    fig = chart(cmp, "compare-sample-shares").figure
    assert [t["name"] for t in fig["data"]] == ["A", "B"] and fig["data"][0]["y"] == [22 / 27, 5 / 27]
