"""The stage configs: paths are fields, YAML dates stay text, ``kinds`` takes the comma form, result files
record only the settings that decide the result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from corpuslab.core.errors import ConfigError
from corpuslab.revert.config import (
    KINDS,
    CollectConfig,
    EvalConfig,
    FeaturesConfig,
    PrepareConfig,
    ScoreConfig,
    TrainConfig,
    TuneConfig,
    iso_timestamp,
)


def test_iso_timestamp_normalises_every_accepted_form() -> None:
    for given in ("2022-07-01", "2022-07-01T00:00:00Z", "2022-07-01 00:00:00.0", "20220701000000", "2022-07-01T00:00"):
        assert iso_timestamp(given) == "2022-07-01T00:00:00Z", given
    assert iso_timestamp(None) is None and iso_timestamp("") is None
    with pytest.raises(ConfigError, match="cannot read timestamp '07/01/2022'"):
        iso_timestamp("07/01/2022")


def test_yaml_dates_become_text_and_pick_the_mode_window(tmp_path: Path) -> None:
    cfg = CollectConfig(inputs=["a.xml"], out=tmp_path, train_start=dt.date(2022, 1, 1), train_end="2022-08-01",
                        test_start=dt.date(2022, 7, 1), test_end="2022-07-08")
    assert cfg.train_start == "2022-01-01"
    assert cfg.window() == ("2022-01-01T00:00:00Z", "2022-08-01T00:00:00Z")
    assert cfg.model_copy(update={"mode": "test"}).window() == ("2022-07-01T00:00:00Z", "2022-07-08T00:00:00Z")
    assert PrepareConfig(collected=tmp_path, out=tmp_path, split_date=dt.date(2022, 6, 1)).split_date == "2022-06-01"


def test_settings_leave_out_paths_and_execution(tmp_path: Path) -> None:
    cfg = CollectConfig(inputs=["a.xml"], out=tmp_path, workers=4, engine="ray", max_per_language=5)
    s = cfg.settings()
    assert not {"inputs", "out", "workers", "engine"} & set(s) and s["max_per_language"] == 5
    train = TrainConfig(features_dir=tmp_path, out=tmp_path, iterations=7)
    assert set(train.settings()) == {"backend", "iterations", "learning_rate", "eval_fraction", "class_weights", "seed",
                                     "threads"}


def test_kinds_take_a_comma_list_or_a_list(tmp_path: Path) -> None:
    def kinds(v: object) -> list[str]:
        return TuneConfig.model_validate({"prepared": tmp_path, "out": tmp_path, "kinds": v}).kinds

    assert kinds("change,insert") == ["change", "insert"]
    assert kinds(["change, title", "remove"]) == ["change", "title", "remove"]
    assert TuneConfig(prepared=tmp_path, out=tmp_path).kinds == list(KINDS)
    with pytest.raises(ValidationError, match="unknown text model bogus"):
        kinds("change,bogus")


@pytest.mark.parametrize("model", [CollectConfig, PrepareConfig, TuneConfig, FeaturesConfig, TrainConfig, EvalConfig,
                                   ScoreConfig])
def test_every_field_has_help_and_unknown_keys_are_errors(model: type) -> None:
    assert all(f.description for f in model.model_fields.values())
    with pytest.raises(ValidationError, match="extra"):
        model.model_validate({"out": "x", "no_such_key": 1})


def test_the_config_module_stays_light() -> None:
    import subprocess
    import sys

    code = ("import sys, corpuslab.revert.config; print(','.join(m for m in ('pyarrow', 'numpy', 'pandas', 'sklearn', "
            "'torch', 'matplotlib') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == ""
