"""The ``corpuslab`` command: one Typer sub-app per module, added here (top-level commands, then groups)."""

from __future__ import annotations

import logging
import os
import sys

import typer

from corpuslab import __version__
from corpuslab.cli import anatomy, clean, leia, models, overlap, quickstart, report, revert, sample, wiki
from corpuslab.core.errors import CorpuslabError

app = typer.Typer(
    name="corpuslab",
    help="Build, clean, train on and audit language-model training data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

#: module → group name (None: its commands sit at the top level, ``corpuslab sample``)
_MODULES = ((sample, None), (clean, None), (quickstart, None), (report, None), (wiki, "wiki"), (leia, "leia"),
            (overlap, "overlap"), (models, "models"), (anatomy, "anatomy"), (revert, "revert"))
for _module, _group in _MODULES:
    app.add_typer(_module.app, name=_group)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"corpuslab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages."),
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


def main() -> None:
    """Console entry point: user errors become one line on stderr and exit code 2, never a traceback."""
    try:
        app()
    except CorpuslabError as e:
        typer.secho(f"error: {e}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.secho("interrupted; completed shards are kept, re-run to resume", err=True)
        sys.exit(130)
    except BrokenPipeError:  # `corpuslab inspect ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":
    main()
