"""A folder's runs come from run cards: kind from the card, status checked against the machine, sub-folders
searched when there is no card, bookkeeping folders skipped."""

from __future__ import annotations

import json
import os

import pytest
from report_fixtures import (
    DEAD_PID,
    make_clean_run,
    make_interrupted_sample,
    make_overlap_run,
    make_quickstart_run,
    make_sample_run,
    make_synth_run,
    make_wiki_redirects_run,
    write_card,
)

from corpuslab.core.runinfo import host_name
from corpuslab.report.discover import NOT_RUNS, card_status, find_runs, output_of, pid_alive, run_at


def _card(**fields):
    return {"kind": "clean", "status": "running", "host": host_name(), "pid": os.getpid(), "started": "t0",
            "error": None, **fields}


def test_a_folder_with_a_card_is_one_run_of_its_kind(tmp_path):
    out = make_overlap_run(tmp_path)
    (out / "plan.json").write_text("{}")  # file names no longer decide anything
    runs = find_runs(out)
    assert [(r.kind, r.path, r.status) for r in runs] == [("overlap-train", out, "ok")]
    assert runs[0].card["counts"] == {"evaluations": 5}


def test_a_folder_of_artefacts_without_a_card_is_not_a_run(tmp_path):
    out = make_clean_run(tmp_path)
    (out / "run.json").unlink()
    assert find_runs(out) == [] and find_runs(tmp_path) == []


def test_a_folder_without_a_card_is_searched_two_levels_down(tmp_path):
    a = make_clean_run(tmp_path / "exp", "cleaned")
    b = make_overlap_run(tmp_path / "exp" / "week1")
    too_deep = make_overlap_run(tmp_path / "exp" / "week1" / "extra", "overlap_deep")
    assert too_deep.exists()
    assert {r.path for r in find_runs(tmp_path / "exp")} == {a, b}
    assert {r.path for r in find_runs(tmp_path / "exp", depth=3)} == {a, b, too_deep}


@pytest.mark.parametrize("folder", ["_complete", "_rejected", "_tags", "final_model", "tokenizer", ".hidden"])
def test_bookkeeping_folders_are_not_searched(tmp_path, folder):
    assert folder in NOT_RUNS or folder.startswith(".")
    make_overlap_run(tmp_path / "exp" / folder, "inside")
    assert find_runs(tmp_path / "exp") == []


def test_a_card_stops_the_search_except_in_a_container(tmp_path):
    clean = make_clean_run(tmp_path)
    make_overlap_run(clean, "nested")  # a run inside a run that is no container: not shown
    assert [r.kind for r in find_runs(clean)] == ["clean"]
    qs = make_quickstart_run(tmp_path)
    assert [(r.kind, r.path.name) for r in find_runs(qs)] == [("quickstart", "quickstart"), ("sample", "raw")]
    synth = make_synth_run(tmp_path)
    assert [(r.kind, r.path.name) for r in find_runs(synth)] == [
        ("anatomy-synth", "synth"), ("anatomy-evaluate", "evaluation"), ("anatomy-labelshift", "labelshift")]


def test_a_single_file_output_is_found_by_the_card_beside_it(tmp_path):
    table = make_wiki_redirects_run(tmp_path)
    assert output_of(table.with_name(table.name + ".run.json")) == table
    for given in (table, table.with_name(table.name + ".run.json")):
        run = run_at(given)
        assert run is not None and (run.kind, run.path) == ("wiki-redirects", table)
    assert [(r.kind, r.path) for r in find_runs(tmp_path)] == [("wiki-redirects", table)]
    table.unlink()  # killed before the file was written: the card still names it
    assert run_at(table).kind == "wiki-redirects"


def test_an_unreadable_card_is_an_error_not_a_silent_skip(tmp_path):
    out = make_clean_run(tmp_path)
    (out / "run.json").write_text('{"schema": "corpuslab-run-v1", "kind": "cle', encoding="utf-8")
    runs = find_runs(tmp_path)
    assert [(r.path, r.status) for r in runs] == [(out, "error")]
    assert "run.json is unreadable" in runs[0].problems[0]


def test_card_status_done_failed_interrupted():
    assert card_status(_card(status="done")) == ("ok", None)
    assert card_status(_card(status="failed", error="DataError: boom")) == ("failed", "failed: DataError: boom")
    assert card_status(_card(status="interrupted", error="interrupted by the user")) == (
        "interrupted", "interrupted: interrupted by the user")


def test_card_status_running_is_checked_against_the_process():
    status, said = card_status(_card())  # this very process: alive
    assert status == "running" and f"pid {os.getpid()}" in said
    status, said = card_status(_card(pid=DEAD_PID))
    assert status == "interrupted" and "killed" in said and f"pid {DEAD_PID}" in said
    assert "corpuslab clean" in said  # what to re-run
    assert not pid_alive(DEAD_PID) and pid_alive(os.getpid())


def test_card_status_running_on_another_host_cannot_be_checked():
    status, said = card_status(_card(host="elsewhere-" + host_name(), pid=os.getpid()))
    assert status == "interrupted" and said.startswith("running or interrupted") and "elsewhere-" in said


def test_a_killed_run_shows_its_card_status_and_leftover_temp_files(tmp_path):
    out = make_interrupted_sample(tmp_path)
    (run,) = find_runs(out)
    assert run.status == "interrupted"
    assert run.problems[0].startswith("killed: the card says running")
    assert run.problems[1] == "temporary files left by an interrupted write: forum/.tmp-999-raw_data.jsonl.gz"
    assert "plan.json is missing: stage 1 stopped before every source was sampled (1 source(s) marked complete)" \
        in run.problems[2]


def test_leftover_temp_files_are_reported_for_a_finished_run_too(tmp_path):
    out = make_sample_run(tmp_path)
    (out / "news" / ".tmp-1-raw_data.jsonl.gz").write_bytes(b"")
    (run,) = find_runs(out)
    assert run.status == "ok" and run.problems == [
        "temporary files left by an interrupted write: news/.tmp-1-raw_data.jsonl.gz"]


def test_a_reader_bug_becomes_a_problem_not_a_crash(tmp_path, monkeypatch):
    from corpuslab.report.runs import overlap

    def boom(path, card):
        raise KeyError("steps")

    monkeypatch.setattr(overlap, "load", boom)
    (run,) = find_runs(make_overlap_run(tmp_path))
    assert run.kind == "overlap-train" and "its artefacts could not be read: KeyError: 'steps'" in run.problems


def test_an_unknown_kind_still_shows_its_card(tmp_path):
    out = tmp_path / "future"
    out.mkdir()
    write_card(out, "tokenize", counts={"tokens": 10})
    (run,) = find_runs(out)
    assert run.kind == "tokenize" and run.status == "ok"
    assert json.loads((out / "run.json").read_text())["kind"] == "tokenize"
