"""Shared training plumbing: text → token datasets (streamed, optional packing) and a thin HF Trainer layer."""

from corpuslab.train.causal_lm import (
    CausalLMCollator,
    TextTokenDataset,
    TrainResult,
    open_text_source,
    text_dataset,
    train_causal_lm,
    training_plan,
)
from corpuslab.train.config import CausalLMTrainConfig

__all__ = [
    "CausalLMTrainConfig",
    "CausalLMCollator",
    "TextTokenDataset",
    "TrainResult",
    "open_text_source",
    "text_dataset",
    "train_causal_lm",
    "training_plan",
]
