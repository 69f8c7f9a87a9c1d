"""Small fixture runs of every kind the report recognises, written into a test's tmp folder.

The stage-1 run is made by the real sampler (``corpuslab.mixture.runner.run_sample``) on tiny local
JSONL sources; the others are written in the shape their workflows write (see each function), with
numbers chosen so the tests can check what the page shows.
"""

from __future__ import annotations

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
    run_sample(cfg.model_copy(update={"raw_folder": str(out)}), progress=False)
    return out


def make_clean_run(root: Path) -> Path:
    """A stage-2 folder in the shape ``corpuslab.clean`` writes: funnel per step and source, drop reasons
    with metric ranges, rejected documents under ``_rejected/`` (``--keep-rejected``)."""
    out = root / "cleaned"

    def step(name: str, n_in: int, n_out: int, news: tuple[int, int], forum: tuple[int, int]) -> dict[str, Any]:
        return {"step": name, "docs_in": n_in, "docs_out": n_out, "chars_in": n_in * 500, "chars_out": n_out * 500,
                "by_source": {"news": {"docs_in": news[0], "docs_out": news[1]},
                              "forum": {"docs_in": forum[0], "docs_out": forum[1]}}}

    stats = {
        "input": {"docs": 100, "chars": 50_000, "shards": 2},
        "output": {"docs": 72, "chars": 36_000, "by_source": {"news": 60, "forum": 12}},
        "steps": ["input", "gopher_quality", "minhash_dedup"],
        "funnel": [step("input", 100, 100, (75, 75), (25, 25)),
                   step("gopher_quality", 100, 80, (75, 66), (25, 14)),
                   step("minhash_dedup", 80, 72, (66, 60), (14, 12))],
        "drop_reasons": {
            "gopher_quality:gopher_short_document": {"count": 12, "by_source": {"forum": 12},
                                                     "value": {"min": 3, "median": 20, "max": 49}},
            "gopher_quality:gopher_below_alpha_threshold": {"count": 8, "by_source": {"news": 8},
                                                            "value": {"min": 0.5, "median": 0.7, "max": 0.79}},
            "minhash_dedup:near_duplicate": {"count": 8, "by_source": {"news": 6, "forum": 2}, "value": None},
        },
        "run": {"stage": "clean"},
    }
    _json(out / "stats.json", stats)
    (out / "news").mkdir(parents=True, exist_ok=True)
    with gzip.open(out / "news" / "cleaned_data.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "news/1", "text": "kept", "metadata": {}}) + "\n")
    (out / "_rejected" / "forum").mkdir(parents=True, exist_ok=True)
    with gzip.open(out / "_rejected" / "forum" / "rejected_data.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "forum/3", "text": "buy buy buy", "metadata": {"source": "forum"},
                             "rejection": {"step": "gopher_quality", "reason": "gopher_short_document",
                                           "value": 3.0}}) + "\n")
    return out


def make_overlap_run(root: Path, name: str = "overlap_en", decay: float = 0.1, steps: int = 5,
                     finished: bool = True) -> Path:
    """An overlap run written by ``corpuslab.overlap.run.write_outputs`` for a curve 1.0 → 1 − decay·(steps−1)."""
    from corpuslab.overlap.run import write_outputs

    out = root / name
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for i in range(steps):
        mean = round(1.0 - decay * i, 4)
        scores = [round(mean - 0.02, 4), mean, round(min(1.0, mean + 0.02), 4)] if i else [1.0, 1.0, 1.0]
        entries.append({"step": i * 10, "samples_seen": i * 40, "avg_overlap_ratio": mean,
                        "min_overlap_ratio": min(scores), "max_overlap_ratio": max(scores),
                        "overlap_scores": scores, "eval_seconds": 0.01})
    results = {"format": "corpuslab-overlap-results-v1",
               "config": {"base_model": "tiny", "dataset": "books", "max_steps": (steps - 1) * 10},
               "k": 50, "vocab_size": 512, "chance": 50 / 512, "num_fingerprints": 3, "steps": entries}
    if finished:
        results.update({"wall_seconds": 1.0, "train_metrics": {"train_loss": 3.0}, "final_model": "final_model"})
    else:
        results["config"]["max_steps"] = 100
    write_outputs(out, results, plots=False)
    return out


