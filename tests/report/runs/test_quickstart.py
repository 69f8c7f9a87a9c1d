"""The quickstart folder: its steps, and its steps' runs beside it; a quickstart killed midway says so."""

from __future__ import annotations

import json

from report_fixtures import DEAD_PID, column, make_quickstart_run, table_with, write_card

from corpuslab.report.build import build_report


def test_steps_and_the_runs_they_wrote(tmp_path):
    rep = build_report([make_quickstart_run(tmp_path)], None)
    assert [(s.kind, s.status, s.label) for s in rep.sections] == [("quickstart", "ok", "quickstart"),
                                                                  ("sample", "ok", "quickstart/raw")]
    steps = table_with(rep.sections[0], "seconds")
    assert column(steps, "step") == ["sample", "clean + dedup", "report"] and column(steps, "seconds") == [1.5, 2, .5]


def test_killed_after_two_steps(tmp_path):
    out = make_quickstart_run(tmp_path)
    steps = [{"name": n, "status": st, "seconds": 1.0, "output": "", "note": "", "error": ""}
             for n, st in (("sample", "done"), ("clean + dedup", "failed"), ("fine-tune + fingerprints", "pending"))]
    steps[1]["error"] = "DataError: boom"
    (out / "quickstart.json").write_text(json.dumps({"workflow": "quickstart", "finished": False, "steps": steps}))
    write_card(out, "quickstart", status="running", pid=DEAD_PID)
    rep = build_report([out], None)
    assert [(s.kind, s.status) for s in rep.sections] == [("quickstart", "interrupted"), ("sample", "ok")]
    assert "the quickstart stopped before it finished (not run: fine-tune + fingerprints)" in rep.sections[0].problems
    assert "Failed: clean + dedup: DataError: boom" in rep.html
