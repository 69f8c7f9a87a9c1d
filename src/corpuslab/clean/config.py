"""Schema of the ``cleaning:``, ``filtering:`` and ``dedup:`` blocks of the mixture YAML.

Every block is optional. Filter steps run in the order they are written; an empty mapping means the
reference (DataTrove) defaults, and a threshold left unset takes the document language's profile
(FineWeb-2 for ``ja``/``vi``, see :mod:`corpuslab.clean.constants`) before the English default. Unknown
filter names and threshold keys are errors naming the file and the key path.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import Field, field_validator

from corpuslab.core.config import StrictModel, read_yaml, validate
from corpuslab.core.errors import ConfigError


class CleaningConfig(StrictModel):
    html: bool = True
    unicode: Literal["NFC", "NFKC", "NFD", "NFKD"] | None = "NFC"
    fix_mojibake: bool = True
    whitespace: bool = True
    #: Documents longer than this (characters) are dropped as ``huge_document`` before any rule runs.
    max_doc_chars: int = Field(1_000_000, gt=0)


class LengthConfig(StrictModel):
    min_chars: int | None = None
    max_chars: int | None = None
    min_words: int | None = None
    max_words: int | None = None


class KeywordsConfig(StrictModel):
    keywords: list[str] = Field(default_factory=list)
    max_hits: int = 0


class LanguageConfig(StrictModel):
    keep: list[str] | None = None
    min_score: float | None = Field(None, ge=0, le=1)


class GopherQualityConfig(StrictModel):
    min_doc_words: int | None = None
    max_doc_words: int | None = None
    min_avg_word_length: float | None = None
    max_avg_word_length: float | None = None
    max_symbol_word_ratio: float | None = None
    max_bullet_lines_ratio: float | None = None
    max_ellipsis_lines_ratio: float | None = None
    max_non_alpha_words_ratio: float | None = None
    min_stop_words: int | None = None
    stop_words: list[str] | None = None


class GopherRepetitionConfig(StrictModel):
    dup_line_frac: float | None = None
    dup_para_frac: float | None = None
    dup_line_char_frac: float | None = None
    dup_para_char_frac: float | None = None
    top_n_grams: dict[int, float] | None = None
    dup_n_grams: dict[int, float] | None = None


class C4Config(StrictModel):
    profile: Literal["datatrove", "tfds", "paper-original"] = "datatrove"
    min_words_per_line: int | None = None
    min_num_sentences: int | None = None
    end_punctuation: list[str] | None = None
    words_before_citation_removal: bool | None = None
    remove_citations: bool | None = None
    filter_no_terminal_punct: bool | None = None
    max_word_length: int | None = None
    filter_lorem_ipsum: bool | None = None
    filter_javascript: bool | None = None
    filter_curly_bracket: bool | None = None
    filter_policy: bool | None = None


class FineWebQualityConfig(StrictModel):
    line_punct_thr: float | None = None
    line_punct_exclude_zero: bool | None = None
    short_line_thr: float | None = None
    short_line_length: int | None = None
    char_duplicates_ratio: float | None = None
    new_line_ratio: float | None = None


class FilteringConfig(StrictModel):
    """Filter steps (ordered as written in the YAML) plus two options that are not steps."""

    tokenizer: Literal["fast", "spacy"] = "fast"
    per_language: bool = True
    min_length: int | None = None
    max_length: int | None = None
    length: LengthConfig | None = None
    exclude_keywords: KeywordsConfig | None = None
    language: LanguageConfig | None = None
    gopher_repetition: GopherRepetitionConfig | None = None
    gopher_quality: GopherQualityConfig | None = None
    c4: C4Config | None = None
    fineweb_quality: FineWebQualityConfig | None = None

    @field_validator("exclude_keywords", mode="before")
    @classmethod
    def _keywords_list(cls, v: Any) -> Any:
        return {"keywords": v} if isinstance(v, list) else v

    @field_validator("length", "language", "gopher_repetition", "gopher_quality", "c4", "fineweb_quality", mode="before")
    @classmethod
    def _empty_is_default(cls, v: Any) -> Any:
        return {} if v is None else v


class MinHashConfig(StrictModel):
    ngram: int = Field(5, ge=1)
    bands: int = Field(14, ge=1)
    rows: int = Field(8, ge=1)
    seed: int = 1
    #: Shingle size in characters for languages without spaces (ja, zh, th…).
    cjk_char_ngram: int = Field(5, ge=1)


class DedupConfig(StrictModel):
    exact: bool = True
    minhash: MinHashConfig | None = None
    write_clusters: bool = False

    @field_validator("minhash", mode="before")
    @classmethod
    def _minhash_flag(cls, v: Any) -> Any:
        if v is True or v is None:
            return {} if v is True else None
        if v is False:
            return None
        return v


OPTION_KEYS = ("tokenizer", "per_language")
STEP_KEYS = tuple(k for k in FilteringConfig.model_fields if k not in OPTION_KEYS)


class CleanConfig(StrictModel):
    cleaning: CleaningConfig | None = None
    filtering: FilteringConfig | None = None
    dedup: DedupConfig | None = None
    #: filter step names in the order the YAML lists them
    step_order: list[str] = Field(default_factory=list)

    @property
    def steps(self) -> list[str]:
        f = self.filtering
        if f is None:
            return []
        order = self.step_order or [k for k in STEP_KEYS if getattr(f, k) is not None]
        return [k for k in order if getattr(f, k) is not None]


def clean_config_from_dict(data: dict[str, Any], source: str = "<config>") -> CleanConfig:
    """Validate only the three stage-2 blocks of a (mixture) config; other top-level keys are ignored."""
    blocks: dict[str, Any] = {}
    for key in ("cleaning", "filtering", "dedup"):
        if key in data:
            v = data[key]
            if v is None:
                v = {}
            if not isinstance(v, dict):
                raise ConfigError(f"{source}: {key}: must be a mapping, got {type(v).__name__}")
            blocks[key] = v
    order = [k for k in blocks.get("filtering", {}) if k not in OPTION_KEYS]
    return validate(CleanConfig, {**blocks, "step_order": order}, source)


def load_clean_config(path: str | os.PathLike[str]) -> CleanConfig:
    return clean_config_from_dict(read_yaml(path), str(path))
