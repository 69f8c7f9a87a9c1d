"""The quickstart folder (``quickstart.json``): which steps ran, how long each took, what each produced.

A container run: its steps' own folders (raw, cleaned, overlap, anatomy) are found and shown beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpuslab.report.artefacts import read_json_tolerant
from corpuslab.report.blocks import Block, Note, Run, Table
from corpuslab.report.charts import ChartStyle, bar_chart

STATE_FILE = "quickstart.json"


def load(path: Path, card: dict[str, Any]) -> Run:
    problems: list[str] = []
    state = read_json_tolerant(path / STATE_FILE, problems)
    state = state if isinstance(state, dict) else {}
    steps = [s for s in state.get("steps", []) if isinstance(s, dict)]
    if state and not state.get("finished"):
        pending = [s.get("name") for s in steps if s.get("status") == "pending"]
        problems.append("the quickstart stopped before it finished" +
                        (f" (not run: {', '.join(map(str, pending))})" if pending else ""))
    return Run(path, card["kind"], card, {"steps": steps, "truth": state.get("true_mixture") or {}},
               problems=problems)


def render(run: Run) -> list[Block]:
    steps = run.data["steps"]
    if not steps:
        return [Note("No step has run yet.", "warn")]
    blocks: list[Block] = []
    failed = [s for s in steps if s.get("status") == "failed"]
    skipped = [s for s in steps if s.get("status") == "skipped"]
    if failed:
        blocks.append(Note("Failed: " + "; ".join(f"{s['name']}: {s.get('error') or s.get('note')}" for s in failed),
                           "error"))
    if skipped:
        blocks.append(Note("Skipped: " + "; ".join(f"{s['name']} ({s.get('note')})" for s in skipped), "warn"))
    total = sum(float(s.get("seconds") or 0) for s in steps)
    blocks.append(Note(f"sample → clean + dedup → fine-tune a tiny model with fingerprint tracking → estimate its "
                       f"training mixture → this page; {total:.0f} s in all. The sections below are the runs each "
                       "step wrote."))
    chart = bar_chart("quickstart-step-seconds", "Seconds per step", [s["name"] for s in steps],
                      {"seconds": [s.get("seconds") for s in steps]},
                      ChartStyle(horizontal=True, height=max(240, 60 + 30 * len(steps))))
    table = Table(["step", "status", "seconds", "result"],
                  [[s.get("name"), s.get("status"), s.get("seconds"), s.get("note") or s.get("output")] for s in steps],
                  formats={"seconds": ".1f"})
    blocks += [table, chart]  # the results are sentences: the table gets the full width
    blocks.append(Note("Read the mixture estimate with care: the model is a 260k-parameter TinyStories model "
                       "fine-tuned for a few dozen steps, so its generations say little about its training data "
                       "yet. `corpuslab anatomy synth` is the estimators' real validation benchmark.", "info"))
    return blocks

