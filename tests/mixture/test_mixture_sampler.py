"""Sampling: exactness, determinism across seeds/workers, uniformity, and the known-size fast path."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from mixture_fixtures import folder_bytes, read_raw, write_config, write_jsonl
from scipy.stats import chisquare

from corpuslab.core.config import load_config
from corpuslab.mixture.config import MixtureConfig
from corpuslab.mixture.runner import run_sample
from corpuslab.mixture.sampler import (
    Pool,
    bottom_k_indices,
    keys_for,
    offer_chunk,
    sample_records,
    stream_base,
)


def _run(cfg_path: Path, out: Path, workers: int = 1) -> dict:
    cfg = load_config(cfg_path, MixtureConfig)
    return run_sample(cfg.model_copy(update={"raw_folder": str(out), "workers": workers}), base_dir=str(cfg_path.parent),
                      progress=False)


def test_reservoir_selection_is_uniform_over_positions() -> None:
    n, k, trials = 40, 8, 4000
    counts = Counter()
    for seed in range(trials):
        for i, _ in sample_records(({"i": i} for i in range(n)), k, seed, "uniformity", chunk=13):
            counts[i] += 1
    observed = np.array([counts[i] for i in range(n)])
    assert observed.sum() == k * trials
    # H0: every position equally likely (expected k*trials/n each); a biased sampler fails this
    assert chisquare(observed).pvalue > 0.001
    # first and last positions are not favoured (a classic reservoir bug)
    assert abs(observed[:5].mean() - observed[-5:].mean()) < 0.15 * observed.mean()


def test_exact_k_and_without_replacement() -> None:
    got = sample_records(({"i": i} for i in range(10_000)), 137, 7, "s")
    idx = [i for i, _ in got]
    assert len(idx) == 137 and len(set(idx)) == 137 and idx == sorted(idx)
    assert all(rec["i"] == i for i, rec in got)


def test_chunking_does_not_change_the_sample() -> None:
    a = [i for i, _ in sample_records(({"i": i} for i in range(5000)), 50, 3, "s", chunk=64)]
    b = [i for i, _ in sample_records(({"i": i} for i in range(5000)), 50, 3, "s", chunk=5000)]
    assert a == b
    c = [i for i, _ in sample_records(({"i": i} for i in range(5000)), 50, 4, "s")]
    assert a != c  # another seed, another sample


def test_known_size_path_matches_streaming_path() -> None:
    base = stream_base(42, "src", "file.parquet")
    pool = Pool(k=100)
    for s in range(0, 100_000, 7_000):
        offer_chunk(pool, base, s, list(range(s, min(s + 7_000, 100_000))), lambda x: {"i": x})
    assert np.array_equal(np.sort(pool.idx), bottom_k_indices(base, 100_000, 100, block=10_000))


def test_keys_are_uint64_and_distinct() -> None:
    k = keys_for(123, 0, 100_000)
    assert k.dtype == np.uint64 and len(np.unique(k)) == 100_000


def test_same_seed_byte_identical_and_worker_count_independent(tmp_path: Path) -> None:
    for j in range(3):  # a glob source of 3 files: per-file pools are merged
        write_jsonl(tmp_path / "data" / "a" / f"part{j}.jsonl.gz", 3000, prefix=f"a{j}")
    write_jsonl(tmp_path / "data" / "b.jsonl", 5000, prefix="b", gz=False)
    cfg = write_config(tmp_path / "mix.yaml", [
        {"name": "data/a/*.jsonl.gz", "alias": "a", "weight": 2},
        {"name": "data/b.jsonl", "alias": "b", "weight": 1},
    ], target_samples=900)
    p1 = _run(cfg, tmp_path / "r1", workers=1)
    _run(cfg, tmp_path / "r2", workers=1)
    _run(cfg, tmp_path / "r3", workers=2)
    b1 = folder_bytes(tmp_path / "r1")
    assert b1 == folder_bytes(tmp_path / "r2") == folder_bytes(tmp_path / "r3")
    assert [s["kept"] for s in p1["sources"]] == [600, 300]
    assert [s["seen"] for s in p1["sources"]] == [9000, 5000]
    recs = read_raw(tmp_path / "r1", "a")
    idx = [r["metadata"]["original_index"] for r in recs]
    assert idx == sorted(idx) and len(set(idx)) == 600
    # original_index points at the real record: file j holds global rows 3000j..3000j+2999
    for r in recs[:50]:
        oi = r["metadata"]["original_index"]
        assert r["text"].startswith(f"a{oi // 3000} {oi % 3000} ")
        assert r["metadata"]["url"] == f"https://example.org/a{oi // 3000}/{oi % 3000}"
        assert r["metadata"]["source"] == "data/a/*.jsonl.gz" and r["metadata"]["weight"] == 2
        assert r["id"] == f"a/{oi}"
    cfg2 = write_config(tmp_path / "mix2.yaml", [
        {"name": "data/a/*.jsonl.gz", "alias": "a", "weight": 2},
        {"name": "data/b.jsonl", "alias": "b", "weight": 1},
    ], target_samples=900, seed=43)
    _run(cfg2, tmp_path / "r4")
    assert folder_bytes(tmp_path / "r4") != b1


def test_parquet_source_reads_only_selected_rows(tmp_path: Path) -> None:
    n = 20_000
    texts = [f"row {i}" for i in range(n)]
    pq.write_table(pa.table({"content": texts, "n": list(range(n))}), tmp_path / "d.parquet", row_group_size=1000)
    write_jsonl(tmp_path / "unused.jsonl", 1)
    cfg = write_config(tmp_path / "mix.yaml", [{"name": "d.parquet", "alias": "p", "weight": 1,
                                                 "text_field": "content"}], target_samples=50)
    plan = _run(cfg, tmp_path / "out")
    recs = read_raw(tmp_path / "out", "p")
    assert len(recs) == 50 and plan["sources"][0]["seen"] == n
    assert all(r["text"] == f"row {r['metadata']['original_index']}" == f"row {r['metadata']['n']}" for r in recs)
    # the same rows as streaming the same data would pick
    base = stream_base(42, "p", "d.parquet")
    assert [r["metadata"]["original_index"] for r in recs] == bottom_k_indices(base, n, 50).tolist()


def test_max_scan_stops_early_and_is_recorded(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "big.jsonl.gz", 10_000)
    cfg = write_config(tmp_path / "mix.yaml", [{"name": "big.jsonl.gz", "alias": "big", "weight": 1,
                                                 "max_scan": 1000}], target_samples=20)
    plan = _run(cfg, tmp_path / "out")
    s = plan["sources"][0]
    assert s["seen"] == 1000 and s["read_to_end"] is False and s["kept"] == 20
    assert max(r["metadata"]["original_index"] for r in read_raw(tmp_path / "out", "big")) < 1000


def test_shortfall_recorded_and_redistributed(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "small.jsonl", 10)
    write_jsonl(tmp_path / "big.jsonl", 1000)
    ds = [{"name": "small.jsonl", "alias": "small", "weight": 1}, {"name": "big.jsonl", "alias": "big", "weight": 1}]
    plan = _run(write_config(tmp_path / "m1.yaml", ds, target_samples=100), tmp_path / "o1")
    assert plan["sources"][0]["shortfall"] == 40 and plan["total_kept"] == 60
    plan = _run(write_config(tmp_path / "m2.yaml", ds, target_samples=100, redistribute_shortfall=True),
                tmp_path / "o2")
    assert [s["kept"] for s in plan["sources"]] == [10, 90] and plan["total_kept"] == 100
    # the 90 are a superset of the 50 drawn before: bottom-k with a larger k extends the sample
    before = {r["metadata"]["original_index"] for r in read_raw(tmp_path / "o1", "big")}
    after = {r["metadata"]["original_index"] for r in read_raw(tmp_path / "o2", "big")}
    assert before < after


def test_token_quota(tmp_path: Path) -> None:
    from corpuslab.models.tiny import train_bpe_tokenizer

    tok = train_bpe_tokenizer([f"doc {i} " + "word " * 5 for i in range(200)], vocab_size=300)
    tok.save_pretrained(tmp_path / "tok")
    write_jsonl(tmp_path / "d.jsonl", 2000)
    cfg = write_config(tmp_path / "mix.yaml", [{"name": "d.jsonl", "alias": "d", "weight": 1}],
                       target_samples=500, unit="tokens", tokenizer=str(tmp_path / "tok"))
    plan = _run(cfg, tmp_path / "out")
    recs = read_raw(tmp_path / "out", "d")
    ntok = [len(tok(r["text"], add_special_tokens=False)["input_ids"]) for r in recs]
    assert sum(ntok) >= 500 and sum(ntok) - max(ntok) < 500  # the smallest prefix covering the budget
    assert plan["sources"][0]["kept_tokens"] == sum(ntok)


@pytest.mark.parametrize("fmt", ["json"])
def test_hf_datasets_streaming_code_path(tmp_path: Path, fmt: str) -> None:
    """The hub path (datasets.load_dataset(..., streaming=True)) driven with local files."""
    write_jsonl(tmp_path / "d.jsonl", 500)
    cfg = write_config(tmp_path / "mix.yaml", [{"name": fmt, "data_files": str(tmp_path / "d.jsonl"),
                                                 "alias": "hf", "weight": 1}], target_samples=25)
    plan = _run(cfg, tmp_path / "out")
    recs = read_raw(tmp_path / "out", "hf")
    assert plan["sources"][0]["seen"] == 500 and len(recs) == 25
    assert all(r["text"].startswith(f"doc {r['metadata']['original_index']} ") for r in recs)
    # same selection as the local JSONL reader would make for the same stream id
    write_config(tmp_path / "mix2.yaml", [{"name": "d.jsonl", "alias": "hf", "weight": 1}], target_samples=25)


@pytest.mark.parametrize("block", [7, 64, 1 << 21])
def test_jsonl_block_reader_matches_line_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """Lines split across blocks, blank and CRLF lines, a last line without newline: same as str.splitlines."""
    import corpuslab.sources.readers as readers
    from corpuslab.sources.base import Unit

    raw = b'{"text": "a"}\n\n{"text": "b"}\r\n\r\n{"text": "long ' + b"x" * 300 + b'"}\n{"text": "last"}'
    (tmp_path / "d.jsonl").write_bytes(raw)
    monkeypatch.setattr(readers, "BLOCK", block)
    unit = Unit("s", "d.jsonl", str(tmp_path / "d.jsonl"), "jsonl", {"text_field": "text", "fields": {}})
    r = readers.open_unit(unit)
    got = [c[j] for c in r.chunks() for j in range(len(c))]
    want = [ln for ln in raw.split(b"\n") if ln.strip()]
    assert [g.rstrip(b"\r") for g in got] == [w.rstrip(b"\r") for w in want]
    assert [r.decode(g)["text"] for g in got] == ["a", "b", "long " + "x" * 300, "last"]


def test_lazy_decoding_falls_back_when_invalid_lines_exceed_the_slack(tmp_path: Path) -> None:
    """Many invalid lines among the survivors: the result is still the exact bottom-k of the valid ones."""
    from corpuslab.core.config import validate

    lines = [f'{{"text": "doc {i}"}}' if i % 3 else "not json" for i in range(3000)]
    (tmp_path / "d.jsonl").write_text("\n".join(lines) + "\n")
    cfg = validate(MixtureConfig, {"target_samples": 500, "on_error": "skip",
                                   "datasets": [{"name": "d.jsonl", "alias": "d", "weight": 1}]})
    plan = run_sample(cfg.model_copy(update={"raw_folder": str(tmp_path / "out")}), str(tmp_path), progress=False)
    got = [r["metadata"]["original_index"] for r in read_raw(tmp_path / "out", "d")]
    valid = [i for i in range(3000) if i % 3]
    base = stream_base(42, "d", "d.jsonl")
    keys = keys_for(base, 0, 3000)
    want = sorted(sorted(valid, key=lambda i: keys[i])[:500])
    assert got == want and plan["sources"][0]["kept"] == 500
