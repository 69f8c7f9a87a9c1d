"""Revert-risk benchmarks, printed as tables (peers measured in the same run).

1. ``revert collect`` throughput (revisions/s) on constructed full-history dumps replayed on the real
   ja/vi article texts: local engine with 1 and 2 workers vs Ray with 2 workers (identical output checked).
2. Diff pieces: our changed-blocks-only diff vs a naive diff that strips and splits the whole article
   on every revision (the straightforward port of the reference's approach), on the same revisions.
3. The classifier stage on the real ORES editquality tables (enwiki 2015): CatBoost and LightGBM vs a
   plain logistic regression on the same features — ROC AUC, PR AUC, precision at recall 0.75, fit time.

Usage: python benchmarks/bench_revert.py [--articles 40] [--reference]   (--reference: CatBoost 5000 it, lr 0.01)
"""

from __future__ import annotations

import argparse
import difflib
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def table(title: str, header: list[str], rows: list[list[object]]) -> None:
    w = [max(len(str(x)) for x in [h, *[r[i] for r in rows]]) for i, h in enumerate(header)]
    print(f"\n{title}")
    print("| " + " | ".join(h.ljust(w[i]) for i, h in enumerate(header)) + " |")
    print("|" + "|".join("-" * (x + 2) for x in w) + "|")
    for r in rows:
        print("| " + " | ".join(str(x).ljust(w[i]) for i, x in enumerate(r)) + " |")


def naive_pieces(old: str, new: str) -> tuple[list[str], list[str]]:
    """Whole-article strip + sentence split + difflib on sentences (no block restriction)."""
    from corpuslab.revert.diff import plain_text, sentences

    a, b = sentences(plain_text(old)), sentences(plain_text(new))
    ins, rem = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("insert", "replace"):
            ins += b[j1:j2]
        if op in ("delete", "replace"):
            rem += a[i1:i2]
    return ins, rem


