"""Settings of one causal-LM training run (:func:`corpuslab.train.causal_lm.train_causal_lm`).

Field names are ``transformers.TrainingArguments``' own, so a value means what it means there; whatever
else ``TrainingArguments`` takes (``adam_beta2``, ``deepspeed``, ``fsdp``, ``gradient_checkpointing``, …)
goes in ``training_args``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from corpuslab.core.config import StrictModel


class CausalLMTrainConfig(StrictModel):
    output_dir: str = Field(description="Trainer output folder (final_model/ goes here when saved).")
    max_steps: int = Field(100, gt=0, description="Optimizer steps.")
    per_device_train_batch_size: int = Field(4, gt=0, description="Examples per device per micro-batch.")
    gradient_accumulation_steps: int = Field(1, gt=0, description="Micro-batches per optimizer step.")
    learning_rate: float = Field(5e-5, gt=0, description="Peak learning rate.")
    warmup_steps: int = Field(0, ge=0, description="Linear warm-up steps.")
    max_grad_norm: float = Field(1.0, description="Gradient clipping norm.")
    weight_decay: float = Field(0.0, ge=0, description="AdamW weight decay.")
    lr_scheduler_type: str = Field("linear", description="transformers scheduler name (linear, cosine, …).")
    logging_steps: int = Field(10, gt=0, description="Log the loss every N steps.")
    seed: int = Field(42, description="Trainer seed (data order, dropout, init of new rows).")
    bf16: bool | None = Field(None, description="bf16 autocast; default: on GPUs that support it.")
    save_final_model: bool = Field(False, description="Write output_dir/final_model (model + tokenizer).")
    upcast_fp32: bool = Field(True, description="Train fp32 master weights when the model is in half precision.")
    training_args: dict[str, Any] = Field(default_factory=dict,
                                          description="Any other TrainingArguments (deepspeed, fsdp, adam_beta2, …).")
