"""One self-contained HTML page: styles, plotly.js and every chart's data inline; nothing fetched at view time.

A Content-Security-Policy in the page forbids any network load, so a page that would need the network
fails loudly (a console error, caught by the browser test) instead of silently showing blank charts.
"""

from __future__ import annotations

import datetime as _dt
import functools
import html
import json
import math
from typing import Any

from corpuslab import __version__
from corpuslab.report.blocks import (
    RUN_STATUSES,
    Block,
    Chart,
    Details,
    Examples,
    Heading,
    Note,
    Row,
    Section,
    Table,
)

CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
       "img-src data: blob:; font-src data:; connect-src 'none'")

STATUS_TEXT = {
    "ok": "complete",
    "running": "running",
    "interrupted": "interrupted",
    "failed": "failed",
    "incomplete": "incomplete",
    "unrecognised": "not a recognised run",
    "error": "could not be rendered",
    "missing": "folder not found",
}
#: the sentence above a section's problems, by status
PROBLEMS_LEAD = {
    "running": "This run is still going:",
    "interrupted": "This run looks interrupted or incomplete:",
    "failed": "This run failed:",
    "incomplete": "This run finished, but something is missing or damaged:",
    "unrecognised": "Not a recognised corpuslab run:",
    "error": "This run could not be rendered:",
    "missing": "Nothing to report:",
}

CSS = """
:root{--fg:#1d2330;--muted:#5b6475;--line:#e3e6eb;--bg:#f5f6f8;--card:#fff;--accent:#0072B2;
--warn-bg:#fff6e0;--warn-line:#e6a700;--err-bg:#fdecea;--err-line:#d55e00;--info-bg:#eef5fb;--info-line:#56b4e9}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK JP",sans-serif;
color:var(--fg);background:var(--bg)}
header{background:var(--card);border-bottom:1px solid var(--line);padding:14px 24px}
header h1{margin:0 0 4px;font-size:20px}
header .meta{color:var(--muted);font-size:12px}
nav{max-height:260px;overflow:auto;margin-top:8px}
nav td.path{white-space:normal;word-break:break-all;margin:0}
main{padding:16px 24px 40px;max-width:2400px;margin:0 auto}
.runs{display:grid;gap:16px;grid-template-columns:repeat(auto-fit,minmax(min(100%,600px),1fr));align-items:start}
section.run,section.comparison{background:var(--card);border:1px solid var(--line);border-radius:8px;
padding:14px 16px;min-width:0}
section.comparison{margin-bottom:16px}
section h2{margin:0 0 2px;font-size:17px}
section h3{margin:14px 0 6px;font-size:14px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.badge{display:inline-block;font-size:11px;font-weight:600;padding:1px 8px;border-radius:10px;
background:#e8eef6;color:#164a7a;vertical-align:middle;margin-left:6px}
.badge.status-interrupted,.badge.status-incomplete,.badge.status-running{background:var(--warn-bg);color:#8a5a00}
.badge.status-unrecognised,.badge.status-error,.badge.status-missing,.badge.status-failed{background:var(--err-bg);
color:#9a3300}
.path{color:var(--muted);font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all;margin:0 0 8px}
.note{border-left:4px solid var(--info-line);background:var(--info-bg);padding:6px 10px;margin:8px 0;border-radius:4px}
.note.warn{border-color:var(--warn-line);background:var(--warn-bg)}
.note.error{border-color:var(--err-line);background:var(--err-bg)}
.note ul{margin:4px 0 0 18px;padding:0}
.row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start;margin:8px 0}
.row>.chart{flex:1 1 420px;min-width:300px}
.row>.table-block{flex:1 1 300px;min-width:260px}
.chart{margin:8px 0;min-width:0}
.chart .plot{width:100%}
.caption{color:var(--muted);font-size:12px;margin:2px 0 0}
.table-block{margin:8px 0;min-width:0}
.table-wrap{max-height:440px;overflow:auto;border:1px solid var(--line);border-radius:4px}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left}
th,td.num,td:first-child{white-space:nowrap}
td{max-width:34em;overflow-wrap:break-word}
th{background:#f0f2f5;position:sticky;top:0;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr:hover td{background:#f7f9fc}
details{margin:6px 0;border:1px solid var(--line);border-radius:4px;padding:4px 8px;background:#fcfcfd}
details>.table-block{margin:6px 0}
details summary{cursor:pointer;font-weight:600}
.example{margin:6px 0;padding:6px 8px;background:#f6f7f9;border-radius:4px}
.example .lbl{font-size:12px;color:var(--muted)}
.example pre{white-space:pre-wrap;word-break:break-word;margin:2px 0 0;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;
max-height:180px;overflow:auto}
.nocharts{color:var(--muted);font-style:italic}
"""

