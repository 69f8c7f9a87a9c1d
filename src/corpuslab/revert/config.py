"""One config per ``revert`` command; keys are the runner's argument names, paths included.

Light on purpose (stdlib, pydantic, ``corpuslab.core``): the CLI builds every ``revert`` flag from these
models at start-up. Each field's description is its flag's ``--help`` text. Result files written before
the run card existed (``collect.json``, ``model.json`` …) record :meth:`StageConfig.settings`, the fields
that decide the result, so they stay as they were; ``run.json`` records the whole config.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from corpuslab.core.config import StrictModel, split_commas
from corpuslab.core.errors import ConfigError

Kind = Literal["change", "insert", "remove", "title"]
KINDS: tuple[Kind, ...] = ("change", "insert", "remove", "title")
Backend = Literal["catboost", "lightgbm"]


def iso_timestamp(value: str | None) -> str | None:
    """Normalise a date/timestamp to ``YYYY-MM-DDTHH:MM:SSZ`` (string order == time order)."""
    if value is None or value == "":
        return None
    v = str(value).strip().replace(" ", "T")
    if v.endswith("Z"):
        v = v[:-1]
    v = v.split(".")[0]
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y%m%d%H%M%S", "%Y-%m-%dT%H:%M"):
        try:
            return datetime.strptime(v, fmt).strftime("%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            continue
    raise ConfigError(f"cannot read timestamp {value!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ")


def _text_of_date(v: Any) -> Any:
    """YAML reads ``2022-01-01`` as a date; keep it as text, normalised later by :func:`iso_timestamp`."""
    return v.isoformat() if isinstance(v, (date, datetime)) else v


class StageConfig(StrictModel):
    """Base of the stage configs: knows which fields only say where data is or how work is spread."""

    #: fields naming inputs/outputs or the execution (workers, engine), not what is computed
    io_fields: ClassVar[frozenset[str]] = frozenset()

    def settings(self) -> dict[str, Any]:
        """The fields that decide the result: what a stage's own JSON report records as ``config``."""
        return self.model_dump(exclude=set(self.io_fields))


class CollectConfig(StageConfig):
    """``revert collect``; names match the reference collector's flags where one exists."""

    io_fields: ClassVar[frozenset[str]] = frozenset({"inputs", "out", "workers", "engine"})

    inputs: list[str] = Field(description="Full-history XML dumps (*.xml[.bz2|.gz|.zst]) and/or MediaWiki "
                                          "history TSV dumps (*.tsv[.bz2|.gz]).")
    out: Path = Field(description="Output folder: lang=<code>/part-*.parquet, collect.json, run.json.")
    workers: int = Field(1, ge=1, description="Parallel tasks (one per input file); the output is identical.")
    engine: Literal["local", "ray"] = Field("local", description="local (process pool) or ray; same output.")
    mode: Literal["train", "test"] = Field("train", description="Which date window applies.")
    train_start: str | None = Field(None, description="Train window start, inclusive (reference 2022-01-01).")
    train_end: str | None = Field(None, description="Train window end, exclusive (reference 2022-08-01).")
    test_start: str | None = Field(None, description="Test window start, inclusive (reference 2022-07-01).")
    test_end: str | None = Field(None, description="Test window end, exclusive (reference 2022-07-08).")
    anonymous_only: bool = Field(False, description="Anonymous editors only (reference -f1 1).")
    drop_revision_wars: bool = Field(False, description="Drop reverted edits whose revert was itself reverted "
                                                        "(reference -f2 1).")
    drop_bots: bool = Field(True, description="Drop bot edits (--keep-bots keeps them).")
    drop_page_creations: bool = Field(True, description="Drop page creations, parent_id 0 (--keep-creations "
                                                        "keeps them).")
    drop_missing_text: bool = Field(True, description="Drop XML revisions whose text or parent text is absent "
                                                      "(counted as missing_text either way).")
    max_per_language: int | None = Field(None, ge=1, description="Cap per language: the revisions with the "
                                         "smallest seeded hashes of their id (reference -n: 300000 train, "
                                         "100000 test).")
    seed: int = Field(42, description="Seed of the per-language cap's hash.")
    namespaces: list[int] = Field(default_factory=lambda: [0], description="Page namespaces to keep "
                                  "(repeat the flag; default 0, articles).")
    revert_radius: int = Field(15, ge=1, description="Revisions a revert may reach back (MediaWiki's "
                                                     "$wgRevertedTagMaxDepth).")
    revert_window_hours: float | None = Field(None, gt=0, description="Only reverts within this many hours "
                                              "count (default: no limit).")
    rollback_comments: bool = Field(False, description="Also label by English rollback summaries (dumps that "
                                                       "start mid-history).")
    bot_name_pattern: str = Field(r"(?i)bot(?:\b|_|$)", description="Regex on the user name that marks a bot in "
                                                                    "XML dumps (no user groups there).")
    lang: str | None = Field(None, description="Force the language of XML inputs.")
    extra_languages: list[str] = Field(default_factory=list, description="Language codes to accept beside the "
                                       "Wikipedia editions (repeat the flag).")
    rows_per_shard: int = Field(100_000, ge=1, description="Rows per output Parquet part.")

    @field_validator("train_start", "train_end", "test_start", "test_end", mode="before")
    @classmethod
    def _dates_as_text(cls, v: Any) -> Any:
        return _text_of_date(v)

    def window(self) -> tuple[str | None, str | None]:
        if self.mode == "train":
            return iso_timestamp(self.train_start), iso_timestamp(self.train_end)
        return iso_timestamp(self.test_start), iso_timestamp(self.test_end)


