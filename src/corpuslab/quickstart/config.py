"""The quickstart's settings: the stages' own config objects, with the paths the chain fills in.

Each stage block of ``examples/quickstart/quickstart.yaml`` holds that stage's own keys (a
:class:`~corpuslab.mixture.config.MixtureConfig` with its stage-2 blocks; :class:`~corpuslab.overlap.config.
OverlapTrainConfig`; :class:`~corpuslab.anatomy.config.LabelShiftConfig`); the quickstart adds only the paths
between the steps and a few choices of its own (:data:`TRAIN_DEFAULTS`, :data:`LABELSHIFT_DEFAULTS`). The
blocks are validated by the stage models when the file is read, so a typo fails before any work starts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, ValidationError, model_validator

from corpuslab.anatomy.config import FetchSamplesConfig, LabelShiftConfig
from corpuslab.clean.config import CleanRunConfig
from corpuslab.core.config import StrictModel, format_validation_error
from corpuslab.mixture.config import MixtureConfig
from corpuslab.overlap.config import OverlapTrainConfig

DEFAULT_CONFIG = "examples/quickstart/quickstart.yaml"

#: the quickstart's own training choices (a tiny model on a few hundred documents, on the CPU); the YAML's
#: ``train:`` block overrides them and may set any other OverlapTrainConfig key
TRAIN_DEFAULTS: dict[str, Any] = {
    "max_steps": 40, "eval_steps": 10, "per_device_train_batch_size": 8, "gradient_accumulation_steps": 1,
    "max_length": 128, "learning_rate": 2e-3, "warmup_steps": 0, "bottom_k_vocab": 64, "num_fingerprints": 5,
    "fingerprint_total_len": 32, "num_train_samples": None, "device": "cpu", "save_final_model": True,
}
#: likewise for ``anatomy:`` (LabelShiftConfig keys): a short generation budget for a 260k-parameter model
LABELSHIFT_DEFAULTS: dict[str, Any] = {"num_prompts": 64, "max_new_tokens": 48, "holdout": 0.3, "n_bootstrap": 50,
                                       "device": "cpu"}
#: keys the chain sets itself (the paths between the steps)
_CHAIN_KEYS = {
    "mixture": {"raw_folder", "cleaned_folder"},
    "train": {"base_model", "dataset", "output_dir"},
    "anatomy": {"samples", "output_dir", "model", "categories", "max_per_category"},
}
_PLACEHOLDER = "<set by the quickstart>"


class BaseModelSource(StrictModel):
    """A llama2.c checkpoint + ``tokenizer.bin`` to import, or a HF model folder / hub id (``hf``)."""

    llama2c_checkpoint: str | None = "../shared/data/models/stories260K/checkpoint_legacy.bin"
    llama2c_tokenizer: str | None = "../shared/data/models/stories260K/tokenizer.bin"
    hf: str | None = None


class QuickstartConfig(StrictModel):
    """``corpuslab quickstart``: sample → clean → fine-tune with fingerprints → estimate the mixture → report."""

    output_dir: str = Field("runs/quickstart", description="Where every step writes its folder.")
    fresh: bool = Field(False, description="Delete earlier quickstart outputs first.")
    target_samples: int | None = Field(None, gt=0, description="Documents to sample (overrides mixture's).")
    train_steps: int | None = Field(None, gt=0, description="Fine-tuning steps (overrides train's max_steps).")
    torch_threads: int | None = Field(1, gt=0, description="torch CPU threads for training and generation: one "
                                      "by default (tiny models; OpenMP threads spin-wait on a busy machine).")
    paths_relative_to: str = Field(".", description="Folder, relative to the config file, that relative paths "
                                                    "in it resolve against.")
    samples_per_category: int = Field(200, gt=1, description="Training documents per category for the "
                                                             "estimator's classifier.")
    min_per_category: int = Field(4, ge=2, description="Categories with fewer cleaned documents are left out "
                                                       "of the estimate.")
    samples_seed: int = Field(0, description="Seed of the per-category samples.")
    mixture: dict[str, Any] = Field(description="Stage 1 (MixtureConfig keys) with stage 2's cleaning, "
                                                "filtering and dedup blocks.")
    base_model: BaseModelSource = Field(default_factory=BaseModelSource)
    train: dict[str, Any] = Field(default_factory=dict, description="OverlapTrainConfig keys.")
    anatomy: dict[str, Any] = Field(default_factory=dict, description="LabelShiftConfig keys.")
    #: the folder relative paths resolve against (set by :meth:`with_base_dir`; not a YAML key)
    _base_dir: str = PrivateAttr(".")

    @model_validator(mode="after")
    def _stage_blocks_validate(self) -> QuickstartConfig:
        """Each block is its stage's own config: check it now (with placeholder paths), not after minutes."""
        for block in _CHAIN_KEYS:
            given = set(getattr(self, block)) & _CHAIN_KEYS[block]
            if given:
                raise ValueError(f"{block}: {', '.join(sorted(given))} are set by the quickstart; leave them out")
        checks = {"mixture": lambda: (self.sample_config(_PLACEHOLDER), self.clean_config(_PLACEHOLDER, "x")),
                  "train": lambda: self.train_config(_PLACEHOLDER, _PLACEHOLDER, _PLACEHOLDER),
                  "anatomy": lambda: self.labelshift_config(_PLACEHOLDER, _PLACEHOLDER, ["a", "b"])}
        for block, check in checks.items():
            try:
                check()
            except ValidationError as e:
                raise ValueError(format_validation_error(block, e).replace(": ", ".", 1)) from None
        return self

    @property
    def base_dir(self) -> str:
        return self._base_dir

    def with_base_dir(self, config_file: str | os.PathLike[str] | None) -> QuickstartConfig:
        """A copy whose relative paths resolve against ``paths_relative_to`` from the config file's folder."""
        here = Path(config_file).resolve().parent if config_file else Path.cwd()
        copy = self.model_copy()
        copy._base_dir = str((here / self.paths_relative_to).resolve())
        return copy

    def resolve(self, rel: str) -> str:
        """A path from the config: as given when it exists (or is absolute), else relative to ``base_dir``."""
        if os.path.isabs(rel) or os.path.exists(rel):
            return rel
        return os.path.join(self.base_dir, rel)

    # ---- the stages' configs ------------------------------------------------------------------------------

    def sample_config(self, raw_folder: str) -> MixtureConfig:
        data = {**self.mixture, "raw_folder": raw_folder}
        if self.target_samples is not None:
            data["target_samples"] = self.target_samples
        return MixtureConfig.model_validate(data)

    def clean_config(self, raw_folder: str, cleaned_folder: str) -> CleanRunConfig:
        blocks = {k: v for k, v in self.mixture.items() if k in ("cleaning", "filtering", "dedup")}
        return CleanRunConfig.model_validate({**blocks, "raw_folder": raw_folder, "cleaned_folder": cleaned_folder,
                                              "keep_rejected": True})

    def samples_config(self, root: str, output_dir: str) -> FetchSamplesConfig:
        return FetchSamplesConfig(root=root, output_dir=output_dir, n=self.samples_per_category,
                                  seed=self.samples_seed, category_field="metadata.category")

    @property
    def train_seed(self) -> int:
        """The training seed (also the seed of the training data's shuffle)."""
        return int({**TRAIN_DEFAULTS, **self.train}.get("seed", OverlapTrainConfig.model_fields["seed"].default))

    def train_config(self, base_model: str, dataset: str, output_dir: str) -> OverlapTrainConfig:
        data = {**TRAIN_DEFAULTS, **self.train}
        if self.train_steps is not None:
            data["max_steps"] = self.train_steps
            data["eval_steps"] = min(int(data["eval_steps"]), max(1, self.train_steps // 4))
        data.setdefault("logging_steps", max(1, int(data["max_steps"]) // 4))
        return OverlapTrainConfig.model_validate({**data, "base_model": base_model, "dataset": dataset,
                                                  "output_dir": output_dir})

    def labelshift_config(self, samples: str, output_dir: str, categories: list[str]) -> LabelShiftConfig:
        return LabelShiftConfig.model_validate({**LABELSHIFT_DEFAULTS, **self.anatomy, "samples": samples,
                                                "output_dir": output_dir, "categories": categories,
                                                "max_per_category": self.samples_per_category})
