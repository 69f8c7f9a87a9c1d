"""The collection step gives identical output on the local engine and on Ray (local Ray instance).

Inputs are constructed histories replayed on real ja/vi article texts (revert_fixtures.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from revert_fixtures import synth_dumps  # noqa: F401

from corpuslab.revert.collect import CollectConfig, collect, read_collected


@pytest.fixture(scope="session")
def ray_local() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    yield
    if started:
        ray.shutdown()


@pytest.mark.ray
def test_collect_local_and_ray_identical(synth_dumps: list[Path], tmp_path: Path, ray_local: None) -> None:  # noqa: F811
    cfg = CollectConfig(max_per_language=40, drop_revision_wars=True)
    a = collect(synth_dumps, tmp_path / "local", cfg, workers=1, engine="local", progress=False)
    b = collect(synth_dumps, tmp_path / "ray", cfg, workers=2, engine="ray", progress=False)
    assert a["languages"] == b["languages"] and a["counts"] == b["counts"]
    ta, tb = read_collected(tmp_path / "local"), read_collected(tmp_path / "ray")
    assert ta.num_rows == 80 and ta.equals(tb)
    for f in sorted((tmp_path / "local").glob("lang=*/*.parquet")):
        assert f.read_bytes() == (tmp_path / "ray" / f.relative_to(tmp_path / "local")).read_bytes()
