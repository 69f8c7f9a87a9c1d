"""Stage 1 end to end: determinism across seeds and workers, max_scan, shortfalls, token quotas, run card."""

from __future__ import annotations

from pathlib import Path

from mixture_fixtures import folder_bytes, read_raw, write_config, write_jsonl

from conftest import check_run_card
from corpuslab.core.config import load_config
from corpuslab.mixture.config import MixtureConfig
from corpuslab.mixture.runner import run_sample
from corpuslab.mixture.sampler import keys_for, stream_base


def _run(cfg_path: Path, out: Path, workers: int = 1) -> dict:
    cfg = load_config(cfg_path, MixtureConfig)
    return run_sample(cfg.model_copy(update={"raw_folder": str(out), "workers": workers}), base_dir=str(cfg_path.parent),
                      progress=False)


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


def test_the_raw_folder_carries_a_run_card(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "d.jsonl", 300)
    cfg = write_config(tmp_path / "mix.yaml", [{"name": "d.jsonl", "alias": "d", "weight": 1}], target_samples=40)
    _run(cfg, tmp_path / "out")
    card = check_run_card(tmp_path / "out", "sample")
    assert card["counts"] == {"total_kept": 40, "sources": 1, "shortfall": 0}
    assert card["outputs"] == {"d": "d/raw_data.jsonl.gz", "plan": "plan.json"}
    assert card["config"]["given"]["target_samples"] == 40 and card["config"]["resolved"]["unit"] == "docs"
    assert card["inputs"] == {"datasets": ["d.jsonl"]} and card["seed"] == 42
