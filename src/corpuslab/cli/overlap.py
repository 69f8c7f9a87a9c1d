"""``corpuslab overlap train|compare|score``: fingerprint-overlap tracking, comparison and lineage scoring."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from corpuslab.cli.config_flags import config_command
from corpuslab.overlap.config import OverlapCompareConfig, OverlapScoreConfig, OverlapTrainConfig

console = Console()
app = typer.Typer(name="overlap", help="Bottom-k fingerprint overlap: fine-tune and track, compare runs, score "
                                       "lineage.", no_args_is_help=True)


def _fmt(v: object) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) >= 1e-3 or v == 0 else f"{v:.2e}"
    return str(v)


@config_command(app, "train", OverlapTrainConfig, aliases={"final_model": "save_final_model"})
def train_cmd(
    cfg: OverlapTrainConfig,
    final_model: bool | None = typer.Option(None, "--final-model/--no-final-model", hidden=True,
                                            help="Old spelling of --save-final-model/--no-save-final-model."),
) -> None:
    """Fine-tune a causal LM and track how much of the base model's bottom-k fingerprint survives."""
    from corpuslab.overlap.run import COMBINED_PNG, CURVE_PNG, run_overlap_training

    res = run_overlap_training(cfg, report=lambda m: console.print(m, highlight=False, soft_wrap=True))
    if res.get("is_main_process") is False:  # torchrun: rank 0 prints the summary
        return
    s = res["summary"]
    console.print(
        f"[green]done[/green]: overlap {s['overlap_first']:.4f} (step {s['step_first']}) → {s['overlap_last']:.4f} "
        f"(step {s['step_last']}), decrease rate {s['decrease_rate']:.5f}/step, first <0.5 at "
        f"{_fmt(s['first_step_below_0_5'])}, chance {res['chance']:.4f}")
    console.print(f"wrote {cfg.output_dir}/overlap_results.json, overlap_summary.csv, {CURVE_PNG}, {COMBINED_PNG}, "
                  "run.json" + (", final_model/" if cfg.save_final_model else ""))


@config_command(app, "compare", OverlapCompareConfig, nargs=("runs", "labels"))
def compare_cmd(cfg: OverlapCompareConfig) -> None:
    """Compare overlap runs: comparison.png (curves, decrease rate, final overlap, stats) and a table.

    ``--runs DIR...`` and ``--labels NAME...`` take several values each (``--runs en ja --labels EN JA``).
    """
    from corpuslab.overlap.compare import compare_runs

    res = compare_runs(cfg)
    t = Table(title="overlap runs")
    for c in ["run", "first", "last", "decrease/step", "first <0.9", "first <0.5", "min (step)", "chance"]:
        t.add_column(c, justify="right" if c != "run" else "left")
    for r in res["rows"]:
        t.add_row(r["run"], _fmt(r["overlap_first"]), _fmt(r["overlap_last"]), f"{r['decrease_rate']:.5f}",
                  _fmt(r["first_step_below_0_9"]), _fmt(r["first_step_below_0_5"]),
                  f"{r['min_overlap']:.4f} ({r['min_step']})", _fmt(r["chance"]))
    console.print(t)
    for w in res["warnings"]:
        console.print(f"[yellow]warning[/yellow]: {w}")
    console.print(f"wrote {res['plot']}")


@config_command(app, "score", OverlapScoreConfig, nargs=("models",))
def score_cmd(cfg: OverlapScoreConfig) -> None:
    """Overlap of arbitrary models with a base model (lineage check), as a table.

    ``--models M1 M2 ...`` takes several values (hub ids or folders).
    """
    from corpuslab.overlap.lineage import score_models

    res = score_models(cfg)
    t = Table(title=f"bottom-{res['k']} overlap with {cfg.base} ({res['num_fingerprints']} prompts, "
                    f"chance {res['chance']:.4f})")
    for c in ["model", "mean", "min", "max", "std", "same tokenizer"]:
        t.add_column(c, justify="left" if c == "model" else "right")
    for r in res["rows"]:
        t.add_row(r["model"], _fmt(r["avg_overlap_ratio"]), _fmt(r["min_overlap_ratio"]),
                  _fmt(r["max_overlap_ratio"]), _fmt(r["std_overlap_ratio"]),
                  "yes" if r["same_tokenizer"] else "[red]NO[/red]")
    console.print(t)
    if cfg.output:
        console.print(f"wrote {cfg.output}")
