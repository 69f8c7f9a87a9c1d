"""Settings of stage 2: the ``cleaning:``, ``filtering:`` and ``dedup:`` blocks, the run settings of
``corpuslab clean`` (:class:`CleanRunConfig`, whose keys are ``run_clean``'s settings and the command's flags),
and the small configs of ``inspect``, ``merge`` and ``push``.

Every block is optional. Filter steps run in the order the ``filtering:`` block lists them; an empty mapping
means the reference (DataTrove) defaults, and a threshold left unset takes the document language's profile
(FineWeb-2 for ``ja``/``vi``, see :mod:`corpuslab.clean.constants`) before the English default. The same
YAML drives stage 1: its keys (``target_samples``, ``datasets``, ``seed`` … — :class:`MixtureConfig`'s fields
and aliases) are accepted and ignored here; any other unknown key is an error naming the key path.

Light on purpose: the CLI imports this module at start-up.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator

from corpuslab.core.config import StrictModel

# ---- the cleaning: block ----------------------------------------------------------------------------------


class CleaningConfig(StrictModel):
    html: bool = Field(True, description="Strip HTML markup (selectolax/Lexbor) from text that looks like markup.")
    unicode: Literal["NFC", "NFKC", "NFD", "NFKD"] | None = Field("NFC", description="Unicode normal form, or null.")
    fix_mojibake: bool = Field(True, description="Repair mojibake with ftfy.")
    whitespace: bool = Field(True, description="Normalise line ends, control characters and runs of spaces.")
    max_doc_chars: int = Field(1_000_000, gt=0, description="Longer documents are dropped as input:huge_document "
                                                            "before any rule runs.")


# ---- the filtering: block, one model per filter family ----------------------------------------------------


class LengthConfig(StrictModel):
    min_chars: int | None = Field(None, description="Drop documents with fewer characters.")
    max_chars: int | None = Field(None, description="Drop documents with more characters.")
    min_words: int | None = Field(None, description="Drop documents with fewer words.")
    max_words: int | None = Field(None, description="Drop documents with more words.")


class KeywordsConfig(StrictModel):
    keywords: list[str] = Field(default_factory=list, description="Whole words (substrings for CJK), any case.")
    max_hits: int = Field(0, description="Drop documents with more hits than this.")


class LanguageConfig(StrictModel):
    keep: list[str] | None = Field(None, description="Keep only these languages (ISO 639-1); null keeps all.")
    min_score: float | None = Field(None, ge=0, le=1, description="Minimum fastText score of the document's language.")


class GopherQualityConfig(StrictModel):
    """Gopher quality thresholds (null: the language profile's, else DataTrove's; 0 turns a rule off)."""

    min_doc_words: int | None = Field(None, description="Fewest non-symbol words (default 50).")
    max_doc_words: int | None = Field(None, description="Most non-symbol words (default 100000).")
    min_avg_word_length: float | None = Field(None, description="Shortest mean word length (default 3).")
    max_avg_word_length: float | None = Field(None, description="Longest mean word length (default 10).")
    max_symbol_word_ratio: float | None = Field(None, description="Most '#' and '...' per word (default 0.1).")
    max_bullet_lines_ratio: float | None = Field(None, description="Most lines starting with a bullet (default 0.9).")
    max_ellipsis_lines_ratio: float | None = Field(None, description="Most lines ending in '...' (default 0.3).")
    max_non_alpha_words_ratio: float | None = Field(None, description="Least share of words with a letter "
                                                                      "(DataTrove's name; default 0.8).")
    min_stop_words: int | None = Field(None, description="Fewest distinct stop words (default 2).")
    stop_words: list[str] | None = Field(None, description="The stop words (a tag parameter; default: "
                                                           "the, be, to, of, and, that, have, with).")


class GopherRepetitionConfig(StrictModel):
    """Gopher repetition thresholds (null: the language profile's, else DataTrove's; 0 turns a rule off)."""

    dup_line_frac: float | None = Field(None, description="Most duplicated lines, share of lines (default 0.3).")
    dup_para_frac: float | None = Field(None, description="Most duplicated paragraphs, share (default 0.3).")
    dup_line_char_frac: float | None = Field(None, description="Most characters in duplicated lines (default 0.2).")
    dup_para_char_frac: float | None = Field(None, description="Most characters in duplicated paragraphs "
                                                               "(default 0.2).")
    top_n_grams: dict[int, float] | None = Field(None, description="n → most characters in the top n-gram "
                                                                   "(default {2: 0.2, 3: 0.18, 4: 0.16}).")
    dup_n_grams: dict[int, float] | None = Field(None, description="n → most characters in duplicated n-grams "
                                                                   "(default {5: 0.15, …, 10: 0.10}).")


class C4Config(StrictModel):
    """C4 line and page rules; every line rule is a tag parameter (it rewrites the text)."""

    profile: Literal["datatrove", "tfds", "paper-original"] = Field(
        "datatrove", description="datatrove (>= 3 words/line, >= 5 sentences) or tfds = paper-original (5 and 3).")
    min_words_per_line: int | None = Field(None, description="Drop lines with fewer words (profile's).")
    min_num_sentences: int | None = Field(None, description="Drop pages with fewer sentences (profile's).")
    end_punctuation: list[str] | None = Field(None, description="Marks a kept line must end with (profile's).")
    words_before_citation_removal: bool | None = Field(None, description="Count words before removing citations "
                                                                         "(profile's).")
    remove_citations: bool | None = Field(None, description="Remove [1], [edit], [citation needed] (default true).")
    filter_no_terminal_punct: bool | None = Field(None, description="Drop lines without an end mark (default true).")
    max_word_length: int | None = Field(None, description="Drop lines with a longer word (default 1000; -1: off).")
    filter_lorem_ipsum: bool | None = Field(None, description="Drop pages with 'lorem ipsum' (default true).")
    filter_javascript: bool | None = Field(None, description="Drop lines mentioning javascript (default true).")
    filter_curly_bracket: bool | None = Field(None, description="Drop pages with '{' (default true).")
    filter_policy: bool | None = Field(None, description="Drop cookie/terms-of-use lines (default true).")


class FineWebQualityConfig(StrictModel):
    """FineWeb quality thresholds (null: the language profile's, else DataTrove's)."""

    line_punct_thr: float | None = Field(None, description="Least share of lines ending in punctuation "
                                                           "(default 0.12).")
    line_punct_exclude_zero: bool | None = Field(None, description="Do not drop pages with no punctuated line "
                                                                   "(default false).")
    short_line_thr: float | None = Field(None, description="Most share of short lines (default 0.67).")
    short_line_length: int | None = Field(None, description="A short line has at most this many characters "
                                                            "(a tag parameter; default 30).")
    char_duplicates_ratio: float | None = Field(None, description="Most characters in duplicated lines "
                                                                  "(default 0.01).")
    new_line_ratio: float | None = Field(None, description="Most newlines per word (default 0.3).")


class C4BadWordsConfig(StrictModel):
    """DataTrove's ``C4BadWordsFilter`` settings, by its names (LDNOOBW word lists per language)."""

    default_language: str | None = Field(None, description="List for documents whose language is unknown "
                                                            "(default: en).")
    keep_fraction: float | None = Field(None, ge=0, le=1, description="Share of documents with bad words kept "
                                                                      "anyway, by a seeded draw per document id "
                                                                      "(default: 0).")
    seed: int | None = Field(None, description="Seed of the keep_fraction draw (default: 0).")
    fail_on_missing_language: bool | None = Field(None, description="Stop when a document's language has no list "
                                                                    "(default: true; false: such documents pass).")