class PrepareConfig(StageConfig):
    """``revert prepare``: time split, page-disjoint text-model/classifier split, balancing key."""

    io_fields: ClassVar[frozenset[str]] = frozenset({"collected", "out", "full_test"})

    collected: Path = Field(description="`revert collect` output (train mode).")
    out: Path = Field(description="Output folder: train/test[/full_test].parquet, prepare.json, run.json.")
    full_test: Path | None = Field(None, description="`revert collect --mode test` output: an independent "
                                                     "full test set.")
    split_date: str | None = Field(None, description="Train < date <= test (reference 2022-07-01); default: "
                                                     "the train_fraction timestamp quantile.")
    train_fraction: float = Field(0.8, gt=0, lt=1, description="Share of revisions before the split when no "
                                                               "split_date is given.")
    text_train_fraction: float = Field(0.6, gt=0, lt=1, description="Share of each language's pages whose "
                                                                    "revisions train the text models.")
    drop_revision_wars: bool = Field(True, description="Remove revision wars from every part (reference "
                                                       "rw_filter).")
    seed: int = Field(42, description="Seed of the page split and the balanced subset.")

    @field_validator("split_date", mode="before")
    @classmethod
    def _split_date_as_text(cls, v: Any) -> Any:
        return _text_of_date(v)


