"""Stage-2 config: one YAML for both stages (stage-1 keys ignored, typos named), step order as written,
empty blocks mean defaults, the example files load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO
from corpuslab.clean.config import STEP_KEYS, CleanConfig, CleanRunConfig, FilteringConfig, stage1_keys
from corpuslab.core.config import load_config, read_yaml
from corpuslab.core.errors import ConfigError
from corpuslab.mixture.config import MixtureConfig

RUN = {"raw_folder": "raw", "cleaned_folder": "cleaned"}


def test_issue_example_yaml_validates_in_the_order_written(tmp_path: Path) -> None:
    p = tmp_path / "mix.yaml"
    p.write_text(
        "cleaning:\n  html: true\n  unicode: NFKC\nfiltering:\n  min_length: 100\n  exclude_keywords: [casino, viagra]\n"
        "  language: {keep: [en, ja, vi], min_score: 0.65}\n  gopher_repetition: {}\n  gopher_quality: {}\n"
        "  c4: {profile: datatrove}\n  fineweb_quality: {}\ndedup:\n  exact: true\n  minhash: {ngram: 5, bands: 14, rows: 8}\n"
        "sources: []\n"
    )
    cfg = load_config(p, CleanRunConfig, RUN)
    assert cfg.steps == ["min_length", "exclude_keywords", "language", "gopher_repetition", "gopher_quality", "c4",
                         "fineweb_quality"]
    assert cfg.dedup is not None and cfg.dedup.minhash is not None and cfg.dedup.minhash.bands == 14


def test_step_order_follows_the_yaml_and_can_be_set() -> None:
    written = CleanConfig.model_validate({"filtering": {"c4": {}, "tokenizer": "fast", "min_length": 5}})
    assert written.steps == ["c4", "min_length"] and written.step_order == ["c4", "min_length"]
    told = CleanConfig.model_validate({"filtering": {"c4": {}, "min_length": 5, "gopher_quality": {}},
                                       "step_order": ["gopher_quality"]})
    assert told.steps == ["gopher_quality", "min_length", "c4"]  # unlisted steps follow in schema order
    built = CleanConfig(filtering=FilteringConfig(c4={}, min_length=5))  # no YAML: schema order
    assert built.steps == ["min_length", "c4"]
    with pytest.raises(ValueError, match="unknown filter step 'gopher'"):
        CleanConfig.model_validate({"step_order": ["gopher"]})


def test_an_empty_block_means_the_defaults() -> None:
    cfg = CleanConfig.model_validate({"cleaning": None, "dedup": None, "filtering": {"c4": None}})
    assert cfg.cleaning is not None and cfg.cleaning.unicode == "NFC"
    assert cfg.dedup is not None and cfg.dedup.exact and cfg.dedup.minhash is None
    assert cfg.steps == ["c4"]
    assert CleanConfig().steps == [] and CleanConfig().cleaning is None


def test_stage1_keys_are_every_mixture_field_and_alias() -> None:
    keys = stage1_keys()
    assert set(MixtureConfig.model_fields) <= keys
    assert {"total_samples", "num_samples", "sources", "output_folder", "output_dir"} <= keys


def test_a_mixture_yaml_with_stage1_keys_loads(tmp_path: Path) -> None:
    p = tmp_path / "mix.yaml"
    p.write_text("target_samples: 10\nseed: 3\nunit: docs\ntokenizer: gpt2\non_error: skip\nredistribute_shortfall: true\n"
                 "datasets: [{name: a.jsonl, weight: 1}]\nworkers: 2\nraw_folder: runs/raw\n"
                 "filtering:\n  gopher_quality: {}\ndedup: {}\n")
    cfg = load_config(p, CleanRunConfig, {"cleaned_folder": str(tmp_path / "c")})
    assert (cfg.raw_folder, cfg.workers, cfg.steps) == ("runs/raw", 2, ["gopher_quality"])
    assert cfg.dedup is not None and cfg.dedup.exact
    alias = CleanRunConfig.model_validate({"output_dir": "runs/raw2", "cleaned_folder": "c", "num_samples": 5})
    assert alias.raw_folder == "runs/raw2"  # stage 1's output folder, under its alias, is stage 2's input


@pytest.mark.parametrize("yaml,message", [
    ("target_samples: 10\nfiltring:\n  c4: {}\n", "filtring: unknown key"),
    ("filtering:\n  gopher_quality: {min_words: 3}\n", "filtering.gopher_quality.min_words: unknown key"),
    ("filtering:\n  gopher_qualty: {}\n", "filtering.gopher_qualty: unknown key"),
    ("filtering:\n  c4: {profile: nltk}\n", "filtering.c4.profile: Input should be"),
    ("filtering:\n  c4_badwords: {keep_fraction: 2}\n", "filtering.c4_badwords.keep_fraction: Input should be"),
])
def test_a_typo_fails_naming_the_file_and_the_key(tmp_path: Path, yaml: str, message: str) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(yaml)
    with pytest.raises(ConfigError, match=f"^{re.escape(str(p))}: {re.escape(message)}"):
        load_config(p, CleanRunConfig, RUN)


@pytest.mark.parametrize("path,block", [("examples/clean/clean.yaml", None), ("examples/mixture/mix.yaml", None),
                                        ("examples/mixture/mix.hub.yaml", None),
                                        ("examples/quickstart/quickstart.yaml", "mixture")])
def test_the_example_files_load(path: str, block: str | None) -> None:
    data = read_yaml(REPO / path)
    cfg = CleanRunConfig.model_validate({**(data[block] if block else data), **RUN})
    assert set(cfg.steps) <= set(STEP_KEYS)
    if path.endswith("clean.yaml"):
        assert cfg.steps[:2] == ["min_length", "exclude_keywords"] and cfg.dedup and cfg.dedup.write_clusters


def test_stats_summary_lists_later_families_only_when_used() -> None:
    plain = CleanConfig.model_validate({"filtering": {"c4": {}}}).stage2_summary()
    assert "c4_badwords" not in plain["filtering"] and plain["filtering"]["gopher_quality"] is None
    used = CleanConfig.model_validate({"filtering": {"c4_badwords": {}}}).stage2_summary()
    assert used["filtering"]["c4_badwords"] == {"default_language": None, "keep_fraction": None, "seed": None,
                                                "fail_on_missing_language": None}
    assert used["steps"] == ["c4_badwords"] and set(plain) == {"cleaning", "filtering", "dedup", "steps"}
