"""What every run's section shows from its run card: status line, command, counts, inputs, outputs, config.

This is the whole section of a kind whose stage writes nothing else the report reads (``wiki redirects``),
and the tail of every other section, so any folder a command writes renders something useful.
"""

from __future__ import annotations

from typing import Any

from corpuslab.report.blocks import Block, Details, Heading, Note, Row, Run, Table
from corpuslab.report.charts import ChartStyle, bar_chart

#: longest value shown in a cell of the config and path tables
MAX_CELL = 300


def seconds_text(s: Any) -> str:
    """``12.3 s``, ``4 min 05 s``, ``2 h 03 min``; ``–`` when unknown."""
    if not isinstance(s, (int, float)) or isinstance(s, bool):
        return "–"
    if s < 60:
        return f"{s:.1f} s"
    m, sec = divmod(int(round(s)), 60)
    if m < 60:
        return f"{m} min {sec:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def headline(run: Run) -> Note:
    """One sentence: when it ran, for how long, where; its status is the section's badge."""
    c = run.card
    started, host, pid = c.get("started"), c.get("host"), c.get("pid")
    where = f" on {host}" + (f" (pid {pid})" if pid is not None else "") if host else ""
    if c.get("finished"):
        text = f"{str(c.get('status', '?')).capitalize()} after {seconds_text(c.get('wall_seconds'))}: " \
               f"started {started}{where}, finished {c['finished']}."
    else:
        text = f"Started {started}{where}; no end recorded."
    return Note(text)


def flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """``[(dotted.key, scalar)]``; lists of scalars become one comma-joined value, other lists ``key[i]``."""
    if isinstance(obj, dict):
        if not obj and prefix:
            return [(prefix, "{}")]
        out: list[tuple[str, Any]] = []
        for k, v in obj.items():
            out += flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(obj, list):
        if all(x is None or isinstance(x, (str, int, float, bool)) for x in obj):
            return [(prefix, ", ".join(map(str, obj)) if obj else "[]")]
        out = []
        for i, v in enumerate(obj):
            out += flatten(v, f"{prefix}[{i}]")
        return out
    if isinstance(obj, str) and len(obj) > MAX_CELL:
        obj = obj[:MAX_CELL] + " …"
    return [(prefix, obj)]


def _pairs_table(columns: list[str], obj: Any, caption: str = "") -> Table:
    return Table(columns, [[k, v] for k, v in flatten(obj)], caption=caption)


def counts_blocks(run: Run, with_chart: bool) -> list[Block]:
    """The card's headline numbers: a table, and a bar chart when the section draws no chart of its own."""
    counts = flatten(run.card.get("counts") or {})
    if not counts:
        return []
    table = Table(["count", "value"], [[k, v] for k, v in counts])
    numbers = [(k, float(v)) for k, v in counts if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not with_chart or len(numbers) < 2:
        return [table]
    chart = bar_chart("run-counts", "Counts", [k for k, _ in numbers], {"count": [v for _, v in numbers]},
                      ChartStyle(horizontal=True, height=max(220, 60 + 26 * len(numbers))))
    return [Row([chart, table])]


def card_blocks(run: Run, with_counts_chart: bool) -> list[Block]:
    """The run card under a heading: counts, inputs and outputs, command, config as given; the resolved
    config and the package versions folded away."""
    c = run.card
    blocks: list[Block] = [Heading("Run card"), *counts_blocks(run, with_counts_chart)]
    paths = [t for t in (_pairs_table(["input", "value"], c.get("inputs") or {}),
                         _pairs_table(["output", "value"], c.get("outputs") or {})) if t.rows]
    if paths:
        blocks.append(Row(list(paths)))
    facts = [["command", c.get("command")], ["seed", c.get("seed")], ["started", c.get("started")],
             ["finished", c.get("finished")], ["wall time", seconds_text(c.get("wall_seconds"))],
             ["host", c.get("host")], ["pid", None if c.get("pid") is None else str(c["pid"])]]
    blocks.append(Table(["", "value"], [r for r in facts if r[1] is not None]))
    config = c.get("config") if isinstance(c.get("config"), dict) else {}
    given = config.get("given")
    if given:
        blocks.append(_pairs_table(["setting", "value"], given, caption="Config as given (file and flags)"))
    elif given is not None:
        blocks.append(Note("Every setting at its default (nothing given in a file or on the command line)."))
    resolved = config.get("resolved")
    if resolved:
        blocks.append(Details("Resolved config: every setting, defaults included",
                              [_pairs_table(["setting", "value"], resolved)]))
    if c.get("versions"):
        blocks.append(Details("Package versions", [_pairs_table(["package", "version"], c["versions"])]))
    return blocks

