"""Settings of ``leia build``, ``leia train`` and ``leia eval``: one model per runner, keys = its argument names.

Light on purpose (stdlib + pydantic): the CLI builds its flags from these models at start-up. Defaults are
LEIA's (Yamada & Ri 2024, arXiv 2402.11485): insertion probability 0.5 after the mention, and the training
recipe of the leia-llm/leia ``train.sh``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from corpuslab.core.config import StrictModel

if TYPE_CHECKING:
    from corpuslab.train.config import CausalLMTrainConfig

#: where the English name goes; ``right``/``left`` are the reference's spellings of ``after``/``before``
StrategyName = Literal["after", "before", "replace", "none", "right", "left"]


def _name_or_path(value: Any) -> Any:
    """A model given as a ``Path`` is kept as its string (a name such as ``gpt2`` is no path)."""
    return os.fspath(value) if isinstance(value, os.PathLike) else value


class LeiaBuildConfig(StrictModel):
    """``build_leia_dataset``: articles (+ redirects + Wikidata tables) → annotated, tokenised, packed data."""

    articles: Path | None = Field(None, description="`wiki extract` output folder, or a dump file (required unless "
                                                    "articles are passed in memory).")
    output_dir: Path = Field(description="Output folder (tokens.parquet, packed/, tokenizer/, report.json).")
    model: str | None = Field(None, description="Model/tokenizer name or path (its tokenizer is used; required "
                                                "unless a tokenizer object is passed in memory).")
    english_ids: Path = Field(description="en-wikidata-ids.tsv|parquet (title → QID), from `wiki wikidata`.")
    target_ids: Path = Field(description="{lang}-wikidata-ids.tsv|parquet (title → QID), from `wiki wikidata`.")
    redirects: Path | None = Field(None, description="{lang} redirects table, from `wiki redirects`.")
    seq_len: int = Field(2048, ge=2, description="Packed window length (tokens).")
    p: float = Field(0.5, ge=0.0, le=1.0, description="Insertion probability per link, re-drawn every epoch.")
    strategy: StrategyName = Field("after", description="Where the name goes: after the mention (reference "
                                                        "'right'), before it ('left'), replacing it, or none.")
    seed: int = Field(42, description="Seed of the insertion draws and the epoch order.")
    fragment_links: Literal["drop", "strip"] = Field("drop", description="Section links [[X#y]]: drop (reference) "
                                                                         "or strip the fragment and keep them.")
    id_dtype: Literal["auto", "int16", "uint16", "int32"] = Field(
        "auto", description="Token id type: auto = int16 while every id ≤ 32767, else int32.")
    batch_size: int = Field(256, gt=0, description="Articles per tokenizer call.")
    max_articles: int | None = Field(None, gt=0, description="Stop after this many articles (samples).")
    pack_epochs: int = Field(1, gt=0, description="Packed epochs to materialise under packed/.")
    keep_articles_without_anchors: bool = Field(False, description="Keep articles without any resolved link "
                                                                   "(the reference drops them).")

    _model_as_string = field_validator("model", mode="before")(_name_or_path)


class LeiaTrainConfig(StrictModel):
    """``train_leia``: continued pre-training on a ``leia build`` folder with the LEIA recipe.

    The recipe is the leia-llm/leia ``train.sh``: lr 5e-6, cosine, no warm-up, weight decay 0.1, AdamW betas
    (0.9, 0.95), eps 1e-6, clipping 1.0, seed 42. Its 2048 × 2048-token steps are ``per_device_train_batch_size
    × gradient_accumulation_steps × GPUs``.
    """

    model: str = Field(description="Causal LM name or path to continue training.")
    data_dir: Path = Field(description="`leia build` output folder.")
    output_dir: Path = Field(description="Output folder (final_model/, train_report.json).")
    max_steps: int = Field(50, gt=0, description="Optimizer steps.")
    per_device_train_batch_size: int = Field(1, gt=0, description="Windows per device per micro-batch.")
    gradient_accumulation_steps: int = Field(1, gt=0, description="Micro-batches per optimizer step.")
    seq_len: int | None = Field(None, ge=2, description="Window length; default: the build's seq_len.")
    p: float | None = Field(None, ge=0.0, le=1.0, description="Insertion probability; default: the build's p.")
    strategy: StrategyName | None = Field(None, description="Insertion strategy; default: the build's; 'none' is "
                                                            "the reference's no-insertion baseline.")
    mask_entity_names: bool = Field(False, description="Also mask the inserted names in the loss (ablation).")
    markers: bool = Field(True, description="Wrap inserted names in <translate>…</translate> (off: bare names).")
    logging_steps: int = Field(1, gt=0, description="Log the loss every N steps.")
    bf16: bool | None = Field(None, description="bf16 autocast; default: on GPUs that support it.")
    learning_rate: float = Field(5e-6, gt=0, description="Peak learning rate.")
    lr_scheduler_type: str = Field("cosine", description="transformers scheduler name.")
    warmup_steps: int = Field(0, ge=0, description="Linear warm-up steps.")
    weight_decay: float = Field(0.1, ge=0, description="AdamW weight decay.")
    adam_beta1: float = Field(0.9, description="AdamW beta1.")
    adam_beta2: float = Field(0.95, description="AdamW beta2.")
    adam_epsilon: float = Field(1e-6, description="AdamW epsilon.")
    max_grad_norm: float = Field(1.0, description="Gradient clipping norm.")
    seed: int = Field(42, description="Seed of the Trainer and of the insertion draws.")
    deepspeed: str | None = Field(None, description="DeepSpeed config JSON (passed to TrainingArguments).")
    fsdp: str | None = Field(None, description="FSDP option string (passed to TrainingArguments).")
    gradient_checkpointing: bool = Field(False, description="Recompute activations to save memory.")
    training_args: dict[str, Any] = Field(default_factory=dict,
                                          description="Any other TrainingArguments (they win over the above).")

    _model_as_string = field_validator("model", mode="before")(_name_or_path)

    def hyperparameters(self) -> dict[str, Any]:
        """The optimisation settings as ``TrainingArguments`` receives them (recorded in train_report.json)."""
        hp = self.model_dump(mode="json", include=set(_RECIPE))
        hp.update({k: v for k, v in self.model_dump(mode="json", include=set(_OPTIONAL)).items() if v})
        return {**hp, **self.training_args}

    def causal_lm_config(self) -> CausalLMTrainConfig:
        """The :class:`corpuslab.train.CausalLMTrainConfig` of this run (final model saved, one loader worker)."""
        from corpuslab.train.config import CausalLMTrainConfig

        own = set(CausalLMTrainConfig.model_fields) - {"training_args"}
        passed_on = {k: v for k, v in self.hyperparameters().items() if k not in own or k in self.training_args}
        return CausalLMTrainConfig(
            **self.model_dump(mode="json", include=own & set(type(self).model_fields)), save_final_model=True,
            # one DataLoader worker, as in the reference: the epoch order of LeiaDataset is global
            training_args={"dataloader_num_workers": 0, **passed_on})


#: LEIA's optimisation recipe (always passed on) and the TrainingArguments passed only when set
_RECIPE = ("learning_rate", "lr_scheduler_type", "warmup_steps", "weight_decay", "adam_beta1", "adam_beta2",
           "adam_epsilon", "max_grad_norm", "seed")
_OPTIONAL = ("deepspeed", "fsdp", "gradient_checkpointing")


class EvalSettings(StrictModel):
    """How items are drawn and scored (``evaluate_items``); ``leia eval``'s config adds the model and files."""

    num_fewshot: int = Field(4, ge=0, description="X-CSQA demonstrations (X-CODAH is always 0-shot).")
    limit: int | None = Field(None, gt=0, description="Items per task and language, after shuffling (seed).")
    batch_size: int = Field(16, gt=0, description="Sequences per forward pass.")
    seed: int = Field(42, description="Seed of the item shuffle, the demonstrations and the bootstrap.")
    n_boot: int = Field(1000, gt=0, description="Bootstrap resamples for the 95% CI.")
    shuffle: bool = Field(True, description="Shuffle the items before the limit (the reference does).")


