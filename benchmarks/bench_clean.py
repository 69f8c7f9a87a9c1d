"""Benchmark stage 2: corpuslab vs DataTrove 0.10.1 on the same documents, same machine, same run.

Pipeline (both tools): Gopher repetition → Gopher quality → C4 (DataTrove defaults) → FineWeb quality →
exact dedup → MinHash dedup (14 bands × 8 rows, word 5-grams). Documents: ``--docs`` (default 100,000)
English documents of ~1.3 KB composed from real sentences of ../shared/data (Stack Exchange posts and
Botchan), with 10 % exact and 10 % one-word-edit near duplicates planted. DataTrove runs in its own venv
(``--peer-python``, never a corpuslab dependency) through ``LocalPipelineExecutor``.

Prints a table: wall seconds, docs/s and docs/s per core for the filter chain, MinHash signing (read + shingle +
sign; datasketch on one core for reference) and the whole pipeline, plus the corpuslab/DataTrove ratio.
``--large`` additionally times fuzzy dedup alone on 1,000,000 documents (wall + peak RSS).

Usage: ``python benchmarks/bench_clean.py [--docs 100000] [--workers 2] [--skip-peer] [--large]``
"""

from __future__ import annotations

import argparse
import bz2
import html
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from corpuslab.clean.config import CleanRunConfig

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"


def sentence_pool() -> list[str]:
    """Real English sentences (Stack Exchange bodies + Botchan)."""
    sents: list[str] = []
    with bz2.open(DATA / "stackexchange/beer.stackexchange-Posts.xml.bz2") as fh:
        for _, el in ET.iterparse(fh):
            if el.tag == "row":
                body = re.sub(r"<[^>]+>", " ", html.unescape(el.attrib.get("Body", "")))
                sents += re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", body).strip())
                el.clear()
    book = bz2.open(DATA / "text/botchan.txt.bz2").read().decode("utf-8-sig")
    sents += re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", book))
    return [s for s in sents if 30 <= len(s) <= 400 and s[-1] in ".!?"]


def make_docs(n: int, seed: int = 0) -> list[str]:
    """n documents: 80 % originals of 8-13 real sentences in lines of 3, then 10 % exact and 10 % one-word-edit
    copies of random originals, shuffled. Random draws are vectorised so 1M documents take seconds."""
    rng = np.random.default_rng(seed)
    pool = sentence_pool()
    n_orig = int(n * 0.8)
    idx = rng.integers(0, len(pool), (n_orig, 13))
    ks = rng.integers(8, 14, n_orig)
    docs: list[str] = []
    for d in range(n_orig):
        sents = [pool[i] for i in idx[d, : ks[d]]]
        docs.append("\n".join(" ".join(sents[j : j + 3]) for j in range(0, len(sents), 3)))
    n_dup = n - n_orig
    srcs = rng.integers(0, n_orig, n_dup)
    exact = rng.random(n_dup) < 0.5
    where = rng.random(n_dup)
    for src, ex, w in zip(srcs, exact, where, strict=True):
        if ex:
            docs.append(docs[src])  # exact duplicate
        else:
            words = docs[src].split(" ")
            words[int(w * len(words))] = "changed"
            docs.append(" ".join(words))  # near duplicate
    order = rng.permutation(len(docs))
    return [docs[i] for i in order]


