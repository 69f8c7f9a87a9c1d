"""Shared fixtures for the revert tests.

Histories here are CONSTRUCTED: edit/revert sequences replayed on REAL article texts from the ja/vi
Wikipedia excerpts in ../shared/data/wiki (no public full-history dump with article text ships here).
The Wikidata daily dump used in test_revert_collect.py is real, unmodified.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from conftest import shared_path
from corpuslab.revert.collect import CollectConfig, collect
from corpuslab.revert.synth import read_articles, replay_histories, write_history_xml

JA = "wiki/jawiki-20230501-pages-articles-excerpt.xml.bz2"
VI = "wiki/viwiki-20230501-pages-articles-excerpt.xml.bz2"


@functools.lru_cache(maxsize=4)
def real_articles(rel: str, limit: int = 12, max_chars: int = 2500) -> tuple[tuple[str, str], ...]:
    return tuple(read_articles(shared_path(rel), min_chars=1200, limit=limit, max_chars=max_chars))


def rev(rid: int, parent: int | None, ts: str, user: str, text: str, anon: bool = False, comment: str = "") -> dict:
    return {"id": rid, "parent": parent, "timestamp": ts, "user": user, "anon": anon, "comment": comment, "text": text}


@pytest.fixture(scope="session")
def synth_dumps(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two small constructed full-history dumps (ja, vi) on real article text."""
    d = tmp_path_factory.mktemp("revert_dumps")
    ja = d / "jawiki-synth-history.xml.bz2"
    vi = d / "viwiki-synth-history.xml.bz2"
    write_history_xml(ja, "jawiki", replay_histories(list(real_articles(JA)), seed=1, edits_per_page=10))
    write_history_xml(vi, "viwiki", replay_histories(list(real_articles(VI)), seed=2, edits_per_page=10,
                                                     first_rev_id=5_000_000, first_page_id=10_000))
    return [ja, vi]


@pytest.fixture(scope="session")
def synth_collected(synth_dumps: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("revert_collected")
    collect(synth_dumps, out, CollectConfig(), progress=False)
    return out


@pytest.fixture(scope="session")
def synth_prepared(synth_collected: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from corpuslab.revert.prepare import PrepareConfig, prepare

    out = tmp_path_factory.mktemp("revert_prepared")
    prepare(synth_collected, out, PrepareConfig(split_date="2022-06-01"))
    return out
