"""One fixture run per kind, written into a test's tmp folder: artefacts in the shapes the stages write, and
a run card written through ``corpuslab.core.runcard`` (the one writer the stages use).

Nothing here calls another area's code, so the report's tests do not move when a stage is being changed;
the shapes were taken from the stages' own outputs (``plan.json`` of ``corpuslab sample``, ``stats.json`` of
``corpuslab clean``, ``overlap_results.json`` of ``overlap train`` …). Numbers are chosen so that the
tests can check what the page shows.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from corpuslab.core.atomic import write_json_atomic
from corpuslab.core.runcard import run_card
from corpuslab.report.blocks import Chart, Note, Run, Section, Table, iter_blocks
from corpuslab.report.build import render_run
from corpuslab.report.discover import find_runs

#: a process id no process has (above Linux's pid_max): a card saying "running" with it was killed
DEAD_PID = 2**31 - 2
TRUE_MIX = {"web": 0.5, "wikipedia": 0.25, "books": 0.25}


def _json(path: Path, obj: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=1), encoding="utf-8")
    return path


def _jsonl_gz(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
    return path


def write_card(out: Path, kind: str, config: BaseModel | dict[str, Any] | None = None, *, counts: dict[str, Any] | None = None,
               outputs: dict[str, Any] | None = None, single_file: bool = False, **fields: Any) -> Path:
    """A finished (or ``status=…``) card for ``out``; ``fields`` override the card's own keys (pid, host …)."""
    card = run_card(out, kind, config or {}, inputs=fields.pop("inputs", {}), single_file=single_file).start()
    card.counts.update(counts or {})
    card.outputs.update(outputs or {})
    status = fields.pop("status", "done")
    data = dict(card.data) if status == "running" else card.finish(status, fields.pop("error", None))
    data.update({"command": f"corpuslab {kind.replace('-', ' ', 1)} -c {kind}.yaml", **fields})
    write_json_atomic(card.path, data)
    return card.path


# ---------------------------------------------------------------- sample, clean, quickstart


class SampleSettings(BaseModel):
    """Stands in for a stage's config model: the card keeps the settings given apart from the resolved ones."""

    target_samples: int
    seed: int = 42
    raw_folder: str = "raw"
    unit: str = "docs"
    workers: int = 1
    datasets: list[dict[str, Any]] = Field(default_factory=list)


SAMPLE_SETTINGS = SampleSettings(target_samples=30, seed=7, datasets=[
    {"name": "sources/news.jsonl", "weight": 3, "alias": "news"},
    {"name": "sources/forum.jsonl", "weight": 1, "alias": "forum"}])


def _sample_source(slug: str, weight: float, quota: int, seen: int, kept: int) -> dict[str, Any]:
    return {"name": f"sources/{slug}.jsonl", "slug": slug, "config": None, "weight": weight, "share": weight / 4,
            "quota": quota, "max_scan": None, "language": None, "initial_quota": quota, "seen": seen, "kept": kept,
            "kept_tokens": None, "shortfall": quota - kept, "read_to_end": True,
            "problems": {"invalid_records": 0}, "resumed": False, "complete": True,
            "output": f"{slug}/raw_data.jsonl.gz"}


def make_sample_run(root: Path, name: str = "raw") -> Path:
    """``corpuslab sample``: 30 documents, weights 3:1 → quotas 22/8; forum holds only 5 (3 short)."""
    out = root / name
    sources = [_sample_source("news", 3.0, 22, 60, 22), _sample_source("forum", 1.0, 8, 5, 5)]
    for s in sources:
        recs = [{"id": f"{s['slug']}/{i}", "text": f"{s['slug']} document {i}: some words about it.",
                 "metadata": {"source": s["slug"], "language": "en"}} for i in range(s["kept"])]
        _jsonl_gz(out / s["output"], recs)
        info = {k: s[k] for k in ("quota", "seen", "kept", "kept_tokens", "read_to_end", "shortfall", "problems")}
        _json(out / "_complete" / f"{s['slug']}__raw_data.jsonl.gz.json",
              {"shard": s["output"], "fingerprint": "0" * 16, **info})
    _json(out / "plan.json", {"stage": "sample", "target_samples": 30, "unit": "docs", "seed": 7, "tokenizer": None,
                              "redistribute_shortfall": False, "total_kept": 27, "sources": sources})
    write_card(out, "sample", config=SAMPLE_SETTINGS, counts={"total_kept": 27, "sources": 2, "shortfall": 3},
               outputs={"news": "news/raw_data.jsonl.gz", "forum": "forum/raw_data.jsonl.gz", "plan": "plan.json"},
               inputs={"datasets": ["sources/news.jsonl", "sources/forum.jsonl"]})
    return out


