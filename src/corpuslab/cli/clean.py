"""CLI for stage 2: ``clean``, ``inspect``, ``merge``, ``push`` (parse → call the library → print)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def _clean(
    config: Path = typer.Option(..., "--config", "-c", help="Mixture YAML with cleaning:/filtering:/dedup: blocks."),
    raw_folder: Path = typer.Option(..., "--raw-folder", help="Stage-1 output or any corpuslab shard folder."),
    cleaned_folder: Path = typer.Option(..., "--cleaned-folder", help="Where cleaned shards and stats.json go."),
    workers: int = typer.Option(1, "--workers", "-w", help="Local worker processes (one shard per task)."),
    engine: str = typer.Option("local", "--engine", help="local (process pool) or ray (Ray Data)."),
    ray_address: str = typer.Option(None, "--ray-address", help="Ray cluster address, e.g. ray://host:10001."),
    keep_rejected: bool = typer.Option(False, "--keep-rejected", help="Also write dropped docs with their reason."),
    parquet: bool = typer.Option(False, "--parquet", help="Also write cleaned_data.parquet per source."),
    json_out: bool = typer.Option(False, "--json", help="Print stats.json instead of the funnel table."),
) -> None:
    """Clean, filter and deduplicate a raw mixture (tags are kept: a threshold change re-runs in seconds)."""
    from corpuslab.clean import run_clean
    from corpuslab.clean.stats import format_funnel

    res = run_clean(config, raw_folder, cleaned_folder, workers=workers, engine=engine, ray_address=ray_address,
                    keep_rejected=keep_rejected, parquet=parquet)
    if json_out:
        typer.echo(json.dumps(res.stats, ensure_ascii=False, indent=2))
        return
    t = Table(title=f"cleaning funnel → {cleaned_folder}")
    for col in ("step", "docs in → out", "kept", "chars in → out", "top drop reasons"):
        t.add_column(col)
    for row in format_funnel(res.stats):
        t.add_row(*row)
    console.print(t)
    inp = res.stats["input"]
    problems = {k: v for k, v in inp.items() if k not in ("docs", "chars", "shards") and v}
    if problems:
        console.print(f"input problems (counted, not fatal): {problems}")
    console.print(f"kept {res.stats['output']['docs']:,} of {inp['docs']:,} documents; stats: {cleaned_folder}/stats.json")


def _inspect(
    folder: Path = typer.Argument(..., help="A raw or cleaned shard folder (or one shard file)."),
    samples: int = typer.Option(2, "--samples", "-n", help="Sample records per source."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Counts, length histograms, language mix and a few samples per source."""
    from corpuslab.clean.inspect import inspect_folder

    info = inspect_folder(folder, samples=samples)
    if json_out:
        typer.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    t = Table(title=f"{folder}: {info['total_docs']:,} documents")
    for col in ("source", "docs", "chars", "p5 / p50 / p95 chars", "languages"):
        t.add_column(col)
    for src, s in info["sources"].items():
        p = s["length_percentiles"]
        langs = ", ".join(f"{k} {v}" for k, v in list(s["languages"].items())[:5])
        t.add_row(src, f"{s['docs']:,}", f"{s['chars']:,}", f"{p.get(5)} / {p.get(50)} / {p.get(95)}", langs)
    console.print(t)
    for src, s in info["sources"].items():
        top = max((h["docs"] for h in s["length_histogram"]), default=1) or 1
        console.print(f"[bold]{src}[/bold] length histogram (chars)")
        for h in s["length_histogram"]:
            console.print(f"  {h['from']:>8}–{h['to']:<8} {'█' * int(30 * h['docs'] / top):<30} {h['docs']}")
        for smp in s["samples"]:
            console.print(f"  [dim]{smp['id']}[/dim] {smp['text'][:200]!r}")


def _merge(
    cleaned_folder: Path = typer.Option(..., "--cleaned-folder", help="Output of `corpuslab clean`."),
    output: Path = typer.Option(..., "--output", "-o", help="FILE.jsonl[.gz] / FILE.parquet / folder (HF dataset)."),
    seed: int = typer.Option(0, "--seed", help="Shuffle seed."),
    fmt: str = typer.Option("auto", "--format", help="auto, jsonl, parquet or hf."),
) -> None:
    """One shuffled (seeded) training set from all sources, metadata kept."""
    from corpuslab.clean.merge import merge_cleaned

    s = merge_cleaned(cleaned_folder, output, seed=seed, fmt=fmt)  # type: ignore[arg-type]
    console.print(f"merged {s['docs']:,} documents → {s['output']} ({s['format']}, seed {s['seed']})")


def _push(
    input_folder: Path = typer.Option(..., "--input-folder", help="A cleaned folder."),
    repo_name: str = typer.Option(..., "--repo-name", help="user/name on the Hugging Face Hub."),
    private: bool = typer.Option(False, "--private", help="Create a private dataset repo."),
    staging: Path = typer.Option(None, "--staging", help="Keep the prepared files here (default: a temp folder)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Prepare the files and card but do not upload."),
) -> None:
    """Publish a cleaned folder as a Hugging Face dataset (one config per source, card with plan + funnel)."""
    from corpuslab.clean.push import prepare_push, upload_folder

    tmp = None
    if staging is None:
        tmp = tempfile.TemporaryDirectory(prefix="corpuslab-push-")
        staging = Path(tmp.name)
    try:
        info = prepare_push(input_folder, repo_name, staging, private=private)
        console.print(f"prepared {len(info['files'])} files for {repo_name}: {', '.join(info['files'])}")
        if dry_run:
            console.print(f"dry run: nothing uploaded; files in {staging}")
            return
        url = upload_folder(staging, repo_name, private)
        console.print(f"uploaded → {url}")
    finally:
        if tmp is not None and not dry_run:
            tmp.cleanup()


def register(app: typer.Typer) -> None:
    """Add this workflow's commands to the root app."""
    app.command("clean")(_clean)
    app.command("inspect")(_inspect)
    app.command("merge")(_merge)
    app.command("push")(_push)
