"""``corpuslab wiki extract|redirects|wikidata``: Wikipedia and Wikidata dumps → shards and title tables."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from corpuslab.cli.config_flags import config_command
from corpuslab.wiki.config import WikiExtractConfig, WikiRedirectsConfig, WikiWikidataConfig

console = Console()
app = typer.Typer(name="wiki", help="Wikipedia/Wikidata dumps: articles with link spans, redirects, sitelinks.",
                  no_args_is_help=True)

QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar.")


def _counts_table(title: str, counts: dict[str, int]) -> Table:
    t = Table(title=title)
    t.add_column("count")
    t.add_column("value", justify="right")
    for k, v in counts.items():
        t.add_row(k, f"{v:,}")
    return t


@config_command(app, "extract", WikiExtractConfig, short={"output_dir": "-o", "workers": "-w"})
def extract_cmd(cfg: WikiExtractConfig, quiet: bool = QUIET) -> None:
    """Articles (main namespace, no redirects) as plain text with link spans in metadata."""
    from corpuslab.wiki.extract import extract_dump

    rep = extract_dump(cfg, progress=not quiet)
    console.print(_counts_table(f"{Path(cfg.dump).name} → {cfg.output_dir} ({rep['seconds']} s)", rep["counts"]))


@config_command(app, "redirects", WikiRedirectsConfig, short={"output": "-o"})
def redirects_cmd(cfg: WikiRedirectsConfig) -> None:
    """Redirect table: source title → final target, chains followed, loops dropped."""
    from corpuslab.wiki.redirects import extract_redirects

    _, stats = extract_redirects(cfg)
    console.print(_counts_table(f"redirects → {cfg.output}", stats))


@config_command(app, "wikidata", WikiWikidataConfig, short={"output_dir": "-o", "languages": "-l"})
def wikidata_cmd(cfg: WikiWikidataConfig, quiet: bool = QUIET) -> None:
    """Per-language title → QID tables ({lang}-wikidata-ids.tsv) from sitelinks."""
    from corpuslab.wiki.wikidata import extract_wikidata

    rep = extract_wikidata(cfg, progress=not quiet)
    console.print(_counts_table(f"wikidata → {cfg.output_dir}", rep["counts"]))
