"""Shared fixtures for the revert tests.

Histories here are CONSTRUCTED: edit/revert sequences replayed on REAL article texts from the ja/vi
Wikipedia excerpts in ../shared/data/wiki (no public full-history dump with article text ships here).
The Wikidata daily dump used in test_collect.py is real, unmodified.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from conftest import shared_path
from corpuslab.revert.collect import collect
from corpuslab.revert.config import CollectConfig, FeaturesConfig, PrepareConfig, TrainConfig, TuneConfig
from corpuslab.revert.constructed_histories import read_articles, replay_histories, write_history_xml

JA = "wiki/jawiki-20230501-pages-articles-excerpt.xml.bz2"
VI = "wiki/viwiki-20230501-pages-articles-excerpt.xml.bz2"
ORES_TRAIN = "revert/enwiki.features_reverted.training.20k_2015.tsv.bz2"
ORES_TEST = "revert/enwiki.features_reverted.testing.20k_2015.tsv.bz2"


@functools.lru_cache(maxsize=4)
def real_articles(rel: str, limit: int = 12, max_chars: int = 2500) -> tuple[tuple[str, str], ...]:
    return tuple(read_articles(shared_path(rel), min_chars=1200, limit=limit, max_chars=max_chars))


def rev(rid: int, parent: int | None, ts: str, user: str, text: str, anon: bool = False, comment: str = "") -> dict:
    return {"id": rid, "parent": parent, "timestamp": ts, "user": user, "anon": anon, "comment": comment, "text": text}


def booster(features_dir: Path | None, out: Path, **kw: object) -> TrainConfig:
    """A quick ``revert train`` config (reference: 5000 iterations at lr 0.01; here 100 at lr 0.1)."""
    return TrainConfig.model_validate({"features_dir": features_dir, "out": out, "iterations": 100,
                                       "learning_rate": 0.1, **kw})


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
    collect(CollectConfig(inputs=[str(p) for p in synth_dumps], out=out), progress=False)
    return out


@pytest.fixture(scope="session")
def synth_prepared(synth_collected: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from corpuslab.revert.prepare import prepare

    out = tmp_path_factory.mktemp("revert_prepared")
    prepare(PrepareConfig(collected=synth_collected, out=out, split_date="2022-06-01"))
    return out


@pytest.fixture(scope="session")
def tiny_text_models(synth_prepared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four text models tuned from a tiny random BERT whose tokenizer is trained on the real texts."""
    import pyarrow.parquet as pq

    from corpuslab.models.tiny import build_tiny_encoder
    from corpuslab.revert.textmodels import tune

    d = tmp_path_factory.mktemp("tiny_revert")
    train = pq.read_table(synth_prepared / "train.parquet")
    texts = [s for col in ("texts_insert", "texts_remove", "texts_change_new") for x in train[col].to_pylist() for s in x]
    build_tiny_encoder(texts[:1500], vocab_size=400, out_dir=d / "base", hidden=32, layers=1, heads=2, max_positions=64)
    tune(TuneConfig(prepared=synth_prepared, out=d / "tm", base_model=str(d / "base"), epochs=1, max_length=48,
                    batch_size=16, learning_rate=1e-3, max_examples=40))
    return d / "tm"


@pytest.fixture(scope="session")
def synth_features(synth_prepared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Features without text models (the text-model features are −1)."""
    from corpuslab.revert.features import features

    out = tmp_path_factory.mktemp("revert_features")
    features(FeaturesConfig(prepared=synth_prepared, out=out))
    return out


@pytest.fixture(scope="session")
def synth_model(synth_features: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from corpuslab.revert.classifier import train

    out = tmp_path_factory.mktemp("revert_model")
    train(booster(synth_features, out))
    return out
