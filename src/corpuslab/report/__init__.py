"""One self-contained HTML page for any corpuslab run (``corpuslab report``), and the quickstart chain.

>>> from corpuslab.report import build_report
>>> build_report(["runs/demo/raw", "runs/demo/cleaned"], "report.html").path  # doctest: +SKIP
"""

from __future__ import annotations

from corpuslab.report.build import Report, build_report, collect_runs, render_run
from corpuslab.report.registry import RUN_TYPES, RunType, detect_runs, find_runs, register, run_types

__all__ = ["RUN_TYPES", "Report", "RunType", "build_report", "collect_runs", "detect_runs", "find_runs",
           "register", "render_run", "run_types"]
