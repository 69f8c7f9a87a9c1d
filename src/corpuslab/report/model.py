"""The report's content model: a page is runs, a run is a section, a section is blocks.

Renderers return plain dataclasses (no HTML), so they can be tested on their numbers and the page
builder in :mod:`corpuslab.report.html` is the only place that knows about markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Level = Literal["info", "warn", "error"]


@dataclass
class Note:
    """A sentence the reader should see (a shortfall, an interrupted run, how to read a chart)."""

    text: str
    level: Level = "info"


@dataclass
class Table:
    """Numbers beside a chart. Cells are str/int/float/bool/None; floats are formatted by ``formats``."""

    columns: list[str]
    rows: list[list[Any]]
    caption: str = ""
    #: column name → Python format spec, e.g. {"share": ".1%"}; default: thousands for ints, 4 sig. digits.
    formats: dict[str, str] = field(default_factory=dict)
    max_rows: int = 200


@dataclass
class Chart:
    """A Plotly figure as plain JSON (``{"data": [...], "layout": {...}}``), drawn by the inlined plotly.js."""

    figure: dict[str, Any]
    caption: str = ""
    height: int = 340
    #: a stable name tests and readers can find (``data-chart`` attribute).
    name: str = ""


@dataclass
class Examples:
    """Collapsible text samples, e.g. rejected documents with their reason."""

    title: str
    items: list[tuple[str, str]]  # (label, text)
    max_chars: int = 600


@dataclass
class Row:
    """Blocks laid out side by side (chart left, table right) and wrapped on narrow screens."""

    blocks: list[Block]


@dataclass
class Heading:
    text: str


Block = Note | Table | Chart | Examples | Row | Heading

Status = Literal["ok", "interrupted", "unrecognised", "error", "missing"]


@dataclass
class Section:
    """One run (or one comparison) on the page."""

    title: str
    run_type: str
    label: str = ""
    path: str = ""
    status: Status = "ok"
    blocks: list[Block] = field(default_factory=list)
    #: problems found while detecting (interrupted run, missing files); shown at the top of the section.
    problems: list[str] = field(default_factory=list)

    def chart_names(self) -> list[str]:
        return [b.name for b in iter_blocks(self.blocks) if isinstance(b, Chart)]


def iter_blocks(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for b in blocks:
        out.append(b)
        if isinstance(b, Row):
            out.extend(iter_blocks(b.blocks))
    return out


@dataclass
class Run:
    """A folder recognised as one run type, with the artefacts its detector loaded."""

    path: Path
    run_type: str
    data: dict[str, Any]
    label: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def interrupted(self) -> bool:
        return bool(self.problems)