TRUE_MIX = {"web": 0.5, "wikipedia": 0.25, "books": 0.25}


def make_anatomy_run(root: Path) -> Path:
    """A label-shift run made by ``corpuslab.anatomy``: priors estimated by ``estimate_priors`` on synthetic
    classifier posteriors drawn under a known shift, scored by the evaluator into ``evaluation/``."""
    import numpy as np

    from corpuslab.anatomy.evaluate import MixtureSpec, evaluate_runs, write_report
    from corpuslab.anatomy.labelshift import estimate_priors

    out = root / "anatomy"
    out.mkdir(parents=True, exist_ok=True)
    classes = list(TRUE_MIX)
    rng = np.random.default_rng(0)

    def posteriors(labels: np.ndarray) -> np.ndarray:
        p = np.full((len(labels), 3), 0.1)
        p[np.arange(len(labels)), labels] = 0.8
        p += rng.uniform(0, 0.05, p.shape)
        return p / p.sum(axis=1, keepdims=True)

    src_y = np.repeat(np.arange(3), 60)
    tgt_y = rng.choice(3, size=400, p=list(TRUE_MIX.values()))
    res = estimate_priors(posteriors(src_y), src_y, posteriors(tgt_y), classes, n_bootstrap=20, seed=0)
    _json(out / "summary.json", {"estimator": "labelshift", **res.summary(),
                                 "classifier": {"kind": "tfidf", "heldout_accuracy": 0.85},
                                 "generations": {"n": 400}})
    spec = MixtureSpec(name="fixture truth", weights=TRUE_MIX)
    write_report(evaluate_runs([str(out)], spec), spec, out / "evaluation")
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
    """``leia build``'s ``report.json`` and ``leia eval``'s ``{task}_metrics.json``, in their written shapes."""
    out = root / "leia"
    _json(out / "report.json", {"articles": 189, "articles_written": 170, "links_seen": 1000,
                                "links_resolved": 700, "links_kept": 680, "links_inserted": 340,
                                "drop_reasons": {"no_qid": 200, "namespace": 60, "list_of": 10, "token_boundary": 30},
                                "tokens": 123456, "windows": 60, "vocab_size": 512, "id_dtype": "int16",
                                "config": {"seq_len": 2048, "p": 0.5}})
    _json(out / "xcodah_metrics.json", {"task": "xcodah", "num_fewshot": 0, "bad_items": 0, "model": "tiny",
                                        "metrics": {
                                            "en": {"accuracy": 0.62, "ci_low": 0.55, "ci_high": 0.69, "n": 200,
                                                   "chance": 0.25},
                                            "ja": {"accuracy": 0.41, "ci_low": 0.34, "ci_high": 0.48, "n": 200,
                                                   "chance": 0.25}}})
    return out


def make_revert_run(root: Path) -> Path:
    """``metrics.json`` as ``revert eval`` writes it: ``corpuslab.revert.evaluate.evaluate_scores`` on scores
    drawn so that English is easier to rank than Japanese."""
    import numpy as np

    from corpuslab.revert.evaluate import evaluate_scores

    rng = np.random.default_rng(0)
    n = 400
    lang = np.array(["en"] * (n // 2) + ["ja"] * (n // 2))
    anon = rng.random(n) < 0.4
    y = (rng.random(n) < np.where(anon, 0.3, 0.1)).astype(int)
    signal = np.where(lang == "en", 2.0, 0.7)
    score = 1 / (1 + np.exp(-(signal * (2 * y - 1) + rng.normal(0, 1, n))))
    baseline = 1 / (1 + np.exp(-(0.5 * (2 * y - 1) + rng.normal(0, 1, n))))
    m = evaluate_scores(y, score, lang, anon, baseline=baseline)
    out = root / "revert_eval"
    _json(out / "metrics.json", m)
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
