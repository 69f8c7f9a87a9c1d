"""Stage 1 on Ray gives byte-identical output to the local default."""

from __future__ import annotations

from pathlib import Path

import pytest
from mixture_fixtures import folder_bytes, write_config, write_jsonl

from corpuslab.core.config import load_config
from corpuslab.mixture.config import MixtureConfig
from corpuslab.mixture.runner import run_sample


@pytest.mark.ray
def test_ray_engine_matches_local(tmp_path: Path, local_ray) -> None:  # type: ignore[no-untyped-def]
    for j in range(3):
        write_jsonl(tmp_path / "a" / f"p{j}.jsonl.gz", 2000, prefix=f"a{j}")
    write_jsonl(tmp_path / "b.jsonl", 3000, prefix="b")
    cfg = load_config(write_config(tmp_path / "mix.yaml", [{"name": "a/*.jsonl.gz", "alias": "a", "weight": 3},
                                                           {"name": "b.jsonl", "alias": "b", "weight": 1}],
                                   target_samples=400), MixtureConfig)
    run_sample(cfg.model_copy(update={"raw_folder": str(tmp_path / "local"), "workers": 1}), str(tmp_path), progress=False)
    run_sample(cfg.model_copy(update={"raw_folder": str(tmp_path / "ray"), "workers": 2, "engine": "ray"}),
               str(tmp_path), progress=False)
    assert folder_bytes(tmp_path / "local") == folder_bytes(tmp_path / "ray")
    assert len(folder_bytes(tmp_path / "local")) == 2