class FilteringConfig(StrictModel):
    """Filter steps (run in the order the YAML lists them) plus two options that are not steps."""

    tokenizer: Literal["fast", "spacy"] = Field("fast", description="fast (regex) or spacy (DataTrove's tokenizer).")
    per_language: bool = Field(True, description="The document's language picks the segmenter and thresholds; "
                                                 "false: English rules for all.")
    min_length: int | None = Field(None, description="Drop documents shorter than this many characters.")
    max_length: int | None = Field(None, description="Drop documents longer than this many characters.")
    length: LengthConfig | None = Field(None, description="Character and word bounds.")
    exclude_keywords: KeywordsConfig | None = Field(None, description="A keyword list (or {keywords, max_hits}).")
    language: LanguageConfig | None = Field(None, description="fastText language keep list and minimum score.")
    gopher_repetition: GopherRepetitionConfig | None = Field(None, description="Gopher repetition rules.")
    gopher_quality: GopherQualityConfig | None = Field(None, description="Gopher quality rules.")
    c4: C4Config | None = Field(None, description="C4 line and page rules (rewrites the text).")
    fineweb_quality: FineWebQualityConfig | None = Field(None, description="FineWeb quality rules.")
    c4_badwords: C4BadWordsConfig | None = Field(None, description="C4's bad-words rule (LDNOOBW lists).")

    @field_validator("exclude_keywords", mode="before")
    @classmethod
    def _keywords_list(cls, v: Any) -> Any:
        return {"keywords": v} if isinstance(v, list) else v

    @field_validator("length", "language", "gopher_repetition", "gopher_quality", "c4", "fineweb_quality",
                     "c4_badwords", mode="before")
    @classmethod
    def _empty_is_default(cls, v: Any) -> Any:
        return {} if v is None else v

    def summary(self) -> dict[str, Any]:
        """The block as ``stats.json`` records it: every step of the first release (null when unused), steps
        added since only when used — so the stats of an unchanged config stay byte-identical."""
        later = {k for k in STEP_KEYS if k not in FIRST_RELEASE_STEPS and getattr(self, k) is None}
        return self.model_dump(exclude=later)


