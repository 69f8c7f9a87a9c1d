"""``corpuslab anatomy``: estimate a model's training-data mixture and score it against ground truth.

Each command's flags are its config model's fields (:mod:`corpuslab.anatomy.config`); the spellings users
had before (``--bootstrap``, ``--k``) stay as hidden aliases.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from corpuslab.anatomy.config import (
    EvaluateConfig,
    FetchSamplesConfig,
    LabelShiftConfig,
    MinKppConfig,
    SynthConfig,
)
from corpuslab.cli.config_flags import config_command

console = Console()
app = typer.Typer(name="anatomy", no_args_is_help=True,
                  help="Data anatomy: estimate a model's training-data mixture (label shift, Min-K%++) and score "
                       "it against ground-truth specs.")

SHORT = {"samples": "-s", "output_dir": "-o", "model": "-m"}
NO_PROGRESS = typer.Option(False, "--no-progress", help="Hide progress bars.")
BOOTSTRAP_ALIAS = typer.Option(None, "--bootstrap", hidden=True, help="Same as --n-bootstrap.")


def prior_table(summary: dict[str, Any]) -> Table:
    t = Table(title="Estimated mixture (label shift, 95% bootstrap CI)")
    for col in ("category", "BBSE", "BBSE CI", "EM", "EM CI", "p̄", "train prior"):
        t.add_column(col, justify="left" if col == "category" else "right")
    b, e = summary["priors"]["bbse"], summary["priors"]["em"]
    for c in summary["classes"]:
        t.add_row(c, f"{b['point'][c]:.4f}", f"[{b['ci_low'][c]:.3f}, {b['ci_high'][c]:.3f}]",
                  f"{e['point'][c]:.4f}", f"[{e['ci_low'][c]:.3f}, {e['ci_high'][c]:.3f}]",
                  f"{summary['pbar'][c]:.4f}", f"{summary['train_priors'][c]:.4f}")
    return t


def score_table(scores: list[Any]) -> Table:
    t = Table(title="Mixture estimate vs ground truth")
    for col in ("run", "method", "accuracy", f"tol-acc (±{scores[0].tol:g})" if scores else "tol-acc", "L1", "KL(g‖e)"):
        t.add_column(col, justify="left" if col in ("run", "method") else "right")
    for s in scores:
        t.add_row(s.run, s.method, f"{s.accuracy:.4f}", f"{s.tol_accuracy:.3f}", f"{s.l1:.4f}", f"{s.kl:.4f}")
    return t


@config_command(app, "fetch-samples", FetchSamplesConfig, short={"output_dir": "-o", "n": "-n"})
def fetch_samples_cmd(cfg: FetchSamplesConfig, no_progress: bool = NO_PROGRESS) -> None:
    """Seeded uniform sample of N documents per category (stage 1's bottom-k sampler, one pass)."""
    from corpuslab.anatomy.samples import fetch_samples

    counts = fetch_samples(cfg, progress=not no_progress)
    t = Table(title=f"Category samples in {cfg.output_dir}")
    t.add_column("category")
    t.add_column("documents", justify="right")
    for c, k in counts.items():
        t.add_row(c, f"{k:,}" + (" [yellow](fewer than requested)" if k < cfg.n else ""))
    console.print(t)


@config_command(app, "labelshift", LabelShiftConfig, short=SHORT, aliases={"bootstrap": "n_bootstrap"})
def labelshift_cmd(
    cfg: LabelShiftConfig,
    prompts_file: str | None = typer.Option(None, "--prompts-file", help="One prompt per line (\\n for a newline); "
                                                                          "sets prompts."),
    bootstrap: int | None = BOOTSTRAP_ALIAS,
    no_progress: bool = NO_PROGRESS,
) -> None:
    """Label-shift estimate: domain classifier → posteriors on generations → BBSE + EM priors."""
    from corpuslab.anatomy.generate import read_prompts
    from corpuslab.anatomy.labelshift import run_labelshift

    if prompts_file:
        cfg = cfg.model_copy(update={"prompts": read_prompts(prompts_file)})
    s = run_labelshift(cfg, progress=not no_progress)
    for w in s["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {w}")
    console.print(prior_table(s))
    console.print(f"classifier held-out accuracy {s['classifier']['heldout_accuracy']:.4f} "
                  f"(temperature {s['classifier']['temperature']:.3f}); {s['generations']['n']} target texts")
    console.print(f"wrote [b]{cfg.output_dir}[/b]/summary.json, summary.csv, confusion_matrix.png, priors.png, "
                  "pbar_vs_ctpi.png")


@config_command(app, "minkpp", MinKppConfig, short=SHORT, aliases={"k": "ratio"})
def minkpp_cmd(
    cfg: MinKppConfig,
    k: float | None = typer.Option(None, "--k", hidden=True, help="Same as --ratio."),
    no_progress: bool = NO_PROGRESS,
) -> None:
    """Min-K%++ membership: per-category GMM membership rate → global mixture over the sampled pool."""
    from corpuslab.anatomy.minkpp import run_minkpp

    r = run_minkpp(cfg, progress=not no_progress)
    t = Table(title="Min-K%++ membership rates")
    for col in ("category", "docs", "membership rate", "global share", "mean Min-K%++", "mean loss"):
        t.add_column(col, justify="left" if col == "category" else "right")
    for c, v in r.summary["per_category"].items():
        t.add_row(c, str(v["n_docs"]), f"{v['rate']:.3f}", f"{r.summary['global_mixture_over_sampled_pool'][c]:.4f}",
                  f"{v['mean_minkpp']:.3f}", f"{v['mean_loss']:.3f}")
    console.print(t)
    console.print(f"wrote [b]{cfg.output_dir}[/b]/summary.json, per_category.csv, global_mixture.csv")


@config_command(app, "evaluate", EvaluateConfig, short={"ground_truth": "-g", "output_dir": "-o"}, arguments=("runs",))
def evaluate_cmd(cfg: EvaluateConfig) -> None:
    """Overlap accuracy 1 − ½Σ|e−g| (+ tolerance accuracy) with automatic 6/7-class alignment."""
    from corpuslab.anatomy.evaluate import run_evaluate

    scores = run_evaluate(cfg)
    for s in scores:
        console.print(f"{s.run} [{s.method}] Accuracy: {s.accuracy:.4f}", highlight=False, markup=False)
    console.print(score_table(scores))
    if cfg.output_dir:
        console.print(f"wrote {cfg.output_dir}/report.md, mixtures.png, evaluation.csv, evaluation.json")


@config_command(app, "synth", SynthConfig, short={"output_dir": "-o"},
                file_only={"mixture": "a mapping; on the command line --mixture cat=weight,..."},
                aliases={"mixture_text": "mixture", "bootstrap": "n_bootstrap"})
def synth_cmd(
    cfg: SynthConfig,
    mixture_text: str | None = typer.Option(
        None, "--mixture", help="cat=weight,... over wikipedia, books, stackexchange, web, github "
                                "(default github=.40,wikipedia=.25,stackexchange=.17,books=.12,web=.06)."),
    bootstrap: int | None = BOOTSTRAP_ALIAS,
    no_progress: bool = NO_PROGRESS,
) -> None:
    """Train a small LM on a KNOWN mixture of real categories, run both estimators, score them."""
    from corpuslab.anatomy.synth_benchmark import run_synth

    s = run_synth(cfg, progress=not no_progress)
    t = Table(title="synth: estimated vs true mixture")
    t.add_column("category")
    t.add_column("truth", justify="right")
    keys = list(s["estimates"])
    for k in keys:
        t.add_column(k, justify="right")
    for c, g in s["true_mixture"].items():
        t.add_row(c, f"{g:.4f}", *[f"{s['estimates'][k].get(c, 0.0):.4f}" for k in keys])
    console.print(t)
    for k, a in s["accuracy"].items():
        console.print(f"{k} Accuracy: {a:.4f}", highlight=False, markup=False)
    console.print("member/non-member AUROC within category (macro): "
                  + ", ".join(f"{k} {v:.3f}" for k, v in s["auroc"]["macro"].items()))
