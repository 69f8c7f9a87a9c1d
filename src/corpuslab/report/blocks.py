"""The page's content: a page is sections, a section is blocks; a :class:`Run` is what a renderer reads.

Renderers return these plain dataclasses (no HTML), so they can be tested on their numbers and
:mod:`corpuslab.report.html` is the only place that knows about markup.
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
class Details:
    """Blocks folded away until the reader opens them (the resolved config). Tables only: a chart drawn
    while folded would get no width."""

    title: str
    blocks: list[Block]


@dataclass
class Heading:
    text: str


Block = Note | Table | Chart | Examples | Row | Details | Heading

#: ok: finished; running: its process is alive; interrupted: killed, or its card says so; failed: the card's
#: error; incomplete: finished, but artefacts are missing or damaged; error: the renderer broke;
#: unrecognised: no run card here or below; missing: no such folder.
Status = Literal["ok", "running", "interrupted", "failed", "incomplete", "error", "unrecognised", "missing"]
#: statuses of a section that shows a run (the others say why there is none)
RUN_STATUSES = ("ok", "running", "interrupted", "failed", "incomplete")


@dataclass
class Section:
    """One run (or one comparison) on the page."""

    title: str
    kind: str
    label: str = ""
    path: str = ""
    status: Status = "ok"
    blocks: list[Block] = field(default_factory=list)
    #: what is wrong (killed run, missing files, the card's error); shown at the top of the section.
    problems: list[str] = field(default_factory=list)

    def chart_names(self) -> list[str]:
        return [b.name for b in iter_blocks(self.blocks) if isinstance(b, Chart)]


def iter_blocks(blocks: list[Block]) -> list[Block]:
    """Every block, those inside rows and folded details included, in page order."""
    out: list[Block] = []
    for b in blocks:
        out.append(b)
        if isinstance(b, (Row, Details)):
            out.extend(iter_blocks(b.blocks))
    return out


@dataclass
class Run:
    """A folder (or a single-file output) with its run card, and the artefacts its renderer loaded."""

    path: Path
    kind: str
    card: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    problems: list[str] = field(default_factory=list)
    #: from the card: ok, running, interrupted or failed (see :func:`corpuslab.report.discover.card_status`)
    status: Status = "ok"
