"""``corpuslab leia build|train|eval``: LEIA entity augmentation, continued pre-training, X-CSQA/X-CODAH."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from corpuslab.cli.config_flags import config_command
from corpuslab.leia.config import LeiaBuildConfig, LeiaEvalConfig, LeiaTrainConfig

console = Console()
app = typer.Typer(name="leia", help="LEIA: English entity names inserted into target-language Wikipedia; train; "
                                    "evaluate.", no_args_is_help=True)

QUIET = typer.Option(False, "--quiet", "-q", help="Hide progress bars.")


@config_command(app, "build", LeiaBuildConfig, short={"articles": "-a", "output_dir": "-o", "model": "-m"})
def build_cmd(cfg: LeiaBuildConfig, quiet: bool = QUIET) -> None:
    """Annotate links with English names, tokenise, pack; print the link report."""
    from corpuslab.leia.build import build_leia_dataset

    rep = build_leia_dataset(cfg, progress=not quiet)
    t = Table(title=f"leia build → {cfg.output_dir} ({rep['seconds']} s)")
    t.add_column("")
    t.add_column("value", justify="right")
    for k in ("articles", "articles_written", "links_seen", "links_resolved", "links_kept", "links_inserted",
              "tokens", "windows"):
        t.add_row(k, f"{rep[k]:,}")
    for k, v in rep["drop_reasons"].items():
        t.add_row(f"dropped: {k}", f"{v:,}")
    t.add_row("id dtype (V)", f"{rep['id_dtype']} ({rep['vocab_size']:,})")
    console.print(t)


@config_command(app, "train", LeiaTrainConfig, short={"model": "-m", "data_dir": "-d", "output_dir": "-o"},
                file_only={"training_args": "a mapping of further TrainingArguments"},
                aliases={"data": "data_dir", "batch_size": "per_device_train_batch_size",
                         "grad_accum": "gradient_accumulation_steps", "lr": "learning_rate"})
def train_cmd(
    cfg: LeiaTrainConfig,
    quiet: bool = QUIET,
    data: str | None = typer.Option(None, "--data", hidden=True),
    batch_size: int | None = typer.Option(None, "--batch-size", hidden=True),
    grad_accum: int | None = typer.Option(None, "--grad-accum", hidden=True),
    lr: float | None = typer.Option(None, "--lr", hidden=True),
) -> None:
    """Continued pre-training with LEIA defaults (cosine lr 5e-6, wd 0.1, betas 0.9/0.95, eps 1e-6, clip 1)."""
    from corpuslab.leia.train import train_leia

    s = train_leia(cfg, progress=not quiet)
    losses = s["losses"]
    console.print(f"trained {s['steps']} steps ({s['tokens_per_step']:,} tokens/step) on {s['device']}; "
                  f"loss {losses[0]:.3f} → {losses[-1]:.3f}; model: {s['final_model']}" if losses else
                  f"trained; model: {s['final_model']}")


@config_command(app, "eval", LeiaEvalConfig, short={"model": "-m", "output_dir": "-o"})
def eval_cmd(cfg: LeiaEvalConfig) -> None:
    """Summed log-likelihood multiple choice; accuracy per language with a bootstrap 95% CI."""
    from rich.markdown import Markdown

    from corpuslab.leia.evaluate import results_table, run_eval

    console.print(Markdown(results_table(run_eval(cfg))))
