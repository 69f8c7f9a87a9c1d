"""``--engine ray``: Ray Data ``map_batches`` tagging + LSH bands grouped as Ray tasks give the same output
as the local process pool, on a local Ray instance started once."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from test_clean_runner import CONFIG, make_raw

from corpuslab.clean import run_clean


@pytest.fixture(scope="session")
def local_ray():
    ray = pytest.importorskip("ray")
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    yield ray
    if started:
        ray.shutdown()


@pytest.mark.ray
def test_ray_engine_output_identical_to_local(tmp_path: Path, local_ray) -> None:
    raw = make_raw(tmp_path)
    loc = run_clean(CONFIG, raw, tmp_path / "local", workers=1, progress=False)
    ray_res = run_clean(CONFIG, raw, tmp_path / "ray", workers=2, engine="ray", progress=False)
    for rel in ("web/cleaned_data.jsonl.gz", "books/cleaned_data.jsonl.gz"):
        assert gzip.decompress((tmp_path / "local" / rel).read_bytes()) == gzip.decompress((tmp_path / "ray" / rel).read_bytes())
    assert loc.stats["funnel"] == ray_res.stats["funnel"]
    assert loc.stats["drop_reasons"] == ray_res.stats["drop_reasons"]
    # the tags themselves are identical (same pure function over Arrow batches)
    import pyarrow.parquet as pq

    for p in sorted((tmp_path / "local" / "_tags").rglob("*.parquet")):
        q = tmp_path / "ray" / p.relative_to(tmp_path / "local")
        a, b = pq.read_table(p), pq.read_table(q)
        assert a.column_names == b.column_names
        assert a.to_pandas().equals(b.to_pandas())  # NaN-aware; schema metadata may differ
