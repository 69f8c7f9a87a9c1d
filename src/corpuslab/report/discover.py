"""Which runs a folder holds, read from run cards (``run.json``): no guessing from file names.

A folder with ``run.json`` is one run of its card's ``kind`` (a file with ``<file>.run.json`` beside it is
a single-file run). A folder without a card is an experiment folder: its sub-folders are searched, two
levels deep. A container kind (the quickstart, ``anatomy synth``) also shows the runs in its sub-folders.
A card's ``status`` is checked against the machine: a card still saying ``running`` whose process is gone
was killed.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from corpuslab.core.runcard import RUN_CARD, read_run_card
from corpuslab.core.runinfo import host_name
from corpuslab.core.shards import SKIP_DIRS
from corpuslab.report.artefacts import tmp_problem
from corpuslab.report.blocks import Run, Status
from corpuslab.report.renderers import command_for, renderer_for

log = logging.getLogger(__name__)

#: how many folder levels below a folder without a card are searched
SEARCH_DEPTH = 2
#: folders that never hold runs: the stages' bookkeeping, model weights, caches (hidden folders neither)
NOT_RUNS = frozenset({*SKIP_DIRS, "final_model", "checkpoints", "tokenizer", "packed", "__pycache__",
                      "node_modules"})
SINGLE_FILE_CARD = "." + RUN_CARD  # ``table.tsv.run.json`` is the card of ``table.tsv``


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine (it may belong to another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, ValueError, OSError):
        return False
    return True


def card_status(card: dict[str, Any]) -> tuple[Status, str | None]:
    """The run's status from its card, checked against this machine, and what to tell the reader."""
    status = card.get("status")
    if status == "done":
        return "ok", None
    if status == "failed":
        return "failed", f"failed: {card.get('error') or 'no error recorded'}"
    if status == "interrupted":
        return "interrupted", f"interrupted: {card.get('error') or 'no reason recorded'}"
    if status != "running":
        return "interrupted", f"the run card has an unknown status {status!r}"
    host, pid, here = card.get("host"), card.get("pid"), host_name()
    if host and host != here:
        return "interrupted", (f"running or interrupted: the card says running, on {host} since "
                               f"{card.get('started')}; its process cannot be checked from {here}")
    if isinstance(pid, int) and pid_alive(pid):
        return "running", f"still running (pid {pid}, started {card.get('started')})"
    return "interrupted", (f"killed: the card says running, but its process (pid {pid}) is gone; re-run "
                           f"`{command_for(str(card.get('kind')))}` to resume or redo it")


def load_run(path: Path, card: dict[str, Any]) -> Run:
    """``path``'s run: the renderer's artefacts, the card's status, leftover temp files."""
    kind = str(card.get("kind"))
    entry = renderer_for(kind)
    try:
        run = entry.module.load(path, card)
    except Exception as e:  # a reader bug must not take the whole page down
        log.exception("reading %s (%s) failed", path, kind)
        run = Run(path, kind, card, problems=[f"its artefacts could not be read: {type(e).__name__}: {e}"])
    run.status, said = card_status(card)
    # a container's steps report their own temp files; a single file's are its own temp names
    run.problems[:0] = [*([said] if said else []), *tmp_problem(path, recursive=not entry.container)]
    return run


def unreadable_card(path: Path) -> Run:
    """A folder whose ``run.json`` exists but cannot be read: shown as an error, not skipped."""
    return Run(path, "unknown", {}, status="error",
               problems=[f"{RUN_CARD} is unreadable or not a corpuslab run card (schema corpuslab-run-v1)"])


def output_of(card_file: Path) -> Path:
    """The output a card file describes: the folder of ``run.json``, the file of ``<file>.run.json``."""
    if card_file.name == RUN_CARD:
        return card_file.parent
    return card_file.with_name(card_file.name[: -len(SINGLE_FILE_CARD)])


def run_at(path: Path) -> Run | None:
    """The run ``path`` itself is (a folder with a card, a file with a card beside it, or a card file)."""
    if path.is_file() and path.name.endswith(RUN_CARD):
        path = output_of(path)
    card = read_run_card(path) if path.exists() else read_run_card(path.with_name(path.name + SINGLE_FILE_CARD))
    if card is not None:
        return load_run(path, card)
    if path.is_dir() and (path / RUN_CARD).exists():
        return unreadable_card(path)
    return None


def find_runs(path: str | os.PathLike[str], depth: int = SEARCH_DEPTH) -> list[Run]:
    """The run in ``path``; else the runs below it, ``depth`` levels down. A container adds its steps' runs."""
    p = Path(path)
    here = run_at(p)
    if here is not None:
        return [here, *runs_below(p, SEARCH_DEPTH)] if renderer_for(here.kind).container else [here]
    return runs_below(p, depth)


def runs_below(path: Path, depth: int) -> list[Run]:
    """Single-file runs in ``path`` and the runs of its sub-folders (those in :data:`NOT_RUNS` skipped)."""
    if depth <= 0 or not path.is_dir():
        return []
    try:
        entries = sorted(path.iterdir())
    except OSError:
        return []
    runs = [r for f in entries if f.name.endswith(SINGLE_FILE_CARD) and f.is_file() and (r := run_at(f))]
    for child in entries:
        if child.is_dir() and not child.name.startswith(".") and child.name not in NOT_RUNS:
            runs += find_runs(child, depth - 1)
    return runs
