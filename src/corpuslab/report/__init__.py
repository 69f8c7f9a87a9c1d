"""One self-contained HTML page for any corpuslab runs (``corpuslab report``), found by their run cards.

>>> from corpuslab.report import build_report
>>> build_report(["runs/demo/raw", "runs/demo/cleaned"], "report.html").path  # doctest: +SKIP
"""

from __future__ import annotations

from corpuslab.report.build import Report, build_report, collect_runs, render_run, run_report
from corpuslab.report.discover import find_runs
from corpuslab.report.renderers import RENDERERS

__all__ = ["RENDERERS", "Report", "build_report", "collect_runs", "find_runs", "render_run", "run_report"]
