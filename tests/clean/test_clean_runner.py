"""Stage 2 end to end on stage-1-shaped folders: outputs, funnel, reasons, re-decide without re-tag,
resume, worker-count invariance, bad input, merge/push/inspect and the CLI."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpuslab.clean import run_clean
from corpuslab.clean.inspect import inspect_folder
from corpuslab.clean.merge import merge_cleaned
from corpuslab.clean.push import prepare_push
from corpuslab.cli.main import app
from corpuslab.core.shards import ShardWriter, iter_records

GOOD = [
    "The history of the town is long and full of change. In the early years, farmers came to the valley and "
    "built their homes with wood and stone. They planted wheat and barley, and they kept cattle and sheep in the "
    "fields that surrounded the river. Over time, the town grew into a market for the whole region.\n"
    "Today the old market square is still the heart of the town. People meet there to talk, to buy fresh bread, "
    "and to listen to music on summer evenings. The church at the north side of the square was finished in the "
    "fourteenth century, and its tower can be seen from every road that leads into the valley.",
    "Learning to cook at home is one of the most useful skills a person can have. It saves money, and it is "
    "usually healthier than eating out. Start with simple dishes that use few ingredients, and practise them "
    "until you can make them without a recipe. Then add new techniques one at a time.\n"
    "A good knife and a heavy pan are worth more than a drawer full of gadgets. Keep the knife sharp and the pan "
    "clean. Taste the food as you go, and season it a little at a time, because salt is easy to add and hard to "
    "take away. Most of all, be patient with yourself and enjoy the process of learning.",
]
CONFIG = {
    "cleaning": {"html": True, "unicode": "NFKC"},
    "filtering": {"min_length": 100, "exclude_keywords": ["casino", "viagra"], "gopher_repetition": {},
                  "gopher_quality": {}, "c4": {"profile": "datatrove"}, "fineweb_quality": {}},
    "dedup": {"exact": True, "minhash": {"ngram": 5, "bands": 14, "rows": 8}, "write_clusters": True},
}


def make_raw(root: Path) -> Path:
    """Two sources in stage-1 layout plus plan.json (source order: web first, then books)."""
    raw = root / "raw"
    web = [f"<html><body><p>{GOOD[0].replace(chr(10), '</p><p>')}</p><script>var x=1;</script></body></html>",
           "Win big at the casino tonight, casino bonus for every player who signs up today and plays. Join now and claim your spins.",
           "short",
           GOOD[1]]
    books = [GOOD[1], GOOD[1].replace("useful", "valuable"), GOOD[0] + "\nIt rained.", ""]
    for slug, texts in (("web", web), ("books", books)):
        with ShardWriter(raw / slug / "raw_data.jsonl.gz") as w:
            for i, t in enumerate(texts):
                w.write({"id": f"{slug}/{i}", "text": t, "metadata": {"source": slug, "split": "train", "original_index": i, "weight": 0.5}})
    (raw / "plan.json").write_text(json.dumps({"target_samples": 8, "seed": 0, "sources": [
        {"name": "web", "slug": "web", "weight": 0.5, "quota": 4, "kept": 4},
        {"name": "books", "slug": "books", "weight": 0.5, "quota": 4, "kept": 4}]}))
    return raw


def out_ids(folder: Path) -> dict[str, list[str]]:
    return {p.parent.name: [r["id"] for r in iter_records(p)] for p in sorted(folder.glob("*/cleaned_data.jsonl.gz"))}


def test_end_to_end_funnel_reasons_and_dedup(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    res = run_clean(CONFIG, raw, tmp_path / "out", keep_rejected=True, parquet=True, progress=False)
    ids = out_ids(tmp_path / "out")
    # web/3 == books/0 exactly: web comes first in plan.json, so web/3 survives and books/0 is the duplicate;
    # books/1 differs by one word from web/3 -> near duplicate; books/2 == web/0's text + a 2-word line that
    # C4 removes, so after C4 it is an exact duplicate of web/0 (dedup runs on the filtered text).
    assert ids == {"web": ["web/0", "web/3"], "books": []}
    s = res.stats
    assert [e["step"] for e in s["funnel"]] == ["input", "min_length", "exclude_keywords", "gopher_repetition",
                                                "gopher_quality", "c4", "fineweb_quality", "exact_dedup", "minhash_dedup"]
    reasons = s["drop_reasons"]
    assert reasons["input:empty"]["count"] == 1
    assert reasons["min_length:too_short_chars"]["examples"] == [{"id": "web/2", "value": 5.0}]
    assert reasons["exclude_keywords:excluded_keyword"]["examples"][0]["value"] == 2.0
    assert {e["id"] for e in reasons["exact_dedup:duplicate"]["examples"]} == {"books/0", "books/2"}
    assert {e["id"] for e in reasons["minhash_dedup:near_duplicate"]["examples"]} == {"books/1"}
    assert s["output"]["docs"] == 2 and s["input"]["docs"] == 8
    f0 = s["funnel"][0]
    assert f0["chars_in"] > f0["chars_out"]  # HTML markup removed
    # metadata kept, HTML stripped, C4 kept lines only
    rec = next(iter_records(tmp_path / "out/web/cleaned_data.jsonl.gz"))
    assert rec["metadata"] == {"source": "web", "split": "train", "original_index": 0, "weight": 0.5}
    assert "<p>" not in rec["text"] and "var x" not in rec["text"]
    assert len(list(iter_records(tmp_path / "out/web/cleaned_data.parquet"))) == 2
    rej = {r["id"]: r["rejection"] for r in iter_records(tmp_path / "out/_rejected/web/rejected_data.jsonl.gz")}
    assert rej["web/1"] == {"step": "exclude_keywords", "reason": "excluded_keyword", "value": 2.0}
    assert json.loads((tmp_path / "out/stats.json").read_text())["output"]["docs"] == 2
    clusters = [json.loads(x) for x in (tmp_path / "out/_dedup/clusters.jsonl").read_text().splitlines()]
    assert clusters == [{"kept": "web/3", "removed": ["books/1"]}]


def test_threshold_change_redecides_without_retagging_and_resume(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    out = tmp_path / "out"
    run_clean(CONFIG, raw, out, progress=False)
    tag_files = sorted(out.glob("_tags/*/*.parquet"))
    mtimes = [p.stat().st_mtime_ns for p in tag_files]
    looser = json.loads(json.dumps(CONFIG))
    looser["filtering"]["exclude_keywords"] = {"keywords": ["casino", "viagra"], "max_hits": 5}
    looser["filtering"]["min_length"] = 1
    res = run_clean(looser, raw, out, progress=False)
    assert [p.stat().st_mtime_ns for p in tag_files] == mtimes  # tags reused: only decisions re-run
    assert "exclude_keywords:excluded_keyword" not in res.stats["drop_reasons"]
    assert res.stats["drop_reasons"]["gopher_quality:gopher_short_doc"]["count"] >= 2  # short docs now reach Gopher
    # a tag-affecting change (C4 line rule) re-tags
    retag = json.loads(json.dumps(CONFIG))
    retag["filtering"]["c4"] = {"profile": "tfds"}
    run_clean(retag, raw, out, progress=False)
    assert [p.stat().st_mtime_ns for p in tag_files] != mtimes


def test_cleaned_folder_inside_raw_folder_is_not_read_back(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    first = run_clean(CONFIG, raw, raw / "cleaned", progress=False)
    again = run_clean(CONFIG, raw, raw / "cleaned", progress=False)
    assert first.stats["input"]["docs"] == again.stats["input"]["docs"] == 8


def test_worker_count_does_not_change_output(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    run_clean(CONFIG, raw, tmp_path / "a", workers=1, progress=False)
    run_clean(CONFIG, raw, tmp_path / "b", workers=2, progress=False)
    for rel in ("web/cleaned_data.jsonl.gz", "books/cleaned_data.jsonl.gz"):
        assert gzip.decompress((tmp_path / "a" / rel).read_bytes()) == gzip.decompress((tmp_path / "b" / rel).read_bytes())


def test_bad_input_is_counted_and_reported(tmp_path: Path) -> None:
    raw = tmp_path / "raw" / "src"
    raw.mkdir(parents=True)
    good = json.dumps({"id": "g", "text": GOOD[0], "metadata": {}}).encode()
    bad_utf8 = json.dumps({"id": "u", "text": "caf@ " + GOOD[1], "metadata": {}}).encode().replace(b"@", b"\xe9")
    huge = json.dumps({"id": "h", "text": "word " * 400_000, "metadata": {}}).encode()
    with gzip.open(raw / "raw_data.jsonl.gz", "wb") as fh:
        fh.write(b"\n".join([good, bad_utf8, b"{not json", json.dumps({"id": "e", "text": ""}).encode(), huge]) + b"\n")
    res = run_clean({"filtering": {"gopher_quality": {}}, "cleaning": {"max_doc_chars": 1_000_000}}, tmp_path / "raw", tmp_path / "out", progress=False)
    s = res.stats
    assert s["input"]["malformed"] == 1 and s["input"]["non_utf8_docs"] == 1 and s["input"]["docs"] == 4
    assert s["drop_reasons"]["input:huge_document"]["count"] == 1
    assert s["drop_reasons"]["input:empty"]["count"] == 1
    ids = [r["id"] for r in iter_records(tmp_path / "out/src/cleaned_data.jsonl.gz")]
    assert ids == ["g", "u"]  # the non-UTF-8 doc is kept with U+FFFD and counted


def test_merge_push_inspect_and_cli(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    cfg = tmp_path / "mix.yaml"
    cfg.write_text("cleaning: {html: true}\nfiltering:\n  min_length: 20\ndedup: {exact: true}\n")
    runner = CliRunner()
    r = runner.invoke(app, ["clean", "--config", str(cfg), "--raw-folder", str(raw), "--cleaned-folder", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    assert "exact_dedup" in r.output and "kept 5 of 8" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("filtering:\n  gopher_quality: {min_wrds: 3}\n")
    r = runner.invoke(app, ["clean", "--config", str(bad), "--raw-folder", str(raw), "--cleaned-folder", str(tmp_path / "x")])
    assert r.exit_code != 0 and "filtering.gopher_quality.min_wrds: unknown key" in str(r.exception)
    m1 = merge_cleaned(tmp_path / "out", tmp_path / "m1.jsonl.gz", seed=3)
    merge_cleaned(tmp_path / "out", tmp_path / "m2.jsonl.gz", seed=3)
    assert m1["docs"] == 5
    assert gzip.decompress((tmp_path / "m1.jsonl.gz").read_bytes()) == gzip.decompress((tmp_path / "m2.jsonl.gz").read_bytes())
    merged = list(iter_records(tmp_path / "m1.jsonl.gz"))
    assert {r["metadata"]["source_folder"] for r in merged} == {"web", "books"}
    merge_cleaned(tmp_path / "out", tmp_path / "hf", seed=3)
    import datasets

    assert datasets.load_from_disk(str(tmp_path / "hf")).num_rows == 5
    info = prepare_push(tmp_path / "out", "user/mix", tmp_path / "stage", private=True)
    assert info["files"] == ["README.md", "data/books.parquet", "data/web.parquet", "stats.json"]
    card = (tmp_path / "stage/README.md").read_text()
    assert "config_name: web" in card and "## Cleaning funnel" in card and "| exact_dedup |" in card
    with pytest.raises(Exception, match="user/name"):
        prepare_push(tmp_path / "out", "noslash", tmp_path / "s2")
    ins = inspect_folder(tmp_path / "out")
    assert ins["total_docs"] == 5 and set(ins["sources"]) == {"web", "books"}
    r = runner.invoke(app, ["inspect", str(tmp_path / "out")])
    assert r.exit_code == 0 and "5 documents" in r.output
    r = runner.invoke(app, ["push", "--input-folder", str(tmp_path / "out"), "--repo-name", "u/x", "--dry-run", "--staging", str(tmp_path / "st")])
    assert r.exit_code == 0 and (tmp_path / "st/README.md").exists()


def test_oversized_line_is_skipped_in_chunks_and_counted(tmp_path: Path, monkeypatch) -> None:
    import corpuslab.clean.runner as runner

    monkeypatch.setattr(runner, "MAX_LINE_BYTES", 100_000)  # 64 MiB by default
    monkeypatch.setattr(runner, "_READ_CHUNK", 4096)
    src = tmp_path / "raw" / "src"
    src.mkdir(parents=True)
    lines = [json.dumps({"id": "a", "text": GOOD[0]}), json.dumps({"id": "big", "text": "x" * 1_000_000}), json.dumps({"id": "b", "text": GOOD[1]})]
    (src / "raw_data.jsonl").write_text("\n".join(lines) + "\n")
    res = run_clean({"filtering": {"min_length": 10}}, tmp_path / "raw", tmp_path / "out", progress=False)
    assert res.stats["input"]["oversized_lines"] == 1 and res.stats["input"]["docs"] == 2
    assert [r["id"] for r in iter_records(tmp_path / "out/src/cleaned_data.jsonl.gz")] == ["a", "b"]