def write_input(docs: list[str], folder: Path, shards: int) -> None:
    from corpuslab.core.shards import ShardWriter

    folder.mkdir(parents=True, exist_ok=True)
    per = -(-len(docs) // shards)
    for s in range(shards):
        with ShardWriter(folder / f"part-{s:05d}.jsonl.gz") as w:
            for i in range(s * per, min(len(docs), (s + 1) * per)):
                w.write({"id": f"bench/{i}", "text": docs[i], "metadata": {"original_index": i}})


PIPELINE = {
    "filtering": {"gopher_repetition": {}, "gopher_quality": {}, "c4": {"profile": "datatrove"}, "fineweb_quality": {}},
    "dedup": {"exact": True, "minhash": {"ngram": 5, "bands": 14, "rows": 8}},
}


def peak_rss_mb() -> float:
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(self_kb, child_kb) / 1024


def clean_config(blocks: dict, raw: Path, out: Path, workers: int) -> CleanRunConfig:
    """The stage-2 blocks plus where from, where to and how many workers."""
    return CleanRunConfig.model_validate({**blocks, "raw_folder": str(raw), "cleaned_folder": str(out), "workers": workers})


def run_corpuslab(raw: Path, out: Path, workers: int) -> dict[str, float]:
    from corpuslab.clean import run_clean

    res: dict[str, float] = {}
    # filter chain only (no dedup): tag + decide + write
    t = time.time()
    run_clean(clean_config({"filtering": PIPELINE["filtering"]}, raw, out / "filters", workers), progress=False)
    res["filters"] = time.time() - t
    # read + shingle + MinHash sign (no filters): the signing stage alone
    t = time.time()
    minhash_only = {"dedup": {"exact": False, "minhash": PIPELINE["dedup"]["minhash"]}}
    run_clean(clean_config(minhash_only, raw, out / "minhash", workers), progress=False)
    res["minhash_sig"] = time.time() - t
    # the whole pipeline
    t = time.time()
    r = run_clean(clean_config(PIPELINE, raw, out / "full", workers), progress=False)
    res["full"] = time.time() - t
    res["final_docs"] = r.stats["output"]["docs"]
    # re-decide after a threshold change (tags reused)
    looser = json.loads(json.dumps(PIPELINE))
    looser["filtering"]["gopher_quality"] = {"min_stop_words": 1}
    t = time.time()
    run_clean(clean_config(looser, raw, out / "full", workers), progress=False)
    res["redecide"] = time.time() - t
    return res


def micro_corpuslab(docs: list[str]) -> dict[str, float]:
    """One process: the filter chain (tag + decide) and read-free shingle + MinHash signing, CPU seconds."""
    import pyarrow as pa

    from corpuslab.clean.config import CleanConfig
    from corpuslab.clean.decide import decide
    from corpuslab.clean.tag import TagPlan, band_keys_batch, shingle_tokens, tag_table

    n = len(docs)
    out: dict[str, float] = {"docs": n}
    cfg = CleanConfig.model_validate({"filtering": PIPELINE["filtering"]})
    plan = TagPlan(cfg)
    plan.metric_names()

    def table(part: list[str]) -> pa.Table:
        k = len(part)
        return pa.table({"id": [str(i) for i in range(k)], "text": part, "metadata": ["{}"] * k, "source": ["b"] * k,
                         "order": list(range(k)), "row": list(range(k)), "non_utf8": [False] * k})

    tag_table(table(docs[:50]), plan)  # warm-up: load the LID model once (DataTrove's side warms up spaCy too)
    t = time.process_time()
    kept = 0
    for s in range(0, n, 2000):
        kept += int(decide(tag_table(table(docs[s : s + 2000]), plan), cfg).kept.sum())
    out["filters_cpu_s"] = time.process_time() - t
    out["kept"] = kept
    t = time.process_time()
    for s in range(0, n, 2000):
        pairs = [shingle_tokens(x, "en", True) for x in docs[s : s + 2000]]
        band_keys_batch([p[0] for p in pairs], [p[1] for p in pairs], 5, 5, 14, 8, 1)
    out["minhash_sig_cpu_s"] = time.process_time() - t
    return out


def run_large(n: int, workers: int, tmp: Path) -> dict[str, float]:
    from corpuslab.clean import run_clean

    t = time.time()
    docs = make_docs(n, seed=1)
    write_input(docs, tmp / "large" / "raw" / "bench", shards=16)
    del docs
    gen = time.time() - t
    t = time.time()
    r = run_clean(clean_config({"dedup": {"exact": True, "minhash": {}}}, tmp / "large" / "raw", tmp / "large" / "out",
                               workers), progress=True)
    return {"docs": n, "generate_s": gen, "dedup_s": time.time() - t, "peak_rss_mb": peak_rss_mb(),
            "removed": n - r.stats["output"]["docs"]}


def print_micro(m: dict, p: dict | None) -> None:
    n = m["docs"]
    print(f"\n| per core, one process ({n:,} docs, CPU time) | corpuslab docs/s | DataTrove docs/s | ratio |")
    print("|---|---|---|---|")
    for label, key in (("filter chain GopherRep+GopherQual+C4+FineWeb", "filters_cpu_s"), ("shingle + MinHash sign (112 perms)", "minhash_sig_cpu_s")):
        o = n / m[key]
        q = (p["docs"] / p[key]) if p else None
        print(f"| {label} | {o:,.0f} | {'—' if q is None else f'{q:,.0f}'} | {'—' if q is None else f'{o / q:.1f}×'} |")
    if p and "datasketch_cpu_s" in p:
        q = p["docs"] / p["datasketch_cpu_s"]
        o = n / m["minhash_sig_cpu_s"]
        print(f"| MinHash sign vs datasketch MinHash(112) | {o:,.0f} | {q:,.0f} (datasketch) | {o / q:.1f}× |")
    if p:
        print(f"kept by the chain: corpuslab {m['kept']:,}, DataTrove {p['kept']:,} (fast tokenizer vs spaCy)")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("--peer-python", default="/work/venv-peer-datatrove/bin/python")
    ap.add_argument("--peer-docs", type=int, default=None,
                    help="run DataTrove on the first N of the documents only (default: all); rates are per document")
    ap.add_argument("--skip-peer", action="store_true")
    ap.add_argument("--large", action="store_true", help="also fuzzy-dedup 1,000,000 documents (time + peak RSS)")
    ap.add_argument("--large-docs", type=int, default=1_000_000)
    ap.add_argument("--large-only", action="store_true", help="only the 1M-document fuzzy dedup measurement")
    ap.add_argument("--keep", help="keep the working folder here")
    ap.add_argument("--micro-docs", type=int, default=5000, help="documents for the one-process per-core timing")
    ap.add_argument("--micro-only", action="store_true", help="only the one-process per-core comparison")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-clean-"))
    if args.large_only:
        lg = run_large(args.large_docs, args.workers, tmp)
        print(json.dumps(lg))
        print(f"fuzzy dedup (exact + MinHash 14×8) of {lg['docs']:,} docs: {lg['dedup_s']:.0f} s wall, "
              f"peak RSS {lg['peak_rss_mb']:,.0f} MB (max of this process and any one worker), removed {lg['removed']:,}")
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    t = time.time()
    docs = make_docs(args.docs)
    if not args.micro_only:
        write_input(docs, tmp / "raw" / "bench", args.shards)
    n_peer = min(args.peer_docs or len(docs), len(docs))
    peer_in = tmp / "raw" / "bench"
    if n_peer < len(docs) and not args.micro_only:
        peer_in = tmp / "peer_raw"
        write_input(docs[:n_peer], peer_in, args.shards)
    mean_len = float(np.mean([len(d) for d in docs]))
    print(f"{len(docs):,} documents, mean {mean_len:.0f} chars, generated in {time.time() - t:.1f} s → {tmp}", flush=True)
    micro_docs = docs[: args.micro_docs]
    del docs
    with open(tmp / "micro.jsonl", "w", encoding="utf-8") as fh:
        for d in micro_docs:
            fh.write(json.dumps({"text": d}) + "\n")
    micro = micro_corpuslab(micro_docs)
    print("corpuslab 1-process:", json.dumps(micro), flush=True)
    ours = None if args.micro_only else run_corpuslab(tmp / "raw", tmp / "ours", args.workers)
    print("corpuslab:", json.dumps(ours), flush=True)
    peer_micro = None
    if not args.skip_peer and Path(args.peer_python).exists():
        mo = tmp / "peer_micro.json"
        subprocess.run([args.peer_python, str(Path(__file__).with_name("clean") / "datatrove_micro.py"), str(tmp / "micro.jsonl"), str(mo)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peer_micro = json.loads(mo.read_text())
        print("datatrove 1-process:", json.dumps(peer_micro), flush=True)
    print_micro(micro, peer_micro)
    if ours is None:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    peer = None
    if not args.skip_peer and Path(args.peer_python).exists():
        out = tmp / "peer.json"
        subprocess.run([args.peer_python, str(Path(__file__).with_name("clean") / "datatrove_bench.py"), str(peer_in),
                        str(tmp / "dt"), str(args.shards), str(args.workers), str(out)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peer = json.loads(out.read_text())
        print("datatrove:", json.dumps(peer), flush=True)
    n, w = args.docs, args.workers
    rows = []

    def row(name: str, ours_s: float | None, peer_s: float | None, note: str = "") -> None:
        o = n / ours_s if ours_s else None
        p = n_peer / peer_s if peer_s else None
        rows.append((name, ours_s, o, o / w if o else None, peer_s, p, p / w if p else None, (o / p) if o and p else None, note))

    pt = peer["times"] if peer else {}
    row("filter chain (GopherRep+GopherQual+C4+FineWeb)", ours["filters"], pt.get("filters"))
    row("read + shingle + MinHash sign (+ write)", ours["minhash_sig"], pt.get("minhash_sig"))
    total_peer = sum(pt.values()) if pt else None
    row("whole pipeline (filters + exact + MinHash dedup)", ours["full"], total_peer)
    row("re-run after a threshold change", ours["redecide"], total_peer, "tags reused")
    print()
    print(f"| step ({w} workers) | corpuslab s ({n:,} docs) | docs/s | docs/s/core | DataTrove s ({n_peer:,} docs) | docs/s | docs/s/core | ratio (docs/s) |")
    print("|---|---|---|---|---|---|---|---|")
    f = lambda x, fmt="{:,.0f}": "—" if x is None else fmt.format(x)  # noqa: E731
    for r in rows:
        print(f"| {r[0]} | {f(r[1], '{:.1f}')} | {f(r[2])} | {f(r[3])} | {f(r[4], '{:.1f}')} | {f(r[5])} | {f(r[6])} | {f(r[7], '{:.1f}×')} |")
    if peer and "datasketch_docs_per_s_1core" in peer:
        print(f"\ndatasketch MinHash(112) read+shingle+sign, 1 core: {peer['datasketch_docs_per_s_1core']:,.0f} docs/s")
    print(f"final documents: corpuslab {ours['final_docs']:,}" + (f", DataTrove {peer['final_docs']:,}" if peer else ""))
    if args.large:
        lg = run_large(args.large_docs, w, tmp)
        print(f"\nfuzzy dedup (exact + MinHash 14×8) of {lg['docs']:,} docs: {lg['dedup_s']:.0f} s wall, "
              f"peak RSS {lg['peak_rss_mb']:,.0f} MB (max of this process and any one worker), removed {lg['removed']:,}")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
