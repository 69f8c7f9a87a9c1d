"""Stage 1 on the real example material in ../shared/data (web WARC + pages, wikis, books, Stack Exchange,
installed package sources): every source format is read and the demo mixture comes out exact."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
import yaml

from corpuslab.core.config import validate
from corpuslab.mixture.config import MixtureConfig
from corpuslab.mixture.runner import run_sample

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # ~20 s; the fast tier samples the same mix.yaml in tests/test_golden_outputs.py
def test_demo_mixture_on_real_data(shared, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shared("wiki/jawiki-20230501-pages-articles-excerpt.xml.bz2")  # fail under CI if the data is missing
    data = yaml.safe_load((REPO / "examples" / "mixture" / "mix.yaml").read_text())
    data["target_samples"] = 400
    cfg = validate(MixtureConfig, data, "mix.yaml")
    plan = run_sample(cfg.model_copy(update={"raw_folder": str(tmp_path / "raw")}), base_dir=str(REPO), progress=False)
    by = {s["slug"]: s for s in plan["sources"]}
    # real sizes of the real files (SOURCES.md): 16 WARC responses, 36 pages, 189 ja articles,
    # 2,354 Stack Exchange rows
    assert by["web_commoncrawl"]["seen"] == 16
    assert by["web_pages"]["seen"] == 36
    assert by["wikipedia_ja"]["seen"] == 189
    assert by["stackexchange"]["seen"] == 2354
    assert plan["total_kept"] == 400 and sum(s["quota"] for s in plan["sources"]) == 400
    for s in plan["sources"]:
        assert s["kept"] == s["quota"] and s["shortfall"] == 0
        with gzip.open(tmp_path / "raw" / s["output"], "rt", encoding="utf-8") as fh:
            recs = [json.loads(line) for line in fh]
        assert len(recs) == s["kept"]
        for r in recs:
            md = r["metadata"]
            assert set(md) >= {"source", "config", "weight", "original_index"}
            assert r["text"].strip()
    ja = [json.loads(x) for x in gzip.open(tmp_path / "raw" / "wikipedia_ja" / "raw_data.jsonl.gz", "rt")]
    assert all(r["metadata"]["language"] == "ja" for r in ja)
    assert any("アンパサンド" in r["text"] for r in ja) or len(ja) < 189
    warc = [json.loads(x) for x in gzip.open(tmp_path / "raw" / "web_commoncrawl" / "raw_data.jsonl.gz", "rt")]
    assert all(r["metadata"]["url"].startswith("http") and "<" in r["text"] for r in warc)  # raw HTML kept


def test_source_paths_resolve_relative_to_config_folder(shared, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = shared("text/botchan.txt.bz2")
    shutil.copy(book, tmp_path / "botchan.txt.bz2")  # a tmp copy, to test path resolution only
    cfg = validate(MixtureConfig, {"target_samples": 10, "datasets": [
        {"name": "botchan.txt.bz2", "alias": "b", "weight": 1, "text_unit": "chunks", "chunk_chars": 1000}]})
    plan = run_sample(cfg.model_copy(update={"raw_folder": str(tmp_path / "raw")}), base_dir=str(tmp_path), progress=False)
    assert plan["sources"][0]["kept"] == 10 and plan["sources"][0]["seen"] > 100
