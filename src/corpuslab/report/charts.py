"""Plotly figure builders returning plain JSON dicts (no plotly import needed to build a report).

Kept deliberately small: grouped bars, lines, a funnel, a heatmap; how a chart reads (axis titles, percent,
orientation, caption, height) travels in one :class:`ChartStyle`. Every figure shares one look (``_layout``) so
several runs on a page read alike; colours follow the run order so run *i* is the same colour everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from corpuslab.report.blocks import Chart

#: Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _layout(title: str, x_title: str = "", y_title: str = "", percent: bool = False, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "font": {"size": 14}, "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top"},
        "margin": {"l": 56, "r": 16, "t": 64, "b": 40},
        "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        "xaxis": {"title": {"text": x_title}, "automargin": True},
        "yaxis": {"title": {"text": y_title}, "automargin": True, "rangemode": "tozero"},
        "hovermode": "closest",
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
        "paper_bgcolor": "white",
        "plot_bgcolor": "#fafafa",
    }
    if percent:
        layout["yaxis"]["tickformat"] = ".0%"
    layout.update(extra)
    return layout


@dataclass(frozen=True)
class ChartStyle:
    """How a chart reads, apart from its data: axis titles, percent axis, orientation, caption, height."""

    x_title: str = ""
    y_title: str = ""
    #: values are shares: the value axis reads 0–100 %
    percent: bool = False
    #: bars along the x axis, categories down the y axis (long category names)
    horizontal: bool = False
    caption: str = ""
    height: int = 340


PLAIN = ChartStyle()


def bar_chart(
    name: str,
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[float | None]],
    style: ChartStyle = PLAIN,
    errors: dict[str, tuple[Sequence[float | None], Sequence[float | None]]] | None = None,
) -> Chart:
    """Grouped bars: one trace per series over shared categories; ``errors`` = (low, high) per series."""
    data = []
    for i, (label, values) in enumerate(series.items()):
        trace: dict[str, Any] = {
            "type": "bar", "name": label, "marker": {"color": colour(i)},
            "x": list(categories), "y": [None if v is None else float(v) for v in values],
        }
        if errors and label in errors:
            lo, hi = errors[label]
            ys = trace["y"]
            trace["error_y"] = {
                "type": "data", "symmetric": False,
                "array": [None if (h is None or y is None) else max(0.0, h - y) for y, h in zip(ys, hi, strict=False)],
                "arrayminus": [None if (lo_ is None or y is None) else max(0.0, y - lo_)
                               for y, lo_ in zip(ys, lo, strict=False)],
            }
        if style.percent:
            trace["hovertemplate"] = "%{x}: %{y:.2%}<extra>" + label + "</extra>"
        if style.horizontal:
            trace["x"], trace["y"] = trace["y"], trace["x"]
            trace["orientation"] = "h"
        data.append(trace)
    layout = _layout(title, style.x_title, style.y_title, style.percent, barmode="group", showlegend=len(series) > 1)
    if style.horizontal:
        layout["xaxis"], layout["yaxis"] = layout["yaxis"], {"automargin": True, "autorange": "reversed"}
        if style.percent:
            layout["xaxis"]["tickformat"] = ".0%"
    return Chart({"data": data, "layout": layout}, caption=style.caption, name=name, height=style.height)


def line_chart(
    name: str,
    title: str,
    series: dict[str, tuple[Sequence[float], Sequence[float | None]]],
    style: ChartStyle = PLAIN,
    bands: dict[str, tuple[Sequence[float | None], Sequence[float | None]]] | None = None,
    hlines: dict[str, float] | None = None,
) -> Chart:
    """Lines with markers, optional shaded min–max bands per series and labelled horizontal guides."""
    data: list[dict[str, Any]] = []
    for i, (label, (xs, ys)) in enumerate(series.items()):
        c = colour(i)
        if bands and label in bands:
            lo, hi = bands[label]
            data.append({"type": "scatter", "x": list(xs) + list(xs)[::-1],
                         "y": list(hi) + list(lo)[::-1], "fill": "toself", "fillcolor": c,
                         "opacity": 0.15, "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False,
                         "name": f"{label} range"})
        data.append({"type": "scatter", "mode": "lines+markers", "name": label, "x": list(xs),
                     "y": list(ys), "line": {"color": c, "width": 2}, "marker": {"size": 5}})
    shapes, annotations = [], []
    for label, y in (hlines or {}).items():
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": y, "y1": y,
                       "line": {"dash": "dot", "color": "#888", "width": 1}})
        annotations.append({"xref": "paper", "x": 1, "y": y, "xanchor": "right", "yanchor": "bottom",
                            "text": label, "showarrow": False, "font": {"size": 10, "color": "#666"}})
    layout = _layout(title, style.x_title, style.y_title, style.percent, shapes=shapes, annotations=annotations,
                     showlegend=len(series) > 1)
    return Chart({"data": data, "layout": layout}, caption=style.caption, name=name, height=style.height)


def funnel_chart(name: str, title: str, steps: Sequence[str], values: Sequence[float], caption: str = "",
                 unit: str = "documents") -> Chart:
    data = [{"type": "funnel", "y": list(steps), "x": [float(v) for v in values],
             "textinfo": "value+percent initial", "marker": {"color": colour(0)}, "name": unit}]
    layout = _layout(title, unit, "", False, showlegend=False)
    layout["yaxis"] = {"automargin": True}
    return Chart({"data": data, "layout": layout}, caption=caption, name=name,
                 height=max(260, 70 + 40 * len(steps)))


def heatmap_chart(name: str, title: str, labels_x: Sequence[str], labels_y: Sequence[str],
                  z: Sequence[Sequence[float | None]], style: ChartStyle = PLAIN) -> Chart:
    """A grid of values (share per source and step, a confusion matrix); its height follows the rows."""
    fmt = "%{z:.0%}" if style.percent else "%{z:.2f}"
    data = [{"type": "heatmap", "x": list(labels_x), "y": list(labels_y), "z": [list(r) for r in z],
             "colorscale": [[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]], "texttemplate": fmt,
             "hoverongaps": False, "zmin": 0, **({"zmax": 1} if style.percent else {})}]
    layout = _layout(title, style.x_title, style.y_title, False)
    layout["yaxis"] = {"automargin": True, "autorange": "reversed", "title": {"text": style.y_title}}
    return Chart({"data": data, "layout": layout}, caption=style.caption, name=name,
                 height=max(300, 90 + 34 * len(labels_y)))