OPTION_KEYS = ("tokenizer", "per_language")
STEP_KEYS = tuple(k for k in FilteringConfig.model_fields if k not in OPTION_KEYS)
FIRST_RELEASE_STEPS = ("min_length", "max_length", "length", "exclude_keywords", "language", "gopher_repetition",
                       "gopher_quality", "c4", "fineweb_quality")


# ---- the dedup: block -------------------------------------------------------------------------------------


class MinHashConfig(StrictModel):
    ngram: int = Field(5, ge=1, description="Shingle size in words.")
    bands: int = Field(14, ge=1, description="LSH bands.")
    rows: int = Field(8, ge=1, description="MinHash values per band.")
    seed: int = Field(1, description="Seed of the MinHash permutations.")
    cjk_char_ngram: int = Field(5, ge=1, description="Shingle size in characters for languages without spaces "
                                                     "(ja, zh, th …).")


class DedupConfig(StrictModel):
    exact: bool = Field(True, description="Drop documents whose normalised text was seen before.")
    minhash: MinHashConfig | None = Field(None, description="MinHash-LSH near-duplicate removal (true: defaults).")
    write_clusters: bool = Field(False, description="Write _dedup/clusters.jsonl (who was kept for whom).")

    @field_validator("minhash", mode="before")
    @classmethod
    def _minhash_flag(cls, v: Any) -> Any:
        """``minhash: true`` means the defaults, ``false`` none."""
        if v is True:
            return {}
        return None if v is False else v


# ---- the stage-2 settings and the run ---------------------------------------------------------------------

_BLOCKS = ("cleaning", "filtering", "dedup")


class CleanConfig(StrictModel):
    """The three stage-2 blocks and the filter step order: what tagging and deciding need."""

    cleaning: CleaningConfig | None = Field(None, description="Text cleaning before filtering ({} or an empty "
                                                              "block: defaults; left out: no cleaning).")
    filtering: FilteringConfig | None = Field(None, description="Filter steps, in the order written.")
    dedup: DedupConfig | None = Field(None, description="Exact and MinHash dedup across all sources.")
    step_order: list[str] | None = Field(None, description="Order the filter steps run in (default: the order "
                                                           "the filtering: block lists them).")

    @model_validator(mode="before")
    @classmethod
    def _blocks_as_written(cls, data: Any) -> Any:
        """An empty YAML block (``dedup:``) means the defaults; the filtering block's key order is the step
        order unless ``step_order`` says otherwise."""
        if not isinstance(data, dict):
            return data
        data = {**data, **{k: {} for k in _BLOCKS if k in data and data[k] is None}}
        if data.get("step_order") is None and isinstance(data.get("filtering"), dict):
            data["step_order"] = [k for k in data["filtering"] if k not in OPTION_KEYS]
        return data

    @field_validator("step_order")
    @classmethod
    def _known_steps(cls, v: list[str] | None) -> list[str] | None:
        unknown = [k for k in v or [] if k not in STEP_KEYS]
        if unknown:
            raise ValueError(f"unknown filter step {unknown[0]!r} (steps: {', '.join(STEP_KEYS)})")
        return v

    @property
    def steps(self) -> list[str]:
        """The configured filter steps in run order (steps missing from ``step_order`` run after it)."""
        f = self.filtering
        if f is None:
            return []
        order = list(dict.fromkeys([*(self.step_order or []), *STEP_KEYS]))
        return [k for k in order if getattr(f, k) is not None]

    def stage2_summary(self) -> dict[str, Any]:
        """The settings as ``stats.json → config`` records them."""
        return {
            "cleaning": self.cleaning.model_dump() if self.cleaning else None,
            "filtering": self.filtering.summary() if self.filtering else None,
            "dedup": self.dedup.model_dump() if self.dedup else None,
            "steps": self.steps,
        }


