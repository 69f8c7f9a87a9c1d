"""End to end on the real jawiki excerpt, CPU, a few minutes: extract → tables → build → train → eval.

    python examples/leia/jawiki_leia.py --out runs/leia-example

Steps (each is also a CLI command, shown in docs/wiki.md):
1. ``wiki extract``  the jawiki excerpt → article shards with link spans
2. ``wiki redirects`` + ``wiki wikidata --languages en,ja`` → title tables (the Wikidata head has 49 entities,
   so only links to those resolve: a real dump resolves most links)
3. a tiny Llama (random init) with a byte-level BPE tokenizer trained on the extracted text
4. ``leia build`` (seq_len 256, p 0.5, insertion after the mention)
5. ``leia train`` twice: LEIA and the no-insertion baseline (``--strategy none``), same steps and seed
6. ``leia eval`` of base / baseline / LEIA on X-CODAH- and X-CSQA-format files: the constructed ja items
   beside this script (``*-ja-constructed.jsonl``, written for this example, not from X-CSR) and the real
   English CODAH / CommonsenseQA sources from ../shared/data/mc → ``results.md``

A tiny random model scores near chance: the point is that the whole pipeline runs and reports, not the
numbers. Point ``--model`` at a real checkpoint (e.g. a Llama-2 / Swallow path) on a GPU for real runs.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
SHARED = (HERE / ".." / ".." / ".." / "shared" / "data").resolve()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/leia-example")
    ap.add_argument("--data", default=str(SHARED), help="folder holding wiki/ and mc/ (../shared/data)")
    ap.add_argument("--model", default=None, help="existing causal LM to continue (default: a tiny random Llama)")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--eval-limit", type=int, default=60, help="English items per task (ja: all constructed)")
    args = ap.parse_args()

    from corpuslab.core.shards import iter_records
    from corpuslab.leia.build import build_leia_dataset
    from corpuslab.leia.config import LeiaBuildConfig, LeiaEvalConfig, LeiaTrainConfig
    from corpuslab.leia.evaluate import results_table, run_eval
    from corpuslab.leia.train import train_leia
    from corpuslab.wiki.config import WikiExtractConfig, WikiRedirectsConfig, WikiWikidataConfig
    from corpuslab.wiki.extract import extract_dump
    from corpuslab.wiki.redirects import extract_redirects
    from corpuslab.wiki.wikidata import extract_wikidata

    out = Path(args.out)
    data = Path(args.data)
    dump = data / "wiki" / "jawiki-20230501-pages-articles-excerpt.xml.bz2"
    rep = extract_dump(WikiExtractConfig(dump=str(dump), output_dir=str(out / "articles"), workers=2))
    print(f"1. extract: {rep['counts']}")
    _, rstats = extract_redirects(WikiRedirectsConfig(dump=str(dump), output=str(out / "tables" / "ja-redirects.tsv")))
    wd = extract_wikidata(WikiWikidataConfig(dump=str(data / "wiki" / "wikidata-all-head.json.bz2"),
                                             output_dir=str(out / "tables"), languages=["en", "ja"]))
    print(f"2. tables: redirects {rstats['resolved']}, sitelinks {wd['counts']}")

    model_path = args.model
    if model_path is None:
        from corpuslab.models.tiny import build_tiny_causal_lm

        texts = [r["text"][:4000] for r in iter_records(out / "articles")]
        texts += [line.split("\t")[0] for line in (out / "tables" / "en-wikidata-ids.tsv").read_text().splitlines()] * 5
        model_path = str(out / "base-model")
        build_tiny_causal_lm(texts, arch="llama", vocab_size=1500, out_dir=model_path, hidden=64, layers=2,
                             heads=4, max_positions=2048)
        print(f"3. tiny model → {model_path}")

    tables = out / "tables"
    b = build_leia_dataset(LeiaBuildConfig(
        articles=out / "articles", output_dir=out / "leia-data", model=model_path,
        english_ids=tables / "en-wikidata-ids.tsv", target_ids=tables / "ja-wikidata-ids.tsv",
        redirects=tables / "ja-redirects.tsv", seq_len=args.seq_len))
    print(f"4. build: links seen {b['links_seen']}, resolved {b['links_resolved']}, kept {b['links_kept']}, "
          f"inserted (epoch 0) {b['links_inserted']}, windows {b['windows']}, drops {b['drop_reasons']}")

    runs = {}
    for name, strategy in (("leia", "after"), ("ft-baseline", "none")):
        s = train_leia(LeiaTrainConfig(model=model_path, data_dir=out / "leia-data", output_dir=out / f"train-{name}",
                                       max_steps=args.steps, per_device_train_batch_size=4, strategy=strategy,
                                       learning_rate=1e-3), progress=False)
        runs[name] = s["final_model"]
        print(f"5. train {name}: loss {s['losses'][0]:.3f} → {s['losses'][-1]:.3f}")

    mc = data / "mc"
    files = {"xcsqa": [HERE / "xcsqa-ja-constructed.jsonl", mc / "commonsenseqa_dev_rand_split.jsonl"],
             "xcodah": [HERE / "xcodah-ja-constructed.jsonl", mc / "codah_full_data.tsv"]}
    lines = ["# LEIA example on the jawiki excerpt (tiny model, CPU)", ""]
    for name, path in (("base", model_path), ("ft-baseline", runs["ft-baseline"]), ("leia", runs["leia"])):
        res = run_eval(LeiaEvalConfig(model=path, **files, output_dir=out / f"eval-{name}", limit=args.eval_limit,
                                      n_boot=500))
        lines += [f"## {name}", "", results_table(res), ""]
        print(f"6. eval {name}:\n{results_table(res)}")
    (out / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"results table → {out / 'results.md'}")


if __name__ == "__main__":
    main()
