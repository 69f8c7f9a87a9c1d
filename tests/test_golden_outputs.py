"""Golden outputs: what the writing stages produce on fixed real inputs, as recorded before the
architecture refactor (issue 12). A structural change must not move a byte of these outputs.

Data files (shards, Parquet, packed ids, model files, CSV) are hashed as bytes. JSON reports are hashed
after dropping what legitimately differs between two runs (timestamps, durations, versions, host, the
run's own folder paths): :func:`canonical_json`. Each stage runs once per session through the CLI, as a
user would; the expected digests below were recorded with ``CORPUSLAB_GOLDEN_PRINT=1``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, shared_path

#: keys whose values differ between two identical runs (time, machine, paths of the run folder)
VOLATILE_KEYS = {"run", "created", "host", "versions", "seconds", "wall_seconds", "timings_s", "started",
                 "finished", "eval_seconds", "eval_seconds_total", "train_runtime", "train_samples_per_second",
                 "train_steps_per_second", "train_tokens_per_second", "elapsed", "command", "total_flos"}


def _scrub(obj: Any, tmp: str) -> Any:
    if isinstance(obj, dict):
        return {k: _scrub(v, tmp) for k, v in obj.items()
                if k not in VOLATILE_KEYS and not k.endswith(("_seconds", "_runtime", "_per_second"))}
    if isinstance(obj, list):
        return [_scrub(v, tmp) for v in obj]
    if isinstance(obj, str) and tmp in obj:
        return obj.replace(tmp, "<tmp>")
    return obj


def canonical_json(path: Path, tmp: Path) -> bytes:
    return json.dumps(_scrub(json.loads(path.read_text(encoding="utf-8")), str(tmp)), sort_keys=True,
                      ensure_ascii=False).encode("utf-8")


def digests(folder: Path, patterns: tuple[str, ...], tmp: Path) -> dict[str, str]:
    """``{relative path: sha256[:16]}`` of every file under ``folder`` matching one of ``patterns``."""
    out: dict[str, str] = {}
    for pat in patterns:
        for p in sorted(folder.glob(pat)):
            if not p.is_file() or p.name == "run.json" or p.name.endswith(".run.json"):
                continue  # run cards are new and hold times, pids and paths
            data = canonical_json(p, tmp) if p.suffix == ".json" else p.read_bytes()
            out[str(p.relative_to(folder))] = hashlib.sha256(data).hexdigest()[:16]
    return dict(sorted(out.items()))


def corpuslab(*args: str | Path, cwd: Path = REPO) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "corpuslab.cli.main", *map(str, args)]
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, f"{' '.join(cmd)}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"


def check(name: str, got: dict[str, str]) -> None:
    if os.environ.get("CORPUSLAB_GOLDEN_PRINT"):
        print(f"\nGOLDEN[{name!r}] = {json.dumps(got, indent=4)}")
        return
    assert got, f"{name}: no output files matched"
    assert got == GOLDEN[name], f"{name}: outputs changed:\n" + "\n".join(
        f"  {k}: {GOLDEN[name].get(k)} → {got.get(k)}" for k in sorted(set(got) | set(GOLDEN[name]))
        if got.get(k) != GOLDEN[name].get(k))


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("golden")


@pytest.fixture(scope="module")
def raw_sample(work: Path) -> Path:
    shared_path("wiki/jawiki-20230501-pages-articles-excerpt.xml.bz2")
    out = work / "raw"
    corpuslab("sample", "--config", "examples/mixture/mix.yaml", "--raw-folder", out, "--target-samples", "240",
              "--no-progress")
    return out


def test_sample_outputs_are_unchanged(raw_sample: Path, work: Path) -> None:
    check("sample", digests(raw_sample, ("*/raw_data.jsonl.gz", "plan.json"), work))


def test_clean_outputs_are_unchanged(raw_sample: Path, work: Path) -> None:
    out = work / "cleaned"
    corpuslab("clean", "--config", "examples/clean/clean.yaml", "--raw-folder", raw_sample,
              "--cleaned-folder", out, "--keep-rejected")
    check("clean", digests(out, ("*/cleaned_data.jsonl.gz", "stats.json", "_dedup/clusters.jsonl",
                                 "_rejected/**/*.jsonl.gz"), work))


@pytest.fixture(scope="module")
def wiki_tables(work: Path) -> dict[str, Path]:
    dump = shared_path("wiki/jawiki-20230501-pages-articles-excerpt.xml.bz2")
    wd = shared_path("wiki/wikidata-all-head.json.bz2")
    corpuslab("wiki", "extract", "--dump", dump, "-o", work / "articles", "--quiet", "--shard-size", "100")
    corpuslab("wiki", "redirects", "--dump", dump, "-o", work / "tables" / "ja-redirects.tsv")
    corpuslab("wiki", "wikidata", "--dump", wd, "-o", work / "tables", "--languages", "en,ja", "--quiet")
    return {"articles": work / "articles", "tables": work / "tables"}


def test_wiki_extract_outputs_are_unchanged(wiki_tables: dict[str, Path], work: Path) -> None:
    got = digests(wiki_tables["articles"], ("articles-*",), work)
    got.update({f"tables/{k}": v for k, v in digests(wiki_tables["tables"], ("*.tsv",), work).items()})
    check("wiki extract", got)


@pytest.fixture(scope="module")
def base_model(work: Path) -> Path:
    src = shared_path("models/stories260K/checkpoint_legacy.bin").parent
    out = work / "stories260K"
    corpuslab("models", "import-llama2c", src / "checkpoint_legacy.bin", src / "tokenizer.bin", out)
    return out


@pytest.mark.slow  # ~25 s (model import + build); sample, clean and wiki extract stay in the fast tier
def test_leia_build_outputs_are_unchanged(wiki_tables: dict[str, Path], base_model: Path, work: Path) -> None:
    out = work / "leia"
    t = wiki_tables["tables"]
    corpuslab("leia", "build", "--articles", wiki_tables["articles"], "-o", out, "--model", base_model,
              "--english-ids", t / "en-wikidata-ids.tsv", "--target-ids", t / "ja-wikidata-ids.tsv",
              "--redirects", t / "ja-redirects.tsv", "--seq-len", "128", "--max-articles", "60", "--quiet")
    check("leia build", digests(out, ("annotated.jsonl.zst", "tokens.parquet", "packed/*", "report.json"), work))


@pytest.mark.model
def test_overlap_train_outputs_are_unchanged(raw_sample: Path, base_model: Path, work: Path) -> None:
    out = work / "overlap"
    corpuslab("overlap", "train", "--base-model", base_model, "--dataset", raw_sample / "books",
              "--output-dir", out, "--max-steps", "6", "--eval-steps", "2", "--num-train-samples", "200",
              "--per-device-train-batch-size", "4", "--gradient-accumulation-steps", "1", "--learning-rate", "1e-3",
              "--warmup-steps", "1", "--bottom-k-vocab", "64", "--num-fingerprints", "3", "--max-length", "64",
              "--fingerprint-total-len", "24", "--device", "cpu")
    check("overlap train", digests(out, ("overlap_summary.csv", "fingerprints.json", "base_bottomk.json",
                                         "overlap_results.json", "final_model/model.safetensors"), work))


@pytest.mark.model
def test_anatomy_synth_outputs_are_unchanged(work: Path) -> None:
    out = work / "synth"
    corpuslab("anatomy", "synth", "-o", out, "--mixture", "github=.5,stackexchange=.3,books=.2",
              "--distinct-sequences", "300", "--epochs", "2", "--seq-len", "32", "--hidden", "32",
              "--num-generations", "40", "--bootstrap", "5", "--no-progress")
    check("anatomy synth", digests(out, ("synth.json", "labelshift/summary.json", "labelshift/summary.csv",
                                         "minkpp/summary.json", "minkpp/per_category.csv", "evaluation/*.json",
                                         "data_samples/*.jsonl", "model/model.safetensors"), work))


@pytest.mark.model
def test_revert_train_outputs_are_unchanged(work: Path) -> None:
    from corpuslab.revert.constructed_histories import read_articles, replay_histories, write_history_xml

    dumps = work / "revert_dumps"
    dumps.mkdir()
    for i, (lang, rel) in enumerate([("ja", "wiki/jawiki-20230501-pages-articles-excerpt.xml.bz2"),
                                     ("vi", "wiki/viwiki-20230501-pages-articles-excerpt.xml.bz2")]):
        arts = read_articles(shared_path(rel), min_chars=1200, limit=12, max_chars=2500)
        write_history_xml(dumps / f"{lang}wiki-history.xml.bz2", f"{lang}wiki",
                          replay_histories(arts, seed=i + 1, edits_per_page=10, first_rev_id=1_000_000 * (i + 1),
                                           first_page_id=100_000 * (i + 1)))
    r = work / "revert"
    corpuslab("revert", "collect", *sorted(dumps.glob("*.bz2")), "-o", r / "collected", "--quiet")
    corpuslab("revert", "prepare", r / "collected", "-o", r / "prepared", "--split-date", "2022-06-01")
    corpuslab("revert", "features", r / "prepared", "-o", r / "features")
    corpuslab("revert", "train", r / "features", "-o", r / "model", "--iterations", "50", "--lr", "0.1")
    # model.cbm itself is not byte-stable between runs (CatBoost writes run metadata): its predictions are,
    # through the evaluation's metrics
    corpuslab("revert", "eval", r / "model", r / "features", "-o", r / "eval")
    got = digests(r / "collected", ("lang=*/*.parquet",), work)
    got.update({f"features/{k}": v for k, v in digests(r / "features", ("*.parquet",), work).items()})
    got.update({f"model/{k}": v for k, v in digests(r / "model", ("model.json",), work).items()})
    got.update({f"eval/{k}": v for k, v in digests(r / "eval", ("metrics.json",), work).items()})
    check("revert train", got)


GOLDEN: dict[str, dict[str, str]] = {
    "sample": {
        "books/raw_data.jsonl.gz": "ee219577f93b9c12",
        "code_python/raw_data.jsonl.gz": "01189d6277d0e499",
        "plan.json": "aeffdc14ee9024aa",
        "stackexchange/raw_data.jsonl.gz": "9f150b5c048a2abb",
        "web_commoncrawl/raw_data.jsonl.gz": "d41f9e48791cb6ca",
        "web_pages/raw_data.jsonl.gz": "102673a3b5bb186d",
        "wikipedia_ja/raw_data.jsonl.gz": "045f64b9ed554b17",
        "wikipedia_vi/raw_data.jsonl.gz": "430e8f76e390f5ed",
    },
    "clean": {
        "_dedup/clusters.jsonl": "e3b0c44298fc1c14",
        "_rejected/books/rejected_data.jsonl.gz": "4db8f2ef2df9857d",
        "_rejected/code_python/rejected_data.jsonl.gz": "2221734ac82f8bda",
        "_rejected/stackexchange/rejected_data.jsonl.gz": "bea33e686c55d247",
        "_rejected/web_commoncrawl/rejected_data.jsonl.gz": "7874519a4eb08585",
        "_rejected/web_pages/rejected_data.jsonl.gz": "14f4093d1572f7fa",
        "_rejected/wikipedia_ja/rejected_data.jsonl.gz": "fcb10cd8f0c86477",
        "_rejected/wikipedia_vi/rejected_data.jsonl.gz": "62525a192e561a96",
        "books/cleaned_data.jsonl.gz": "dc13835c0b67c64b",
        "code_python/cleaned_data.jsonl.gz": "f2c2a208662e78bd",
        "stackexchange/cleaned_data.jsonl.gz": "e5860d887e810fb6",
        "stats.json": "2ea7168a8e005df2",
        "web_commoncrawl/cleaned_data.jsonl.gz": "bbe2865ac17333fc",
        "web_pages/cleaned_data.jsonl.gz": "38d4f2698ef186bd",
        "wikipedia_ja/cleaned_data.jsonl.gz": "c1d8c3105bbd9235",
        "wikipedia_vi/cleaned_data.jsonl.gz": "2e42c7ce6e06ab75",
    },
    "wiki extract": {
        "articles-00000.jsonl.zst": "b20667c6df7006ca",
        "articles-00001.jsonl.zst": "9d99378bcd63503c",
        "tables/en-wikidata-ids.tsv": "df224e5a68251296",
        "tables/ja-redirects.tsv": "2533d6f5b8dff066",
        "tables/ja-wikidata-ids.tsv": "56c3d17c0d3ef802",
    },
    "leia build": {
        "annotated.jsonl.zst": "600c14b8cf66a9f6",
        "packed/epoch-0000.bin": "7295e4ad7ff6da8f",
        "packed/meta.json": "a5336902822b5f18",
        "report.json": "171d82e61b1dd6aa",
        "tokens.parquet": "73b5544cb071d256",
    },
    "overlap train": {
        "base_bottomk.json": "364652a6c5284e3b",
        "final_model/model.safetensors": "a68b4edb8584a005",
        "fingerprints.json": "f9145864e7dbf1e1",
        "overlap_results.json": "9b1f3a93510f670b",
        "overlap_summary.csv": "687fd3833aeb276d",
    },
    "anatomy synth": {
        "data_samples/books.jsonl": "4ccf5dafbe655c3f",
        "data_samples/github.jsonl": "dcd7b438d5a0e654",
        "data_samples/stackexchange.jsonl": "32d4f28b789d7451",
        "evaluation/evaluation.json": "684a06928080c3fc",
        "labelshift/summary.csv": "3d124ae157cf3305",
        "labelshift/summary.json": "3c8ae231e447879f",
        "minkpp/per_category.csv": "6b419d083a82a2f8",
        "minkpp/summary.json": "8b74d65b3fe5e193",
        "model/model.safetensors": "7cc7831d87d630bd",
        "synth.json": "20727d2553d3581b",
    },
    "revert train": {
        "lang=ja/part-00000.parquet": "49e2af20776d5f7a",
        "lang=vi/part-00000.parquet": "1ae9a0fc3940a560",
        "features/test.parquet": "58260cf757cce764",
        "features/train.parquet": "58c209e1251a1abd",
        "model/model.json": "905ee93b8d279009",
        "eval/metrics.json": "1c208852cb5c7c05",
    },
}