def make_interrupted_sample(root: Path) -> Path:
    """A stage-1 run killed midway: its card still says running (its process is gone), one source complete,
    no plan.json, a temp file left behind."""
    out = make_sample_run(root / "killed")
    (out / "plan.json").unlink()
    (out / "forum" / "raw_data.jsonl.gz").unlink()
    (out / "_complete" / "forum__raw_data.jsonl.gz.json").unlink()
    (out / "forum" / ".tmp-999-raw_data.jsonl.gz").write_bytes(b"\x1f\x8b partial")
    write_card(out, "sample", config=SAMPLE_SETTINGS, status="running", pid=DEAD_PID)
    return out


def _clean_step(name: str, n_in: int, n_out: int, news: tuple[int, int], forum: tuple[int, int]) -> dict[str, Any]:
    return {"step": name, "docs_in": n_in, "docs_out": n_out, "chars_in": n_in * 500, "chars_out": n_out * 500,
            "by_source": {"news": {"docs_in": news[0], "docs_out": news[1]},
                          "forum": {"docs_in": forum[0], "docs_out": forum[1]}}}


def make_clean_run(root: Path, name: str = "cleaned") -> Path:
    """``corpuslab clean``: funnel per step and source, drop reasons with metric ranges, rejected documents."""
    out = root / name
    stats = {
        "input": {"docs": 100, "chars": 50_000, "shards": 2},
        "output": {"docs": 72, "chars": 36_000, "by_source": {"news": 60, "forum": 12}},
        "steps": ["input", "gopher_quality", "minhash_dedup"],
        "funnel": [_clean_step("input", 100, 100, (75, 75), (25, 25)),
                   _clean_step("gopher_quality", 100, 80, (75, 66), (25, 14)),
                   _clean_step("minhash_dedup", 80, 72, (66, 60), (14, 12))],
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
    _jsonl_gz(out / "news" / "cleaned_data.jsonl.gz", [{"id": "news/1", "text": "kept", "metadata": {}}])
    _jsonl_gz(out / "_rejected" / "forum" / "rejected_data.jsonl.gz", [
        {"id": "forum/3", "text": "buy buy buy", "metadata": {"source": "forum"},
         "rejection": {"step": "gopher_quality", "reason": "gopher_short_document", "value": 3.0}}])
    write_card(out, "clean", config={"raw_folder": "raw", "cleaned_folder": name, "keep_rejected": True},
               counts={"documents_in": 100, "documents_out": 72}, outputs={"stats": "stats.json"},
               inputs={"raw_folder": "raw"})
    return out


def make_failed_clean(root: Path) -> Path:
    """A stage-2 run that failed before writing its statistics: the card carries the error."""
    out = root / "cleaned_failed"
    out.mkdir(parents=True)
    write_card(out, "clean", config={"raw_folder": "raw"}, status="failed",
               error="DataError: raw/news/raw_data.jsonl.gz: compressed stream is truncated")
    return out


def make_quickstart_run(root: Path) -> Path:
    """``corpuslab quickstart``: a container; its stage-1 step wrote ``raw/`` with its own card."""
    out = root / "quickstart"
    make_sample_run(out)
    steps = [{"name": n, "status": st, "seconds": sec, "output": o, "note": "", "error": ""}
             for n, st, sec, o in (("sample", "done", 1.5, "raw"), ("clean + dedup", "done", 2.0, "cleaned"),
                                   ("report", "done", 0.5, "report.html"))]
    _json(out / "quickstart.json", {"workflow": "quickstart", "finished": True, "steps": steps,
                                    "true_mixture": {"news": 0.8, "forum": 0.2}})
    write_card(out, "quickstart", config={"output_dir": "quickstart"}, counts={"steps": 3, "failed": 0})
    return out


# ---------------------------------------------------------------- wiki


def make_wiki_extract_run(root: Path) -> Path:
    out = root / "wiki_articles"
    _json(out / "report.json", {"dump": "jawiki.xml.bz2", "dbname": "jawiki", "language": "ja",
                                "tasks": "streams", "workers": 1, "seconds": 2.5,
                                "counts": {"pages": 120, "articles": 100, "redirects": 15, "other_namespace": 5},
                                "shards": ["articles-00000.jsonl.zst"], "run": {"created": "2025-01-01"}})
    (out / "articles-00000.jsonl.zst").write_bytes(b"")
    write_card(out, "wiki-extract", config={"dump": "jawiki.xml.bz2", "output_dir": "wiki_articles"},
               counts={"pages": 120, "articles": 100, "redirects": 15})
    return out


def make_wiki_redirects_run(root: Path) -> Path:
    """``wiki redirects -o tables/ja-redirects.tsv``: one file, its card beside it."""
    table = root / "tables" / "ja-redirects.tsv"
    table.parent.mkdir(parents=True, exist_ok=True)
    table.write_text("東京都\t東京\n", encoding="utf-8")
    write_card(table, "wiki-redirects", config={"dump": "jawiki.xml.bz2", "output": str(table)}, single_file=True,
               counts={"redirects": 1, "chains_followed": 0, "loops_dropped": 0})
    return table


def make_wiki_wikidata_run(root: Path) -> Path:
    out = root / "wikidata"
    (out / "en-wikidata-ids.tsv").parent.mkdir(parents=True, exist_ok=True)
    (out / "en-wikidata-ids.tsv").write_text("title\tqid\nTokyo\tQ1490\n", encoding="utf-8")
    _json(out / "wikidata-report.json", {"dump": "wikidata.json.gz", "languages": ["en", "ja"],
                                         "counts": {"entities": 50, "sitelinks_en": 40, "sitelinks_ja": 30},
                                         "files": {"en": "en-wikidata-ids.tsv"}})
    write_card(out, "wiki-wikidata", config={"languages": "en,ja"}, counts={"entities": 50})
    return out


# ---------------------------------------------------------------- leia


def make_leia_build_run(root: Path) -> Path:
    """``leia build``'s ``report.json``."""
    out = root / "leia_build"
    _json(out / "report.json", {"articles": 189, "articles_written": 170, "links_seen": 1000,
                                "links_resolved": 700, "links_kept": 680, "links_inserted": 340,
                                "drop_reasons": {"no_qid": 200, "namespace": 60, "list_of": 10, "token_boundary": 30},
                                "tokens": 123456, "windows": 60, "vocab_size": 512, "id_dtype": "int16",
                                "config": {"seq_len": 2048, "p": 0.5}})
    write_card(out, "leia-build", config={"seq_len": 2048, "p": 0.5}, counts={"links_inserted": 340, "windows": 60})
    return out


LEIA_LOSSES = [round(4.0 - 0.1 * i, 2) for i in range(20)]


def make_leia_train_run(root: Path) -> Path:
    """``leia train``'s ``train_report.json``: 20 logged losses, 4.0 → 2.1."""
    out = root / "leia_train"
    _json(out / "train_report.json", {"model": "tiny", "final_model": "leia_train/final_model", "max_steps": 20,
                                      "seq_len": 128, "p": 0.5, "strategy": "after", "tokens_per_step": 256,
                                      "hyperparameters": {"learning_rate": 5e-6}, "losses": LEIA_LOSSES,
                                      "metrics": {"train_runtime": 3.5, "train_loss": 3.05},
                                      "packer_counts": {"windows": 40, "links_inserted": 120}, "device": "cpu"})
    (out / "final_model").mkdir()
    write_card(out, "leia-train", config={"max_steps": 20}, counts={"steps": 20})
    return out


def make_leia_eval_run(root: Path, name: str = "leia_eval", en: float = 0.62) -> Path:
    """``leia eval``'s ``{task}_metrics.json``."""
    out = root / name
    _json(out / "xcodah_metrics.json", {"task": "xcodah", "num_fewshot": 0, "bad_items": 0, "model": "tiny",
                                        "metrics": {
                                            "en": {"accuracy": en, "ci_low": en - 0.07, "ci_high": en + 0.07,
                                                   "n": 200, "chance": 0.25},
                                            "ja": {"accuracy": 0.41, "ci_low": 0.34, "ci_high": 0.48, "n": 200,
                                                   "chance": 0.25}}})
    write_card(out, "leia-eval", config={"limit": 200}, counts={"items": 400})
    return out


# ---------------------------------------------------------------- overlap


def make_overlap_run(root: Path, name: str = "overlap_en", decay: float = 0.1, steps: int = 5,
                     finished: bool = True) -> Path:
    """``overlap train``: a curve 1.0 → 1 − decay·(steps−1), evaluated every 10 steps, k=50 of V=512."""
    out = root / name
    entries = []
    for i in range(steps):
        mean = round(1.0 - decay * i, 4)
        scores = [round(mean - 0.02, 4), mean, round(min(1.0, mean + 0.02), 4)] if i else [1.0, 1.0, 1.0]
        entries.append({"step": i * 10, "samples_seen": i * 40, "avg_overlap_ratio": mean,
                        "min_overlap_ratio": min(scores), "max_overlap_ratio": max(scores),
                        "overlap_scores": scores, "eval_seconds": 0.01})
    results: dict[str, Any] = {"format": "corpuslab-overlap-results-v1",
                               "config": {"base_model": "tiny", "dataset": "books",
                                          "max_steps": (steps - 1) * 10 if finished else 100},
                               "k": 50, "vocab_size": 512, "chance": 50 / 512, "num_fingerprints": 3, "steps": entries}
    if finished:
        results.update({"wall_seconds": 1.0, "train_metrics": {"train_loss": 3.0}, "final_model": "final_model"})
    _json(out / "overlap_results.json", results)
    lines = ["step,avg_overlap_ratio,min_overlap_ratio,max_overlap_ratio,std_overlap_ratio,samples_seen"]
    lines += [f"{e['step']},{e['avg_overlap_ratio']},{e['min_overlap_ratio']},{e['max_overlap_ratio']},,"
              f"{e['samples_seen']}" for e in entries]
    (out / "overlap_summary.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    killed = {} if finished else {"status": "running", "pid": DEAD_PID}
    write_card(out, "overlap-train", config={"k": 50, "max_steps": results["config"]["max_steps"]},
               counts={"evaluations": steps}, **killed)
    return out


def make_overlap_compare_run(root: Path) -> Path:
    """``overlap compare``'s ``comparison.json``: one row per run, a warning."""
    out = root / "overlap_compare"
    rows = [{"run": "en", "k": 50, "chance": 0.0977, "num_points": 5, "overlap_first": 1.0, "overlap_last": 0.6,
             "decrease_rate": 0.01, "first_step_below_0_5": None},
            {"run": "ja", "k": 50, "chance": 0.0977, "num_points": 5, "overlap_first": 1.0, "overlap_last": 0.2,
             "decrease_rate": 0.02, "first_step_below_0_5": 30}]
    _json(out / "comparison.json", {"runs": ["overlap_en", "overlap_ja"], "rows": rows,
                                    "warnings": ["runs used different k"]})
    write_card(out, "overlap-compare", config={"runs": ["overlap_en", "overlap_ja"]},
               counts={"runs": 2, "warnings": 1})
    return out


def make_overlap_score_run(root: Path) -> Path:
    """``overlap score -o lineage/scores.json``: one JSON file (its own summary), its card beside it."""
    out = root / "lineage" / "scores.json"
    rows = [{"model": m, "same_tokenizer": True, "vocab_size": 512, "avg_overlap_ratio": avg,
             "min_overlap_ratio": avg - 0.05, "max_overlap_ratio": avg + 0.05, "std_overlap_ratio": 0.03,
             "chance": 50 / 512, "overlap_scores": [avg - 0.05, avg, avg + 0.05]}
            for m, avg in (("derived", 0.8), ("unrelated", 0.1))]
    _json(out, {"base": "tiny", "k": 50, "vocab_size": 512, "chance": 50 / 512, "num_fingerprints": 3,
                "positions": "last", "rows": rows})
    write_card(out, "overlap-score", config={"base": "tiny", "models": ["derived", "unrelated"]}, single_file=True,
               counts={"models": 2, "num_fingerprints": 3, "chance": 50 / 512, "tokenizer_mismatches": 0})
    return out


# ---------------------------------------------------------------- anatomy


def _priors(point: dict[str, float], spread: float = 0.03) -> dict[str, Any]:
    return {"point": point, "mean": point, "ci_low": {c: v - spread for c, v in point.items()},
            "ci_high": {c: v + spread for c, v in point.items()}, "n_bootstrap": 20, "ci": 0.95}


BBSE = {"web": 0.46, "wikipedia": 0.25, "books": 0.29}
EM = {"web": 0.52, "wikipedia": 0.21, "books": 0.27}


def _evaluation(run: str) -> dict[str, Any]:
    cats = ["web", "books", "wikipedia"]
    truth = [TRUE_MIX[c] for c in cats]

    def score(method: str, est: dict[str, float]) -> dict[str, Any]:
        acc = 1 - 0.5 * sum(abs(est[c] - TRUE_MIX[c]) for c in cats)
        return {"run": run, "method": method, "categories": cats, "estimate": [est[c] for c in cats],
                "truth": truth, "accuracy": acc, "tol_accuracy": 0.0, "l1": 2 * (1 - acc), "kl": 0.005, "tol": 0.02}

    return {"spec": "fixture truth", "spec_file": "", "scores": [
        score("bbse", BBSE), score("em", EM),
        {**score("uniform", dict.fromkeys(cats, 1 / 3)), "run": "uniform-guess"}]}


def make_anatomy_run(root: Path, name: str = "anatomy") -> Path:
    """``anatomy labelshift`` (BBSE and EM priors with bootstrap CIs) and, in ``evaluation/``, the evaluator's
    scores against :data:`TRUE_MIX` (``anatomy evaluate``, its own run)."""
    out = root / name
    _json(out / "summary.json", {
        "estimator": "labelshift", "classes": list(TRUE_MIX), "priors": {"bbse": _priors(BBSE), "em": _priors(EM)},
        "confusion_matrix_hard": [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.05, 0.05, 0.9]], "warnings": [],
        "classifier": {"kind": "tfidf", "heldout_accuracy": 0.85}, "generations": {"n": 400}})
    write_card(out, "anatomy-labelshift", config={"samples": "data_samples", "n_bootstrap": 20},
               counts={"generations": 400, "classes": 3})
    _json(out / "evaluation" / "evaluation.json", _evaluation(name))
    write_card(out / "evaluation", "anatomy-evaluate", config={"runs": [name], "spec": "truth.yaml"},
               counts={"scores": 3})
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
    write_card(out, "anatomy-minkpp", config={"k": 0.2}, counts={"documents": 30})
    return out


def make_fetch_samples_run(root: Path) -> Path:
    """``anatomy fetch-samples``: ``<category>.jsonl`` files and ``samples.json`` with the counts."""
    out = root / "data_samples"
    out.mkdir(parents=True, exist_ok=True)
    counts = {"books": 4, "web": 6, "wikipedia": 5}
    for cat, n in counts.items():
        (out / f"{cat}.jsonl").write_text("".join(json.dumps({"text": f"{cat} {i}"}) + "\n" for i in range(n)),
                                          encoding="utf-8")
    _json(out / "samples.json", {"root": "corpus", "n": 6, "seed": 0, "merge_web": True, "counts": counts,
                                 "available": {"books": 4, "web": 100, "wikipedia": 50}})
    write_card(out, "anatomy-fetch-samples", config={"n": 6}, counts=counts)
    return out


def make_synth_run(root: Path) -> Path:
    """``anatomy synth``: ``synth.json`` beside its ``labelshift/`` and ``evaluation/`` runs."""
    out = root / "synth"
    (make_anatomy_run(out, "labelshift") / "evaluation").rename(out / "evaluation")
    _json(out / "synth.json", {
        "true_mixture": TRUE_MIX, "estimates": {"labelshift/bbse": BBSE, "labelshift/em": EM},
        "accuracy": {"labelshift/bbse": 0.96, "labelshift/em": 0.957}, "uniform_accuracy": 0.8333,
        "auroc": {"pooled": {"minkpp": 0.7, "mink": 0.65, "loss": 0.6},
                  "macro": {"minkpp": 0.72, "mink": 0.66, "loss": 0.61}},
        "train": {"params": 123456}})
    write_card(out, "anatomy-synth", config={"seed": 0}, counts={"params": 123456})
    return out


# ---------------------------------------------------------------- revert


def make_revert_collect_run(root: Path) -> Path:
    out = root / "revert_collect"
    _json(out / "collect.json", {
        "inputs": ["enwiki-history.xml.bz2"], "engine": "local", "config": {"mode": "train"},
        "window": ["2022-01-01", "2022-12-31"],
        "languages": {"en": {"revisions": 300, "reverted": 30, "anonymous": 90, "revert_rate": 0.1},
                      "ja": {"revisions": 200, "reverted": 40, "anonymous": 50, "revert_rate": 0.2}},
        "written": 500, "bad_input": {"malformed_rows": 2, "bad_timestamps": 0},
        "counts": {"revisions_seen": 900, "bots_dropped": 100, "creations_dropped": 300}})
    write_card(out, "revert-collect", config={"mode": "train"}, counts={"written": 500})
    return out


def make_revert_prepare_run(root: Path) -> Path:
    out = root / "revert_prepare"
    _json(out / "prepare.json", {"collected": "revert_collect", "split_timestamp": "2022-07-01",
                                 "revision_wars_dropped": 3, "rows": {"train": 400, "test": 97},
                                 "counts": {"train_text_model": {"en": {"n": 150, "positives": 15}},
                                            "test": {"en": {"n": 60, "positives": 6}, "ja": {"n": 37, "positives": 8}}}})
    write_card(out, "revert-prepare", config={"split_date": "2022-07-01"}, counts={"train": 400, "test": 97})
    return out


def make_revert_tune_run(root: Path) -> Path:
    out = root / "revert_tune"
    _json(out / "tune.json", {"prepared": "revert_prepare", "text_train_rows": 150, "models": {
        "change": {"n_train": 120, "n_eval": 30, "eval": {"eval_accuracy": 0.71}},
        "title": {"skipped": "too few examples (3, classes [0])"}}})
    write_card(out, "revert-tune", config={"epochs": 1}, counts={"models": 1, "skipped": 1})
    return out


def make_revert_features_run(root: Path) -> Path:
    out = root / "revert_features"
    _json(out / "features.json", {"rows": {"train": 250, "test": 97},
                                  "coverage": {"train": {"change": 0.9, "title": 0.4}},
                                  "feature_columns": [f"f{i}" for i in range(30)]})
    write_card(out, "revert-features", config={"max_length": 512}, counts={"train": 250, "test": 97})
    return out


def make_revert_train_run(root: Path) -> Path:
    out = root / "revert_train"
    _json(out / "model.json", {"backend": "catboost", "model_file": "model.cbm", "n_train": 200, "n_eval": 50,
                               "best_iteration": 120, "class_weights": {"0": 1.0, "1": 4.2},
                               "numeric_features": [f"f{i}" for i in range(30)], "cat_features": ["lang"]})
    (out / "model.cbm").write_bytes(b"model")
    write_card(out, "revert-train", config={"iterations": 200}, counts={"n_train": 200, "n_eval": 50})
    return out


def revert_metrics(en_auc: float = 0.9993) -> dict[str, Any]:
    """``revert eval``'s ``metrics.json``: English easier to rank than Japanese."""
    def block(n: int, pos: int, auc: float, pr: float) -> dict[str, Any]:
        return {"n": n, "positives": pos, "revert_rate": round(pos / n, 4), "roc_auc": auc, "pr_auc": pr,
                "precision_at_recall_0.75": 0.5, "accuracy": 0.8, "f1": 0.6}

    return {"threshold": 0.5, "overall": block(400, 54, 0.9366, 0.7387),
            "per_language": {"en": block(200, 24, en_auc, 0.9948), "ja": block(200, 30, 0.8184, 0.4748)},
            "by_user_type": {"anonymous": block(143, 37, 0.9289, 0.8385), "registered": block(257, 17, 0.9348, 0.5919)},
            "disparate_impact": {"ratio": 2.3963, "ground_truth": 3.9116, "auc_gap": 0.0059,
                                 "definition": "P(score>=threshold | anonymous) / P(score>=threshold | registered)"},
            "is_anonymous_baseline": block(400, 54, 0.6894, 0.2198),
            "logistic_regression": {**block(400, 54, 0.7638, 0.3314), "per_language": {"en": 0.7436, "ja": 0.7788}}}


def make_revert_eval_run(root: Path, name: str = "revert_eval", en_auc: float = 0.9993) -> Path:
    out = root / name
    _json(out / "metrics.json", revert_metrics(en_auc))
    write_card(out, "revert-eval", config={"split": "test", "threshold": 0.5}, counts={"revisions": 400})
    return out


def make_revert_score_run(root: Path) -> Path:
    """``revert score -o scores.parquet``: one file, its card beside it."""
    out = root / "revert_scores" / "scores.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b"PAR1")
    write_card(out, "revert-score", config={"max_length": 512}, single_file=True,
               counts={"rows": 97, "mean_risk": 0.21}, outputs={"scores": "scores.parquet"})
    return out


#: kind → the fixture that writes a run of it (every kind of the run card)
MAKERS = {
    "quickstart": make_quickstart_run, "sample": make_sample_run, "clean": make_clean_run,
    "wiki-extract": make_wiki_extract_run, "wiki-redirects": make_wiki_redirects_run,
    "wiki-wikidata": make_wiki_wikidata_run, "leia-build": make_leia_build_run, "leia-train": make_leia_train_run,
    "leia-eval": make_leia_eval_run, "overlap-train": make_overlap_run, "overlap-compare": make_overlap_compare_run,
    "overlap-score": make_overlap_score_run,
    "anatomy-fetch-samples": make_fetch_samples_run, "anatomy-labelshift": make_anatomy_run,
    "anatomy-minkpp": make_minkpp_run, "anatomy-synth": make_synth_run,
    "anatomy-evaluate": lambda root: make_anatomy_run(root, "anatomy_for_eval") / "evaluation",
    "revert-collect": make_revert_collect_run, "revert-prepare": make_revert_prepare_run,
    "revert-tune": make_revert_tune_run, "revert-features": make_revert_features_run,
    "revert-train": make_revert_train_run, "revert-eval": make_revert_eval_run,
    "revert-score": make_revert_score_run,
}


def make_all(root: Path) -> dict[str, Path]:
    """One run of every kind under ``root`` (by kind), plus a folder without a card, a killed run and a failed one."""
    runs = {kind: make(root) for kind, make in MAKERS.items()}
    junk = root / "not_a_run"
    junk.mkdir()
    (junk / "notes.txt").write_text("nothing to see", encoding="utf-8")
    runs["unrecognised"] = junk
    runs["interrupted"] = make_interrupted_sample(root)
    runs["failed"] = make_failed_clean(root)
    return runs


# ---------------------------------------------------------------- reading a rendered section back


def render_one(path: Path, kind: str) -> tuple[Run, Section]:
    """The one run at ``path`` (asserting its kind) and its rendered section."""
    runs = find_runs(path)
    assert [r.kind for r in runs] == [kind], [r.kind for r in runs]
    run = runs[0]
    run.label = path.name
    return run, render_run(run)


def tables(section: Section) -> list[Table]:
    return [b for b in iter_blocks(section.blocks) if isinstance(b, Table)]


def table_with(section: Section, column: str) -> Table:
    """The first table of the section with this column."""
    return next(t for t in tables(section) if column in t.columns)


def column(table: Table, name: str) -> list[Any]:
    i = table.columns.index(name)
    return [r[i] for r in table.rows]


def chart(section: Section, name: str) -> Chart:
    return next(b for b in iter_blocks(section.blocks) if isinstance(b, Chart) and b.name == name)


def notes(section: Section) -> list[str]:
    return [b.text for b in iter_blocks(section.blocks) if isinstance(b, Note)]
