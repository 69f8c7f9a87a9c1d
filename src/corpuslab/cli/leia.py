"""``corpuslab leia build|train|eval``: LEIA entity augmentation, continued pre-training, X-CSQA/X-CODAH."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console()
leia_app = typer.Typer(help="LEIA: English entity names inserted into target-language Wikipedia; train; evaluate.",
                       no_args_is_help=True)


@leia_app.command("build")
def build_cmd(
    articles: Path = typer.Option(..., "--articles", "-a", help="`wiki extract` output folder, or a dump file."),
    output_dir: Path = typer.Option(..., "--output-dir", "-o"),
    model: str = typer.Option(..., "--model", "-m", help="Model/tokenizer name or path (its tokenizer is used)."),
    english_ids: Path = typer.Option(..., "--english-ids", help="en-wikidata-ids.tsv|parquet (title → QID)."),
    target_ids: Path = typer.Option(..., "--target-ids", help="{lang}-wikidata-ids.tsv|parquet (title → QID)."),
    redirects: Path | None = typer.Option(None, "--redirects", help="{lang} redirects table (wiki redirects)."),
    seq_len: int = typer.Option(2048, help="Packed window length."),
    p: float = typer.Option(0.5, "--p", help="Insertion probability per link, re-drawn per epoch."),
    strategy: str = typer.Option("after", help="after (reference 'right'), before ('left'), replace, none."),
    seed: int = typer.Option(42),
    fragment_links: str = typer.Option("drop", help="Section links [[X#y]]: drop (reference) or strip."),
    id_dtype: str = typer.Option("auto", help="auto (int16 if V ≤ 32768 else int32), int16, uint16, int32."),
    max_articles: int | None = typer.Option(None, help="Stop after this many articles (samples)."),
    pack_epochs: int = typer.Option(1, help="Packed epochs to materialise under packed/."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Annotate links with English names, tokenise, pack; print the link report."""
    from corpuslab.leia.build import build_leia_dataset

    rep = build_leia_dataset(articles, output_dir, model, english_ids, target_ids, redirects, seq_len=seq_len, p=p,
                             strategy=strategy, seed=seed, fragment_links=fragment_links, id_dtype=id_dtype,
                             max_articles=max_articles, pack_epochs=pack_epochs, progress=not quiet)
    t = Table(title=f"leia build → {output_dir} ({rep['seconds']} s)")
    t.add_column("")
    t.add_column("value", justify="right")
    for k in ("articles", "articles_written", "links_seen", "links_resolved", "links_kept", "links_inserted",
              "tokens", "windows"):
        t.add_row(k, f"{rep[k]:,}")
    for k, v in rep["drop_reasons"].items():
        t.add_row(f"dropped: {k}", f"{v:,}")
    t.add_row("id dtype (V)", f"{rep['id_dtype']} ({rep['vocab_size']:,})")
    console.print(t)


@leia_app.command("train")
def train_cmd(
    model: str = typer.Option(..., "--model", "-m", help="Causal LM name or path to continue training."),
    data_dir: Path = typer.Option(..., "--data", "-d", help="`leia build` output folder."),
    output_dir: Path = typer.Option(..., "--output-dir", "-o"),
    max_steps: int = typer.Option(50),
    batch_size: int = typer.Option(1, "--batch-size", help="Per-device batch (windows)."),
    grad_accum: int = typer.Option(1, "--grad-accum"),
    learning_rate: float = typer.Option(5e-6, "--lr"),
    seq_len: int | None = typer.Option(None, help="Default: the build's seq_len."),
    p: float | None = typer.Option(None, "--p", help="Default: the build's p."),
    strategy: str | None = typer.Option(None, help="Default: the build's strategy; 'none' = FT baseline."),
    mask_entity_names: bool = typer.Option(False, help="Also mask the inserted names in the loss (ablation)."),
    deepspeed: str | None = typer.Option(None, help="DeepSpeed config JSON (passed to TrainingArguments)."),
    fsdp: str | None = typer.Option(None, help="FSDP option string (passed to TrainingArguments)."),
    gradient_checkpointing: bool = typer.Option(False),
    seed: int = typer.Option(42),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Continued pre-training with LEIA defaults (cosine lr 5e-6, wd 0.1, betas 0.9/0.95, eps 1e-6, clip 1)."""
    from corpuslab.leia.train import train_leia

    extra: dict[str, object] = {"learning_rate": learning_rate, "seed": seed}
    if deepspeed:
        extra["deepspeed"] = deepspeed
    if fsdp:
        extra["fsdp"] = fsdp
    if gradient_checkpointing:
        extra["gradient_checkpointing"] = True
    s = train_leia(model, data_dir, output_dir, max_steps=max_steps, per_device_train_batch_size=batch_size,
                   gradient_accumulation_steps=grad_accum, seq_len=seq_len, p=p, strategy=strategy,
                   mask_entity_names=mask_entity_names, progress=not quiet, **extra)
    losses = s["losses"]
    console.print(f"trained {max_steps} steps ({s['tokens_per_step']:,} tokens/step) on {s['device']}; "
                  f"loss {losses[0]:.3f} → {losses[-1]:.3f}; model: {s['final_model']}" if losses else
                  f"trained; model: {s['final_model']}")


@leia_app.command("eval")
def eval_cmd(
    model: str = typer.Option(..., "--model", "-m"),
    xcsqa: list[Path] = typer.Option([], "--xcsqa", help="X-CSQA files (X-CSR JSONL or CommonsenseQA JSONL)."),
    xcodah: list[Path] = typer.Option([], "--xcodah", help="X-CODAH files (X-CSR JSONL or CODAH TSV)."),
    output_dir: Path | None = typer.Option(None, "--output-dir", "-o"),
    num_fewshot: int = typer.Option(4, help="X-CSQA demonstrations."),
    limit: int | None = typer.Option(None, help="Items per task and language, after shuffling (seed)."),
    batch_size: int = typer.Option(16),
    seed: int = typer.Option(42),
    device: str | None = typer.Option(None),
    dtype: str | None = typer.Option(None, help="auto, float32, float16 (reference), bfloat16."),
) -> None:
    """Summed log-likelihood multiple choice; accuracy per language with a bootstrap 95% CI."""
    from rich.markdown import Markdown

    from corpuslab.core.errors import CorpuslabError
    from corpuslab.leia.evaluate import results_table, run_eval

    tasks = [("xcsqa", str(f)) for f in xcsqa] + [("xcodah", str(f)) for f in xcodah]
    if not tasks:
        raise CorpuslabError("give at least one --xcsqa or --xcodah file")
    res = run_eval(model, tasks, output_dir, num_fewshot=num_fewshot, limit=limit, batch_size=batch_size, seed=seed,
                   device=device, dtype=dtype)
    console.print(Markdown(results_table(res)))


def register(app: typer.Typer) -> None:
    """Add ``corpuslab leia …`` to the root app."""
    app.add_typer(leia_app, name="leia")
