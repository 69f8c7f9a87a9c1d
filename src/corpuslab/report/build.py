"""Build the report: detect each folder's runs, render their sections, add comparisons, write one page."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpuslab.core.atomic import atomic_path
from corpuslab.report.html import render_page
from corpuslab.report.model import Note, Run, Section, Table
from corpuslab.report.registry import PIPELINE_ORDER, find_runs, run_types

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
    base = given or root.name or str(root)
    return f"{base}/{rel.as_posix()}" if rel else base


def _unrecognised(path: Path, label: str) -> Section:
    entries = sorted(os.listdir(path))
    shown = ", ".join(entries[:15]) + (f" … ({len(entries)} entries)" if len(entries) > 15 else "")
    hints = [Table(["kind", "what the folder should hold"],
                   [[rt.title, rt.hint] for rt in run_types().values()],
                   caption="Folders the report recognises")]
    return Section(
        title="Not a recognised run", run_type="unrecognised", label=label, path=str(path), status="unrecognised",
        problems=[f"no corpuslab run artefacts found here or in its sub-folders (contents: {shown or 'empty'})"],
        blocks=hints,
    )


def render_run(run: Run) -> Section:
    """One run's section; a renderer that fails gives an error section, never a failed page."""
    rt = run_types()[run.run_type]
    try:
        blocks = rt.render(run)  # may add problems it finds while reading (a truncated shard)
    except Exception as e:  # keep the page: say what broke, where
        log.exception("rendering %s (%s) failed", run.path, rt.name)
        return Section(title=rt.title, run_type=rt.name, label=run.label, path=str(run.path), status="error",
                       problems=[*run.problems, f"{type(e).__name__}: {e}"])
    status = "interrupted" if run.problems else "ok"
    return Section(title=rt.title, run_type=rt.name, label=run.label, path=str(run.path), status=status,
                   blocks=blocks, problems=list(run.problems))


def collect_runs(run_dirs: Sequence[str | os.PathLike[str]], labels: Sequence[str] | None = None,
                 ) -> tuple[list[Run], list[Section]]:
    """(recognised runs, sections for folders that are missing or hold nothing recognised), in input order."""
    if labels is not None and len(labels) != len(run_dirs):
        from corpuslab.core.errors import ConfigError

        raise ConfigError(f"--label given {len(labels)} time(s) for {len(run_dirs)} run folder(s); give one per folder")
    runs: list[Run] = []
    bad: list[Section] = []
    for i, d in enumerate(run_dirs):
        root = Path(d)
        given = labels[i] if labels else None
        if not root.exists():
            bad.append(Section(title="Folder not found", run_type="missing", label=given or root.name or str(d),
                               path=str(d),
                               status="missing", problems=[f"{d}: no such folder"]))
            continue
        if not root.is_dir():
            bad.append(Section(title="Not a folder", run_type="unrecognised", label=given or str(d), path=str(d),
                               status="unrecognised", problems=[f"{d}: is a file; give the run's folder"]))
            continue
        found = find_runs(root)
        # the data flow's order (sample → clean → overlap → anatomy …), folder order within a kind
        order = {n: i for i, n in enumerate(PIPELINE_ORDER)}
        found.sort(key=lambda r: order.get(r.run_type, len(order)))
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
    """One comparison section per run type with ≥ 2 runs whose renderer knows how to compare."""
    out = []
    for rt in run_types().values():
        group = [r for r in runs if r.run_type == rt.name]
        if len(group) < 2 or rt.compare is None:
            continue
        try:
            blocks = rt.compare(group)
        except Exception as e:
            log.exception("comparing %s runs failed", rt.name)
            blocks = [Note(f"could not compare these runs: {type(e).__name__}: {e}", "error")]
        if blocks:
            out.append(Section(title=f"Comparison: {rt.title}", run_type=f"compare-{rt.name}",
                               label=f"Comparison: {rt.title} ({len(group)} runs)", blocks=blocks))
    return out


def build_report(
    run_dirs: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str] | None = "report.html",
    labels: Sequence[str] | None = None,
    title: str = "corpuslab report",
) -> Report:
    """Render every run found in ``run_dirs`` into one self-contained HTML page at ``output`` (atomic write).

    Never fails on the runs themselves: a missing folder, an unrecognised one or an interrupted run is
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
