"""Revert risk: a multilingual Wikipedia edit classifier from public revision data (KDD 2023 reference).

collect (dumps → labelled revisions) → prepare (splits) → tune (text models) → features → train
(booster + logistic baseline) → eval (metrics, plots, report) → score. See docs/revert.md.
"""

from corpuslab.revert.collect import CollectConfig, collect, label_reverts, read_collected
from corpuslab.revert.prepare import PrepareConfig, prepare

__all__ = ["CollectConfig", "PrepareConfig", "collect", "label_reverts", "prepare", "read_collected"]
