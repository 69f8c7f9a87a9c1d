"""Score an estimated mixture against a ground-truth spec.

Metric (Yaxin9Luo/data_anatomy ``benchmark_evaluation.py``): overlap accuracy ``Acc = 1 − ½·Σ_c |e_c − g_c|``
(one minus total-variation distance), plus ``Acc_tol(τ) = mean_c 1[|e_c − g_c| ≤ τ]`` (τ = 0.02), L1 and KL.
Both sides are normalised first and aligned automatically: a 6-class side (``web``) forces the other side's
``commoncrawl + c4`` into ``web``.
"""

from __future__ import annotations

import functools
import json
import math
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from corpuslab.anatomy.categories import KNOWN, WEB_PARTS, canonical_category, merge_web
from corpuslab.anatomy.config import EvaluateConfig
from corpuslab.core.config import read_yaml
from corpuslab.core.errors import ConfigError, DataError

SPECS_PACKAGE = "corpuslab.anatomy"


# ---- specs ---------------------------------------------------------------------------------------


@dataclass
class MixtureSpec:
    name: str
    weights: dict[str, float]          # normalised, canonical category names
    raw_weights: dict[str, float] = field(default_factory=dict)
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


def builtin_specs() -> dict[str, Path]:
    """Shipped specs by short name (``olmo1b``, ``pythia``, ``starcoder``, ``llama1``, ``amber``)."""
    root = resources.files(SPECS_PACKAGE) / "specs"
    return {Path(str(p)).stem: Path(str(p)) for p in root.iterdir() if str(p).endswith(".yaml")}


def normalise(weights: dict[str, float], where: str = "<weights>") -> dict[str, float]:
    """Divide by the sum; negative or non-numeric weights and an all-zero spec are errors."""
    out: dict[str, float] = {}
    for k, v in weights.items():
        try:
            f = float(v)
        except (TypeError, ValueError) as e:
            raise ConfigError(f"{where}: category_weights.{k}: not a number ({v!r})") from e
        if not math.isfinite(f) or f < 0:
            raise ConfigError(f"{where}: category_weights.{k}: weight must be finite and >= 0 (got {v!r})")
        out[k] = f
    total = sum(out.values())
    if total <= 0:
        raise ConfigError(f"{where}: category_weights sum to 0")
    return {k: v / total for k, v in out.items()}


def load_spec(path_or_name: str | os.PathLike[str], allowed: set[str] | None = None) -> MixtureSpec:
    """Load a ``category-mixture-v1`` YAML (a path or a built-in name), normalising its weights.

    Category names are mapped through :func:`canonical_category`; a name outside the taxonomy
    (and outside ``allowed``) is a :class:`ConfigError` naming the file and the key.
    """
    p = str(path_or_name)
    specs = builtin_specs()
    if not os.path.exists(p) and p in specs:
        p = str(specs[p])
    if not os.path.exists(p):
        raise ConfigError(f"spec {p!r}: no such file (built-in specs: {', '.join(sorted(specs))})")
    data = read_yaml(p)
    if not isinstance(data, dict) or not isinstance(data.get("category_weights"), dict):
        raise ConfigError(f"{p}: missing 'category_weights' mapping (category → weight)")
    ok = set(KNOWN) | set(allowed or ())
    raw: dict[str, float] = {}
    for k, v in data["category_weights"].items():
        cat = canonical_category(k)
        if cat not in ok:
            raise ConfigError(
                f"{p}: category_weights.{k}: unknown category (known: {', '.join(sorted(ok))})")
        raw[cat] = raw.get(cat, 0.0) + (float(v) if isinstance(v, (int, float)) else v)  # type: ignore[operator]
    weights = normalise(raw, p)
    return MixtureSpec(name=str(data.get("name", Path(p).stem)), weights=weights, raw_weights=raw, source=p,
                       meta={k: v for k, v in data.items() if k != "category_weights"})


# ---- alignment and metrics -----------------------------------------------------------------------


