"""Stages whose result is one summary JSON (``collect.json``, ``train_report.json``, …): its numbers as tables.

The shape is read generically, so a new key in a stage's summary shows up without a change here: scalars
go in one table; a mapping of numbers (counts, drop reasons) becomes a table and a bar chart; a mapping of
rows (per language) a table with a bar chart of its first numeric column; a list of numbers (losses) a
line; a list of rows (a comparison's runs) a table. Settings are left out: the run card shows the config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpuslab.report.artefacts import read_result, to_float
from corpuslab.report.blocks import Block, Heading, Note, Row, Run, Table
from corpuslab.report.charts import ChartStyle, bar_chart, line_chart

#: run kind → the summary its stage writes beside its outputs (none: the run card is all there is; a
#: single-file JSON output, ``overlap score -o scores.json``, is its own summary)
SUMMARY_FILES = {
    "wiki-extract": "report.json",
    "wiki-wikidata": "wikidata-report.json",
    "leia-train": "train_report.json",
    "overlap-compare": "comparison.json",
    "anatomy-fetch-samples": "samples.json",
    "revert-collect": "collect.json",
    "revert-prepare": "prepare.json",
    "revert-tune": "tune.json",
    "revert-features": "features.json",
    "revert-train": "model.json",
}
#: keys that repeat the config or the provenance the run card already shows
SETTINGS_KEYS = {"config", "hyperparameters", "run", "versions", "created", "host", "python", "corpuslab"}
#: longest list of scalars shown inline (feature names, input files)
INLINE_ITEMS = 12
MAX_DEPTH = 2


def load(path: Path, card: dict[str, Any]) -> Run:
    problems: list[str] = []
    if path.suffix == ".json" and not path.is_dir():  # a single-file JSON output is its own summary
        source: Path | None = path
    else:
        name = SUMMARY_FILES.get(card["kind"])
        source = path / name if name else None
    summary = read_result(source, card, problems, "not written yet") if source is not None else None
    return Run(path, card["kind"], card, {"file": source.name if source else None,
                                          "summary": summary if isinstance(summary, dict) else None},
               problems=problems)


def render(run: Run) -> list[Block]:
    summary, name = run.data["summary"], run.data["file"]
    if summary is None:
        return [Note(f"No {name} yet.", "warn")] if name else []
    return structure_blocks(name, summary, f"summary-{run.kind}")


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _shape(key: str, v: Any) -> str:
    """How a summary value is shown: scalar, inline (a short list), series, records, mapping, warnings or skip."""
    if key in SETTINGS_KEYS:
        return "skip"
    if _is_scalar(v):
        return "scalar"
    if isinstance(v, list) and all(_is_scalar(x) for x in v):
        if key == "warnings":
            return "warnings"
        numeric = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
        return "series" if numeric and len(v) > INLINE_ITEMS else "inline"
    if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
        return "records"
    return "mapping" if isinstance(v, dict) and v else "skip"


def _inline(v: list[Any]) -> str:
    shown = ", ".join(str(x) for x in v[:INLINE_ITEMS])
    return shown + (f" … ({len(v)} in all)" if len(v) > INLINE_ITEMS else "")


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    cols: list[str] = []
    for r in rows:
        cols += [c for c, v in r.items() if c not in cols and _is_scalar(v)]
    return cols


def structure_blocks(title: str, obj: dict[str, Any], chart_name: str, depth: int = 0) -> list[Block]:
    """Tables and charts for a summary mapping (see the module's docstring), nested mappings ``MAX_DEPTH`` deep."""
    shapes = {k: _shape(k, v) for k, v in obj.items()}
    scalars = [[k, _inline(v) if shapes[k] == "inline" else v] for k, v in obj.items()
               if shapes[k] in ("scalar", "inline")]
    blocks: list[Block] = [Note(str(w), "warn") for k, v in obj.items() if shapes[k] == "warnings" for w in v]
    if scalars:
        blocks.append(Table(["field", "value"], scalars, caption=title))
    for k, v in obj.items():
        name = f"{chart_name}-{k}"
        if shapes[k] == "series":
            blocks.append(line_chart(name, k, {k: (list(range(1, len(v) + 1)), v)},
                                     ChartStyle(x_title="entry", y_title=k)))
        elif shapes[k] == "records":
            cols = _columns(v)
            blocks += [Heading(k), Table(cols, [[x.get(c) for c in cols] for x in v])]
        elif shapes[k] == "mapping":
            blocks += _mapping_blocks(k, v, name, depth)
    return blocks


def _mapping_blocks(key: str, v: dict[str, Any], name: str, depth: int) -> list[Block]:
    """Numbers by name → bar chart + table; rows by name → table (+ chart); deeper mappings → recursed."""
    numbers = {str(k): x for k, x in v.items() if isinstance(x, (int, float)) and not isinstance(x, bool)}
    if len(numbers) == len(v):
        table = Table([key, "value"], [[k, x] for k, x in numbers.items()])
        if len(numbers) < 2:
            return [Heading(key), table]
        chart = bar_chart(name, key, list(numbers), {key: list(numbers.values())},
                          ChartStyle(horizontal=True, height=max(240, 60 + 24 * len(numbers))))
        return [Heading(key), Row([chart, table])]
    if all(isinstance(x, dict) and all(_is_scalar(y) for y in x.values()) for x in v.values()):
        return [Heading(key), *_rows_table(key, v, name)]
    inner = structure_blocks(key, v, name, depth + 1) if depth < MAX_DEPTH else []
    return [Heading(key), *inner] if inner else []


def _rows_table(title: str, rows: dict[str, dict[str, Any]], chart_name: str) -> list[Block]:
    """``{group: {column: scalar}}`` as a table, with a bar chart of its first numeric column."""
    cols = _columns(list(rows.values()))
    table = Table([title, *cols], [[g] + [r.get(c) for c in cols] for g, r in rows.items()])
    numeric = next((c for c in cols if all(to_float(r.get(c)) is not None for r in rows.values())), None)
    if numeric is None or len(rows) < 2:
        return [table]
    chart = bar_chart(chart_name, f"{numeric} per {title}", list(rows),
                      {numeric: [to_float(r.get(numeric)) for r in rows.values()]})
    return [Row([chart, table])]
