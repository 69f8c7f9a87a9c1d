"""``corpuslab merge``: one seeded shuffle of every source, metadata kept, JSONL / Parquet / HF dataset."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from clean_fixtures import make_raw, run_config

from corpuslab.clean import run_clean
from corpuslab.clean.config import MergeConfig
from corpuslab.clean.merge import merge_cleaned
from corpuslab.core.errors import CorpuslabError
from corpuslab.core.shards import iter_records


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("merge")
    run_clean(run_config(make_raw(root), root / "out", {"cleaning": {"html": True}, "filtering": {"min_length": 20},
                                                         "dedup": {"exact": True}}), progress=False)
    return root / "out"


def merge(cleaned: Path, output: Path, **kw) -> dict:
    return merge_cleaned(MergeConfig(cleaned_folder=str(cleaned), output=str(output), **kw))


def test_jsonl_merge_is_seeded_and_keeps_the_source(cleaned: Path, tmp_path: Path) -> None:
    m1 = merge(cleaned, tmp_path / "m1.jsonl.gz", seed=3)
    merge(cleaned, tmp_path / "m2.jsonl.gz", seed=3)
    merge(cleaned, tmp_path / "m3.jsonl.gz", seed=4)
    assert m1 == {"docs": 5, "seed": 3, "format": "jsonl", "output": str(tmp_path / "m1.jsonl.gz")}
    one, two = (gzip.decompress((tmp_path / f).read_bytes()) for f in ("m1.jsonl.gz", "m2.jsonl.gz"))
    assert one == two and one != gzip.decompress((tmp_path / "m3.jsonl.gz").read_bytes())
    merged = list(iter_records(tmp_path / "m1.jsonl.gz"))
    assert {r["metadata"]["source_folder"] for r in merged} == {"web", "books"}


def test_parquet_file_and_shard_folder(cleaned: Path, tmp_path: Path) -> None:
    assert merge(cleaned, tmp_path / "m.parquet")["format"] == "parquet"
    assert len(list(iter_records(tmp_path / "m.parquet"))) == 5
    s = merge(cleaned, tmp_path / "shards", format="parquet", shard_size=2)
    assert s["docs"] == 5 and sorted(p.name for p in (tmp_path / "shards").glob("*.parquet")) == [
        "train-00000.parquet", "train-00001.parquet", "train-00002.parquet"]
    assert (tmp_path / "shards" / "merge_info.json").exists()


def test_hf_dataset_folder(cleaned: Path, tmp_path: Path) -> None:
    import datasets

    merge(cleaned, tmp_path / "hf", seed=3)
    assert datasets.load_from_disk(str(tmp_path / "hf")).num_rows == 5
    with pytest.raises(CorpuslabError, match="not empty"):
        merge(cleaned, tmp_path / "hf")
    with pytest.raises(CorpuslabError, match="no cleaned shards"):
        merge(tmp_path / "hf", tmp_path / "x.jsonl")
