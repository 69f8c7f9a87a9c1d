"""``corpuslab overlap compare``: put several overlap runs (e.g. English vs Japanese) side by side."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corpuslab.core.atomic import read_json, write_json_atomic
from corpuslab.core.errors import CorpuslabError, DataError
from corpuslab.overlap.curve import curve_summary
from corpuslab.overlap.run import RESULTS_FILE

log = logging.getLogger(__name__)


def load_run(run: str | Path) -> dict[str, Any]:
    """Read a run folder's ``overlap_results.json`` (or the file itself) and check its shape."""
    p = Path(run)
    f = p / RESULTS_FILE if p.is_dir() else p
    if not f.exists():
        raise DataError(f"{p}: no {RESULTS_FILE} (is this an overlap run folder?)")
    res = read_json(f)
    if not isinstance(res, dict) or not isinstance(res.get("steps"), list) or "chance" not in res:
        raise DataError(f"{f}: not an overlap results file")
    if not res["steps"]:
        raise DataError(f"{f}: run has no evaluated steps")
    return res


def compare_runs(
    runs: Sequence[str | Path], labels: Sequence[str] | None = None, out_dir: str | Path | None = None
) -> dict[str, Any]:
    """Load runs, summarise each curve, write ``comparison.png`` + ``comparison.json`` to ``out_dir``.

    Returns ``{"rows": [...], "warnings": [...], "plot": path}``. Runs evaluated on different fingerprint
    prompts or k are still compared, with a warning (their numbers are not strictly comparable).
    """
    from corpuslab.overlap.plots import plot_comparison

    if not runs:
        raise CorpuslabError("give at least one run folder to compare")
    if labels and len(labels) != len(runs):
        raise CorpuslabError(f"{len(labels)} labels for {len(runs)} runs: give one label per run")
    loaded = [load_run(r) for r in runs]
    names = list(labels) if labels else [Path(r).name for r in runs]
    warnings = []
    shas = {r.get("fingerprints_sha") for r in loaded}
    if len(shas) > 1:
        warnings.append("runs used different fingerprint prompts (use --load-fingerprints for identical prompts)")
    if len({r["k"] for r in loaded}) > 1:
        warnings.append("runs used different k")
    rows = []
    for name, res in zip(names, loaded, strict=True):
        steps = [p["step"] for p in res["steps"]]
        s = curve_summary(steps, [p["avg_overlap_ratio"] for p in res["steps"]])
        rows.append({"run": name, "k": res["k"], "chance": res["chance"], **s})
    out = Path(out_dir) if out_dir else Path(".")
    out.mkdir(parents=True, exist_ok=True)
    plot = plot_comparison(list(zip(names, loaded, strict=True)), out / "comparison.png")
    write_json_atomic(out / "comparison.json", {"runs": [str(r) for r in runs], "rows": rows, "warnings": warnings})
    for w in warnings:
        log.warning("%s", w)
    return {"rows": rows, "warnings": warnings, "plot": str(plot)}
