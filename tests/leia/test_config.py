from pathlib import Path

import pytest
from pydantic import ValidationError

from corpuslab.leia.config import EvalSettings, LeiaBuildConfig, LeiaEvalConfig, LeiaTrainConfig


def test_train_config_carries_the_leia_recipe_into_the_trainer_config():
    cfg = LeiaTrainConfig(model=Path("base"), data_dir="data", output_dir="run", max_steps=3,
                          per_device_train_batch_size=2, gradient_accumulation_steps=4)
    assert cfg.model == "base"  # a model path given as Path is kept as its string
    t = cfg.causal_lm_config()
    assert (t.output_dir, t.max_steps, t.per_device_train_batch_size, t.gradient_accumulation_steps) == ("run", 3, 2, 4)
    assert (t.learning_rate, t.lr_scheduler_type, t.warmup_steps, t.weight_decay, t.max_grad_norm, t.seed) == \
        (5e-6, "cosine", 0, 0.1, 1.0, 42)
    assert t.save_final_model and t.logging_steps == 1 and t.bf16 is None
    assert t.training_args == {"dataloader_num_workers": 0, "adam_beta1": 0.9, "adam_beta2": 0.95,
                               "adam_epsilon": 1e-6}


def test_optional_training_arguments_pass_on_only_when_set_and_extra_ones_win():
    cfg = LeiaTrainConfig(model="m", data_dir="d", output_dir="o", deepspeed="ds.json", gradient_checkpointing=True,
                          training_args={"learning_rate": 1e-3, "optim": "adafactor"})
    args = cfg.causal_lm_config().training_args
    assert args["deepspeed"] == "ds.json" and args["gradient_checkpointing"] is True and "fsdp" not in args
    assert args["optim"] == "adafactor" and args["learning_rate"] == 1e-3  # TrainingArguments get the override
    hp = cfg.hyperparameters()
    assert hp["learning_rate"] == 1e-3 and hp["adam_beta2"] == 0.95 and "fsdp" not in hp


def test_train_config_rejects_unknown_keys_and_bad_values():
    with pytest.raises(ValidationError, match="grad_accum"):
        LeiaTrainConfig(model="m", data_dir="d", output_dir="o", grad_accum=4)
    with pytest.raises(ValidationError, match="strategy"):
        LeiaTrainConfig(model="m", data_dir="d", output_dir="o", strategy="middle")


def test_build_config_defaults_are_the_reference_settings():
    cfg = LeiaBuildConfig(output_dir="o", english_ids="en.tsv", target_ids="ja.tsv")
    assert (cfg.seq_len, cfg.p, cfg.strategy, cfg.seed, cfg.fragment_links, cfg.id_dtype) == \
        (2048, 0.5, "after", 42, "drop", "auto")
    with pytest.raises(ValidationError, match="p"):
        LeiaBuildConfig(output_dir="o", english_ids="e", target_ids="t", p=1.5)
    with pytest.raises(ValidationError, match="fragment_links"):
        LeiaBuildConfig(output_dir="o", english_ids="e", target_ids="t", fragment_links="keep")


def test_eval_config_lists_tasks_in_order_and_is_its_own_scoring_settings():
    cfg = LeiaEvalConfig(model="m", xcodah=[Path("b.tsv")], xcsqa=["a.jsonl", "c.jsonl"], limit=5)
    assert cfg.tasks() == [("xcsqa", "a.jsonl"), ("xcsqa", "c.jsonl"), ("xcodah", "b.tsv")]
    assert isinstance(cfg, EvalSettings) and cfg.limit == 5 and cfg.num_fewshot == 4 and cfg.shuffle
