"""The run card: ``run.json`` in every folder a command writes, through this one function.

It says what made the folder (``kind``, the config as given and as resolved, seed, package versions,
inputs, command line) and what came of it (outputs, counts, wall time, ``status``). It is written when a
run starts (``status: running``) and again when it ends (``done``, ``failed`` or ``interrupted``), so a
folder whose card still says ``running`` was killed. ``corpuslab report`` picks a folder's renderer by
its card's ``kind``. A command whose output is one file (``wiki redirects -o table.tsv``) gets a card
beside it, ``table.tsv.run.json``.
"""

from __future__ import annotations

import datetime as _dt
import os
import shlex
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import BaseModel

from corpuslab.core.atomic import write_json_atomic
from corpuslab.core.runinfo import host_name, package_versions

RUN_CARD = "run.json"
SCHEMA = "corpuslab-run-v1"
#: every key a card has; ``corpuslab report`` and the tests rely on it
CARD_KEYS = ("schema", "kind", "status", "config", "seed", "inputs", "outputs", "counts", "started", "finished",
             "wall_seconds", "command", "versions", "host", "pid", "error")


def card_path(output: str | os.PathLike[str], single_file: bool = False) -> Path:
    """``<folder>/run.json`` for a folder output, ``<file>.run.json`` beside a single-file output."""
    p = Path(output)
    return p.with_name(p.name + ".run.json") if single_file else p / RUN_CARD


def _is_main_process() -> bool:
    """Under torchrun/accelerate every rank runs the same code; only rank 0 writes the card."""
    try:
        return int(os.environ.get("RANK", "0")) == 0
    except ValueError:
        return True


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _jsonable(x: Any) -> Any:
    if isinstance(x, BaseModel):
        return x.model_dump(mode="json")
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    return str(x)


def config_sections(config: BaseModel | Mapping[str, Any] | None) -> dict[str, Any]:
    """``{"given": …, "resolved": …}``: a pydantic config knows which fields were set (file or flags)."""
    if config is None:
        return {"given": {}, "resolved": {}}
    if isinstance(config, BaseModel):
        return {"given": config.model_dump(mode="json", exclude_unset=True), "resolved": config.model_dump(mode="json")}
    data = _jsonable(config)
    return {"given": data, "resolved": data}


class RunCard:
    """The card of one run; use as a context manager around the work (see :func:`run_card`).

    Fill :attr:`counts` and :attr:`outputs` as the run goes; they are written when it ends.
    """

    def __init__(self, output: str | os.PathLike[str], kind: str, config: BaseModel | Mapping[str, Any] | None = None,
                 inputs: Mapping[str, Any] | None = None, seed: int | None = None, single_file: bool = False):
        self.path = card_path(output, single_file)
        self.kind = kind
        self.config = config_sections(config)
        if seed is None:
            resolved = self.config["resolved"]
            seed = resolved.get("seed") if isinstance(resolved.get("seed"), int) else None
        self.data: dict[str, Any] = {
            "schema": SCHEMA, "kind": kind, "status": "running", "config": self.config, "seed": seed,
            "inputs": _jsonable(dict(inputs or {})), "outputs": {}, "counts": {}, "started": None, "finished": None,
            "wall_seconds": None, "command": " ".join(shlex.quote(a) for a in [Path(sys.argv[0]).name, *sys.argv[1:]]),
            "versions": package_versions(), "host": host_name(), "pid": os.getpid(), "error": None,
        }
        self.counts: dict[str, Any] = self.data["counts"]
        self.outputs: dict[str, Any] = self.data["outputs"]
        self._t0 = 0.0

    def start(self) -> RunCard:
        if _is_main_process():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._t0 = time.perf_counter()
        self.data["started"] = _now()
        self._write()
        return self

    def finish(self, status: str = "done", error: str | None = None) -> dict[str, Any]:
        self.data.update(status=status, error=error, finished=_now(),
                         wall_seconds=round(time.perf_counter() - self._t0, 3))
        self.data["counts"] = _jsonable(self.counts)
        self.data["outputs"] = _jsonable(self.outputs)
        self._write()
        return self.data

    def _write(self) -> None:
        if _is_main_process():
            write_json_atomic(self.path, self.data)

    def __enter__(self) -> RunCard:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc is None:
            self.finish()
        elif isinstance(exc, KeyboardInterrupt):
            self.finish("interrupted", "interrupted by the user")
        else:
            self.finish("failed", f"{type(exc).__name__}: {exc}")


def run_card(output: str | os.PathLike[str], kind: str, config: BaseModel | Mapping[str, Any] | None = None, *,
             inputs: Mapping[str, Any] | None = None, seed: int | None = None, single_file: bool = False) -> RunCard:
    """``with run_card(out, "clean", cfg, inputs={"raw_folder": raw}) as card: …; card.counts[...] = …``.

    ``single_file=True`` when ``output`` is the one file a command writes: the card goes beside it.
    """
    return RunCard(output, kind, config, inputs=inputs, seed=seed, single_file=single_file)


def read_run_card(output: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The card of a folder (or of a single-file output), or None when there is none or it is unreadable."""
    import json

    p = Path(output)
    f = p if p.name.endswith(RUN_CARD) else card_path(p, single_file=p.is_file())
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == SCHEMA and isinstance(data.get("kind"), str) else None