def bench_collect(tmp: Path, articles: int) -> None:
    from corpuslab.revert.collect import collect, read_collected
    from corpuslab.revert.config import CollectConfig
    from corpuslab.revert.constructed_histories import read_articles, replay_histories, write_history_xml

    dumps = []
    srcs = {"ja": "wiki/jawiki-20230501-pages-articles-excerpt.xml.bz2", "vi": "wiki/viwiki-20230501-pages-articles-excerpt.xml.bz2"}
    n_rev = 0
    texts = {}
    for lang, rel in srcs.items():
        texts[lang] = read_articles(SHARED / rel, min_chars=1200, limit=articles * 2, max_chars=8000)
    for i in range(4):
        lang = "ja" if i % 2 == 0 else "vi"
        arts = texts[lang][(i // 2) * articles:(i // 2 + 1) * articles]
        p = tmp / f"{lang}wiki-part{i}.xml.bz2"
        n_rev += write_history_xml(p, f"{lang}wiki", replay_histories(arts, seed=i, edits_per_page=12,
                                                                       first_rev_id=10_000_000 * (i + 1), first_page_id=100_000 * (i + 1)))
        dumps.append(p)
    rows = []
    outs = {}
    import ray

    t = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    ray_init = time.perf_counter() - t
    for name, engine, workers in [("local, 1 worker", "local", 1), ("local, 2 workers", "local", 2), ("ray, 2 workers", "ray", 2)]:
        out = tmp / name.replace(" ", "_").replace(",", "")
        t = time.perf_counter()
        rep = collect(CollectConfig(inputs=[str(p) for p in dumps], out=out, workers=workers, engine=engine), progress=False)
        dt = time.perf_counter() - t
        outs[name] = read_collected(out)
        rows.append([name, n_rev, rep["written"], f"{dt:.1f}", f"{n_rev / dt:.0f}"])
    same = all(outs[k].equals(outs["local, 1 worker"]) for k in outs)
    ray.shutdown()
    table(f"collect: 4 constructed dumps on real ja/vi article texts ({n_rev} revisions); identical output: {same}; "
          f"Ray start-up ({ray_init:.1f} s) not included",
          ["engine", "revisions read", "rows written", "seconds", "revisions/s"], rows)

    # diff pieces: ours vs naive on consecutive revisions of the same dumps
    from corpuslab.revert.diff import diff_pieces

    pairs = []
    for rel in srcs.values():  # full-length articles here: the cost of a diff follows article size
        full = read_articles(SHARED / rel, min_chars=1200, limit=max(5, articles // 3))
        for _, _, revs in replay_histories(full, seed=9, edits_per_page=12):
            pairs += [(revs[k - 1]["text"], revs[k]["text"]) for k in range(1, len(revs))]
    t = time.perf_counter()
    for a, b in pairs:
        diff_pieces(a, b)
    ours = time.perf_counter() - t
    t = time.perf_counter()
    for a, b in pairs:
        naive_pieces(a, b)
    naive = time.perf_counter() - t
    table(f"diff pieces on {len(pairs)} consecutive revision pairs (full real ja/vi articles, constructed edits)",
          ["method", "seconds", "pairs/s", "speed-up"],
          [["changed blocks only (ours)", f"{ours:.2f}", f"{len(pairs) / ours:.0f}", f"{naive / ours:.1f}x"],
           ["whole article each revision (naive)", f"{naive:.2f}", f"{len(pairs) / naive:.0f}", "1.0x"]])


def bench_classifier(reference: bool) -> None:
    from corpuslab.revert.classifier import fit_booster, fit_logistic, load_feature_table, logistic_proba
    from corpuslab.revert.config import ClassifierConfig
    from corpuslab.revert.metrics import binary_metrics

    tr = SHARED / "revert/enwiki.features_reverted.training.20k_2015.tsv.bz2"
    te = SHARED / "revert/enwiki.features_reverted.testing.20k_2015.tsv.bz2"
    xtr, ytr = load_feature_table(tr, id_column=0)
    xte, yte = load_feature_table(te, id_column=0)
    names = [f"f{i}" for i in range(xtr.shape[1])]
    rows = []
    settings = [("catboost", 5000 if reference else 1000, 0.01), ("catboost", 300, 0.05), ("lightgbm", 1000, 0.01)]
    for backend, it, lr in settings:
        t = time.perf_counter()
        clf = fit_booster(xtr, ytr, names, None, ClassifierConfig(backend=backend, iterations=it, learning_rate=lr))
        dt = time.perf_counter() - t
        m = binary_metrics(yte, clf.predict_proba(xte))
        rows.append([f"{backend} ({it} it, lr {lr}, balanced)", m["roc_auc"], m["pr_auc"], m["precision_at_recall_0.75"], f"{dt:.1f}"])
    t = time.perf_counter()
    params = fit_logistic(xtr, ytr)
    dt = time.perf_counter() - t
    m = binary_metrics(yte, logistic_proba(params, xte))
    rows.append(["logistic regression (standardised, balanced)", m["roc_auc"], m["pr_auc"], m["precision_at_recall_0.75"], f"{dt:.1f}"])
    table(f"classifier on the real ORES editquality tables: {len(ytr)} train / {len(yte)} test ({int(yte.sum())} reverted), "
          f"{xtr.shape[1]} features (revision-id column dropped)",
          ["model", "ROC AUC", "PR AUC", "P@R0.75", "fit seconds"], rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=30, help="real articles per constructed dump")
    ap.add_argument("--reference", action="store_true", help="CatBoost at the reference 5000 iterations")
    ap.add_argument("--skip-collect", action="store_true")
    a = ap.parse_args()
    print(f"machine: {os.cpu_count()} CPUs")
    bench_classifier(a.reference)
    if not a.skip_collect:
        with tempfile.TemporaryDirectory() as d:
            bench_collect(Path(d), a.articles)


if __name__ == "__main__":
    main()
