"""Each run type is detected and rendered with the right numbers; bad input becomes a section, not a crash."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from report_fixtures import (
    make_all,
    make_anatomy_run,
    make_clean_run,
    make_interrupted_sample,
    make_leia_run,
    make_minkpp_run,
    make_overlap_run,
    make_revert_run,
    make_sample_run,
)

from corpuslab.report import build_report, detect_runs, find_runs, render_run
from corpuslab.report.model import Chart, Note, Table, iter_blocks


def _tables(section) -> list[Table]:
    return [b for b in iter_blocks(section.blocks) if isinstance(b, Table)]


def _table_with(section, column: str) -> Table:
    return next(t for t in _tables(section) if column in t.columns)


def _col(table: Table, column: str) -> list:
    i = table.columns.index(column)
    return [r[i] for r in table.rows]


def _one(path: Path, kind: str):
    runs = detect_runs(path)
    assert [r.run_type for r in runs] == [kind]
    run = runs[0]
    run.label = path.name
    return run, render_run(run)


def test_report_sample_plan_vs_kept(tmp_path):
    raw = make_sample_run(tmp_path, target=30)
    run, sec = _one(raw, "sample")
    assert sec.status == "ok" and not sec.problems
    t = _table_with(sec, "quota")
    by = dict(zip(_col(t, "source"), zip(_col(t, "quota"), _col(t, "kept"), _col(t, "shortfall"), strict=True),
                  strict=True))
    # weights 3:1 of 30 → quotas 22.5/7.5 rounded by largest remainder; forum only has 5 records
    quota_forum = by["forum"][0]
    assert by["news"][0] + quota_forum == 30 and quota_forum in (7, 8)
    assert by["forum"] == (quota_forum, 5, quota_forum - 5) and by["news"][1] == 30 - quota_forum
    assert "sample-plan-vs-kept" in sec.chart_names()
    assert any(isinstance(b, Note) and f"forum ({quota_forum - 5} short)" in b.text for b in iter_blocks(sec.blocks))


def test_report_clean_funnel_and_rejected(tmp_path):
    run, sec = _one(make_clean_run(tmp_path), "clean")
    t = _table_with(sec, "docs out")
    assert _col(t, "step") == ["input", "gopher_quality", "minhash_dedup"]
    assert _col(t, "dropped") == [0, 20, 8]
    reasons = _table_with(sec, "metric min")
    assert _col(reasons, "reason")[0] == "gopher_quality:gopher_short_document"
    assert reasons.rows[0][1:] == [12, 3, 20, 49]
    assert {"clean-funnel", "clean-drop-reasons", "clean-funnel-per-source", "clean-per-source"} <= set(
        sec.chart_names())
    heat = next(b for b in iter_blocks(sec.blocks) if isinstance(b, Chart) and b.name == "clean-funnel-per-source")
    assert heat.figure["data"][0]["y"] == ["news", "forum"]
    assert heat.figure["data"][0]["z"][1] == pytest.approx([1.0, 14 / 25, 12 / 25])
    per_src = _table_with(sec, "chars in")
    assert per_src.rows[1][:4] == ["forum", 25, 12, pytest.approx(0.48)]
    assert any("72 of 100 documents kept" in b.text for b in iter_blocks(sec.blocks) if isinstance(b, Note))
    ex = [b for b in iter_blocks(sec.blocks) if type(b).__name__ == "Examples"]
    assert ex and ex[0].items[0][0] == "forum · gopher_quality:gopher_short_document = 3"


def test_report_clean_real_stage2_run(tmp_path):
    """The real stage 2 (corpuslab.clean.run_clean) on the real stage-1 fixture: the page shows its funnel."""
    from corpuslab.clean.runner import run_clean

    raw = make_sample_run(tmp_path, target=30)
    res = run_clean({"filtering": {"min_length": 10, "gopher_repetition": {}},
                     "dedup": {"exact": True}}, raw, tmp_path / "cleaned", keep_rejected=True, progress=False)
    run, sec = _one(tmp_path / "cleaned", "clean")
    assert sec.status == "ok", sec.problems
    t = _table_with(sec, "docs out")
    assert _col(t, "step") == [e["step"] for e in res.stats["funnel"]]
    assert _col(t, "docs out") == [e["docs_out"] for e in res.stats["funnel"]]
    per_src = _table_with(sec, "chars in")
    assert dict(zip(_col(per_src, "source"), _col(per_src, "docs out"), strict=True)) == \
        res.stats["output"]["by_source"]


def test_report_overlap_summary_numbers(tmp_path):
    run, sec = _one(make_overlap_run(tmp_path, decay=0.15, steps=5), "overlap")
    summ = _table_with(sec, "decrease / step")
    row = dict(zip(summ.columns, summ.rows[0], strict=True))
    assert row["first overlap"] == 1.0 and row["last overlap"] == pytest.approx(0.4)
    assert row["decrease / step"] == pytest.approx(0.6 / 40)
    assert row["first step < 0.5"] == 40 and row["chance k/V"] == pytest.approx(50 / 512)


def test_report_overlap_killed_midway(tmp_path):
    run, sec = _one(make_overlap_run(tmp_path, steps=3, finished=False), "overlap")
    assert sec.status == "interrupted"
    assert "training stopped before the end: last evaluation at step 20 of 100" in sec.problems[0]
    assert _col(_table_with(sec, "mean"), "step") == [0, 10, 20]


def test_report_overlap_csv_only_is_interrupted(tmp_path):
    out = make_overlap_run(tmp_path)
    (out / "overlap_results.json").unlink()
    run, sec = _one(out, "overlap")
    assert sec.status == "interrupted" and "overlap_results.json is missing" in sec.problems[0]
    assert _col(_table_with(sec, "mean"), "mean") == [1.0, 0.9, 0.8, 0.7, 0.6]


def test_report_anatomy_estimated_vs_true(tmp_path):
    import json

    from report_fixtures import TRUE_MIX

    from corpuslab.anatomy.evaluate import score_mixture

    out = make_anatomy_run(tmp_path)
    run, sec = _one(out, "anatomy")
    summary = json.loads((out / "summary.json").read_text())
    acc = _table_with(sec, "accuracy (1 − ½·Σ|e−g|)")
    got = {r[0]: r[1] for r in acc.rows}
    for m in ("bbse", "em"):  # the page's accuracy is the evaluator's, on the point estimate
        assert got[m] == pytest.approx(score_mixture(summary["priors"][m]["point"], TRUE_MIX).accuracy)
    assert got["bbse"] > 0.9 > got["uniform guess"]
    assert got["uniform guess"] == pytest.approx(1 - 0.5 * (abs(1 / 3 - .5) + 2 * abs(1 / 3 - .25)))
    mix = _table_with(sec, "truth")
    assert dict(zip(_col(mix, "category"), _col(mix, "truth"), strict=True)) == pytest.approx(TRUE_MIX)
    assert {"anatomy-mixture", "anatomy-confusion"} <= set(sec.chart_names())
    chart = next(b for b in iter_blocks(sec.blocks) if isinstance(b, Chart) and b.name == "anatomy-mixture")
    assert [t["name"] for t in chart.figure["data"]] == ["true mixture", "bbse", "em"]
    assert "error_y" in chart.figure["data"][1]
    ev = _table_with(sec, "within tolerance")
    assert {r[1] for r in ev.rows} == {"bbse", "em", "uniform"}


def test_report_anatomy_minkpp(tmp_path):
    run, sec = _one(make_minkpp_run(tmp_path), "anatomy")
    t = _table_with(sec, "minkpp")
    assert dict(zip(_col(t, "category"), _col(t, "minkpp"), strict=True)) == {"web": 0.4, "wikipedia": 0.4, "books": 0.2}


def test_report_leia_build_and_eval(tmp_path):
    run, sec = _one(make_leia_run(tmp_path), "leia")
    links = _table_with(sec, "of seen")
    assert dict(zip(_col(links, "count"), _col(links, "of seen"), strict=True)) == {
        "links seen": 1.0, "links resolved": 0.7, "links kept": 0.68, "links inserted": 0.34}
    acc = _table_with(sec, "task/language")
    assert dict(zip(_col(acc, "task/language"), _col(acc, "accuracy"), strict=True)) == {"xcodah/en": 0.62,
                                                                                       "xcodah/ja": 0.41}
    assert _col(acc, "CI low") == [0.55, 0.34] and _col(acc, "chance") == [0.25, 0.25]
    reasons = _table_with(sec, "reason")
    assert reasons.rows[0] == ["no_qid", 200]
    assert {"leia-links", "leia-drop-reasons", "leia-accuracy"} <= set(sec.chart_names())


def test_report_leia_build_interrupted(tmp_path):
    out = tmp_path / "leia_build"
    out.mkdir()
    (out / "tokens.parquet").write_bytes(b"PAR1")
    run, sec = _one(out, "leia")
    assert sec.status == "interrupted" and "report.json is missing" in sec.problems[0]


def test_report_revert_metrics(tmp_path):
    import json

    out = make_revert_run(tmp_path)
    m = json.loads((out / "metrics.json").read_text())
    run, sec = _one(out, "revert")
    lang = next(t for t in _tables(sec) if "group" in t.columns and "en" in _col(t, "group"))
    aucs = dict(zip(_col(lang, "group"), _col(lang, "roc_auc"), strict=True))
    assert aucs == {"en": m["per_language"]["en"]["roc_auc"], "ja": m["per_language"]["ja"]["roc_auc"]}
    assert aucs["en"] > aucs["ja"]
    users = next(t for t in _tables(sec) if "group" in t.columns and "anonymous" in _col(t, "group"))
    assert _col(users, "roc_auc") == [m["by_user_type"]["anonymous"]["roc_auc"],
                                      m["by_user_type"]["registered"]["roc_auc"]]
    overall = next(t for t in _tables(sec) if t.columns[0] == "")
    assert _col(overall, "") == ["model", "logistic regression", "score = is_anonymous"]
    assert {"revert-per-language", "revert-user-type"} <= set(sec.chart_names())
    chart = next(b for b in iter_blocks(sec.blocks) if isinstance(b, Chart) and b.name == "revert-per-language")
    assert [t["name"] for t in chart.figure["data"]] == ["ROC AUC", "PR AUC", "logistic regression ROC AUC"]
    di = m["disparate_impact"]["ratio"]
    assert any(f"disparate impact (anonymous / registered) {di:.3f}" in b.text
               for b in iter_blocks(sec.blocks) if isinstance(b, Note))


def test_report_interrupted_sample_says_so(tmp_path):
    out = make_interrupted_sample(tmp_path)
    run, sec = _one(out, "sample")
    assert sec.status == "interrupted"
    text = " | ".join(sec.problems)
    assert "plan.json is missing" in text and "forum/raw_data.jsonl.gz is missing" in text
    assert "temporary files left by an interrupted write" in text
    # what did complete is still shown
    assert "news" in _col(_table_with(sec, "quota"), "source")


def test_report_truncated_shard_and_corrupt_json(tmp_path):
    raw = make_sample_run(tmp_path)
    data = (raw / "news" / "raw_data.jsonl.gz").read_bytes()
    (raw / "news" / "raw_data.jsonl.gz").write_bytes(data[: len(data) // 2])
    run, sec = _one(raw, "sample")
    assert sec.status == "interrupted" and any("truncated or corrupt" in p for p in sec.problems)
    ov = make_overlap_run(tmp_path)
    (ov / "overlap_results.json").write_text('{"steps": [', encoding="utf-8")
    run, sec = _one(ov, "overlap")
    assert sec.status == "interrupted" and "not valid JSON" in sec.problems[0]


def test_report_page_with_bad_input_never_fails(tmp_path):
    runs = make_all(tmp_path)
    rep = build_report([runs["sample"], runs["unrecognised"], runs["interrupted"], tmp_path / "missing"],
                       tmp_path / "r.html")
    status = [(s.run_type, s.status) for s in rep.sections]
    assert ("sample", "ok") in status and ("sample", "interrupted") in status
    assert ("unrecognised", "unrecognised") in status and ("missing", "missing") in status
    page = rep.path.read_text(encoding="utf-8")
    assert "Not a recognised corpuslab run" in page and "This run looks interrupted" in page
    assert "no such folder" in page


def test_report_experiment_folder_is_searched(tmp_path):
    runs = make_all(tmp_path / "exp")
    found = {r.run_type for r in find_runs(tmp_path / "exp")}
    assert found == {"sample", "clean", "overlap", "anatomy", "leia", "revert"}
    rep = build_report([tmp_path / "exp"], tmp_path / "r.html")
    labels = [s.label for s in rep.sections]
    assert "exp/raw" in labels and "exp/killed/raw" in labels
    kinds = [s.run_type for s in rep.sections if s.status != "unrecognised"]
    assert kinds == sorted(kinds, key=["sample", "clean", "overlap", "anatomy", "leia", "revert"].index)
    assert runs


def test_report_comparisons(tmp_path):
    a = make_overlap_run(tmp_path, "en", decay=0.1)
    b = make_overlap_run(tmp_path, "ja", decay=0.2)
    rep = build_report([a, b], tmp_path / "r.html")
    assert [c.run_type for c in rep.comparisons] == ["compare-overlap"]
    chart = next(x for x in iter_blocks(rep.comparisons[0].blocks) if isinstance(x, Chart))
    assert [t["name"] for t in chart.figure["data"]] == ["en", "ja"]
    assert chart.figure["data"][1]["y"][-1] == pytest.approx(0.2)


def test_report_renderer_bug_gives_error_section(tmp_path, monkeypatch):
    from corpuslab.report.registry import run_types

    rt = run_types()["overlap"]

    def boom(run):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(rt, "render", boom)
    rep = build_report([make_overlap_run(tmp_path)], tmp_path / "r.html")
    assert rep.sections[0].status == "error" and "ZeroDivisionError: boom" in rep.sections[0].problems[-1]


def test_report_raw_gz_examples_escape_html(tmp_path):
    raw = make_sample_run(tmp_path)
    p = raw / "news" / "raw_data.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "news/0", "text": "</script><script>alert(1)</script>", "metadata": {}}) + "\n")
    rep = build_report([raw], tmp_path / "r.html")
    page = rep.path.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;/script&gt;&lt;script&gt;alert(1)" in page


def test_report_sample_in_tokens_compares_tokens(tmp_path):
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
    run, sec = _one(out, "sample")
    t = _table_with(sec, "kept tokens")
    assert _col(t, "kept tokens") == [601, 380]
    chart = next(b for b in iter_blocks(sec.blocks) if isinstance(b, Chart))
    assert chart.figure["data"][-1]["y"] == [601.0, 380.0]
    assert any("981 tokens kept of a target of 1,000" in b.text for b in iter_blocks(sec.blocks) if isinstance(b, Note))


def test_report_side_by_side_comparisons_for_every_kind(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        make_clean_run(root)
        make_leia_run(root)
        make_revert_run(root)
        make_anatomy_run(root)
    rep = build_report([a, b], tmp_path / "r.html", labels=["run A", "run B"])
    kinds = [c.run_type for c in rep.comparisons]
    assert kinds == ["compare-clean", "compare-anatomy", "compare-leia", "compare-revert"]
    for c in rep.comparisons:
        chart = next(x for x in iter_blocks(c.blocks) if isinstance(x, Chart))
        names = [t["name"] for t in chart.figure["data"]]
        assert any(n.startswith("run A") for n in names) and any(n.startswith("run B") for n in names), names
    # the grid shows the two runs' sections side by side, in the data flow's order within each folder
    assert [(s.label, s.run_type) for s in rep.sections][:4] == [
        ("run A/cleaned", "clean"), ("run A/anatomy", "anatomy"), ("run A/leia", "leia"), ("run A/revert_eval", "revert")]


def test_report_anatomy_evaluation_folder_alone(tmp_path):
    out = make_anatomy_run(tmp_path)
    run, sec = _one(out / "evaluation", "anatomy")
    mix = _table_with(sec, "truth")
    assert {"anatomy/bbse", "anatomy/em"} <= set(mix.columns)


def test_report_anatomy_synth_experiment(tmp_path):
    """An ``anatomy synth`` folder: its own section (truth, estimates, accuracy, AUROC) and its estimator runs,
    which take the truth from the experiment's evaluation."""
    import shutil

    from report_fixtures import TRUE_MIX

    exp = tmp_path / "synth"
    ls = make_anatomy_run(tmp_path)  # labelshift summary + evaluation/ scored against TRUE_MIX
    exp.mkdir()
    shutil.move(str(ls), exp / "labelshift")
    shutil.move(str(exp / "labelshift" / "evaluation"), exp / "evaluation")
    (exp / "synth.json").write_text(json.dumps({
        "true_mixture": TRUE_MIX, "estimates": {"labelshift/bbse": {"web": 0.5, "wikipedia": 0.3, "books": 0.2}},
        "accuracy": {"labelshift/bbse": 0.95}, "uniform_accuracy": 0.8333,
        "auroc": {"pooled": {"minkpp": 0.7, "mink": 0.65, "loss": 0.6},
                  "macro": {"minkpp": 0.72, "mink": 0.66, "loss": 0.61}},
        "train": {"params": 123456}}))
    rep = build_report([exp], tmp_path / "r.html")
    assert [(s.label, s.run_type) for s in rep.sections] == [
        ("synth", "anatomy-synth"), ("synth/evaluation", "anatomy"), ("synth/labelshift", "anatomy")]
    synth = rep.sections[0]
    assert dict(_table_with(synth, "estimate").rows) == {"labelshift/bbse": 0.95, "uniform guess": 0.8333}
    assert _col(_table_with(synth, "AUROC (pooled)"), "AUROC (per category, macro)") == [0.72, 0.66, 0.61]
    est = rep.sections[2]
    assert dict(zip(_col(_table_with(est, "truth"), "category"), _col(_table_with(est, "truth"), "truth"),
                    strict=True)) == pytest.approx(TRUE_MIX)
