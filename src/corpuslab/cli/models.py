"""``corpuslab models``: import llama2.c checkpoints, build tiny test models."""

from __future__ import annotations

import typer
from rich.console import Console

from corpuslab.cli.config_flags import config_command
from corpuslab.models.config import ImportLlama2cConfig, TinyModelConfig

console = Console()
app = typer.Typer(name="models", help="Model plumbing: import llama2.c checkpoints, build tiny offline models.",
                  no_args_is_help=True)


@config_command(app, "import-llama2c", ImportLlama2cConfig, arguments=("checkpoint", "tokenizer_bin", "out_dir"))
def import_llama2c_cmd(cfg: ImportLlama2cConfig) -> None:
    """Convert a llama2.c model (e.g. stories260K) into a LlamaForCausalLM + tokenizer folder."""
    from corpuslab.models.llama2c import import_llama2c

    out = import_llama2c(cfg.checkpoint, cfg.tokenizer_bin, cfg.out_dir)
    console.print(f"[green]wrote[/green] {out} (load with AutoModelForCausalLM/AutoTokenizer.from_pretrained)")


@config_command(app, "tiny", TinyModelConfig, arguments=("text",), short={"out_dir": "-o"})
def tiny_cmd(cfg: TinyModelConfig) -> None:
    """Build a random-init tiny causal LM with a BPE tokenizer trained on real text (offline tests/demos)."""
    from corpuslab.models.tiny import build_tiny_model

    build_tiny_model(cfg)
    console.print(f"[green]wrote[/green] tiny {cfg.arch} model to {cfg.out_dir}")