@functools.cache
def stage1_keys() -> frozenset[str]:
    """Top-level keys of a stage-1 mixture file (:class:`MixtureConfig`'s fields and aliases)."""
    from corpuslab.mixture.config import MixtureConfig

    return frozenset(_keys_of(MixtureConfig))


def _keys_of(model: type[StrictModel]) -> set[str]:
    keys: set[str] = set()
    for name, info in model.model_fields.items():
        keys.add(name)
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            keys.update(c for c in alias.choices if isinstance(c, str))
        elif isinstance(alias, str):
            keys.add(alias)
    return keys


class CleanRunConfig(CleanConfig):
    """``corpuslab clean`` / :func:`corpuslab.clean.run_clean`: where from, where to, how, and the three blocks."""

    raw_folder: str = Field(validation_alias=AliasChoices("raw_folder", "output_folder", "output_dir"),
                            description="Stage-1 output or any corpuslab shard folder.")
    cleaned_folder: str = Field(description="Where cleaned shards, stats.json and run.json go.")
    workers: int = Field(1, ge=1, description="Local worker processes (one shard per task); same output.")
    engine: Literal["local", "ray"] = Field("local", description="local (process pool) or ray (Ray Data); "
                                                                 "same output.")
    ray_address: str | None = Field(None, description="Ray cluster address, e.g. ray://host:10001.")
    keep_rejected: bool = Field(False, description="Also write dropped documents with their reason (_rejected/).")
    parquet: bool = Field(False, description="Also write cleaned_data.parquet per source.")

    @model_validator(mode="before")
    @classmethod
    def _ignore_stage1_keys(cls, data: Any) -> Any:
        """One YAML drives both stages: stage 1's keys are not errors here."""
        if not isinstance(data, dict):
            return data
        ignored = stage1_keys() - _keys_of(cls)
        return {k: v for k, v in data.items() if k not in ignored}


# ---- inspect, merge, push ---------------------------------------------------------------------------------


class InspectConfig(StrictModel):
    """``corpuslab inspect``: what is in a shard folder."""

    folder: str = Field(description="A raw or cleaned shard folder (or one shard file).")
    samples: int = Field(2, ge=0, description="Sample records per source.")
    max_docs: int | None = Field(None, gt=0, description="Read at most this many documents per source.")


class MergeConfig(StrictModel):
    """``corpuslab merge``: one seeded shuffle of every source of a cleaned folder."""

    cleaned_folder: str = Field(description="Output of `corpuslab clean`.")
    output: str = Field(description="FILE.jsonl[.gz|.zst] / FILE.parquet / a folder (HF dataset).")
    seed: int = Field(0, description="Shuffle seed.")
    format: Literal["auto", "jsonl", "parquet", "hf"] = Field(
        "auto", description="auto (by the output's suffix), jsonl, parquet (a file, or shards in a folder) or hf.")
    shard_size: int = Field(100_000, gt=0, description="Records per Parquet shard (format parquet, folder output).")


class PushConfig(StrictModel):
    """``corpuslab push``: publish a cleaned folder as a Hugging Face dataset."""

    input_folder: str = Field(description="A cleaned folder.")
    repo_name: str = Field(description="user/name on the Hugging Face Hub.")
    private: bool = Field(False, description="Create a private dataset repo.")
    staging: str | None = Field(None, description="Keep the prepared files here (default: a temporary folder).")