# Draws every chart; window.corpuslabReport.ready resolves when all are drawn (the browser test waits on it).
JS_RENDER = """
(function(){
  var specs = JSON.parse(document.getElementById('corpuslab-charts').textContent);
  var cfg = {responsive: true, displaylogo: false, modeBarButtonsToRemove: ['sendDataToCloud']};
  var jobs = [];
  if (typeof Plotly === 'undefined') {
    window.corpuslabReport = {ready: Promise.resolve(0), charts: 0};
    return;
  }
  specs.forEach(function(s){
    var el = document.getElementById(s.id);
    var layout = Object.assign({}, s.figure.layout || {}, {height: s.height, autosize: true});
    jobs.push(Plotly.newPlot(el, s.figure.data || [], layout, cfg));
  });
  window.corpuslabReport = {ready: Promise.all(jobs).then(function(){ return jobs.length; }), charts: jobs.length};
})();
"""


@functools.lru_cache(maxsize=1)
def plotly_js() -> str | None:
    """plotly.js from the installed ``plotly`` package (``corpuslab[report]``), or None when absent."""
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:
        return None
    return get_plotlyjs()


def _script_json(obj: Any) -> str:
    """JSON safe inside <script>: '<', '>' and '&' escaped so no text can close the element."""
    s = json.dumps(obj, ensure_ascii=False, allow_nan=False, default=_json_default)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _json_default(o: Any) -> Any:
    try:  # numpy scalars / arrays
        return o.tolist()
    except AttributeError:
        return str(o)


def _clean_nan(obj: Any) -> Any:
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, dict):
        return {k: _clean_nan(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean_nan(v) for v in obj]
    return obj


def format_cell(value: Any, spec: str | None = None) -> tuple[str, bool]:
    """(text, is_number). Ints get thousands separators, floats 4 significant digits unless ``spec``."""
    if value is None:
        return "–", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return "–", True
        if spec:
            try:
                return format(value, spec), True
            except (ValueError, TypeError):
                pass
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) >= 1000):
            return f"{int(value):,}", True
        return f"{value:.4g}", True
    return str(value), False


