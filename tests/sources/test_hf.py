"""The Hugging Face path (datasets.load_dataset(..., streaming=True)), driven with local files."""

from __future__ import annotations

from pathlib import Path

import pytest
from mixture_fixtures import read_raw, write_config, write_jsonl

from corpuslab.core.config import load_config
from corpuslab.mixture.config import MixtureConfig
from corpuslab.mixture.runner import run_sample


def _run(cfg_path: Path, out: Path, workers: int = 1) -> dict:
    cfg = load_config(cfg_path, MixtureConfig)
    return run_sample(cfg.model_copy(update={"raw_folder": str(out), "workers": workers}), base_dir=str(cfg_path.parent),
                      progress=False)


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
