"""CLI commands for the report workflow (filled in by its issue)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this workflow's commands to the root app."""
    return None
