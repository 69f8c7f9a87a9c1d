"""Streamed readers for stage 1 and friends: local files by format, and Hugging Face datasets.

A source is split into *units* (one per file, or one for a whole stream). A unit yields chunks of raw
payloads in order; payloads are decoded into ``{"text": ..., **fields}`` only when the sampler needs
them, so records that are never selected are never parsed.
"""

from corpuslab.sources.base import Unit, resolve_units

__all__ = ["Unit", "resolve_units"]
