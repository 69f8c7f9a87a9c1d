"""Stage 2 end to end on stage-1-shaped folders: outputs, funnel, reasons, run card, re-decide without
re-tag, resume, worker-count invariance, bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from clean_fixtures import CONFIG, GOOD, make_raw, out_ids, run_config

from conftest import check_run_card
from corpuslab.clean import run_clean
from corpuslab.core.errors import CorpuslabError
from corpuslab.core.shards import iter_records


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    return make_raw(tmp_path)


def test_end_to_end_funnel_reasons_and_dedup(tmp_path: Path, raw: Path) -> None:
    res = run_clean(run_config(raw, tmp_path / "out", keep_rejected=True, parquet=True), progress=False)
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
    c4 = next(e for e in s["funnel"] if e["step"] == "c4")
    assert c4["chars_out"] < c4["chars_in"]  # the C4 step is where the rewritten text's length enters
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


def test_the_run_card_holds_the_headline_counts(tmp_path: Path, raw: Path) -> None:
    run_clean(run_config(raw, tmp_path / "out", keep_rejected=True), progress=False)
    card = check_run_card(tmp_path / "out", "clean")
    assert card["counts"] == {"documents_in": 8, "documents_out": 2, "chars_in": card["counts"]["chars_in"],
                              "chars_out": card["counts"]["chars_out"], "shards": 2, "dropped_by_filters": 2,
                              "exact_duplicates": 2, "near_duplicates": 1, "empty_or_huge": 1}
    assert card["counts"]["chars_in"] > card["counts"]["chars_out"] > 0
    assert card["outputs"]["stats"] == "stats.json" and card["outputs"]["rejected"] == "_rejected"
    assert card["outputs"]["cleaned"] == ["web/cleaned_data.jsonl.gz", "books/cleaned_data.jsonl.gz"]
    assert card["outputs"]["clusters"] == "_dedup/clusters.jsonl"
    assert card["inputs"] == {"raw_folder": str(raw)}
    assert card["config"]["resolved"]["step_order"][0] == "min_length"


def test_a_failed_run_says_so_in_its_card(tmp_path: Path, raw: Path) -> None:
    bad = {"filtering": {"c4_badwords": {}}}  # vi has no LDNOOBW list
    (raw / "web" / "raw_data.jsonl.gz").unlink()
    from corpuslab.core.shards import ShardWriter

    with ShardWriter(raw / "web" / "raw_data.jsonl.gz") as w:
        w.write({"id": "v", "text": GOOD[0], "metadata": {"language": "vi"}})
    with pytest.raises(CorpuslabError, match="no bad-words list for language vi"):
        run_clean(run_config(raw, tmp_path / "out", bad), progress=False)
    card = json.loads((tmp_path / "out" / "run.json").read_text())
    assert card["status"] == "failed" and "vi" in card["error"]


def test_threshold_change_redecides_without_retagging_and_resume(tmp_path: Path, raw: Path) -> None:
    out = tmp_path / "out"
    run_clean(run_config(raw, out), progress=False)
    tag_files = sorted(out.glob("_tags/*/*.parquet"))
    mtimes = [p.stat().st_mtime_ns for p in tag_files]
    looser = json.loads(json.dumps(CONFIG))
    looser["filtering"]["exclude_keywords"] = {"keywords": ["casino", "viagra"], "max_hits": 5}
    looser["filtering"]["min_length"] = 1
    res = run_clean(run_config(raw, out, looser), progress=False)
    assert [p.stat().st_mtime_ns for p in tag_files] == mtimes  # tags reused: only decisions re-run
    assert "exclude_keywords:excluded_keyword" not in res.stats["drop_reasons"]
    assert res.stats["drop_reasons"]["gopher_quality:gopher_short_doc"]["count"] >= 2  # short docs now reach Gopher
    # a tag-affecting change (C4 line rule) re-tags
    retag = json.loads(json.dumps(CONFIG))
    retag["filtering"]["c4"] = {"profile": "tfds"}
    run_clean(run_config(raw, out, retag), progress=False)
    assert [p.stat().st_mtime_ns for p in tag_files] != mtimes


def test_cleaned_folder_inside_raw_folder_is_not_read_back(raw: Path) -> None:
    first = run_clean(run_config(raw, raw / "cleaned"), progress=False)
    again = run_clean(run_config(raw, raw / "cleaned"), progress=False)
    assert first.stats["input"]["docs"] == again.stats["input"]["docs"] == 8
    with pytest.raises(CorpuslabError, match="must differ"):
        run_clean(run_config(raw, raw), progress=False)


def test_worker_count_does_not_change_output(tmp_path: Path, raw: Path) -> None:
    run_clean(run_config(raw, tmp_path / "a", workers=1), progress=False)
    run_clean(run_config(raw, tmp_path / "b", workers=2), progress=False)
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
    blocks = {"filtering": {"gopher_quality": {}}, "cleaning": {"max_doc_chars": 1_000_000}}
    res = run_clean(run_config(tmp_path / "raw", tmp_path / "out", blocks), progress=False)
    s = res.stats
    assert s["input"]["malformed"] == 1 and s["input"]["non_utf8_docs"] == 1 and s["input"]["docs"] == 4
    assert s["drop_reasons"]["input:huge_document"]["count"] == 1
    assert s["drop_reasons"]["input:empty"]["count"] == 1
    ids = [r["id"] for r in iter_records(tmp_path / "out/src/cleaned_data.jsonl.gz")]
    assert ids == ["g", "u"]  # the non-UTF-8 doc is kept with U+FFFD and counted


def test_oversized_line_is_skipped_in_chunks_and_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import corpuslab.clean.runner as runner

    monkeypatch.setattr(runner, "MAX_LINE_BYTES", 100_000)  # 64 MiB by default
    monkeypatch.setattr(runner, "_READ_CHUNK", 4096)
    src = tmp_path / "raw" / "src"
    src.mkdir(parents=True)
    lines = [json.dumps({"id": "a", "text": GOOD[0]}), json.dumps({"id": "big", "text": "x" * 1_000_000}),
             json.dumps({"id": "b", "text": GOOD[1]})]
    (src / "raw_data.jsonl").write_text("\n".join(lines) + "\n")
    res = run_clean(run_config(tmp_path / "raw", tmp_path / "out", {"filtering": {"min_length": 10}}), progress=False)
    assert res.stats["input"]["oversized_lines"] == 1 and res.stats["input"]["docs"] == 2
    assert [r["id"] for r in iter_records(tmp_path / "out/src/cleaned_data.jsonl.gz")] == ["a", "b"]
