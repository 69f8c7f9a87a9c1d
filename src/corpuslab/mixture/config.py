"""Mixture config (stage 1). The same YAML also carries stage 2's ``cleaning``/``filtering``/``dedup`` blocks.

Field names of existing SmolLM3-style configs are accepted as aliases (``text_column``, ``subset``,
``path``…), so users can bring their files unchanged.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator

from corpuslab.core.config import StrictModel
from corpuslab.core.safe_names import safe_name

SourceFormat = Literal["auto", "hf", "jsonl", "parquet", "text", "mediawiki", "stackexchange", "warc", "html-tar"]


class SourceConfig(StrictModel):
    name: str = Field(validation_alias=AliasChoices("name", "path", "dataset", "hf_dataset", "repo_id"))
    config: str | None = Field(default=None, validation_alias=AliasChoices("config", "subset", "config_name"))
    split: str = "train"
    text_field: str = Field(
        default="text", validation_alias=AliasChoices("text_field", "text_column", "text_key", "column")
    )
    #: Map of output metadata key → input field (dotted paths allowed), e.g. {"url": "meta.url"}.
    fields: dict[str, str] = Field(default_factory=dict)
    weight: float = Field(gt=0, allow_inf_nan=False)
    format: SourceFormat = "auto"
    data_files: str | list[str] | None = None
    data_dir: str | None = None
    revision: str | None = None
    #: Stop after this many records have been seen (for streams too large to read whole).
    max_scan: int | None = Field(default=None, gt=0)
    #: Output folder name; default derived from ``name`` and ``config``.
    alias: str | None = None
    language: str | None = None
    trust_remote_code: bool = False
    #: Text sources: one document per file, or chunks of about ``chunk_chars`` characters.
    text_unit: Literal["file", "chunks", "lines"] = "file"
    chunk_chars: int = Field(default=2000, gt=0)
    # Informational keys some configs carry; kept so users' files validate unchanged.
    description: str | None = None
    category: str | None = None
    notes: str | None = None
    tags: list[str] | None = None

    @property
    def slug(self) -> str:
        if self.alias:
            return safe_name(self.alias)
        base = self.name
        if "://" not in base and any(c in base for c in "/\\*?") and not _looks_like_hub_id(base):
            base = "local_" + base.replace("\\", "/").strip("./").replace("*", "").replace("/", "_")
        return safe_name(base + (f"_{self.config}" if self.config else ""))


def _looks_like_hub_id(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and not name.startswith((".", "/", "~")) and "*" not in name and "." not in parts[0]


class MixtureConfig(StrictModel):
    """Stage 1 (``corpuslab sample``): keys are ``run_sample``'s settings and the command's flags."""

    target_samples: int = Field(
        gt=0, validation_alias=AliasChoices("target_samples", "total_samples", "num_samples"),
        description="Total documents (or tokens, with unit: tokens) to sample.")
    seed: int = Field(42, description="Sampling seed.")
    datasets: list[SourceConfig] = Field(validation_alias=AliasChoices("datasets", "sources"))
    raw_folder: str | None = Field(default=None, validation_alias=AliasChoices("raw_folder", "output_folder", "output_dir"),
                                   description="Output folder for the raw sample.")
    unit: Literal["docs", "tokens"] = Field("docs", description="What target_samples and the quotas count.")
    tokenizer: str | None = Field(None, description="Tokenizer name or path (unit: tokens).")
    workers: int = Field(default=1, ge=1, description="Parallel processes; the output is identical.")
    engine: Literal["local", "ray"] = Field("local", description="local (process pool) or ray; same output.")
    on_error: Literal["raise", "skip"] = Field("raise", description="Bad records: raise, or skip and count them.")
    redistribute_shortfall: bool = Field(False, description="Give a small source's shortfall to the others by weight.")
    # Stage-2 blocks: validated by corpuslab.clean, carried here so one YAML drives both stages.
    cleaning: dict[str, Any] | None = None
    filtering: dict[str, Any] | None = None
    dedup: dict[str, Any] | None = None
    cleaned_folder: str | None = None

    @field_validator("datasets")
    @classmethod
    def _non_empty(cls, v: list[SourceConfig]) -> list[SourceConfig]:
        if not v:
            raise ValueError("the source list is empty: give at least one dataset")
        return v

    @model_validator(mode="after")
    def _check(self) -> MixtureConfig:
        slugs = [d.slug for d in self.datasets]
        dup = sorted({s for s in slugs if slugs.count(s) > 1})
        if dup:
            raise ValueError(f"two sources share the output folder {dup[0]!r}: give one of them an 'alias'")
        if self.unit == "tokens" and not self.tokenizer:
            raise ValueError("unit 'tokens' needs 'tokenizer' (a tokenizer name or path)")
        total = sum(d.weight for d in self.datasets)
        if not math.isfinite(total):
            raise ValueError("weights must sum to a finite number")
        return self
