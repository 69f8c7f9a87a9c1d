"""Stage-1 sampling speed: sample 10k from a ≥1M-line JSONL.gz, against the peers in the same run.

Peers: (a) a plain read of every line of the file (the floor any sampler pays for one pass), and
(b) the naive approach: decode every record with json.loads and reservoir-sample in Python (Algorithm R).
Targets (issue 2): sampling ≤ 1.2× the plain read; ≥ 3× faster than the naive approach.

    python benchmarks/bench_sample.py [--lines 1000000] [--k 10000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import tempfile
import time
from pathlib import Path

from corpuslab.core.config import validate
from corpuslab.mixture.config import MixtureConfig
from corpuslab.mixture.runner import run_sample


def make_file(path: Path, n: int) -> None:
    rng = random.Random(0)
    words = ["the", "of", "and", "to", "in", "data", "model", "corpus", "token", "sample", "weight", "seed", "quota", "stream", "shard"]
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as fh:
        for i in range(n):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(20, 120)))
            fh.write(json.dumps({"id": i, "text": text, "url": f"https://example.org/{i}"}) + "\n")


def plain_read(path: Path, opener=gzip.open) -> int:  # type: ignore[no-untyped-def]
    n = 0
    with opener(path, "rb") as fh:
        for _ in fh:
            n += 1
    return n


def plain_read_fast(path: Path) -> int:
    """The same plain read through the decompressor corpuslab uses (ISA-L), so the ratio is sampling's own cost."""
    from isal import igzip

    return plain_read(path, igzip.open)


def plain_read_ahead(path: Path) -> int:
    """The same plain read with corpuslab's read-ahead thread (decompression overlaps the line loop)."""
    from isal import igzip

    from corpuslab.core.streams import read_blocks

    n, carry = 0, b""
    with igzip.open(path, "rb") as fh:
        for block in read_blocks(fh, 1 << 21):
            lines = (carry + block).split(b"\n")
            carry = lines.pop()
            for _ in lines:
                n += 1
    return n + (1 if carry else 0)


def naive_reservoir(path: Path, k: int, seed: int) -> int:
    rng = random.Random(seed)
    res: list[dict] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            rec = json.loads(line)
            if i < k:
                res.append(rec)
            else:
                j = rng.randint(0, i)
                if j < k:
                    res[j] = rec
    return len(res)


def corpuslab_sample(path: Path, k: int, out: Path) -> int:
    cfg = validate(MixtureConfig, {"target_samples": k, "seed": 1,
                                   "datasets": [{"name": str(path), "alias": "bench", "weight": 1}]})
    plan = run_sample(cfg.model_copy(update={"raw_folder": str(out)}), progress=False)
    return plan["total_kept"]


def best_of(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--k", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "corpuslab-bench"))
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    data = cache / f"bench_{args.lines}.jsonl.gz"
    if not data.exists():
        print(f"writing {args.lines:,} lines to {data} ...")
        make_file(data, args.lines)
    mb = data.stat().st_size / 1e6
    t_plain = best_of(lambda: plain_read(data), args.repeat)
    t_plain_fast = best_of(lambda: plain_read_fast(data), args.repeat)
    t_plain_ahead = best_of(lambda: plain_read_ahead(data), args.repeat)
    t_naive = best_of(lambda: naive_reservoir(data, args.k, 1), args.repeat)
    with tempfile.TemporaryDirectory() as d:
        counter = iter(range(100))
        t_ours = best_of(lambda: corpuslab_sample(data, args.k, Path(d) / f"r{next(counter)}"), args.repeat)
    n = args.lines
    print(f"\nfile: {n:,} lines, {mb:.1f} MB gzip; k = {args.k:,}; best of {args.repeat}\n")
    print("| method | seconds | docs/s | vs plain read | corpuslab speed-up |")
    print("|---|---:|---:|---:|---:|")
    for name, t in (("plain read of every line, gzip module (peer a)", t_plain),
                    ("plain read of every line, ISA-L gzip (peer a')", t_plain_fast),
                    ("plain read of every line, ISA-L + read-ahead thread (peer a'')", t_plain_ahead),
                    ("naive json.loads + Algorithm R (peer b)", t_naive),
                    ("corpuslab sample (bottom-k, writes output)", t_ours)):
        print(f"| {name} | {t:.2f} | {n / t:,.0f} | {t / t_plain:.2f}× | {t / t_ours:.2f}× |")
    worst = max(t_ours / t_plain, t_ours / t_plain_fast, t_ours / t_plain_ahead)
    print("\ncorpuslab decompresses on a read-ahead thread (the decompressors release the GIL): peer a'' "
          "gives the plain read the same help.")
    print(f"targets: corpuslab ≤ 1.2× plain read → {t_ours / t_plain:.2f}× (gzip), "
          f"{t_ours / t_plain_fast:.2f}× (same decompressor), {t_ours / t_plain_ahead:.2f}× (same read-ahead) "
          f"({'met' if worst <= 1.2 else 'MISSED'}); "
          f"≥ 3× faster than naive → "
          f"{t_naive / t_ours:.1f}× ({'met' if t_naive >= 3 * t_ours else 'MISSED'})")


if __name__ == "__main__":
    main()
