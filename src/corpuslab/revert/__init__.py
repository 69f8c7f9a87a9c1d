"""Revert risk: a multilingual Wikipedia edit classifier from public revision data (KDD 2023 reference).

collect (dumps → labelled revisions) → prepare (splits) → tune (text models) → features → train
(booster + logistic baseline) → eval (metrics, plots, report) → score (:mod:`~corpuslab.revert.predict`).
Each runner takes one config from :mod:`corpuslab.revert.config` (re-exported here; importing this package
stays light). See docs/revert.md.
"""

from corpuslab.revert.config import (
    ClassifierConfig,
    CollectConfig,
    EvalConfig,
    FeaturesConfig,
    PrepareConfig,
    ScoreConfig,
    TrainConfig,
    TuneConfig,
)

__all__ = ["ClassifierConfig", "CollectConfig", "EvalConfig", "FeaturesConfig", "PrepareConfig", "ScoreConfig",
           "TrainConfig", "TuneConfig"]
