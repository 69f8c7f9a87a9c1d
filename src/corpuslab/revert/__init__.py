"""Revert risk: a multilingual Wikipedia edit classifier from public revision data (KDD 2023 reference).

collect (dumps → labelled revisions) → prepare (splits) → tune (text models) → features → train
(booster + logistic baseline) → eval (metrics, plots, report) → score. See docs/revert.md.
Submodules are named after the stages (``corpuslab.revert.collect.collect`` …), so nothing here
re-exports a function under a submodule's name.
"""

from corpuslab.revert.collect import CollectConfig, label_reverts, read_collected
from corpuslab.revert.prepare import PrepareConfig

__all__ = ["CollectConfig", "PrepareConfig", "label_reverts", "read_collected"]
