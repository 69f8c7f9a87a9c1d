"""Every kind a run card can name has a renderer, and a run of every kind renders its section."""

from __future__ import annotations

import pytest
from report_fixtures import MAKERS

from corpuslab.report.blocks import Heading
from corpuslab.report.build import render_run
from corpuslab.report.discover import find_runs
from corpuslab.report.renderers import RENDERERS, command_for, renderer_for

#: the kinds the stages write (``corpuslab.core.runcard``'s users)
KINDS = ("sample", "clean", "quickstart", "wiki-extract", "wiki-redirects", "wiki-wikidata", "leia-build",
         "leia-train", "leia-eval", "overlap-train", "overlap-compare", "overlap-score", "anatomy-fetch-samples",
         "anatomy-labelshift",
         "anatomy-minkpp", "anatomy-synth", "anatomy-evaluate", "revert-collect", "revert-prepare", "revert-tune",
         "revert-features", "revert-train", "revert-eval", "revert-score")


def test_every_kind_has_a_renderer_and_a_fixture():
    assert set(RENDERERS) == set(KINDS) == set(MAKERS)
    for entry in RENDERERS.values():
        assert callable(entry.module.load) and callable(entry.module.render)
    assert [k for k, e in RENDERERS.items() if e.container] == ["quickstart", "anatomy-synth"]


def test_command_for():
    assert command_for("anatomy-fetch-samples") == "corpuslab anatomy fetch-samples"
    assert command_for("sample") == "corpuslab sample"


def test_an_unknown_kind_gets_the_card_renderer():
    assert renderer_for("tokenize").title == "Run of kind 'tokenize'"


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_a_section(tmp_path, kind):
    run = find_runs(MAKERS[kind](tmp_path))[0]  # a container's own run comes before its steps'
    sec = render_run(run)
    assert (sec.kind, sec.title, sec.status) == (kind, RENDERERS[kind].title, "ok"), sec.problems
    assert sec.problems == []
    assert sec.chart_names(), "every fixture run draws at least one chart"
    assert Heading("Run card") in sec.blocks
