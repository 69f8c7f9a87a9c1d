"""``engine: ray``: Ray Data ``map_batches`` tagging + LSH bands grouped as Ray tasks give the same output
as the local process pool (seeded bad-words draws included), on a local Ray instance started once."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from clean_fixtures import CONFIG, make_raw, run_config

from corpuslab.clean import run_clean


@pytest.mark.ray
def test_ray_engine_output_identical_to_local(tmp_path: Path, local_ray) -> None:
    raw = make_raw(tmp_path)
    blocks = json.loads(json.dumps(CONFIG))
    blocks["filtering"]["c4_badwords"] = {"keep_fraction": 0.5, "seed": 3}
    loc = run_clean(run_config(raw, tmp_path / "local", blocks, workers=1), progress=False)
    ray_res = run_clean(run_config(raw, tmp_path / "ray", blocks, workers=2, engine="ray"), progress=False)
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