class TuneConfig(StageConfig):
    """``revert tune``: the reference's fine-tuning settings by default."""

    io_fields: ClassVar[frozenset[str]] = frozenset({"prepared", "out"})

    prepared: Path = Field(description="`revert prepare` output.")
    out: Path = Field(description="Folder for the change/insert/remove/title models, tune.json, run.json.")
    base_model: str = Field("bert-base-multilingual-cased", description="HF encoder id or local folder.")
    kinds: list[str] = Field(default_factory=lambda: list(KINDS), description="Text models to tune: change, "
                             "insert, remove, title (a comma list or the flag repeated).")
    learning_rate: float = Field(2e-5, gt=0, description="Learning rate.")
    batch_size: int = Field(8, ge=1, description="Training batch size.")
    epochs: float = Field(5, gt=0, description="Training epochs.")
    weight_decay: float = Field(0.01, ge=0, description="AdamW weight decay.")
    max_length: int = Field(512, ge=1, description="Tokens per input (texts and pairs are truncated).")
    eval_fraction: float = Field(0.05, gt=0, lt=1, description="Stratified eval split that picks the best epoch.")
    min_title_revisions: int = Field(5, ge=1, description="Pages with fewer revisions give no title example.")
    max_examples: int | None = Field(None, ge=2, description="Cap per model after balancing (quick runs).")
    seed: int = Field(42, description="Seed of sampling, splits and training.")
    device: str | None = Field(None, description="cpu or cuda (default: cuda when available).")

    _split_kinds = field_validator("kinds", mode="before")(split_commas)

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, v: list[str]) -> list[str]:
        unknown = [k for k in v if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown text model {', '.join(unknown)}: use {', '.join(KINDS)}")
        return v


class FeaturesConfig(StageConfig):
    """``revert features``: one feature vector per revision of the classifier part and the test sets."""

    io_fields: ClassVar[frozenset[str]] = frozenset({"prepared", "out", "text_models", "device"})

    prepared: Path = Field(description="`revert prepare` output.")
    out: Path = Field(description="Output folder: train/test[/full_test].parquet, features.json, run.json.")
    text_models: Path | None = Field(None, description="`revert tune` output (omit: text-model features are -1).")
    batch_size: int = Field(32, ge=1, description="Texts per text-model forward pass.")
    max_length: int = Field(512, ge=1, description="Tokens per text-model input.")
    device: str | None = Field(None, description="cpu or cuda (default: cuda when available).")


class ClassifierConfig(StageConfig):
    """The booster's settings (reference: CatBoost, 5000 iterations at lr 0.01, balanced class weights)."""

    backend: Backend = Field("catboost", description="Gradient-boosting library.")
    iterations: int = Field(5000, ge=1, description="Boosting rounds (reference 5000; a few hundred for quick runs).")
    learning_rate: float = Field(0.01, gt=0, description="Boosting learning rate (reference 0.01).")
    eval_fraction: float = Field(0.1, gt=0, lt=1, description="Stratified split that picks the best iteration.")
    class_weights: Literal["balanced", "none"] = Field("balanced", description="sklearn's balanced weights, or none.")
    seed: int = Field(42, description="Seed of the split and the booster.")
    threads: int | None = Field(None, ge=1, description="Booster threads (default: all cores).")


class TrainConfig(ClassifierConfig):
    """``revert train``: on ``revert features`` output, or booster vs logistic regression on a feature table."""

    io_fields: ClassVar[frozenset[str]] = frozenset({"features_dir", "out", "table_train", "table_test",
                                                     "id_column"})

    features_dir: Path | None = Field(None, description="`revert features` output.")
    out: Path = Field(description="Model folder: model.cbm|model.txt, model.json, run.json.")
    table_train: Path | None = Field(None, description="Headerless TSV of features, label last (ORES "
                                                       "editquality format): compare instead of train.")
    table_test: Path | None = Field(None, description="Its test table.")
    id_column: int | None = Field(None, ge=0, description="Table column that is an id, not a feature (ORES "
                                                          "demo tables: 0).")

    @model_validator(mode="after")
    def _one_input(self) -> TrainConfig:
        if (self.table_train is None) != (self.table_test is None):
            raise ValueError("give both table_train and table_test")
        if self.table_train is None and self.features_dir is None:
            raise ValueError("give a features folder (features_dir) or table_train and table_test")
        return self


class EvalConfig(StageConfig):
    """``revert eval``: metrics overall / per language / anonymous vs registered, plots, report."""

    io_fields: ClassVar[frozenset[str]] = frozenset({"model", "features_dir", "out"})

    model: Path = Field(description="`revert train` output.")
    features_dir: Path = Field(description="`revert features` output.")
    out: Path = Field(description="Output folder: metrics.json, report.md, plots, run.json.")
    split: Literal["test", "full_test", "train"] = Field("test", description="Which feature table to score.")
    threshold: float = Field(0.5, ge=0, le=1, description="Score at or above which an edit counts as flagged "
                                                          "(accuracy, F1, disparate impact).")


class ScoreConfig(StageConfig):
    """``revert score``: P(reverted) for new revisions from a saved model."""

    io_fields: ClassVar[frozenset[str]] = frozenset({"model", "inputs", "out", "text_models"})

    model: Path = Field(description="`revert train` output.")
    inputs: Path = Field(description="A features .parquet or a `revert collect` folder.")
    out: Path = Field(description="Parquet file with rev_id and revert_risk.")
    text_models: Path | None = Field(None, description="`revert tune` output; needed to score collected revisions.")
    max_length: int = Field(512, ge=1, description="Tokens per text-model input.")


__all__ = ["KINDS", "Backend", "ClassifierConfig", "CollectConfig", "EvalConfig", "FeaturesConfig", "Kind",
           "PrepareConfig", "ScoreConfig", "StageConfig", "TrainConfig", "TuneConfig", "iso_timestamp"]
