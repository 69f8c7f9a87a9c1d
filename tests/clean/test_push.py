"""``corpuslab push``: the staging folder holds exactly what would be uploaded (no network here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from clean_fixtures import make_raw, run_config

from corpuslab.clean import run_clean
from corpuslab.clean.config import PushConfig
from corpuslab.clean.push import prepare_push
from corpuslab.core.errors import CorpuslabError


def test_prepare_push_writes_parquet_per_source_and_a_card(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    run_clean(run_config(raw, tmp_path / "out", {"filtering": {"min_length": 20}, "dedup": {"exact": True}}),
              progress=False)
    info = prepare_push(PushConfig(input_folder=str(tmp_path / "out"), repo_name="user/mix",
                                   staging=str(tmp_path / "stage"), private=True))
    assert info["files"] == ["README.md", "data/books.parquet", "data/web.parquet", "stats.json"]
    assert info["docs"] == {"books": 2, "web": 3} and info["private"] is True
    card = (tmp_path / "stage/README.md").read_text()
    assert "config_name: web" in card and "## Cleaning funnel" in card and "| exact_dedup |" in card
    assert "## Mixture plan" in card and "Visibility: private." in card
    with pytest.raises(CorpuslabError, match="user/name"):
        prepare_push(PushConfig(input_folder=str(tmp_path / "out"), repo_name="noslash", staging=str(tmp_path / "s2")))
