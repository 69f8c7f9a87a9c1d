"""CLI for stage 1 (mixture sampling)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    return None
