"""``corpuslab overlap compare``: put several overlap runs (e.g. English vs Japanese) side by side.

The figure follows KimAu197/llm_fingerprint ``watermarking/train/compare_overlap_experiments.py``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from corpuslab.core.atomic import read_json, write_json_atomic
from corpuslab.core.errors import CorpuslabError, DataError
from corpuslab.core.runcard import run_card
from corpuslab.overlap.config import OverlapCompareConfig
from corpuslab.overlap.curve import curve_summary
from corpuslab.overlap.run import RESULTS_FILE

COMPARISON_PNG = "comparison.png"
COMPARISON_JSON = "comparison.json"

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


def compare_runs(cfg: OverlapCompareConfig) -> dict[str, Any]:
    """Load runs, summarise each curve, write ``comparison.png``, ``comparison.json`` and ``run.json``.

    Returns ``{"rows": [...], "warnings": [...], "plot": path}``. Runs evaluated on different fingerprint
    prompts or k are still compared, with a warning (their numbers are not strictly comparable).
    """
    from corpuslab.overlap.plots import plot_comparison

    if cfg.labels and len(cfg.labels) != len(cfg.runs):
        raise CorpuslabError(f"{len(cfg.labels)} labels for {len(cfg.runs)} runs: give one label per run")
    out = Path(cfg.output_dir)
    with run_card(out, "overlap-compare", cfg, inputs={"runs": cfg.runs}) as card:
        loaded = [load_run(r) for r in cfg.runs]
        names = list(cfg.labels) if cfg.labels else [Path(r).name for r in cfg.runs]
        warnings = []
        if len({r.get("fingerprints_sha") for r in loaded}) > 1:
            warnings.append("runs used different fingerprint prompts (use --load-fingerprints for identical prompts)")
        if len({r["k"] for r in loaded}) > 1:
            warnings.append("runs used different k")
        rows = []
        for name, res in zip(names, loaded, strict=True):
            steps = [p["step"] for p in res["steps"]]
            s = curve_summary(steps, [p["avg_overlap_ratio"] for p in res["steps"]])
            rows.append({"run": name, "k": res["k"], "chance": res["chance"], **s})
        plot = plot_comparison(list(zip(names, loaded, strict=True)), out / COMPARISON_PNG)
        write_json_atomic(out / COMPARISON_JSON, {"runs": list(cfg.runs), "rows": rows, "warnings": warnings})
        card.counts.update(runs=len(rows), warnings=len(warnings))
        card.outputs.update(plot=COMPARISON_PNG, comparison=COMPARISON_JSON)
    for w in warnings:
        log.warning("%s", w)
    return {"rows": rows, "warnings": warnings, "plot": str(plot)}
