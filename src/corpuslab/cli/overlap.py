"""``corpuslab overlap train|compare|score``: fingerprint-overlap tracking, comparison and lineage scoring."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console()
overlap_app = typer.Typer(help="Bottom-k fingerprint overlap: fine-tune and track, compare runs, score lineage.",
                          no_args_is_help=True)


def _fmt(v: object) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) >= 1e-3 or v == 0 else f"{v:.2e}"
    return str(v)


@overlap_app.command("train")
def train_cmd(
    base_model: str = typer.Option(None, "--base-model", help="hub id or local folder of the base causal LM"),
    dataset: str = typer.Option(None, "--dataset", help="HF dataset id (streamed), or a corpuslab shard folder/file"),
    output_dir: Path = typer.Option(None, "--output-dir", help="run folder for results, plots and final_model/"),
    dataset_config: str = typer.Option(None, "--dataset-config", help="dataset config, e.g. 20231101.en"),
    split: str = typer.Option(None, help="dataset split [train]"),
    text_field: str = typer.Option(None, "--text-field", help="field holding the text [text]"),
    data_files: list[str] = typer.Option(None, "--data-files", help="data files for builders such as json/parquet"),
    config: Path = typer.Option(None, "--config", help="YAML with the same keys as the flags (flags win)"),
    max_steps: int = typer.Option(None, "--max-steps", help="optimizer steps [1000]"),
    eval_steps: int = typer.Option(None, "--eval-steps", help="evaluate the overlap every N steps [100]"),
    num_train_samples: int = typer.Option(None, "--num-train-samples", help="documents to read [100000]"),
    per_device_train_batch_size: int = typer.Option(None, "--per-device-train-batch-size", help="[4]"),
    gradient_accumulation_steps: int = typer.Option(None, "--gradient-accumulation-steps", help="[10]"),
    learning_rate: float = typer.Option(None, "--learning-rate", help="[2e-6]"),
    warmup_steps: int = typer.Option(None, "--warmup-steps", help="[200]"),
    max_grad_norm: float = typer.Option(None, "--max-grad-norm", help="[0.5]"),
    max_length: int = typer.Option(None, "--max-length", help="tokens per example [min(model max, 2048)]"),
    packing: bool = typer.Option(None, "--packing/--no-packing", help="pack documents into full windows [off]"),
    bottom_k_vocab: int = typer.Option(None, "--bottom-k-vocab", help="k of the bottom-k sets [2000]"),
    num_fingerprints: int = typer.Option(None, "--num-fingerprints", help="fingerprint prompts [5]"),
    positions: int = typer.Option(None, "--positions", help="average over the last N positions per prompt [1]"),
    fingerprint_total_len: int = typer.Option(None, "--fingerprint-total-len", help="prompt length in tokens [64]"),
    k_bottom_random_prefix: int = typer.Option(None, "--k-bottom-random-prefix",
                                               help="sample each prompt token among the N least likely [50]"),
    eval_first_step: bool = typer.Option(None, "--eval-first-step/--no-eval-first-step",
                                         help="also evaluate at step 1 (the reference's first point) [off]"),
    trust_remote_code: bool = typer.Option(None, "--trust-remote-code/--no-trust-remote-code",
                                           help="allow model code from the hub [off]"),
    seed: int = typer.Option(None, "--seed", help="fingerprint and training seed [42]"),
    load_fingerprints: Path = typer.Option(None, "--load-fingerprints", help="reuse prompts from this JSON"),
    save_fingerprints: Path = typer.Option(None, "--save-fingerprints", help="also write the prompts here"),
    device: str = typer.Option(None, "--device", help="cpu, cuda, mps [auto]"),
    eval_batch_size: int = typer.Option(None, "--eval-batch-size", help="prompts per forward pass [all]"),
    no_final_model: bool = typer.Option(False, "--no-final-model", help="do not save final_model/"),
) -> None:
    """Fine-tune a causal LM and track how much of the base model's bottom-k fingerprint survives."""
    from corpuslab.core.config import load_config, validate
    from corpuslab.overlap.run import COMBINED_PNG, CURVE_PNG, OverlapTrainConfig, run_overlap_training

    flags = {
        "base_model": base_model, "dataset": dataset, "output_dir": str(output_dir) if output_dir else None,
        "dataset_config": dataset_config, "split": split, "text_field": text_field,
        "data_files": list(data_files) if data_files else None, "max_steps": max_steps, "eval_steps": eval_steps,
        "num_train_samples": num_train_samples, "per_device_train_batch_size": per_device_train_batch_size,
        "gradient_accumulation_steps": gradient_accumulation_steps, "learning_rate": learning_rate,
        "warmup_steps": warmup_steps, "max_grad_norm": max_grad_norm, "max_length": max_length,
        "packing": packing, "bottom_k_vocab": bottom_k_vocab, "num_fingerprints": num_fingerprints,
        "positions": positions, "seed": seed, "fingerprint_total_len": fingerprint_total_len,
        "k_bottom_random_prefix": k_bottom_random_prefix, "eval_first_step": eval_first_step,
        "trust_remote_code": trust_remote_code,
        "load_fingerprints": str(load_fingerprints) if load_fingerprints else None,
        "save_fingerprints": str(save_fingerprints) if save_fingerprints else None,
        "device": device, "eval_batch_size": eval_batch_size, "save_final_model": False if no_final_model else None,
    }
    if config is not None:
        cfg = load_config(config, OverlapTrainConfig, overrides=flags)
    else:
        cfg = validate(OverlapTrainConfig, {k: v for k, v in flags.items() if v is not None}, "command line")
    res = run_overlap_training(cfg, report=lambda m: console.print(m, highlight=False, soft_wrap=True))
    if res.get("is_main_process") is False:  # torchrun: rank 0 prints the summary
        return
    s = res["summary"]
    console.print(
        f"[green]done[/green]: overlap {s['overlap_first']:.4f} (step {s['step_first']}) → {s['overlap_last']:.4f} "
        f"(step {s['step_last']}), decrease rate {s['decrease_rate']:.5f}/step, first <0.5 at "
        f"{_fmt(s['first_step_below_0_5'])}, chance {res['chance']:.4f}")
    console.print(f"wrote {cfg.output_dir}/overlap_results.json, overlap_summary.csv, {CURVE_PNG}, {COMBINED_PNG}"
                  + (", final_model/" if cfg.save_final_model else ""))


