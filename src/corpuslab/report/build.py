"""Build the report: find each folder's runs by their cards, render their sections, add comparisons, write one page."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpuslab.core.atomic import atomic_path
from corpuslab.core.errors import ConfigError
from corpuslab.report.blocks import Chart, Note, Run, Section, Table, iter_blocks
from corpuslab.report.cards import card_blocks, headline
from corpuslab.report.config import ReportConfig
from corpuslab.report.discover import SEARCH_DEPTH, find_runs, run_at
from corpuslab.report.html import render_page
from corpuslab.report.renderers import RENDERERS, command_for, renderer_for

log = logging.getLogger(__name__)


@dataclass
class Report:
    """What was written: the page's path, its run sections and its comparison sections."""

    path: Path | None
    sections: list[Section]
    comparisons: list[Section] = field(default_factory=list)
    html: str = ""

    @property
    def problems(self) -> list[Section]:
        return [s for s in self.sections if s.status != "ok"]


def _label_for(run: Run, root: Path, given: str | None) -> str:
    rel = run.path.relative_to(root) if run.path != root and root in run.path.parents else None
    base = given or root.name or root.resolve().name or str(root)  # "." reads as the folder's own name
    return f"{base}/{rel.as_posix()}" if rel else base


def _unrecognised(path: Path, label: str) -> Section:
    entries = sorted(os.listdir(path))
    shown = ", ".join(entries[:15]) + (f" … ({len(entries)} entries)" if len(entries) > 15 else "")
    hints = [Table(["kind", "written by", "shown as"], [[k, command_for(k), r.title] for k, r in RENDERERS.items()],
                   caption="Every one of these commands writes a run card (run.json) into its output folder, or "
                           "<file>.run.json beside a single-file output")]
    return Section(
        title="Not a recognised run", kind="unrecognised", label=label, path=str(path), status="unrecognised",
        problems=[f"no run card (run.json) here or in its sub-folders, {SEARCH_DEPTH} levels down (contents: "
                  f"{shown or 'empty'}); a folder written before run cards existed needs its command re-run"],
        blocks=hints,
    )


def render_run(run: Run) -> Section:
    """One run's section: its kind's blocks, then its run card; a renderer that fails gives an error section."""
    entry = renderer_for(run.kind)
    title = entry.title if run.card else "Unreadable run card"
    base = Section(title=title, kind=run.kind, label=run.label, path=str(run.path), status=run.status)
    if not run.card:
        base.problems = list(run.problems)
        return base
    try:
        blocks = entry.module.render(run)  # may add problems it finds while reading (a truncated shard)
    except Exception as e:  # keep the page: say what broke, where
        log.exception("rendering %s (%s) failed", run.path, run.kind)
        base.status, base.problems = "error", [*run.problems, f"{type(e).__name__}: {e}"]
        base.blocks = [headline(run), *card_blocks(run, with_counts_chart=True)]
        return base
    drew = any(isinstance(b, Chart) for b in iter_blocks(blocks))
    base.blocks = [headline(run), *blocks, *card_blocks(run, with_counts_chart=not drew)]
    base.problems = list(run.problems)
    if base.status == "ok" and run.problems:
        base.status = "incomplete"
    return base


def collect_runs(run_dirs: Sequence[str | os.PathLike[str]], labels: Sequence[str] | None = None,
                 ) -> tuple[list[Run], list[Section]]:
    """(runs found, sections for paths that are missing or hold no run), in input order."""
    if labels and len(labels) != len(run_dirs):
        raise ConfigError(f"--label given {len(labels)} time(s) for {len(run_dirs)} run folder(s); give one per folder")
    order = {k: i for i, k in enumerate(RENDERERS)}
    runs: list[Run] = []
    bad: list[Section] = []
    for i, d in enumerate(run_dirs):
        root = Path(d)
        given = labels[i] if labels else None
        if not root.is_dir():
            single = run_at(root)
            if single is not None:
                single.label = given or root.name
                runs.append(single)
            elif root.exists():
                bad.append(Section(title="Not a run", kind="unrecognised", label=given or str(d), path=str(d),
                                   status="unrecognised",
                                   problems=[f"{d}: a file without a run card beside it ({root.name}.run.json)"]))
            else:
                bad.append(Section(title="Folder not found", kind="missing", label=given or root.name or str(d),
                                   path=str(d), status="missing", problems=[f"{d}: no such folder"]))
            continue
        found = find_runs(root)
        # the data flow's order (sample → clean → overlap → anatomy …), folder order within a kind
        found.sort(key=lambda r: order.get(r.kind, len(order)))
        if not found:
            bad.append(_unrecognised(root, given or root.name or str(root)))
        for r in found:
            r.label = _label_for(r, root, given)
            runs.append(r)
    # Same label twice (two folders called "raw"): add the parent folder's name.
    seen: dict[str, int] = {}
    for r in runs:
        seen[r.label] = seen.get(r.label, 0) + 1
    for r in runs:
        if seen[r.label] > 1:
            r.label = f"{r.path.parent.name}/{r.label}"
    return runs, bad


def comparisons_for(runs: list[Run]) -> list[Section]:
    """One comparison section per kind with ≥ 2 runs whose renderer knows how to compare them."""
    out = []
    for kind, entry in RENDERERS.items():
        group = [r for r in runs if r.kind == kind and r.card]
        compare = getattr(entry.module, "compare", None)
        if len(group) < 2 or compare is None:
            continue
        try:
            blocks = compare(group)
        except Exception as e:
            log.exception("comparing %s runs failed", kind)
            blocks = [Note(f"could not compare these runs: {type(e).__name__}: {e}", "error")]
        if blocks:
            out.append(Section(title=f"Comparison: {entry.title}", kind=f"compare-{kind}",
                               label=f"Comparison: {entry.title} ({len(group)} runs)", blocks=blocks))
    return out


def build_report(
    run_dirs: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str] | None = "report.html",
    labels: Sequence[str] | None = None,
    title: str = "corpuslab report",
) -> Report:
    """Render every run found in ``run_dirs`` into one self-contained HTML page at ``output`` (atomic write).

    Never fails on the runs themselves: a missing folder, one without run cards or an interrupted run is
    a section of the page that says so. ``output=None`` only builds the HTML (``Report.html``).
    """
    runs, bad = collect_runs(run_dirs, labels)
    sections = [render_run(r) for r in runs] + bad
    comparisons = comparisons_for(runs)
    page = render_page(sections, comparisons, title=title)
    path = None
    if output is not None:
        path = Path(output)
        with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
            fh.write(page)
    return Report(path=path, sections=sections, comparisons=comparisons, html=page)


def run_report(cfg: ReportConfig) -> Report:
    """``corpuslab report``'s runner: the page for ``cfg.run_dirs`` at ``cfg.output``."""
    return build_report(cfg.run_dirs, cfg.output, labels=cfg.label or None, title=cfg.title)