class LeiaEvalConfig(EvalSettings):
    """``run_eval``: log-likelihood multiple choice on X-CSQA / X-CODAH files, accuracy per language."""

    model: str = Field(description="Causal LM name or path to evaluate.")
    xcsqa: list[str] = Field(default_factory=list, description="X-CSQA file (X-CSR JSONL or CommonsenseQA JSONL); "
                                                               "repeat the flag for several.")
    xcodah: list[str] = Field(default_factory=list, description="X-CODAH file (X-CSR JSONL or CODAH TSV); repeat "
                                                                "the flag for several.")
    output_dir: Path | None = Field(None, description="Write {task}_metrics.json, {task}_predictions.jsonl, "
                                                      "results.md and run.json here.")
    device: str | None = Field(None, description="cpu, cuda, cuda:1, mps; default: the best available.")
    dtype: str | None = Field(None, description="auto, float32, float16 (the reference), bfloat16.")

    _model_as_string = field_validator("model", mode="before")(_name_or_path)

    @field_validator("xcsqa", "xcodah", mode="before")
    @classmethod
    def _paths_as_strings(cls, value: Any) -> Any:
        if isinstance(value, (str, os.PathLike)):
            return [os.fspath(value)]
        return [os.fspath(v) if isinstance(v, os.PathLike) else v for v in value] if isinstance(value, list) else value

    def tasks(self) -> list[tuple[str, str]]:
        """``[(task, file), …]`` in the order they are evaluated."""
        return [("xcsqa", f) for f in self.xcsqa] + [("xcodah", f) for f in self.xcodah]
