"""Reading a run's artefacts without ever raising: a missing or damaged file becomes a *problem* string.

The report of a half-finished experiment must still open, so every reader here returns what it could
read and notes what it could not (shown at the top of the run's section).
"""

from __future__ import annotations

import csv
import json
from itertools import islice
from pathlib import Path
from typing import Any

from corpuslab.core.atomic import TMP_MARK
from corpuslab.core.errors import DataError
from corpuslab.core.shards import iter_jsonl


def read_json_tolerant(path: Path, problems: list[str]) -> Any:
    """JSON content, or None with a problem noted (missing, truncated, invalid JSON, unreadable)."""
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


def read_result(path: Path, card: dict[str, Any], problems: list[str], why_missing: str) -> Any:
    """A run's result JSON (see :func:`read_json_tolerant`). A run that did not finish may not have written it
    yet: then the problem says so, with ``why_missing`` (what stopped, what to do)."""
    if path.exists() or card.get("status") == "done":
        return read_json_tolerant(path, problems)
    problems.append(f"{path.name} is missing: {why_missing}")
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


def head_records(path: Path, n: int = 2) -> tuple[list[dict[str, Any]], str | None]:
    """The first ``n`` records of a JSONL shard (any compression), and a problem if it is missing or damaged."""
    out: list[dict[str, Any]] = []
    try:
        out.extend(islice(iter_jsonl(path, validate=False), n))
    except DataError as e:
        if not path.exists():
            return out, f"{path.name} is missing"
        return out, f"{path.parent.name}/{path.name}: {str(e).removeprefix(f'{path}: ')}"
    return out, None


def leftover_tmp(path: Path, recursive: bool = True, limit: int = 2000) -> list[str]:
    """Temp files (``.tmp-<pid>-name``) a killed writer left behind, relative to ``path``: in a folder (and
    below it when ``recursive``), or, for a single-file output, the temp names of that file beside it."""
    if path.is_dir():
        found = path.rglob(f"{TMP_MARK}*") if recursive else path.glob(f"{TMP_MARK}*")
        base = path
    else:
        found, base = path.parent.glob(f"{TMP_MARK}*-{path.name}"), path.parent
    return sorted(str(p.relative_to(base)) for p in islice(found, limit))


def tmp_problem(path: Path, recursive: bool = True) -> list[str]:
    """``[]``, or one problem naming the first few leftover temp files (see :func:`leftover_tmp`)."""
    tmp = leftover_tmp(path, recursive)
    if not tmp:
        return []
    shown = ", ".join(tmp[:3]) + (f" and {len(tmp) - 3} more" if len(tmp) > 3 else "")
    return [f"temporary files left by an interrupted write: {shown}"]


def to_float(x: Any) -> float | None:
    """``float(x)``, or None for what is no number (NaN included)."""
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if f == f else None
