"""Data anatomy: estimated against true mixtures (label shift, Min-K%++, the evaluator's own folder)."""

from __future__ import annotations

import pytest
from report_fixtures import (
    BBSE,
    EM,
    TRUE_MIX,
    chart,
    column,
    make_anatomy_run,
    make_minkpp_run,
    render_one,
    table_with,
)

from corpuslab.report.mixtures import mixture_accuracy


def test_labelshift_estimated_vs_true(tmp_path):
    _, sec = render_one(make_anatomy_run(tmp_path), "anatomy-labelshift")
    got = dict(table_with(sec, "accuracy (1 − ½·Σ|e−g|)").rows)
    assert got["bbse"] == pytest.approx(1 - 0.5 * (0.04 + 0.0 + 0.04))
    assert got["em"] == pytest.approx(mixture_accuracy(EM, TRUE_MIX))
    assert got["uniform guess"] == pytest.approx(1 - 0.5 * (abs(1 / 3 - .5) + 2 * abs(1 / 3 - .25)))
    mix = table_with(sec, "truth")
    assert dict(zip(column(mix, "category"), column(mix, "truth"), strict=True)) == pytest.approx(TRUE_MIX)
    assert column(mix, "bbse")[0] == "46.0% [43.0%, 49.0%]"
    fig = chart(sec, "anatomy-mixture").figure
    assert [t["name"] for t in fig["data"]] == ["true mixture", "bbse", "em"] and "error_y" in fig["data"][1]
    assert "anatomy-confusion" in sec.chart_names()
    assert {r[1] for r in table_with(sec, "within tolerance").rows} == {"bbse", "em", "uniform"}


def test_minkpp(tmp_path):
    _, sec = render_one(make_minkpp_run(tmp_path), "anatomy-minkpp")
    t = table_with(sec, "minkpp")
    assert dict(zip(column(t, "category"), column(t, "minkpp"), strict=True)) == {"web": 0.4, "wikipedia": 0.4,
                                                                                  "books": 0.2}
    assert column(table_with(sec, "member rate"), "documents") == [10, 10, 10]


def test_the_evaluators_folder_alone(tmp_path):
    _, sec = render_one(make_anatomy_run(tmp_path) / "evaluation", "anatomy-evaluate")
    mix = table_with(sec, "truth")
    assert {"anatomy/bbse", "anatomy/em"} <= set(mix.columns)
    assert dict(zip(column(mix, "category"), column(mix, "anatomy/bbse"), strict=True)) == pytest.approx(BBSE)
