"""``corpuslab report``: one HTML page for any runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from corpuslab.cli.config_flags import config_command
from corpuslab.report.config import ReportConfig

if TYPE_CHECKING:
    from corpuslab.report.browser import PageCheck
    from corpuslab.report.build import Report

console = Console()
app = typer.Typer()


def _sections_table(rep: Report) -> Table:
    t = Table(title="Report contents")
    for col in ("run", "kind", "status", "notes"):
        t.add_column(col)
    colour = {"ok": "green", "running": "yellow", "interrupted": "yellow", "incomplete": "yellow"}
    for s in rep.comparisons + rep.sections:
        st = f"[{colour.get(s.status, 'red')}]{s.status}"
        t.add_row(s.label or s.title, s.title, st, "; ".join(s.problems)[:120])
    return t


def _print_check(check: PageCheck) -> bool:
    ok = check.ok
    console.print(f"browser check: {check.charts_drawn}/{check.charts} charts drawn, "
                  f"{len(check.console_errors)} console error(s), {len(check.network_requests)} network request(s)"
                  + (f", screenshot {check.screenshot}" if check.screenshot else ""),
                  style="green" if ok else "red")
    for e in check.console_errors[:10]:
        console.print(f"  [red]{e}")
    for u in check.network_requests[:10]:
        console.print(f"  [red]network: {u}")
    return ok


@config_command(app, "report", ReportConfig, short={"output": "-o", "label": "-l"}, arguments=("run_dirs",))
def report(
    cfg: ReportConfig,
    check: bool = typer.Option(False, "--check", help="Open the page in headless Chromium; exit 1 on console "
                                                      "errors or charts not drawn."),
    screenshot: str = typer.Option(None, "--screenshot", help="Save a PNG of the page (needs Chromium)."),
) -> None:
    """One self-contained HTML page (charts + tables, no network) for any corpuslab runs, side by side."""
    from corpuslab.report.build import run_report

    rep = run_report(cfg)
    console.print(_sections_table(rep))
    if check or screenshot:
        from corpuslab.report.browser import check_page

        result = check_page(rep.path, screenshot)  # type: ignore[arg-type]
        if not _print_check(result) and check:
            typer.echo(f"report: {rep.path}")
            raise typer.Exit(1)
    typer.echo(f"report: {rep.path}")  # plain and unwrapped: the last line is the page's path
