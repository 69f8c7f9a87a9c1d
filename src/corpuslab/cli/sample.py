"""``corpuslab sample``: stage 1, weighted exact-quota sampling into a raw folder."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from corpuslab.core.errors import ConfigError

if TYPE_CHECKING:  # the library is imported when a command runs: `corpuslab --help` stays fast
    from corpuslab.mixture.config import MixtureConfig

console = Console()


def plan_table(cfg: MixtureConfig, plan: list[dict[str, Any]]) -> Table:
    t = Table(title=f"Sampling plan: {cfg.target_samples:,} {cfg.unit}, seed {cfg.seed}")
    for col, just in (("source", "left"), ("config", "left"), ("weight", "right"), ("share", "right"),
                      ("quota", "right"), ("max_scan", "right")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for p in plan:
        t.add_row(p["slug"], p["config"] or "", f"{p['weight']:g}", f"{p['share']:.3%}", f"{p['quota']:,}",
                  f"{p['max_scan']:,}" if p["max_scan"] else "")
    t.add_row("[b]total", "", "", "100%", f"[b]{sum(p['quota'] for p in plan):,}", "")
    return t


def summary_table(result: dict[str, Any]) -> Table:
    t = Table(title="Stage 1 summary")
    for col in ("source", "quota", "seen", "kept", "shortfall", "read to end", "status"):
        t.add_column(col, justify="left" if col == "source" else "right")
    for s in result["sources"]:
        probs = {k: v for k, v in s.get("problems", {}).items() if v}
        status = "resumed" if s.get("resumed") else "sampled"
        if probs:
            status += " (" + ", ".join(f"{k}={v}" for k, v in probs.items()) + ")"
        short = f"[yellow]{s['shortfall']:,}" if s["shortfall"] else "0"
        t.add_row(s["slug"], f"{s['quota']:,}", f"{s['seen']:,}", f"{s['kept']:,}", short,
                  "yes" if s["read_to_end"] else "no (max_scan)", status)
    return t


def register(app: typer.Typer) -> None:
    @app.command("sample")
    def sample(
        config: str = typer.Option(..., "--config", "-c", help="Mixture YAML (sources, weights, target)."),
        raw_folder: str = typer.Option(None, "--raw-folder", "-o", help="Output folder (overrides the file)."),
        target_samples: int = typer.Option(None, "--target-samples", "-n", help="Total documents (or tokens)."),
        seed: int = typer.Option(None, "--seed", help="Sampling seed (overrides the file)."),
        workers: int = typer.Option(None, "--workers", "-w", help="Parallel processes; output is identical."),
        on_error: str = typer.Option(None, "--on-error", help="raise (default) or skip bad records."),
        engine: str = typer.Option("local", "--engine", help="local (process pool) or ray; same output."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Print the sampling plan and exit."),
        no_progress: bool = typer.Option(False, "--no-progress", help="Hide progress bars."),
    ) -> None:
        """Sample a weighted mixture: quotas total × w / Σw (largest remainder), uniform per source."""
        from corpuslab.core.config import load_config
        from corpuslab.mixture.config import MixtureConfig
        from corpuslab.mixture.runner import build_plan, run_sample

        cfg = load_config(config, MixtureConfig, {"target_samples": target_samples, "seed": seed,
                                                  "workers": workers, "on_error": on_error,
                                                  "raw_folder": raw_folder})
        console.print(plan_table(cfg, build_plan(cfg)))
        if dry_run:
            return
        if not cfg.raw_folder:
            raise ConfigError(f"{config}: raw_folder: give --raw-folder or set raw_folder in the file")
        result = run_sample(cfg, cfg.raw_folder, base_dir=os.path.dirname(os.path.abspath(config)),
                            progress=not no_progress, engine=engine)
        console.print(summary_table(result))
        console.print(f"raw sample: [b]{cfg.raw_folder}[/b] ({result['total_kept']:,} records; plan.json beside it)")