class _Page:
    def __init__(self) -> None:
        self.charts: list[dict[str, Any]] = []
        self.has_plotly = plotly_js() is not None

    def block(self, b: Block) -> str:
        if isinstance(b, Note):
            return self.note(b)
        if isinstance(b, Table):
            return self.table(b)
        if isinstance(b, Chart):
            return self.chart(b)
        if isinstance(b, Examples):
            return self.examples(b)
        if isinstance(b, Row):
            return '<div class="row">' + "".join(self.block(x) for x in b.blocks) + "</div>"
        if isinstance(b, Details):
            return (f"<details><summary>{html.escape(b.title)}</summary>"
                    + "".join(self.block(x) for x in b.blocks) + "</details>")
        if isinstance(b, Heading):
            return f"<h3>{html.escape(b.text)}</h3>"
        raise TypeError(f"unknown report block {type(b).__name__}")

    @staticmethod
    def note(n: Note) -> str:
        return f'<div class="note {n.level}">{html.escape(n.text)}</div>'

    @staticmethod
    def table(t: Table) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in t.columns)
        body = []
        for row in t.rows[: t.max_rows]:
            cells = []
            for col, v in zip(t.columns, row, strict=False):
                text, num = format_cell(v, t.formats.get(col))
                cells.append(f'<td class="num">{html.escape(text)}</td>' if num else f"<td>{html.escape(text)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        more = ""
        if len(t.rows) > t.max_rows:
            more = f'<p class="caption">{len(t.rows) - t.max_rows:,} more rows not shown</p>'
        cap = f'<p class="caption">{html.escape(t.caption)}</p>' if t.caption else ""
        return (f'<div class="table-block"><div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table></div>{cap}{more}</div>')

    def chart(self, c: Chart) -> str:
        cid = f"chart-{len(self.charts) + 1}"
        cap = f'<p class="caption">{html.escape(c.caption)}</p>' if c.caption else ""
        name = html.escape(c.name or cid)
        if not self.has_plotly:
            return (f'<div class="chart" data-chart="{name}"><p class="nocharts">Chart omitted: install '
                    f"plotly (pip install 'corpuslab[report]') to draw charts; the numbers are in the "
                    f"tables.</p>{cap}</div>")
        self.charts.append({"id": cid, "figure": _clean_nan(c.figure), "height": c.height})
        return (f'<div class="chart" data-chart="{name}"><div class="plot" id="{cid}" '
                f'style="height:{c.height}px"></div>{cap}</div>')

    @staticmethod
    def examples(e: Examples) -> str:
        items = []
        for label, text in e.items:
            t = text if len(text) <= e.max_chars else text[: e.max_chars] + " …"
            items.append(f'<div class="example"><div class="lbl">{html.escape(label)}</div>'
                         f"<pre>{html.escape(t)}</pre></div>")
        return (f"<details><summary>{html.escape(e.title)} ({len(e.items)})</summary>"
                f'{"".join(items)}</details>')

    def section(self, s: Section, css_class: str, anchor: str) -> str:
        is_run = s.status in RUN_STATUSES
        badge = f'<span class="badge">{html.escape(s.title)}</span>' if is_run else ""
        if s.status != "ok":
            badge += f'<span class="badge status-{s.status}">{html.escape(STATUS_TEXT[s.status])}</span>'
        parts = [f'<section class="{css_class}" id="{anchor}" data-kind="{html.escape(s.kind)}" '
                 f'data-status="{s.status}">',
                 f"<h2>{html.escape(s.label or s.title)} {badge}</h2>"]
        if s.path:
            parts.append(f'<p class="path">{html.escape(s.path)}</p>')
        if s.problems:
            level = "error" if s.status in ("unrecognised", "error", "missing", "failed") else "warn"
            lead = PROBLEMS_LEAD.get(s.status, "Problems:")
            items = "".join(f"<li>{html.escape(p)}</li>" for p in s.problems)
            parts.append(f'<div class="note {level} problems"><b>{html.escape(lead)}</b><ul>{items}</ul></div>')
        parts.extend(self.block(b) for b in s.blocks)
        parts.append("</section>")
        return "".join(parts)


def render_page(sections: list[Section], comparisons: list[Section] | None = None,
                title: str = "corpuslab report") -> str:
    """The whole page as one string (UTF-8, self-contained)."""
    page = _Page()
    comparisons = comparisons or []
    toc_rows = []
    for i, s in enumerate(sections, 1):
        toc_rows.append(
            f'<tr><td><a href="#run-{i}">{html.escape(s.label or s.title)}</a></td>'
            f"<td>{html.escape(s.title)}</td><td>{html.escape(STATUS_TEXT[s.status])}</td>"
            f'<td class="path">{html.escape(s.path)}</td></tr>')
    cmp_html = "".join(page.section(c, "comparison", f"compare-{i}") for i, c in enumerate(comparisons, 1))
    runs_html = "".join(page.section(s, f"run status-{s.status}", f"run-{i}") for i, s in enumerate(sections, 1))
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    js = plotly_js()
    plotly_tag = f"<script>{js}</script>" if js else ""
    n_runs = sum(1 for s in sections if s.status in RUN_STATUSES)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style>{plotly_tag}</head><body>"
        f"<header><h1>{html.escape(title)}</h1>"
        f'<div class="meta">{n_runs} run(s) · generated {now} by corpuslab {html.escape(__version__)}</div>'
        "<nav><table><thead><tr><th>run</th><th>kind</th><th>status</th><th>folder</th></tr></thead>"
        f"<tbody>{''.join(toc_rows)}</tbody></table></nav></header>"
        f'<main>{cmp_html}<div class="runs">{runs_html}</div></main>'
        f'<script type="application/json" id="corpuslab-charts">{_script_json(page.charts)}</script>'
        f"<script>{JS_RENDER}</script></body></html>\n"
    )
