"""The quickstart's config: each block is its stage's own config, checked when the file is read."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import REPO
from corpuslab.cli.main import app
from corpuslab.core.config import load_config
from corpuslab.core.errors import ConfigError
from corpuslab.quickstart.config import TRAIN_DEFAULTS, QuickstartConfig

EXAMPLE = REPO / "examples" / "quickstart" / "quickstart.yaml"
MIX = {"target_samples": 10, "datasets": [{"name": "x.jsonl", "weight": 1}]}


def _write(tmp_path: Path, data: dict) -> Path:
    p = tmp_path / "qs.yaml"
    p.write_text(yaml.safe_dump(data), encoding="utf-8")
    return p


def test_the_example_composes_every_stage_config() -> None:
    cfg = load_config(EXAMPLE, QuickstartConfig, {"target_samples": 50, "train_steps": 8}).with_base_dir(EXAMPLE)
    assert Path(cfg.base_dir) == REPO
    assert cfg.sample_config("r").target_samples == 50 and cfg.sample_config("r").raw_folder == "r"
    clean = cfg.clean_config("r", "c")
    assert clean.keep_rejected and clean.steps == ["min_length", "language", "gopher_repetition", "gopher_quality"]
    train = cfg.train_config("m", "d", "o")
    assert (train.max_steps, train.eval_steps, train.base_model, train.output_dir) == (8, 2, "m", "o")
    assert train.bottom_k_vocab == 64 and train.gradient_accumulation_steps == TRAIN_DEFAULTS["gradient_accumulation_steps"]
    ls = cfg.labelshift_config("s", "a", ["books", "web"])
    assert (ls.num_prompts, ls.max_new_tokens, ls.holdout, ls.n_bootstrap) == (64, 48, 0.3, 50)
    assert ls.categories == ["books", "web"] and ls.max_per_category == cfg.samples_per_category


@pytest.mark.parametrize("data,needle", [
    ({"mixture": MIX, "train": {"max_stepz": 3}}, "train.max_stepz: unknown key"),
    ({"mixture": {**MIX, "datasets": [{"name": "x", "weight": -1}]}}, "mixture.datasets.0.weight"),
    ({"mixture": {**MIX, "filtering": {"gopher": {}}}}, "mixture"),
    ({"mixture": MIX, "anatomy": {"bbse_mode": "medium"}}, "anatomy.bbse_mode"),
    ({"mixture": MIX, "train": {"output_dir": "x"}}, "train: output_dir are set by the quickstart"),
    ({"mixture": MIX, "trian": {}}, "trian: unknown key"),
])
def test_a_wrong_key_in_any_block_fails_when_read_naming_it(tmp_path: Path, data: dict, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle.replace(".", r"\.")):
        load_config(_write(tmp_path, data), QuickstartConfig)


def test_the_cli_names_the_file_and_the_key_in_one_line(tmp_path: Path) -> None:
    p = _write(tmp_path, {"mixture": MIX, "train": {"max_stepz": 3}})
    r = CliRunner().invoke(app, ["quickstart", "--config", str(p), "-o", str(tmp_path / "out")])
    assert isinstance(r.exception, ConfigError)
    assert str(r.exception) == f"{p}: train.max_stepz: unknown key"
    assert not (tmp_path / "out").exists()
