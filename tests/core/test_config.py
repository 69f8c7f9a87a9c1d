"""Config files: YAML errors and validation errors are one line naming the file, line or key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from corpuslab.core.config import StrictModel, load_config, read_yaml
from corpuslab.core.errors import ConfigError


class Cfg(StrictModel):
    name: str
    weight: float = Field(1.0, gt=0)


def test_invalid_yaml_names_file_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("name: a\nweight: [1,\n")
    with pytest.raises(ConfigError, match=r"c.yaml: line 3, column 1: invalid YAML"):
        read_yaml(p)
    p.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="top level must be a mapping of keys, got list"):
        read_yaml(p)
    with pytest.raises(ConfigError, match="nope.yaml: config file not found"):
        read_yaml(tmp_path / "nope.yaml")


def test_validation_errors_name_each_key_and_overrides_win(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("name: a\nweight: -1\nwieght: 2\n")
    with pytest.raises(ConfigError) as e:
        load_config(p, Cfg)
    assert str(e.value).startswith(f"{p}: ") and "weight: Input should be greater than 0 (got -1)" in str(e.value)
    assert "wieght: unknown key" in str(e.value)
    p.write_text("name: a\nweight: 3\n")
    assert load_config(p, Cfg, {"weight": 5.0, "name": None}) == Cfg(name="a", weight=5.0)


def test_split_commas_takes_a_comma_list_a_repeated_flag_or_a_yaml_list() -> None:
    from corpuslab.core.config import split_commas

    assert split_commas("en, ja") == split_commas(["en,ja"]) == split_commas(["en", " ja "]) == ["en", "ja"]
    assert split_commas(None) is None and split_commas(3) == 3  # left for validation to name