_NARGS = {"context_settings": {"allow_extra_args": True, "ignore_unknown_options": True}}


def _parse_nargs(ctx: typer.Context, spec: dict[str, dict[str, object]], command: str) -> dict[str, object]:
    """argparse-style multi-value options (``--runs A B --labels en ja``), which click cannot express."""
    import argparse

    from corpuslab.core.errors import CorpuslabError

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # type: ignore[override]
            raise CorpuslabError(f"corpuslab overlap {command}: {message}")

    parser = _Parser(prog=f"corpuslab overlap {command}", add_help=False)
    for flag, kw in spec.items():
        parser.add_argument(flag, **kw)  # type: ignore[arg-type]
    ns, unknown = parser.parse_known_args(ctx.args)
    if unknown:
        raise CorpuslabError(f"corpuslab overlap {command}: unexpected arguments {' '.join(unknown)}")
    return vars(ns)


@overlap_app.command("compare", **_NARGS)
def compare_cmd(ctx: typer.Context) -> None:
    """Compare overlap runs: comparison.png (curves, decrease rate, final overlap, stats) and a table.

    Options: --runs DIR... (run folders), --labels NAME... (one per run; default folder names),
    --output-dir DIR (where comparison.png/json go; default .).
    """
    from corpuslab.overlap.compare import compare_runs

    a = _parse_nargs(ctx, {"--runs": {"nargs": "+", "required": True, "action": "extend"},
                           "--labels": {"nargs": "+", "action": "extend"},
                           "--output-dir": {"default": "."}}, "compare")
    res = compare_runs(a["runs"], a["labels"] or None, a["output_dir"])  # type: ignore[arg-type]
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


@overlap_app.command("score", **_NARGS)
def score_cmd(ctx: typer.Context) -> None:
    """Overlap of arbitrary models with a base model (lineage check), as a table.

    Options: --base M, --models M1 M2 ... (hub ids or folders), --load-fingerprints JSON,
    --num-fingerprints 5, --bottom-k-vocab 2000, --positions 1, --seed 42, --device auto,
    --allow-tokenizer-mismatch (score models with another tokenizer, with a warning), --output JSON.
    """
    from corpuslab.core.atomic import write_json_atomic
    from corpuslab.overlap.score import score_models

    a = _parse_nargs(ctx, {
        "--base": {"required": True}, "--models": {"nargs": "+", "required": True, "action": "extend"},
        "--load-fingerprints": {}, "--num-fingerprints": {"type": int, "default": 5},
        "--bottom-k-vocab": {"type": int, "default": 2000}, "--positions": {"type": int, "default": 1},
        "--seed": {"type": int, "default": 42}, "--device": {},
        "--allow-tokenizer-mismatch": {"action": "store_true"}, "--output": {},
    }, "score")
    base = str(a["base"])
    res = score_models(base, a["models"], fingerprints=a["load_fingerprints"],  # type: ignore[arg-type]
                       num_fingerprints=a["num_fingerprints"], k=a["bottom_k_vocab"],  # type: ignore[arg-type]
                       seed=a["seed"], positions=a["positions"], device=a["device"],  # type: ignore[arg-type]
                       allow_tokenizer_mismatch=bool(a["allow_tokenizer_mismatch"]))
    t = Table(title=f"bottom-{res['k']} overlap with {base} ({res['num_fingerprints']} prompts, "
                    f"chance {res['chance']:.4f})")
    for c in ["model", "mean", "min", "max", "std", "same tokenizer"]:
        t.add_column(c, justify="left" if c == "model" else "right")
    for r in res["rows"]:
        t.add_row(r["model"], _fmt(r["avg_overlap_ratio"]), _fmt(r["min_overlap_ratio"]),
                  _fmt(r["max_overlap_ratio"]), _fmt(r["std_overlap_ratio"]),
                  "yes" if r["same_tokenizer"] else "[red]NO[/red]")
    console.print(t)
    if a["output"]:
        write_json_atomic(str(a["output"]), res)
        console.print(f"wrote {a['output']}")


def register(app: typer.Typer) -> None:
    """Add this workflow's commands to the root app."""
    app.add_typer(overlap_app, name="overlap")
