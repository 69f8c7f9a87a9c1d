"""The page's sections: runs in the data flow's order with readable labels, comparisons per kind, and bad
input (missing folder, folder without cards, renderer bug) as a section of its own, never a failed page."""

from __future__ import annotations

import pytest
from report_fixtures import (
    make_all,
    make_anatomy_run,
    make_clean_run,
    make_leia_eval_run,
    make_overlap_run,
    make_revert_eval_run,
    make_sample_run,
)

from corpuslab.core.errors import ConfigError
from corpuslab.report.blocks import Chart, iter_blocks
from corpuslab.report.build import build_report, collect_runs, run_report
from corpuslab.report.config import ReportConfig
from corpuslab.report.renderers import RENDERERS


def test_an_experiment_folder_lists_its_runs_in_the_data_flows_order(tmp_path):
    make_all(tmp_path / "exp")
    rep = build_report([tmp_path / "exp"], tmp_path / "r.html")
    kinds = [s.kind for s in rep.sections]
    order = list(RENDERERS)
    assert kinds == sorted(kinds, key=order.index)
    assert set(kinds) == set(RENDERERS)
    labels = [s.label for s in rep.sections]
    assert "exp/raw" in labels and "exp/killed/raw" in labels and "exp/quickstart/raw" in labels
    assert "exp/tables/ja-redirects.tsv" in labels
    by_label = {s.label: s.status for s in rep.sections}
    assert by_label["exp/killed/raw"] == "interrupted" and by_label["exp/cleaned_failed"] == "failed"
    assert not any(s.status == "unrecognised" for s in rep.sections)  # not_a_run is a sub-folder: just skipped


def test_a_folder_without_cards_is_not_recognised_and_says_which_commands_write_them(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("x")
    rep = build_report([empty], None)
    (sec,) = rep.sections
    assert (sec.kind, sec.status) == ("unrecognised", "unrecognised")
    assert "no run card (run.json) here or in its sub-folders, 2 levels down (contents: notes.txt)" in sec.problems[0]
    hint = sec.blocks[0]
    assert hint.columns == ["kind", "written by", "shown as"] and len(hint.rows) == len(RENDERERS)
    assert ["revert-collect", "corpuslab revert collect", "Revert: collected revisions"] in hint.rows


def test_missing_paths_and_files_without_cards(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("x")
    rep = build_report([tmp_path / "nope", f], None)
    assert [(s.kind, s.status) for s in rep.sections] == [("missing", "missing"), ("unrecognised", "unrecognised")]
    assert "no such folder" in rep.sections[0].problems[0]
    assert "a file without a run card beside it (notes.txt.run.json)" in rep.sections[1].problems[0]


def test_labels_one_per_folder(tmp_path):
    a, b = make_overlap_run(tmp_path / "a"), make_overlap_run(tmp_path / "b")
    runs, _ = collect_runs([a, b], ["English", "Japanese"])
    assert [r.label for r in runs] == ["English", "Japanese"]
    runs, _ = collect_runs([a, b])  # same folder name twice: the parent's name tells them apart
    assert [r.label for r in runs] == ["a/overlap_en", "b/overlap_en"]
    with pytest.raises(ConfigError, match="--label given 1 time"):
        collect_runs([a, b], ["x"])


def test_a_damaged_artefact_of_a_finished_run_is_incomplete(tmp_path):
    out = make_overlap_run(tmp_path)
    (out / "overlap_results.json").write_text('{"steps": [', encoding="utf-8")
    (sec,) = build_report([out], None).sections
    assert sec.status == "incomplete" and "not valid JSON" in sec.problems[0]
    assert sec.chart_names()[0] == "overlap-curve"  # the curve still comes from overlap_summary.csv


def test_a_renderer_bug_gives_an_error_section_with_the_card(tmp_path, monkeypatch):
    from corpuslab.report.runs import overlap

    def boom(run):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(overlap, "render", boom)
    (sec,) = build_report([make_overlap_run(tmp_path)], None).sections
    assert sec.status == "error" and sec.problems[-1] == "ZeroDivisionError: boom"
    assert any(getattr(b, "text", "") == "Run card" for b in sec.blocks)


def test_comparisons_one_per_kind_with_two_runs_or_more(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root, shift in ((a, 0.0), (b, 0.1)):
        make_sample_run(root)
        make_clean_run(root)
        make_overlap_run(root, decay=0.1 + shift)
        make_anatomy_run(root)
        make_leia_eval_run(root, en=0.62 - shift)
        make_revert_eval_run(root, en_auc=0.99 - shift)
    rep = build_report([a, b], tmp_path / "r.html", labels=["run A", "run B"])
    assert [c.kind for c in rep.comparisons] == ["compare-sample", "compare-clean", "compare-leia-eval",
                                                 "compare-overlap-train", "compare-anatomy-labelshift",
                                                 "compare-revert-eval"]
    for c in rep.comparisons:
        drawn = next(x for x in iter_blocks(c.blocks) if isinstance(x, Chart))
        names = [t["name"] for t in drawn.figure["data"]]
        assert any(n.startswith("run A") for n in names) and any(n.startswith("run B") for n in names), names
    overlap = next(c for c in rep.comparisons if c.kind == "compare-overlap-train")
    curves = next(x for x in iter_blocks(overlap.blocks) if isinstance(x, Chart)).figure["data"]
    assert curves[1]["y"][-1] == pytest.approx(1 - 0.2 * 4)


def test_run_report_takes_the_config(tmp_path):
    out = make_overlap_run(tmp_path)
    rep = run_report(ReportConfig(run_dirs=[str(out)], output=str(tmp_path / "p.html"), label=["en"], title="T"))
    assert rep.path.exists() and rep.sections[0].label == "en" and "<title>T</title>" in rep.html
