"""Turn user-supplied names (dataset ids, titles, labels) into safe single path components."""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str, max_len: int = 120) -> str:
    """``HuggingFaceFW/fineweb-edu`` → ``HuggingFaceFW_fineweb-edu``; never empty, never ``..``."""
    s = _UNSAFE.sub("_", name.strip()).strip("._-")
    s = re.sub(r"_+", "_", s)[:max_len].strip("._-")
    return s or "unnamed"
