"""``corpuslab overlap train``: fine-tune a causal LM and track its bottom-k fingerprint overlap with the base.

The story, top to bottom: load the base model (fp32 master weights; no embedding resize), generate or load
the fingerprint prompts, print the steps↔samples arithmetic, stream the training text, train with HF
``Trainer`` while :class:`OverlapCallback` evaluates the overlap at step 0 / every ``eval_steps`` / the end,
then write ``overlap_results.json``, ``overlap_summary.csv``, the two figures, ``final_model/`` and the run
card ``run.json``. The method is KimAu197/llm_fingerprint ``watermarking/train/train_and_eval_overlap.py``;
its defaults are :class:`~corpuslab.overlap.config.OverlapTrainConfig`'s.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpuslab.core.atomic import atomic_path, write_json_atomic
from corpuslab.core.errors import CorpuslabError
from corpuslab.core.runcard import run_card
from corpuslab.overlap.config import OverlapTrainConfig

log = logging.getLogger(__name__)

RESULTS_FILE = "overlap_results.json"
SUMMARY_CSV = "overlap_summary.csv"
CURVE_PNG = "overlap_vs_steps.png"
COMBINED_PNG = "overlap_analysis_combined.png"
FINGERPRINTS_FILE = "fingerprints.json"
BASE_BOTTOMK_FILE = "base_bottomk.json"


def fingerprints_digest(ids: list[list[int]]) -> str:
    return hashlib.sha256(json.dumps(ids).encode()).hexdigest()[:16]


def write_summary_csv(path: str | Path, points: list[dict[str, Any]]) -> Path:
    """``step,avg_overlap_ratio,...`` (the reference's two columns first, then min/max/std/samples)."""
    cols = ["step", "avg_overlap_ratio", "min_overlap_ratio", "max_overlap_ratio", "std_overlap_ratio",
            "samples_seen"]
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for p in points:
            w.writerow([p.get(c) if p.get(c) is not None else "" for c in cols])
    return Path(path)


def write_outputs(out: Path, results: dict[str, Any], plots: bool = True) -> None:
    """Results JSON + CSV (+ figures once there are points); safe to call after every evaluation."""
    from corpuslab.overlap.curve import curve_summary

    steps = [p["step"] for p in results["steps"]]
    results["summary"] = curve_summary(steps, [p["avg_overlap_ratio"] for p in results["steps"]])
    write_json_atomic(out / RESULTS_FILE, results)
    write_summary_csv(out / SUMMARY_CSV, results["steps"])
    if plots and results["steps"]:
        from corpuslab.overlap.plots import plot_overlap_analysis, plot_overlap_vs_steps

        plot_overlap_vs_steps(results, out / CURVE_PNG, title=f"{results['config']['base_model']} on "
                              f"{results['config']['dataset']} {results['config'].get('dataset_config') or ''}")
        plot_overlap_analysis(results, out / COMBINED_PNG)


def run_overlap_training(
    cfg: OverlapTrainConfig, report: Callable[[str], None] | None = None, progress: bool = True
) -> dict[str, Any]:
    """Run one overlap-tracked fine-tune; returns the ``overlap_results.json`` content.

    ``report`` receives the progress lines (default: the log). Under torchrun only rank 0 reports and writes
    files, the run card included.
    """
    is_main = int(os.environ.get("RANK", "0")) == 0
    _say = report or (lambda msg: log.info("%s", msg))

    def say(msg: str) -> None:
        if is_main:
            _say(msg)

    inputs = {"base_model": cfg.base_model, "dataset": cfg.dataset, "load_fingerprints": cfg.load_fingerprints}
    card = run_card(cfg.output_dir, "overlap-train", cfg, inputs=inputs) if is_main else contextlib.nullcontext()
    with card as c:
        results = _train_and_track(cfg, say, is_main, progress)
        if c is not None:
            s = results["summary"]
            c.counts.update(steps_evaluated=len(results["steps"]), overlap_first=s.get("overlap_first"),
                            overlap_last=s.get("overlap_last"), chance=results["chance"],
                            docs_read=results.get("docs_read"))
            c.outputs.update(results=RESULTS_FILE, summary_csv=SUMMARY_CSV, curve=CURVE_PNG, analysis=COMBINED_PNG,
                             fingerprints=FINGERPRINTS_FILE, base_bottomk=BASE_BOTTOMK_FILE,
                             final_model=results["final_model"])
    return results


def _train_and_track(cfg: OverlapTrainConfig, say: Callable[[str], None], is_main: bool,
                     progress: bool) -> dict[str, Any]:
    from corpuslab.models.loading import load_causal_lm
    from corpuslab.overlap.bottomk import check_k
    from corpuslab.overlap.fingerprints import (
        FingerprintRecipe,
        generate_fingerprints,
        load_fingerprints,
        model_vocab_size,
        save_fingerprints,
    )
    from corpuslab.overlap.tracking import OverlapCallback, OverlapTracker
    from corpuslab.train import (
        CausalLMTrainConfig,
        open_text_source,
        text_dataset,
        train_causal_lm,
        training_plan,
    )

    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.time()

    # fp32 master weights whatever the GPU; bf16 autocast comes from the Trainer (the reference trains fp16
    # weights, and half-precision tail logits tie)
    model, tok = load_causal_lm(cfg.base_model, device=cfg.device, dtype="float32",
                                trust_remote_code=cfg.trust_remote_code, eval_mode=False)
    V = model_vocab_size(model)
    check_k(cfg.bottom_k_vocab, V)
    if cfg.load_fingerprints:
        fps = load_fingerprints(cfg.load_fingerprints, tokenizer=tok, model=model)
        say(f"loaded {len(fps)} fingerprints from {cfg.load_fingerprints}")
    else:
        recipe = FingerprintRecipe(num_fingerprints=cfg.num_fingerprints, total_len=cfg.fingerprint_total_len,
                                   prefix_len=cfg.fingerprint_prefix_len, k_bottom=cfg.k_bottom_random_prefix,
                                   seed=cfg.seed)
        fps = generate_fingerprints(model, tok, recipe, base_model_name=cfg.base_model)
        say(f"generated {len(fps)} fingerprints of {cfg.fingerprint_total_len} tokens (seed {cfg.seed})")
    if is_main:
        save_fingerprints(out / FINGERPRINTS_FILE, fps)
        if cfg.save_fingerprints:
            save_fingerprints(cfg.save_fingerprints, fps)

    plan = training_plan(cfg.max_steps, cfg.per_device_train_batch_size, cfg.gradient_accumulation_steps,
                         num_train_samples=cfg.num_train_samples, packing=cfg.packing)
    say(plan["text"])
    if plan["warning"] and is_main:
        say(f"WARNING: {plan['warning']}")
        log.warning("%s", plan["warning"])

    max_len = cfg.max_length or min(int(getattr(tok, "model_max_length", 2048) or 2048), 2048,
                                    int(getattr(model.config, "max_position_embeddings", 2048) or 2048))
    texts = open_text_source(cfg.dataset, config=cfg.dataset_config, split=cfg.split, text_field=cfg.text_field,
                             data_files=cfg.data_files, trust_remote_code=cfg.trust_remote_code)
    dataset = text_dataset(texts, tok, max_length=max_len, packing=cfg.packing,
                           text_field=cfg.text_field, num_samples=cfg.num_train_samples)

    results: dict[str, Any] = {
        "format": "corpuslab-overlap-results-v1",
        "config": cfg.model_dump(),
        "k": cfg.bottom_k_vocab, "vocab_size": V, "chance": cfg.bottom_k_vocab / V,
        "num_fingerprints": len(fps), "fingerprints_sha": fingerprints_digest(fps.ids),
        "fingerprints_file": FINGERPRINTS_FILE, "max_length": max_len,
        "plan": {k: v for k, v in plan.items() if k != "text"},
        "steps": [], "log_history": [],
    }
    tracker = OverlapTracker(fps, k=cfg.bottom_k_vocab, positions=cfg.positions, batch_size=cfg.eval_batch_size,
                             pad_token_id=tok.pad_token_id or 0)

    def on_point(point: Any) -> None:
        results["steps"].append(point.to_json())
        say(f"step {point.step:>6}: overlap {point.stats['avg_overlap_ratio']:.4f} "
            f"(min {point.stats['min_overlap_ratio']:.4f}, max {point.stats['max_overlap_ratio']:.4f}, "
            f"{point.seconds * 1000:.0f} ms)")
        write_outputs(out, results, plots=False)  # a killed run keeps every point measured so far

    callback = OverlapCallback(tracker, eval_steps=cfg.eval_steps, effective_batch=plan["effective_batch"],
                               on_point=on_point, extra_steps=(1,) if cfg.eval_first_step else ())
    train_cfg = CausalLMTrainConfig(output_dir=str(out), **cfg.model_dump(include=set(CausalLMTrainConfig.model_fields)
                                                                          - {"output_dir"}))
    res = train_causal_lm(model, tok, dataset, train_cfg, callbacks=[callback], progress=progress)
    if not res.trainer.is_world_process_zero():
        results["is_main_process"] = False
        return results
    if results["steps"] and results["steps"][0]["step"] == 0 and results["steps"][0]["avg_overlap_ratio"] != 1.0:
        raise CorpuslabError(  # pragma: no cover - the method's invariant: no embedding resize, untouched base
            f"step-0 overlap is {results['steps'][0]['avg_overlap_ratio']}, not 1.0: the base sets were not "
            "computed from the untouched model")
    results["train_metrics"] = res.metrics
    results["log_history"] = res.log_history
    results["docs_read"] = dataset.docs_seen
    results["wall_seconds"] = round(time.time() - t_start, 3)
    results["eval_seconds_total"] = round(sum(p["eval_seconds"] for p in results["steps"]), 6)
    results["final_model"] = "final_model" if cfg.save_final_model else None
    write_json_atomic(out / BASE_BOTTOMK_FILE, {
        "k": cfg.bottom_k_vocab, "positions": cfg.positions,
        "bottomk": tracker.base_bottomk.tolist() if tracker.base_bottomk is not None else None})
    write_outputs(out, results, plots=True)
    return results
