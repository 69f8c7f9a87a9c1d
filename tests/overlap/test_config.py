"""The overlap settings: the reference script's defaults, required keys, and the training keys they share."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from corpuslab.overlap.config import OverlapCompareConfig, OverlapScoreConfig, OverlapTrainConfig
from corpuslab.train import CausalLMTrainConfig


def test_train_defaults_are_the_reference_scripts() -> None:
    """KimAu197/llm_fingerprint train_and_eval_overlap.py: 4 × 10, lr 2e-6, warmup 200, clip 0.5, 1000 steps."""
    c = OverlapTrainConfig(base_model="m", dataset="d", output_dir="o")
    assert (c.per_device_train_batch_size, c.gradient_accumulation_steps, c.learning_rate, c.warmup_steps,
            c.max_grad_norm, c.max_steps, c.eval_steps) == (4, 10, 2e-6, 200, 0.5, 1000, 100)
    assert (c.bottom_k_vocab, c.num_fingerprints, c.fingerprint_total_len, c.fingerprint_prefix_len,
            c.k_bottom_random_prefix, c.num_train_samples, c.packing) == (2000, 5, 64, 8, 50, 100_000, False)


def test_every_field_is_described() -> None:
    for model in (OverlapTrainConfig, OverlapCompareConfig, OverlapScoreConfig):
        assert all(f.description for f in model.model_fields.values()), model.__name__


def test_training_keys_mean_the_same_as_the_trainers() -> None:
    """The fine-tune hands these fields to train_causal_lm unchanged: same names, so one YAML key each."""
    shared = set(OverlapTrainConfig.model_fields) & set(CausalLMTrainConfig.model_fields)
    assert {"max_steps", "per_device_train_batch_size", "gradient_accumulation_steps", "learning_rate",
            "warmup_steps", "max_grad_norm", "logging_steps", "seed", "bf16", "save_final_model"} <= shared


def test_required_keys_and_bounds() -> None:
    with pytest.raises(ValidationError, match="runs"):
        OverlapCompareConfig(runs=[])
    with pytest.raises(ValidationError, match="models"):
        OverlapScoreConfig(base="b", models=[])
    with pytest.raises(ValidationError, match="bottom_k_vocab"):
        OverlapTrainConfig(base_model="m", dataset="d", output_dir="o", bottom_k_vocab=0)
    with pytest.raises(ValidationError, match="max_stepz"):
        OverlapTrainConfig(base_model="m", dataset="d", output_dir="o", max_stepz=3)
    assert OverlapCompareConfig(runs=["a"]).output_dir == "."
