"""Small fixture runs of every kind the report recognises, written into a test's tmp folder.

The stage-1 run is made by the real sampler (``corpuslab.mixture.runner.run_sample``) on tiny local
JSONL sources; the others are written in the shape their workflows write (see each function), with
numbers chosen so the tests can check what the page shows.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any


def _json(path: Path, obj: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=1), encoding="utf-8")
    return path


def make_sample_run(root: Path, target: int = 30, seed: int = 7) -> Path:
    """A real stage-1 run: two local JSONL sources (one too small for its quota), weights 3:1."""
    from corpuslab.mixture.config import MixtureConfig
    from corpuslab.mixture.runner import run_sample

    src = root / "sources"
    src.mkdir(parents=True, exist_ok=True)
    with open(src / "news.jsonl", "w", encoding="utf-8") as fh:
        for i in range(60):
            fh.write(json.dumps({"text": f"News article {i}: markets moved and people talked about it."}) + "\n")
    with open(src / "forum.jsonl", "w", encoding="utf-8") as fh:
        for i in range(5):
            fh.write(json.dumps({"text": f"Forum post {i}: how do I brew a stout at home?"}) + "\n")
    cfg = MixtureConfig.model_validate({
        "target_samples": target, "seed": seed,
        "datasets": [{"name": str(src / "news.jsonl"), "alias": "news", "weight": 3, "category": "web"},
                     {"name": str(src / "forum.jsonl"), "alias": "forum", "weight": 1,
                      "category": "stackexchange"}],
    })
    out = root / "raw"
    run_sample(cfg, str(out), progress=False)
    return out


def make_clean_run(root: Path) -> Path:
    """A stage-2 folder: funnel of three steps, per-source counts, drop reasons, rejected examples."""
    out = root / "cleaned"
    stats = {
        "stage": "clean",
        "funnel": [
            {"name": "html", "docs_in": 100, "docs_out": 100, "chars_in": 50_000, "chars_out": 42_000},
            {"name": "gopher_quality", "docs_in": 100, "docs_out": 80, "chars_in": 42_000, "chars_out": 36_000,
             "drop_reasons": {"gopher_short_document": 12, "gopher_below_alpha_threshold": 8}},
            {"name": "minhash", "docs_in": 80, "docs_out": 72, "chars_in": 36_000, "chars_out": 33_000,
             "drop_reasons": {"near_duplicate": 8}},
        ],
        "sources": {"news": {"docs_in": 75, "docs_out": 60}, "forum": {"docs_in": 25, "docs_out": 12}},
    }
    _json(out / "stats.json", stats)
    (out / "news").mkdir(parents=True, exist_ok=True)
    with gzip.open(out / "news" / "cleaned_data.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "news/1", "text": "kept", "metadata": {}}) + "\n")
    (out / "rejected" / "forum").mkdir(parents=True, exist_ok=True)
    with gzip.open(out / "rejected" / "forum" / "rejected.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "forum/3", "text": "buy buy buy",
                             "metadata": {"source": "forum", "filter_reason": "gopher_short_document",
                                          "filter_value": 3}}) + "\n")
    return out


def make_overlap_run(root: Path, name: str = "overlap_en", decay: float = 0.1, steps: int = 5) -> Path:
    """``overlap_results.json`` + ``overlap_summary.csv`` for a curve 1.0 → 1 − decay·(steps−1)."""
    out = root / name
    entries = []
    for i in range(steps):
        step = i * 10
        mean = round(1.0 - decay * i, 4)
        entries.append({"step": step, "avg_overlap_ratio": mean,
                        "overlap_scores": [round(mean - 0.02, 4), mean, round(min(1.0, mean + 0.02), 4)]})
    first, last = entries[0]["avg_overlap_ratio"], entries[-1]["avg_overlap_ratio"]
    below = next((e["step"] for e in entries if e["avg_overlap_ratio"] < 0.5), None)
    _json(out / "overlap_results.json", {
        "config": {"k": 50, "vocab_size": 512, "num_fingerprints": 3},
        "steps": entries,
        "summary": {"first": first, "last": last,
                    "decrease_rate": (first - last) / (entries[-1]["step"] - entries[0]["step"]),
                    "step_below_half": below, "chance_level": 50 / 512},
    })
    with open(out / "overlap_summary.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["step", "avg_overlap_ratio"])
        for e in entries:
            w.writerow([e["step"], e["avg_overlap_ratio"]])
    return out


def make_anatomy_run(root: Path) -> Path:
    """Label-shift ``summary.json`` (shape of ``corpuslab.anatomy.labelshift``) + ``evaluation.json``."""
    out = root / "anatomy"
    classes = ["web", "wikipedia", "books"]
    point = {"web": 0.5, "wikipedia": 0.3, "books": 0.2}
    em = {"web": 0.6, "wikipedia": 0.25, "books": 0.15}

    def block(p: dict[str, float]) -> dict[str, Any]:
        return {"point": p, "mean": p, "ci_low": {k: max(0.0, v - 0.05) for k, v in p.items()},
                "ci_high": {k: min(1.0, v + 0.05) for k, v in p.items()}, "n_bootstrap": 10, "ci": 0.95}

    _json(out / "summary.json", {
        "estimator": "labelshift", "classes": classes, "priors": {"bbse": block(point), "em": block(em)},
        "confusion_matrix": [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.05, 0.15, 0.8]],
        "confusion_matrix_hard": [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.05, 0.15, 0.8]],
        "pbar": point, "train_priors": {"web": 1 / 3, "wikipedia": 1 / 3, "books": 1 / 3}, "warnings": [],
        "classifier": {"kind": "tfidf", "heldout_accuracy": 0.85}, "generations": {"n": 40},
        "ground_truth": {"web": 0.5, "wikipedia": 0.25, "books": 0.25},
    })
    return out


def make_minkpp_run(root: Path) -> Path:
    out = root / "anatomy_minkpp"
    _json(out / "summary.json", {
        "estimator": "minkpp",
        "global_mixture_over_sampled_pool": {"web": 0.4, "wikipedia": 0.4, "books": 0.2},
        "global_mixture_threshold": {"web": 0.45, "wikipedia": 0.35, "books": 0.2},
        "per_category": {c: {"rate": 0.5, "n_docs": 10, "mean_minkpp": -0.1, "mean_mink": -3.0, "mean_loss": 4.0}
                         for c in ("web", "wikipedia", "books")},
    })
    return out


def make_leia_run(root: Path) -> Path:
    out = root / "leia"
    _json(out / "build_report.json", {"articles": 189, "links_seen": 1000, "links_resolved": 700,
                                      "links_inserted": 340,
                                      "drop_reasons": {"no_qid": 200, "namespace": 60, "list_of": 10,
                                                       "token_boundary": 30}})
    _json(out / "eval_results.json", {"task": "xcodah", "results": {
        "en": {"accuracy": 0.62, "ci_low": 0.55, "ci_high": 0.69, "n": 200},
        "ja": {"accuracy": 0.41, "ci_low": 0.34, "ci_high": 0.48, "n": 200}}})
    return out


def make_revert_run(root: Path) -> Path:
    out = root / "revert_eval"
    _json(out / "metrics.json", {
        "overall": {"roc_auc": 0.88, "pr_auc": 0.41, "precision_at_recall_0.75": 0.3, "n": 4000},
        "per_language": {"en": {"roc_auc": 0.9, "pr_auc": 0.45, "n": 2000},
                         "ja": {"roc_auc": 0.85, "pr_auc": 0.35, "n": 2000}},
        "by_user_type": {"anonymous": {"roc_auc": 0.83, "pr_auc": 0.5},
                         "registered": {"roc_auc": 0.9, "pr_auc": 0.3}},
        "disparate_impact": 1.7,
        "baseline": {"roc_auc": 0.8},
    })
    return out


def make_all(root: Path) -> dict[str, Path]:
    """Every fixture run under ``root`` by run type, plus an unrecognised folder and an interrupted run."""
    runs = {"sample": make_sample_run(root), "clean": make_clean_run(root),
            "overlap": make_overlap_run(root), "overlap_ja": make_overlap_run(root, "overlap_ja", decay=0.2),
            "anatomy": make_anatomy_run(root), "minkpp": make_minkpp_run(root),
            "leia": make_leia_run(root), "revert": make_revert_run(root)}
    junk = root / "not_a_run"
    junk.mkdir()
    (junk / "notes.txt").write_text("nothing to see", encoding="utf-8")
    runs["unrecognised"] = junk
    runs["interrupted"] = make_interrupted_sample(root)
    return runs


def make_interrupted_sample(root: Path) -> Path:
    """A stage-1 run killed midway: one source complete, no plan.json, a temp file left behind."""
    out = make_sample_run(root / "killed")
    (out / "plan.json").unlink()
    (out / "forum" / "raw_data.jsonl.gz").unlink()
    (out / "forum" / ".tmp-999-raw_data.jsonl.gz").write_bytes(b"\x1f\x8b partial")
    return out
