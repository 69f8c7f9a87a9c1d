"""What made an output: versions and timestamps, recorded beside every stage's results."""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import platform
import sys
from typing import Any

import corpuslab


def package_versions(names: tuple[str, ...] = ("datasets", "pyarrow", "numpy", "torch", "transformers")) -> dict[str, str]:
    out = {"corpuslab": corpuslab.__version__, "python": sys.version.split()[0]}
    for n in names:
        try:
            out[n] = importlib.metadata.version(n)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def host_name() -> str:
    return platform.node()


def run_info(**extra: Any) -> dict[str, Any]:
    return {
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "host": host_name(),
        "versions": package_versions(),
        **extra,
    }
