"""Settings of ``corpuslab wiki extract|redirects|wikidata``: one model per runner, keys = flags = argument names.

Light on purpose (stdlib, pydantic, ``corpuslab.core.config``): the CLI builds its flags from these models
at start-up.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from corpuslab.core.config import StrictModel, split_commas

ShardFormat = Literal["jsonl", "jsonl.gz", "jsonl.zst", "parquet"]


class WikiExtractConfig(StrictModel):
    """Dump → article shards (:func:`corpuslab.wiki.extract.extract_dump`)."""

    dump: str = Field(description="MediaWiki XML dump (.xml, .bz2 incl. multistream, .gz, .zst).")
    output_dir: str = Field(description="Folder for the articles-*.<format> shards, report.json and run.json.")
    workers: int = Field(1, ge=1, description="Rendering processes.")
    shard_size: int = Field(10_000, gt=0, description="Articles per shard.")
    format: ShardFormat = Field("jsonl.zst", description="Shard format.")
    index: str | None = Field(None, description="Multistream index (found beside the dump when omitted).")
    chunk_bytes: int = Field(1 << 18, gt=0, description="Decompressed XML per worker task when the dump is not "
                                                        "read by multistream index.")


class WikiRedirectsConfig(StrictModel):
    """Dump → redirect table (:func:`corpuslab.wiki.redirects.extract_redirects`)."""

    dump: str = Field(description="MediaWiki XML dump.")
    output: str = Field(description="Table: .tsv[.gz|.zst|.bz2] (source<TAB>target) or .parquet; its run card "
                                    "goes beside it.")


class WikiWikidataConfig(StrictModel):
    """Wikidata dump → per-language title → QID tables (:func:`corpuslab.wiki.wikidata.extract_wikidata`)."""

    dump: str = Field(description="Wikidata JSON dump (.json, .json.gz, .json.bz2).")
    output_dir: str = Field(description="Folder for {lang}-wikidata-ids.<format>, wikidata-report.json and run.json.")
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1,
                                 description="Wikipedia languages, comma-separated (en,ja) or one per flag.")
    format: Literal["tsv", "parquet"] = Field("tsv", description="Table format.")

    _split_languages = field_validator("languages", mode="before")(split_commas)