def align(estimate: dict[str, float], truth: dict[str, float]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Put both mixtures on one category list (6-class if either side uses ``web``), normalised.

    Categories present on one side only get 0 on the other side.
    """
    est = {canonical_category(k): float(v) for k, v in estimate.items()}
    tru = {canonical_category(k): float(v) for k, v in truth.items()}
    if "web" in est or "web" in tru:
        est, tru = merge_web(est), merge_web(tru)
    cats = [c for c in ("web", *WEB_PARTS) if c in est or c in tru]
    cats += sorted((set(est) | set(tru)) - set(cats))
    e = np.array([max(est.get(c, 0.0), 0.0) for c in cats], dtype=np.float64)
    g = np.array([max(tru.get(c, 0.0), 0.0) for c in cats], dtype=np.float64)
    if e.sum() <= 0:
        raise DataError("estimated mixture is all zeros")
    if g.sum() <= 0:
        raise DataError("ground-truth mixture is all zeros")
    return cats, e / e.sum(), g / g.sum()


def overlap_accuracy(e: np.ndarray, g: np.ndarray) -> float:
    """``1 − ½ Σ|e − g|``: 1 for identical mixtures, 0 for disjoint ones."""
    return float(1.0 - 0.5 * np.abs(np.asarray(e) - np.asarray(g)).sum())


def tolerance_accuracy(e: np.ndarray, g: np.ndarray, tol: float = 0.02) -> float:
    """Fraction of categories whose share is within ``tol`` (absolute) of the truth."""
    return float(np.mean(np.abs(np.asarray(e) - np.asarray(g)) <= tol + 1e-12))


def kl_divergence(g: np.ndarray, e: np.ndarray, eps: float = 1e-9) -> float:
    """KL(g ‖ e) with ``eps`` smoothing so a zero estimate is finite."""
    g = np.asarray(g) + eps
    e = np.asarray(e) + eps
    g, e = g / g.sum(), e / e.sum()
    return float(np.sum(g * np.log(g / e)))


def uniform_guess(categories: list[str]) -> dict[str, float]:
    return {c: 1.0 / len(categories) for c in categories}


@dataclass
class Score:
    run: str
    method: str
    categories: list[str]
    estimate: list[float]
    truth: list[float]
    accuracy: float
    tol_accuracy: float
    l1: float
    kl: float
    tol: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def score_mixture(estimate: dict[str, float], truth: dict[str, float], tol: float = 0.02,
                  run: str = "estimate", method: str = "") -> Score:
    cats, e, g = align(estimate, truth)
    return Score(run=run, method=method, categories=cats, estimate=e.tolist(), truth=g.tolist(),
                 accuracy=overlap_accuracy(e, g), tol_accuracy=tolerance_accuracy(e, g, tol),
                 l1=float(np.abs(e - g).sum()), kl=kl_divergence(g, e), tol=tol)


# ---- reading estimator outputs ---------------------------------------------------------------------


def read_estimates(results: str | os.PathLike[str], method: str = "all") -> dict[str, dict[str, float]]:
    """Mixtures in a results folder (or its ``summary.json``) by method name.

    Label shift: ``priors.<method>.point`` (else ``.mean``; methods ``bbse``, ``em``); Min-K%++: ``global_mixture_over_sampled_pool``;
    anything else with a top-level ``mixture`` mapping is read as method ``mixture``.
    """
    p = Path(results)
    f = p / "summary.json" if p.is_dir() else p
    if not f.exists():
        raise DataError(f"{f}: no summary.json (run `corpuslab anatomy labelshift` or `minkpp` first)")
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise DataError(f"{f}: not valid JSON ({e})") from e
    out: dict[str, dict[str, float]] = {}
    if isinstance(data.get("priors"), dict):
        for m, block in data["priors"].items():
            # the point estimate when present (bootstrap means of simplex projections are biased near 0)
            mean = (block.get("point") or block.get("mean")) if isinstance(block, dict) else None
            if isinstance(mean, dict):
                out[m] = {k: float(v) for k, v in mean.items()}
    if isinstance(data.get("global_mixture_over_sampled_pool"), dict):
        out["minkpp"] = {k: float(v) for k, v in data["global_mixture_over_sampled_pool"].items()}
    if not out and isinstance(data.get("mixture"), dict):
        out["mixture"] = {k: float(v) for k, v in data["mixture"].items()}
    if not out:
        raise DataError(f"{f}: no 'priors' or 'global_mixture_over_sampled_pool' found")
    if method != "all":
        if method not in out:
            raise DataError(f"{f}: no estimate for method {method!r} (has: {', '.join(out)})")
        out = {method: out[method]}
    return out


def evaluate_runs(runs: list[str], spec: MixtureSpec, tol: float = 0.02, method: str = "all",
                  include_uniform: bool = True) -> list[Score]:
    """Score every method of every run; adds a uniform guess over the aligned categories."""
    scores: list[Score] = []
    cats_seen: list[str] = []
    for r in runs:
        name = Path(r).name if Path(r).is_dir() else Path(r).parent.name
        for m, est in read_estimates(r, method).items():
            s = score_mixture(est, spec.weights, tol, run=name, method=m)
            scores.append(s)
            if not cats_seen:
                cats_seen = list(est)
    if include_uniform and cats_seen:
        scores.append(score_mixture(uniform_guess(cats_seen), spec.weights, tol, run="uniform-guess",
                                    method="uniform"))
    return scores


def run_evaluate(cfg: EvaluateConfig, truth: MixtureSpec | None = None) -> list[Score]:
    """Score every estimate in ``cfg``'s run folders against the spec; with ``cfg.output_dir``, write the
    report there (with ``run.json``). ``truth``: a spec already in memory (synth's realised mixture), used
    instead of loading ``cfg.ground_truth``.
    """
    from corpuslab.core.errors import CorpuslabError
    from corpuslab.core.runcard import run_card

    runs = cfg.run_folders()
    if not runs:
        raise CorpuslabError("give --results-dir DIR or --compare DIR [DIR ...]")
    spec = truth if truth is not None else load_spec(cfg.ground_truth)
    score = functools.partial(evaluate_runs, runs, spec, tol=cfg.tol, method=cfg.method, include_uniform=cfg.uniform)
    if not cfg.output_dir:
        return score()
    with run_card(cfg.output_dir, "anatomy-evaluate", cfg, inputs={"runs": runs, "ground_truth": spec.source}) as card:
        scores = score()
        write_report(scores, spec, cfg.output_dir)
        card.counts.update(estimates=len(scores), accuracy={f"{s.run}/{s.method}": s.accuracy for s in scores})
        card.outputs.update(json="evaluation.json", csv="evaluation.csv", report="report.md", plot="mixtures.png")
    return scores


# ---- outputs ---------------------------------------------------------------------------------------


def write_report(scores: list[Score], spec: MixtureSpec, out_dir: str | os.PathLike[str]) -> dict[str, str]:
    """``evaluation.json``, ``evaluation.csv``, ``report.md`` and ``mixtures.png`` under ``out_dir``."""
    from corpuslab.anatomy.plots import plot_mixtures
    from corpuslab.core.atomic import atomic_path, write_json_atomic

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / "evaluation.json", {"spec": spec.name, "spec_file": spec.source,
                                                "scores": [s.as_dict() for s in scores]})
    with atomic_path(out / "evaluation.csv") as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write("run,method,accuracy,tol_accuracy,l1,kl\n")
        for s in scores:
            fh.write(f"{s.run},{s.method},{s.accuracy:.6f},{s.tol_accuracy:.6f},{s.l1:.6f},{s.kl:.6f}\n")
    lines = [f"# Mixture estimate vs ground truth: {spec.name}", "",
             f"Spec: `{spec.source}` (normalised). Accuracy = 1 − ½·Σ|e−g|; "
             f"tol-accuracy = share of categories within ±{scores[0].tol if scores else 0.02:g}.", "",
             "| run | method | accuracy | tol-acc | L1 | KL(g‖e) |", "|---|---|---|---|---|---|"]
    for s in scores:
        lines.append(f"| {s.run} | {s.method} | {s.accuracy:.4f} | {s.tol_accuracy:.3f} | {s.l1:.4f} | {s.kl:.4f} |")
    if scores:
        cats = scores[0].categories
        lines += ["", "| category | truth | " + " | ".join(f"{s.run}/{s.method}" for s in scores) + " |",
                  "|---|---|" + "---|" * len(scores)]
        for i, c in enumerate(cats):
            row = [f"{s.estimate[s.categories.index(c)]:.4f}" if c in s.categories else "–" for s in scores]
            lines.append(f"| {c} | {scores[0].truth[i]:.4f} | " + " | ".join(row) + " |")
    with atomic_path(out / "report.md") as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n", encoding="utf-8")
    plot_mixtures(scores, out / "mixtures.png", title=f"Estimated vs true mixture — {spec.name}")
    return {"json": str(out / "evaluation.json"), "csv": str(out / "evaluation.csv"),
            "report": str(out / "report.md"), "plot": str(out / "mixtures.png")}
