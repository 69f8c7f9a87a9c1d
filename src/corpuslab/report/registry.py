"""Which kind of run a folder holds: one detector per run type, registered by the renderer modules.

A detector looks only at file names and a few JSON keys, and never raises on bad input: a missing or
corrupt artefact becomes a *problem* on the returned :class:`Run` (shown in the page as "interrupted"),
so that the report of a half-finished experiment still opens.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpuslab.report.model import Block, Run

log = logging.getLogger(__name__)

Detector = Callable[[Path], "Run | None"]
Renderer = Callable[[Run], list[Block]]
Comparer = Callable[[list[Run]], list[Block]]


@dataclass
class RunType:
    name: str
    title: str
    detect: Detector
    render: Renderer
    compare: Comparer | None = None
    #: what a user should point the report at, shown when nothing is recognised.
    hint: str = ""
    #: a run that holds other runs in sub-folders (the quickstart): they are searched too.
    container: bool = False


RUN_TYPES: dict[str, RunType] = {}
#: the data flow's order: sections of one folder, and comparisons, appear in this order.
PIPELINE_ORDER = ("quickstart", "sample", "clean", "overlap", "anatomy-synth", "anatomy", "leia", "revert")

#: folders never searched for nested runs (model weights, markers, caches).
SKIP_DIRS = {"_complete", "final_model", "checkpoints", "__pycache__", "node_modules", "stats", "rejected", "model",
             "base_model", "tokenizer", "data_samples", "category_samples", "minkpp_pool"}


def register(run_type: RunType) -> RunType:
    RUN_TYPES[run_type.name] = run_type
    return run_type


def _load_builtin() -> None:
    # Imported for their register() side effect; order is the order sections appear for one folder.
    from corpuslab.report.runs import anatomy, clean, leia, overlap, quickstart, revert, sample  # noqa: F401

    order = {n: i for i, n in enumerate(PIPELINE_ORDER)}
    items = sorted(RUN_TYPES.items(), key=lambda kv: order.get(kv[0], len(order)))
    RUN_TYPES.clear()
    RUN_TYPES.update(items)


def run_types() -> dict[str, RunType]:
    if not RUN_TYPES:
        _load_builtin()
    return RUN_TYPES


def detect_runs(path: str | os.PathLike[str]) -> list[Run]:
    """Every run type the folder itself holds (usually one); empty when none is recognised."""
    p = Path(path)
    runs: list[Run] = []
    if not p.is_dir():
        return runs
    for rt in run_types().values():
        try:
            run = rt.detect(p)
        except Exception as e:  # a detector bug must not take the whole page down
            log.warning("detector %s failed on %s: %s", rt.name, p, e)
            run = None
        if run is not None:
            runs.append(run)
    return runs


def find_runs(path: str | os.PathLike[str], max_depth: int = 2) -> list[Run]:
    """Runs in ``path``, or, when the folder itself is none, in its sub-folders (an experiment folder)."""
    here = detect_runs(path)
    if (here and not all(run_types()[r.run_type].container for r in here)) or max_depth <= 0:
        return here
    found: list[Run] = list(here)
    try:
        children = sorted(c for c in Path(path).iterdir() if c.is_dir())
    except OSError:
        return found
    for c in children:
        if c.name.startswith((".", "_")) or c.name in SKIP_DIRS:
            continue
        found.extend(find_runs(c, max_depth - 1))
    return found


# ---------------------------------------------------------------- tolerant readers for detectors


def read_json_tolerant(path: Path, problems: list[str]) -> Any:
    """JSON content, or None with a problem noted (truncated file, invalid JSON, unreadable)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        problems.append(f"{path.name} is missing")
    except json.JSONDecodeError as e:
        problems.append(f"{path.name} is not valid JSON (line {e.lineno}: {e.msg}); the run may have been "
                        "killed while writing it")
    except (OSError, UnicodeDecodeError) as e:
        problems.append(f"{path.name} could not be read: {e}")
    return None


def read_csv_tolerant(path: Path, problems: list[str]) -> list[dict[str, str]] | None:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError:
        problems.append(f"{path.name} is missing")
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        problems.append(f"{path.name} could not be read: {e}")
    return None


def leftover_tmp(path: Path, limit: int = 2000) -> list[str]:
    """Temp files (``.tmp-<pid>-name``) a killed writer left behind: the sign of an interrupted run."""
    out: list[str] = []
    for i, p in enumerate(path.rglob(".tmp-*")):
        if i >= limit:
            break
        out.append(str(p.relative_to(path)))
    return sorted(out)


def tmp_problem(path: Path) -> list[str]:
    tmp = leftover_tmp(path)
    if not tmp:
        return []
    shown = ", ".join(tmp[:3]) + (f" and {len(tmp) - 3} more" if len(tmp) > 3 else "")
    return [f"temporary files left by an interrupted write: {shown}"]


def to_float(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if f == f else None  # NaN → None
