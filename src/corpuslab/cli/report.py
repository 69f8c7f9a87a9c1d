"""``corpuslab report`` (one HTML page for any runs) and ``corpuslab quickstart`` (the whole chain, then the page)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def _sections_table(rep) -> Table:  # type: ignore[no-untyped-def]
    t = Table(title="Report contents")
    for col in ("run", "kind", "status", "notes"):
        t.add_column(col)
    colour = {"ok": "green", "interrupted": "yellow"}
    for s in rep.comparisons + rep.sections:
        st = f"[{colour.get(s.status, 'red')}]{s.status}"
        t.add_row(s.label or s.title, s.title, st, "; ".join(s.problems)[:120])
    return t


def _print_check(check) -> bool:  # type: ignore[no-untyped-def]
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


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        run_dirs: list[str] = typer.Argument(..., help="Run folders (stage-1 raw, cleaned, overlap, anatomy, LEIA, "
                                                       "revert); a folder of runs is searched two levels deep."),
        output: str = typer.Option("report.html", "--output", "-o", help="Where to write the HTML page."),
        label: list[str] = typer.Option(None, "--label", "-l", help="A name per run folder, in order."),
        title: str = typer.Option("corpuslab report", "--title", help="Page title."),
        check: bool = typer.Option(False, "--check", help="Open the page in headless Chromium; exit 1 on console "
                                                          "errors or charts not drawn."),
        screenshot: str = typer.Option(None, "--screenshot", help="Save a PNG of the page (needs Chromium)."),
    ) -> None:
        """One self-contained HTML page (charts + tables, no network) for any corpuslab runs, side by side."""
        from corpuslab.report import build_report

        rep = build_report(run_dirs, output, labels=label or None, title=title)
        console.print(_sections_table(rep))
        if check or screenshot:
            from corpuslab.report.browser import check_page

            result = check_page(rep.path, screenshot)  # type: ignore[arg-type]
            if not _print_check(result) and check:
                typer.echo(f"report: {rep.path}")
                raise typer.Exit(1)
        typer.echo(f"report: {rep.path}")  # plain and unwrapped: the last line is the page's path

    @app.command("quickstart")
    def quickstart(
        output_dir: str = typer.Option("runs/quickstart", "--output-dir", "-o", help="Where every step writes."),
        config: str = typer.Option(None, "--config", "-c", help="Quickstart YAML (default: "
                                                                 "examples/quickstart/quickstart.yaml)."),
        target_samples: int = typer.Option(None, "--target-samples", "-n", help="Documents to sample."),
        train_steps: int = typer.Option(None, "--train-steps", help="Fine-tuning steps."),
        fresh: bool = typer.Option(False, "--fresh", help="Delete earlier quickstart outputs first."),
        no_progress: bool = typer.Option(False, "--no-progress", help="Hide progress bars."),
    ) -> None:
        """Sample → clean + dedup → fine-tune a tiny model with fingerprint tracking → estimate its mixture → report."""
        from corpuslab.cli.sample import plan_table, summary_table
        from corpuslab.mixture.runner import build_plan
        from corpuslab.report.quickstart import QuickstartSettings, run_quickstart

        settings = QuickstartSettings.load(config, target_samples=target_samples, train_steps=train_steps)
        result = run_quickstart(output_dir, settings, fresh=fresh, progress=not no_progress,
                                log=lambda msg: console.print(msg),
                                before_sample=lambda cfg: console.print(plan_table(cfg, build_plan(cfg))),
                                after_sample=lambda cfg, res: console.print(summary_table(res)))
        t = Table(title="Quickstart steps")
        for col in ("step", "status", "seconds", "output / note"):
            t.add_column(col)
        for s in result.steps:
            colour = {"done": "green", "skipped": "yellow"}.get(s.status, "red")
            t.add_row(s.name, f"[{colour}]{s.status}", f"{s.seconds:.1f}", s.note or s.output or "")
        console.print(t)
        typer.echo(f"report: {result.report}")  # plain and unwrapped: the last line is the page's path
