"""Every run kind and the renderer that draws it: one explicit table, in the data flow's order.

A renderer is a module under :mod:`corpuslab.report.runs` with ``load(path, card) -> Run`` (read the
artefacts by their known names), ``render(run) -> list[Block]`` and, optionally, ``compare(runs) ->
list[Block]`` for two or more runs of one kind. A kind without artefacts of its own beyond a summary JSON
uses :mod:`~corpuslab.report.runs.summaries`; every section also shows the run card
(:mod:`corpuslab.report.cards`). Adding a kind is one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from corpuslab.report.blocks import Block, Run
from corpuslab.report.runs import anatomy, clean, leia, overlap, quickstart, revert, sample, summaries, synth


class RunRenderer(Protocol):
    """What a renderer module provides (``compare`` is optional: read it with ``getattr``)."""

    def load(self, path: Path, card: dict[str, Any]) -> Run: ...

    def render(self, run: Run) -> list[Block]: ...


@dataclass(frozen=True)
class KindRenderer:
    title: str
    module: RunRenderer
    #: a run whose steps write their own runs into its sub-folders (shown beside it)
    container: bool = False


#: kind (the run card's ``kind``) → how it is drawn; the order is the page's order within one folder
RENDERERS: dict[str, KindRenderer] = {
    "quickstart": KindRenderer("Quickstart chain", quickstart, container=True),
    "sample": KindRenderer("Stage-1 sample", sample),
    "clean": KindRenderer("Stage-2 cleaning", clean),
    "wiki-extract": KindRenderer("Wikipedia articles", summaries),
    "wiki-redirects": KindRenderer("Wikipedia redirects", summaries),
    "wiki-wikidata": KindRenderer("Wikidata title → QID tables", summaries),
    "leia-build": KindRenderer("LEIA build", leia),
    "leia-train": KindRenderer("LEIA continued pre-training", summaries),
    "leia-eval": KindRenderer("LEIA evaluation", leia),
    "overlap-train": KindRenderer("Fingerprint overlap", overlap),
    "overlap-compare": KindRenderer("Overlap comparison", summaries),
    "overlap-score": KindRenderer("Overlap lineage scores", summaries),
    "anatomy-fetch-samples": KindRenderer("Anatomy category samples", summaries),
    "anatomy-synth": KindRenderer("Anatomy synth benchmark", synth, container=True),
    "anatomy-labelshift": KindRenderer("Anatomy: label shift", anatomy),
    "anatomy-minkpp": KindRenderer("Anatomy: Min-K%++", anatomy),
    "anatomy-evaluate": KindRenderer("Anatomy: evaluation", anatomy),
    "revert-collect": KindRenderer("Revert: collected revisions", summaries),
    "revert-prepare": KindRenderer("Revert: splits", summaries),
    "revert-tune": KindRenderer("Revert: text models", summaries),
    "revert-features": KindRenderer("Revert: features", summaries),
    "revert-train": KindRenderer("Revert: classifier", summaries),
    "revert-eval": KindRenderer("Revert-risk evaluation", revert),
    "revert-score": KindRenderer("Revert: scored revisions", summaries),
}


def renderer_for(kind: str) -> KindRenderer:
    """The kind's renderer; a kind this version does not know (a newer corpuslab) shows its run card."""
    return RENDERERS.get(kind) or KindRenderer(f"Run of kind {kind!r}", summaries)


def command_for(kind: str) -> str:
    """The command that writes runs of ``kind``: ``anatomy-fetch-samples`` → ``corpuslab anatomy fetch-samples``."""
    return "corpuslab " + kind.replace("-", " ", 1)
