"""Atomic writes: a temp name beside the target, renamed on success, so a killed job never leaves a
half-written file under the final name. Also the one place figures are saved (headless matplotlib).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corpuslab.core.errors import DataError

TMP_MARK = ".tmp-"


def tmp_name(path: str | os.PathLike[str]) -> str:
    """Temp name beside ``path`` keeping the suffix, so the compressor choice stays the same."""
    p = Path(path)
    return str(p.with_name(f"{TMP_MARK}{os.getpid()}-{p.name}"))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[str]:
    """Yield a temp path; rename it to ``path`` only if the block finishes without error."""
    final = str(path)
    Path(final).parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_name(final)
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def write_json_atomic(path: str | os.PathLike[str], obj: Any) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=2, sort_keys=False, default=str)
        fh.write("\n")


def read_json(path: str | os.PathLike[str]) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError as e:
        raise DataError(f"{path}: file not found") from e
    except json.JSONDecodeError as e:
        raise DataError(f"{path}: invalid JSON at line {e.lineno}: {e.msg}") from e


def remove_stale_tmp(folder: str | os.PathLike[str]) -> int:
    """Delete temp files a killed run left behind; returns how many."""
    n = 0
    for p in Path(folder).rglob(f"{TMP_MARK}*"):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
            n += 1
    return n


def pyplot() -> Any:
    """matplotlib's pyplot on the headless Agg backend (no display on servers and CI)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: str | os.PathLike[str], dpi: int = 110, tight: bool = False) -> Path:
    """Write ``fig`` as PNG atomically and close it (open figures accumulate memory in long runs)."""
    plt = pyplot()
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png", dpi=dpi, **({"bbox_inches": "tight"} if tight else {}))
    finally:
        plt.close(fig)
    return Path(path)
