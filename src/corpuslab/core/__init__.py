"""Shared core: records, shard I/O, config loading, run metadata. Imports no workflow."""
