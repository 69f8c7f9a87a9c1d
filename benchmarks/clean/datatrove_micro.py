"""One process, no executor: DataTrove 0.10.1's filter chain and MinHash signing per document, and
datasketch's MinHash(112) — the per-core costs behind bench_clean.py's table. Runs INSIDE the peer venv.

``python datatrove_micro.py DOCS.jsonl OUT.json``
"""

import json
import re
import sys
import time


def main(inp: str, out: str) -> None:
    from datatrove.data import Document
    from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    texts = [json.loads(line)["text"] for line in open(inp, encoding="utf-8")]
    filters = [GopherRepetitionFilter(), GopherQualityFilter(), C4QualityFilter(), FineWebQualityFilter()]
    for tx in texts[:50]:  # warm-up: load spaCy once (corpuslab's side warms up its LID model too)
        for f in filters:
            f.filter(Document(text=tx, id="w"))
    t = time.process_time()
    kept = 0
    for i, tx in enumerate(texts):
        doc = Document(text=tx, id=str(i))
        ok = True
        for f in filters:
            r = f.filter(doc)
            if not (r if isinstance(r, bool) else r[0]):
                ok = False
                break
        kept += ok
    res = {"docs": len(texts), "filters_cpu_s": time.process_time() - t, "kept": kept}
    sig = MinhashDedupSignature("/tmp/unused-dt-sig", config=MinhashConfig())
    t = time.process_time()
    for tx in texts:
        sig.get_signature(sig.get_shingles(tx))
    res["minhash_sig_cpu_s"] = time.process_time() - t
    try:
        from datasketch import MinHash

        word = re.compile(r"\w+")
        t = time.process_time()
        for tx in texts:
            w = word.findall(tx.lower())
            m = MinHash(num_perm=112, seed=1)
            m.update_batch([" ".join(w[i : i + 5]).encode() for i in range(max(1, len(w) - 4))])
        res["datasketch_cpu_s"] = time.process_time() - t
    except ImportError:
        pass
    json.dump(res, open(out, "w"))
    print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
