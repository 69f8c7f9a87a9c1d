"""Benchmark: cost of one overlap evaluation vs one training step; batched bottom-k vs the per-prompt loop.

    python benchmarks/bench_overlap.py [--model DIR] [--seq-len 256] [--threads 1] [--out bench.json]

Targets (issue 4): evaluation at the default settings (k = 2000, 5 prompts × 64 tokens) adds < 5 % to a
run with ``eval_steps = 100`` (default batch 4 × accumulation 10), and batching is ≥ 3× faster than the
reference's one-prompt-at-a-time loop (full logits per prompt, last position read).

Without ``--model`` a Qwen2-shaped model is built in place: byte-level BPE trained on the real *Botchan*
text (../shared/data), config vocabulary padded to 16,384 rows (Qwen pads its 151,665 tokens to 151,936
rows the same way), random init. Training steps use the real plumbing (``corpuslab.train``, HF Trainer)
on packed Botchan windows of ``--seq-len`` tokens; the first step is a warm-up and not timed. Shorter
sequences than the reference's (up to 2048) make the evaluation look relatively *more* expensive.
"""

from __future__ import annotations

import argparse
import bz2
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared" / "data"


def botchan_docs() -> list[str]:
    with bz2.open(SHARED / "text" / "botchan.txt.bz2", "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()[20:]
    return [" ".join(lines[i : i + 8]) for i in range(0, len(lines) - 8, 8)]


def build_default_model(docs: list[str], vocab_rows: int, hidden: int, layers: int) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM

    from corpuslab.models.tiny import tiny_config, train_bpe_tokenizer

    tok = train_bpe_tokenizer(docs, vocab_size=4000)
    cfg = tiny_config("qwen2", vocab_rows, tok, hidden=hidden, layers=layers, heads=4, max_positions=2048)
    torch.manual_seed(0)
    return AutoModelForCausalLM.from_config(cfg), tok


def time_it(fn: Any, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure_train_step(model: Any, tok: Any, docs: list[str], args: argparse.Namespace) -> float:
    from transformers import TrainerCallback

    from corpuslab.train import CausalLMTrainConfig, text_dataset, train_causal_lm

    class StepTimer(TrainerCallback):
        def __init__(self) -> None:
            self.t0 = 0.0
            self.times: list[float] = []

        def on_step_begin(self, *a: Any, **k: Any) -> None:
            self.t0 = time.perf_counter()

        def on_step_end(self, *a: Any, **k: Any) -> None:
            self.times.append(time.perf_counter() - self.t0)

    timer = StepTimer()
    ds = text_dataset(docs, tok, max_length=args.seq_len, packing=True)
    cfg = CausalLMTrainConfig(output_dir="/tmp/bench_overlap_run", max_steps=args.train_steps + 1,
                              per_device_train_batch_size=args.batch, gradient_accumulation_steps=args.grad_accum,
                              learning_rate=2e-6, logging_steps=1000)
    train_causal_lm(model, tok, ds, cfg, progress=False)
    # the StepTimer is attached on a second, identical short run so the first run warms everything up
    train_causal_lm(model, tok, ds, cfg.model_copy(update={"max_steps": args.train_steps}), progress=False,
                    callbacks=[timer])
    return statistics.median(timer.times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="HF causal-LM folder (default: Qwen2-shaped model built on Botchan)")
    ap.add_argument("--vocab-rows", type=int, default=16384)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--k", type=int, default=2000)
    ap.add_argument("--prompts", default="5,20,50", help="numbers of fingerprint prompts to time")
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--grad-accum", type=int, default=10)
    ap.add_argument("--eval-steps", type=int, default=100)
    ap.add_argument("--train-steps", type=int, default=2, help="timed training steps (after one warm-up run)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest on a shared 2-core box)")
    ap.add_argument("--out", help="also write the numbers as JSON")
    args = ap.parse_args()

    import torch

    from corpuslab.overlap.bottomk import bottom_k_vocab, bottom_k_vocab_per_prompt, overlap_scores
    from corpuslab.overlap.fingerprints import FingerprintRecipe, generate_fingerprints, model_vocab_size

    torch.set_num_threads(args.threads)
    docs = botchan_docs()
    if args.model:
        from corpuslab.models.loading import load_causal_lm

        model, tok = load_causal_lm(args.model, dtype="float32", eval_mode=True)
        desc = args.model
    else:
        model, tok = build_default_model(docs, args.vocab_rows, args.hidden, args.layers)
        desc = f"qwen2-shaped random init, hidden {args.hidden}, {args.layers} layers"
    model.eval()
    V = model_vocab_size(model)
    n_params = sum(p.numel() for p in model.parameters())
    counts = [int(x) for x in args.prompts.split(",")]
    t = time.perf_counter()
    fps = generate_fingerprints(model, tok, FingerprintRecipe(num_fingerprints=max(counts), seed=42))
    t_fp = time.perf_counter() - t

    rows = []
    for n in counts:
        prompts = fps.ids[:n]
        t_b = time_it(lambda p=prompts: bottom_k_vocab(model, p, k=args.k), args.repeats)
        t_l = time_it(lambda p=prompts: bottom_k_vocab_per_prompt(model, p, k=args.k), args.repeats)
        # ablation: one prompt per forward but only the last position's logits (where the gain comes from)
        t_1 = time_it(lambda p=prompts: bottom_k_vocab(model, p, k=args.k, batch_size=1), args.repeats)
        same = float(overlap_scores(bottom_k_vocab(model, prompts, k=args.k),
                                    bottom_k_vocab_per_prompt(model, prompts, k=args.k)).mean())
        rows.append({"prompts": n, "batched_s": t_b, "per_prompt_s": t_l, "speedup": t_l / t_b,
                     "per_prompt_last_logits_s": t_1,
                     "sets_agree": same})

    model.train()
    t_step = measure_train_step(model, tok, docs, args)
    t_eval = rows[0]["batched_s"]  # default: 5 prompts
    overhead = t_eval / (args.eval_steps * t_step)
    overhead_loop = rows[0]["per_prompt_s"] / (args.eval_steps * t_step)

    print(f"\nbench_overlap — {desc}: {n_params / 1e6:.2f}M params, V = {V}, k = {args.k}, prompts of 64 tokens, "
          f"torch threads {args.threads}, {os.cpu_count()} CPUs, device cpu")
    print(f"fingerprint generation ({max(counts)} prompts, one-off): {t_fp:.2f} s\n")
    print(f"{'prompts':>7} | {'batched (ours)':>14} | {'per-prompt loop (ref)':>21} | {'speedup':>7} | "
          f"{'ablation: 1/pass, last logits':>29} | sets agree")
    print("-" * 104)
    for r in rows:
        print(f"{r['prompts']:>7} | {r['batched_s'] * 1000:>11.1f} ms | {r['per_prompt_s'] * 1000:>18.1f} ms | "
              f"{r['speedup']:>6.2f}× | {r['per_prompt_last_logits_s'] * 1000:>26.1f} ms | {r['sets_agree']:.4f}")
    eff = args.batch * args.grad_accum
    print(f"\none training step (batch {args.batch} × accumulation {args.grad_accum} = {eff} sequences × "
          f"{args.seq_len} tokens, fp32, HF Trainer): {t_step:.3f} s")
    print(f"one overlap evaluation (5 prompts, batched): {t_eval * 1000:.1f} ms = {t_eval / t_step * 100:.2f} % of a step")
    print(f"eval overhead at eval_steps={args.eval_steps}: {overhead * 100:.3f} % (target < 5 %); "
          f"with the per-prompt loop: {overhead_loop * 100:.3f} %")
    ok_speed = rows[0]["speedup"] >= 3.0
    print(f"targets: overhead < 5 % → {'PASS' if overhead < 0.05 else 'FAIL'}; "
          f"batched ≥ 3× per-prompt (5 prompts) → {'PASS' if ok_speed else 'FAIL'}")
    if args.out:
        Path(args.out).write_text(json.dumps({
            "model": desc, "params": n_params, "vocab_rows": V, "k": args.k, "threads": args.threads,
            "fingerprint_generation_s": t_fp, "bottomk": rows, "train_step_s": t_step,
            "eval_s": t_eval, "overhead": overhead, "overhead_per_prompt_loop": overhead_loop,
            "seq_len": args.seq_len, "batch": args.batch, "grad_accum": args.grad_accum,
        }, indent=2))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
