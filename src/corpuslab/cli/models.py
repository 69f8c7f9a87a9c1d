"""``corpuslab models``: import llama2.c checkpoints, build tiny test models."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

console = Console()
models_app = typer.Typer(help="Model plumbing: import llama2.c checkpoints, build tiny offline models.",
                         no_args_is_help=True)


@models_app.command("import-llama2c")
def import_llama2c_cmd(
    checkpoint: Path = typer.Argument(..., help="llama2.c legacy checkpoint (.bin)"),
    tokenizer_bin: Path = typer.Argument(..., help="llama2.c tokenizer.bin with pieces and scores"),
    out_dir: Path = typer.Argument(..., help="output folder (Hugging Face save_pretrained layout)"),
) -> None:
    """Convert a llama2.c model (e.g. stories260K) into a LlamaForCausalLM + tokenizer folder."""
    from corpuslab.models.llama2c import import_llama2c

    out = import_llama2c(checkpoint, tokenizer_bin, out_dir)
    console.print(f"[green]wrote[/green] {out} (load with AutoModelForCausalLM/AutoTokenizer.from_pretrained)")


@models_app.command("tiny")
def tiny_cmd(
    text: list[Path] = typer.Argument(..., help="text files (plain, .bz2/.gz/.zst) or shard folders to train the tokenizer on"),
    out_dir: Path = typer.Option(..., "--out-dir", "-o", help="output folder"),
    arch: str = typer.Option("llama", help="gpt2, llama or qwen2"),
    vocab_size: int = typer.Option(1000, help="BPE vocabulary size"),
    hidden: int = typer.Option(64, help="hidden size"),
    layers: int = typer.Option(2, help="number of layers"),
    seed: int = typer.Option(0, help="init seed"),
) -> None:
    """Build a random-init tiny causal LM with a BPE tokenizer trained on real text (offline tests/demos)."""
    from corpuslab.core.errors import CorpuslabError
    from corpuslab.core.shards import iter_records, list_shards
    from corpuslab.core.streams import open_read
    from corpuslab.models.tiny import build_tiny_causal_lm

    if arch not in ("gpt2", "llama", "qwen2"):
        raise CorpuslabError(f"unknown architecture {arch!r}: use gpt2, llama or qwen2")
    texts: list[str] = []
    for p in text:
        if p.is_dir() or str(p).endswith((".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet")):
            if p.is_dir() and not list_shards(p):
                raise CorpuslabError(f"{p}: no shard files in folder")
            texts.extend(r["text"] for r in iter_records(p))
        else:
            with open_read(p) as fh:
                texts.extend(line for line in fh.read().decode("utf-8", "replace").splitlines() if line.strip())
    if not texts:
        raise CorpuslabError("no text to train the tokenizer on")
    build_tiny_causal_lm(texts, arch=arch, vocab_size=vocab_size, seed=seed, out_dir=out_dir,  # type: ignore[arg-type]
                         hidden=hidden, layers=layers)
    console.print(f"[green]wrote[/green] tiny {arch} model to {out_dir}")


def register(app: typer.Typer) -> None:
    """Add this workflow's commands to the root app."""
    app.add_typer(models_app, name="models")
