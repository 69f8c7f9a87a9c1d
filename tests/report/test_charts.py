"""Figure builders: one ChartStyle says how a chart reads (axis titles, percent, orientation, caption, height)."""

from __future__ import annotations

import pytest

from corpuslab.report.charts import ChartStyle, bar_chart, heatmap_chart, line_chart


def test_bar_chart_style_and_error_bars():
    c = bar_chart("n", "T", ["a", "b"], {"s": [0.2, 0.5]},
                  ChartStyle(y_title="share", percent=True, caption="cap", height=500),
                  errors={"s": ([0.1, 0.4], [0.3, 0.7])})
    trace = c.figure["data"][0]
    assert (c.name, c.caption, c.height) == ("n", "cap", 500)
    assert c.figure["layout"]["yaxis"]["tickformat"] == ".0%" and c.figure["layout"]["yaxis"]["title"]["text"] == "share"
    assert trace["error_y"]["array"] == pytest.approx([0.1, 0.2])
    assert trace["error_y"]["arrayminus"] == pytest.approx([0.1, 0.1])


def test_bar_chart_horizontal_swaps_the_axes():
    c = bar_chart("n", "T", ["a", "b"], {"s": [1, 2]}, ChartStyle(horizontal=True, percent=True))
    trace = c.figure["data"][0]
    assert trace["orientation"] == "h" and trace["y"] == ["a", "b"] and trace["x"] == [1.0, 2.0]
    assert c.figure["layout"]["xaxis"]["tickformat"] == ".0%"


def test_line_chart_bands_and_guides():
    c = line_chart("n", "T", {"run": ([0, 10], [1.0, 0.5])}, ChartStyle(x_title="step"),
                   bands={"run": ([0.9, 0.4], [1.0, 0.6])}, hlines={"0.5": 0.5})
    assert [t.get("fill") for t in c.figure["data"]] == ["toself", None]
    assert c.figure["layout"]["shapes"][0]["y0"] == 0.5 and c.figure["layout"]["xaxis"]["title"]["text"] == "step"


def test_heatmap_height_follows_its_rows():
    c = heatmap_chart("n", "T", ["x"], [str(i) for i in range(20)], [[0.5]] * 20, ChartStyle(percent=True))
    assert c.height == 90 + 34 * 20 and c.figure["data"][0]["zmax"] == 1
