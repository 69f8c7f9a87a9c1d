"""``corpuslab sample``: stage 1, weighted exact-quota sampling into a raw folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from corpuslab.cli.config_flags import config_command
from corpuslab.mixture.config import MixtureConfig

console = Console()
app = typer.Typer()


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


STAGE2 = "stage 2's block (read by corpuslab clean from the same file)"


@config_command(app, "sample", MixtureConfig, short={"raw_folder": "-o", "target_samples": "-n", "workers": "-w"},
                file_only={"datasets": "a list of sources with their own keys", "cleaning": STAGE2,
                           "filtering": STAGE2, "dedup": STAGE2, "cleaned_folder": STAGE2})
def sample(
    cfg: MixtureConfig,
    config_file: Path | None,
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the sampling plan and exit."),
    no_progress: bool = typer.Option(False, "--no-progress", help="Hide progress bars."),
) -> None:
    """Sample a weighted mixture: quotas total × w / Σw (largest remainder), uniform per source."""
    from corpuslab.mixture.runner import build_plan, run_sample

    console.print(plan_table(cfg, build_plan(cfg)))
    if dry_run:
        return
    base_dir = os.path.dirname(os.path.abspath(config_file)) if config_file else None
    result = run_sample(cfg, base_dir=base_dir, progress=not no_progress)
    console.print(summary_table(result))
    console.print(f"raw sample: [b]{cfg.raw_folder}[/b] ({result['total_kept']:,} records; plan.json beside it)")
