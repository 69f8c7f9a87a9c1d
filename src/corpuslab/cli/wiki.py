"""``corpuslab wiki extract|redirects|wikidata``: Wikipedia and Wikidata dumps → shards and title tables."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console()
wiki_app = typer.Typer(help="Wikipedia/Wikidata dumps: articles with link spans, redirects, sitelinks.",
                       no_args_is_help=True)


def _counts_table(title: str, counts: dict[str, int]) -> Table:
    t = Table(title=title)
    t.add_column("count")
    t.add_column("value", justify="right")
    for k, v in counts.items():
        t.add_row(k, f"{v:,}")
    return t


@wiki_app.command("extract")
def extract_cmd(
    dump: Path = typer.Option(..., "--dump", help="MediaWiki XML dump (.xml, .bz2 incl. multistream, .gz, .zst)."),
    output_dir: Path = typer.Option(..., "--output-dir", "-o", help="Folder for articles-*.jsonl.zst shards."),
    workers: int = typer.Option(1, "--workers", "-w", help="Rendering processes."),
    shard_size: int = typer.Option(10_000, help="Articles per shard."),
    fmt: str = typer.Option("jsonl.zst", "--format", help="Shard format: jsonl, jsonl.gz, jsonl.zst or parquet."),
    index: Path | None = typer.Option(None, help="Multistream index (found beside the dump when omitted)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Articles (main namespace, no redirects) as plain text with link spans in metadata."""
    from corpuslab.wiki.extract import extract_dump

    if fmt not in ("jsonl", "jsonl.gz", "jsonl.zst", "parquet"):
        raise typer.BadParameter(f"unknown format {fmt!r}", param_hint="--format")
    rep = extract_dump(dump, output_dir, workers=workers, shard_size=shard_size, fmt=fmt,
                       index_path=index, progress=not quiet)
    console.print(_counts_table(f"{dump.name} → {output_dir} ({rep['seconds']} s)", rep["counts"]))


@wiki_app.command("redirects")
def redirects_cmd(
    dump: Path = typer.Option(..., "--dump", help="MediaWiki XML dump."),
    output: Path = typer.Option(..., "--output", "-o", help="Table: .tsv[.gz] (source<TAB>target) or .parquet."),
) -> None:
    """Redirect table: source title → final target, chains followed, loops dropped."""
    from corpuslab.wiki.redirects import extract_redirects

    _, stats = extract_redirects(dump, output)
    console.print(_counts_table(f"redirects → {output}", stats))


@wiki_app.command("wikidata")
def wikidata_cmd(
    dump: Path = typer.Option(..., "--dump", help="Wikidata JSON dump (.json, .json.gz, .json.bz2)."),
    output_dir: Path = typer.Option(..., "--output-dir", "-o"),
    languages: str = typer.Option("en", "--languages", "-l", help="Comma-separated, e.g. en,ja."),
    fmt: str = typer.Option("tsv", "--format", help="tsv or parquet."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Per-language title → QID tables ({lang}-wikidata-ids.tsv) from sitelinks."""
    from corpuslab.wiki.wikidata import extract_wikidata

    langs = [x.strip() for x in languages.split(",") if x.strip()]
    rep = extract_wikidata(dump, output_dir, langs, fmt=fmt, progress=not quiet)
    console.print(_counts_table(f"wikidata → {output_dir}", rep["counts"]))


def register(app: typer.Typer) -> None:
    """Add ``corpuslab wiki …`` to the root app."""
    app.add_typer(wiki_app, name="wiki")
