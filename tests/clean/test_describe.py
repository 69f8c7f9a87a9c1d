"""``corpuslab inspect`` (describe_folder): counts, lengths, languages and samples per source."""

from __future__ import annotations

from pathlib import Path

from clean_fixtures import make_raw, run_config

from corpuslab.clean import run_clean
from corpuslab.clean.config import InspectConfig
from corpuslab.clean.describe import describe_folder


def test_describe_a_raw_and_a_cleaned_folder(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    info = describe_folder(InspectConfig(folder=str(raw), samples=1))
    assert info["total_docs"] == 8 and list(info["sources"]) == ["books", "web"]
    web = info["sources"]["web"]
    assert web["docs"] == 4 and len(web["samples"]) == 1 and web["samples"][0]["id"] == "web/0"
    assert web["languages"] == {"?": 4}
    assert sum(h["docs"] for h in web["length_histogram"]) == 4
    run_clean(run_config(raw, tmp_path / "out", keep_rejected=True), progress=False)
    cleaned = describe_folder(InspectConfig(folder=str(tmp_path / "out")))
    # _tags/ and _rejected/ are not sources; books kept nothing (its shard is empty)
    assert cleaned["total_docs"] == 2 and set(cleaned["sources"]) == {"web"}
    capped = describe_folder(InspectConfig(folder=str(raw), max_docs=2, samples=0))
    assert capped["total_docs"] == 4 and capped["sources"]["web"]["samples"] == []
