"""Local readers: Parquet reads only the selected rows; the JSONL block reader splits lines exactly."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from mixture_fixtures import read_raw, write_config, write_jsonl

from corpuslab.core.config import load_config
from corpuslab.mixture.config import MixtureConfig
from corpuslab.mixture.runner import run_sample
from corpuslab.mixture.sampler import bottom_k_indices, stream_base


def _run(cfg_path: Path, out: Path, workers: int = 1) -> dict:
    cfg = load_config(cfg_path, MixtureConfig)
    return run_sample(cfg.model_copy(update={"raw_folder": str(out), "workers": workers}), base_dir=str(cfg_path.parent),
                      progress=False)


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
