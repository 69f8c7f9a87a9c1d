"""``corpuslab quickstart``: the whole chain on the example data, then one page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from corpuslab.cli.config_flags import config_command
from corpuslab.quickstart.config import DEFAULT_CONFIG, QuickstartConfig

console = Console()
app = typer.Typer()

_FILE = "a stage's own config block"


@config_command(app, "quickstart", QuickstartConfig, short={"output_dir": "-o", "target_samples": "-n"},
                file_only={"mixture": _FILE, "base_model": _FILE, "train": _FILE, "anatomy": _FILE},
                default_config=DEFAULT_CONFIG)
def quickstart(
    cfg: QuickstartConfig,
    config_file: Path | None,
    no_progress: bool = typer.Option(False, "--no-progress", help="Hide progress bars."),
) -> None:
    """Sample → clean + dedup → fine-tune a tiny model with fingerprint tracking → estimate its mixture → report.

    Without --config it reads examples/quickstart/quickstart.yaml (run from the repository root).
    """
    from corpuslab.cli.sample import plan_table, summary_table
    from corpuslab.mixture.runner import build_plan
    from corpuslab.quickstart.chain import Hooks, run_quickstart

    def before(mix: Any) -> None:
        console.print(plan_table(mix, build_plan(mix)))

    hooks = Hooks(say=lambda msg: console.print(msg), before_sample=before,
                  after_sample=lambda mix, res: console.print(summary_table(res)))
    result = run_quickstart(cfg.with_base_dir(config_file), progress=not no_progress, hooks=hooks)
    t = Table(title="Quickstart steps")
    for col in ("step", "status", "seconds", "output / note"):
        t.add_column(col)
    for s in result.steps:
        colour = {"done": "green", "skipped": "yellow"}.get(s.status, "red")
        t.add_row(s.name, f"[{colour}]{s.status}", f"{s.seconds:.1f}", s.note or s.output or "")
    console.print(t)
    typer.echo(f"report: {result.report}")  # plain and unwrapped: the last line is the page's path
