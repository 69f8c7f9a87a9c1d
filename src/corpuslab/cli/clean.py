"""``corpuslab clean``, ``inspect``, ``merge``, ``push``: stage 2 (parse → call the library → print)."""

from __future__ import annotations

import json
import tempfile

import typer
from rich.console import Console
from rich.table import Table

from corpuslab.clean.config import CleanRunConfig, InspectConfig, MergeConfig, PushConfig
from corpuslab.cli.config_flags import config_command

console = Console()
app = typer.Typer()

BLOCK = "a nested block of the YAML (the same file as the mixture)"


@config_command(app, "clean", CleanRunConfig, short={"workers": "-w"},
                file_only={"cleaning": BLOCK, "filtering": BLOCK, "dedup": BLOCK})
def clean(
    cfg: CleanRunConfig,
    json_out: bool = typer.Option(False, "--json", help="Print stats.json instead of the funnel table."),
    no_progress: bool = typer.Option(False, "--no-progress", help="Hide progress bars."),
) -> None:
    """Clean, filter and deduplicate a raw mixture (tags are kept: a threshold change re-runs in seconds)."""
    from corpuslab.clean.runner import run_clean
    from corpuslab.clean.stats import format_funnel

    res = run_clean(cfg, progress=not no_progress)
    if json_out:
        typer.echo(json.dumps(res.stats, ensure_ascii=False, indent=2))
        return
    t = Table(title=f"cleaning funnel → {cfg.cleaned_folder}")
    for col in ("step", "docs in → out", "kept", "chars in → out", "top drop reasons"):
        t.add_column(col)
    for row in format_funnel(res.stats):
        t.add_row(*row)
    console.print(t)
    inp = res.stats["input"]
    problems = {k: v for k, v in inp.items() if k not in ("docs", "chars", "shards") and v}
    if problems:
        console.print(f"input problems (counted, not fatal): {problems}")
    console.print(f"kept {res.stats['output']['docs']:,} of {inp['docs']:,} documents; "
                  f"stats: {cfg.cleaned_folder}/stats.json")


@config_command(app, "inspect", InspectConfig, short={"samples": "-n"}, arguments=("folder",))
def describe(
    cfg: InspectConfig,
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Counts, length histograms, language mix and a few samples per source."""
    from corpuslab.clean.describe import describe_folder

    info = describe_folder(cfg)
    if json_out:
        typer.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    t = Table(title=f"{cfg.folder}: {info['total_docs']:,} documents")
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


@config_command(app, "merge", MergeConfig, short={"output": "-o"})
def merge(cfg: MergeConfig) -> None:
    """One shuffled (seeded) training set from all sources, metadata kept."""
    from corpuslab.clean.merge import merge_cleaned

    s = merge_cleaned(cfg)
    console.print(f"merged {s['docs']:,} documents → {s['output']} ({s['format']}, seed {s['seed']})")


@config_command(app, "push", PushConfig)
def push(
    cfg: PushConfig,
    dry_run: bool = typer.Option(False, "--dry-run", help="Prepare the files and card but do not upload."),
) -> None:
    """Publish a cleaned folder as a Hugging Face dataset (one config per source, card with plan + funnel)."""
    from corpuslab.clean.push import prepare_push, upload_folder

    tmp = None
    if cfg.staging is None:
        tmp = tempfile.TemporaryDirectory(prefix="corpuslab-push-")
        cfg = cfg.model_copy(update={"staging": tmp.name})
    try:
        info = prepare_push(cfg)
        console.print(f"prepared {len(info['files'])} files for {cfg.repo_name}: {', '.join(info['files'])}")
        if dry_run:
            console.print(f"dry run: nothing uploaded; files in {cfg.staging}")
            return
        url = upload_folder(info["staging"], cfg.repo_name, cfg.private)
        console.print(f"uploaded → {url}")
    finally:
        if tmp is not None and not dry_run:
            tmp.cleanup()
