"""Thin Typer commands: parse, call library functions, print for humans. One module per workflow."""
