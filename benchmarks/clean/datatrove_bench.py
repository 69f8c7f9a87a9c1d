"""DataTrove 0.10.1 side of benchmarks/bench_clean.py; runs INSIDE the peer venv (/work/venv-peer-datatrove).

``python datatrove_bench.py INPUT_DIR WORK_DIR TASKS WORKERS OUT.json``: the same pipeline as corpuslab's —
Gopher repetition → Gopher quality → C4 → FineWeb quality, exact dedup (3 stages), MinHash dedup (4 stages,
14×8, word 5-grams) — with LocalPipelineExecutor; prints/saves wall times per stage and the final count.
Also times datasketch MinHash(112) signing on the same texts (read + shingle + sign).
"""

import glob
import gzip
import json
import re
import sys
import time


def content(doc) -> str:  # noqa: ANN001 - DataTrove Document
    return doc.text


def main(inp: str, work: str, tasks: int, workers: int, out: str) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.exact_dedup import (
        ExactDedupConfig,
        ExactDedupFilter,
        ExactDedupSignature,
        ExactFindDedups,
    )
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    times: dict[str, float] = {}

    def run(name: str, pipeline, n_tasks: int, n_workers: int) -> None:  # noqa: ANN001
        t = time.time()
        LocalPipelineExecutor(pipeline=pipeline, tasks=n_tasks, workers=n_workers, logging_dir=f"{work}/logs/{name}",
                              skip_completed=False).run()
        times[name] = time.time() - t

    run("filters", [JsonlReader(inp, glob_pattern="*.jsonl.gz"), GopherRepetitionFilter(), GopherQualityFilter(),
                    C4QualityFilter(), FineWebQualityFilter(), JsonlWriter(f"{work}/filtered")], tasks, workers)
    ecfg = ExactDedupConfig(content_getter=content)
    run("exact_sig", [JsonlReader(f"{work}/filtered"), ExactDedupSignature(f"{work}/esig", config=ecfg)], tasks, workers)
    run("exact_find", [ExactFindDedups(f"{work}/esig", f"{work}/edups", config=ecfg)], 1, 1)
    run("exact_filter", [JsonlReader(f"{work}/filtered"), ExactDedupFilter(f"{work}/edups", config=ecfg),
                         JsonlWriter(f"{work}/exact")], tasks, workers)
    mcfg = MinhashConfig()
    run("minhash_sig", [JsonlReader(f"{work}/exact"), MinhashDedupSignature(f"{work}/msig", config=mcfg)], tasks, workers)
    run("minhash_buckets", [MinhashDedupBuckets(f"{work}/msig", f"{work}/mbuckets", config=mcfg)], mcfg.num_buckets, workers)
    run("minhash_cluster", [MinhashDedupCluster(f"{work}/mbuckets", f"{work}/mremove", config=mcfg)], 1, 1)
    run("minhash_filter", [JsonlReader(f"{work}/exact"), MinhashDedupFilter(f"{work}/mremove"), JsonlWriter(f"{work}/final")],
        tasks, workers)
    final = 0
    for f in glob.glob(f"{work}/final/*.jsonl.gz"):
        with gzip.open(f, "rt") as fh:
            final += sum(1 for _ in fh)
    # datasketch: read + shingle (regex word 5-grams) + MinHash(112) on one core
    res = {"times": times, "final_docs": final}
    try:
        from datasketch import MinHash

        texts = []
        for f in sorted(glob.glob(f"{inp}/*.jsonl.gz")):
            with gzip.open(f, "rt") as fh:
                texts.extend(json.loads(line)["text"] for line in fh)
        texts = texts[:20000]
        t = time.time()
        word = re.compile(r"\w+")
        for tx in texts:
            w = word.findall(tx.lower())
            m = MinHash(num_perm=112, seed=1)
            m.update_batch([" ".join(w[i : i + 5]).encode() for i in range(max(1, len(w) - 4))])
        res["datasketch_docs_per_s_1core"] = len(texts) / (time.time() - t)
    except ImportError:
        pass
    json.dump(res, open(out, "w"), indent=1)
    print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
