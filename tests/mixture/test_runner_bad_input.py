"""Bad input: a clear one-line error (exit 2) or a counted skip — never a traceback, never a corrupt output."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mixture_fixtures import read_raw, write_config, write_jsonl

from corpuslab.core.config import load_config
from corpuslab.core.errors import ConfigError, DataError
from corpuslab.mixture.config import MixtureConfig
from corpuslab.mixture.runner import run_sample


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "corpuslab.cli.main", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def _assert_one_line_error(p: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    lines = [ln for ln in p.stderr.splitlines() if "error:" in ln]
    assert len(lines) == 1, p.stderr
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.mark.parametrize("weight,needle", [(0, "datasets.0.weight"), (-1, "greater than 0"),
                                           ("abc", "valid number"), (".nan", "datasets.0.weight")])
def test_bad_weights(tmp_path: Path, weight: object, needle: str) -> None:
    write_jsonl(tmp_path / "d.jsonl", 10)
    body = f"target_samples: 5\ndatasets:\n  - name: d.jsonl\n    weight: {weight}\n"
    (tmp_path / "mix.yaml").write_text(body)
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path / "mix.yaml", MixtureConfig)
    assert str(tmp_path / "mix.yaml") in str(e.value) and needle in str(e.value)
    _assert_one_line_error(_cli("sample", "-c", "mix.yaml", "-o", "out", cwd=tmp_path), "mix.yaml", "weight")


def test_empty_source_list_and_unknown_key(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("target_samples: 5\ndatasets: []\n")
    _assert_one_line_error(_cli("sample", "-c", "a.yaml", "-o", "o", cwd=tmp_path), "datasets", "empty")
    (tmp_path / "b.yaml").write_text("target_samples: 5\ndatasets:\n  - name: x.jsonl\n    weight: 1\n    wieght: 2\n")
    _assert_one_line_error(_cli("sample", "-c", "b.yaml", "-o", "o", cwd=tmp_path), "datasets.0.wieght",
                           "unknown key")
    (tmp_path / "c.yaml").write_text("target_samples: 5\ndatasets: [\n")
    _assert_one_line_error(_cli("sample", "-c", "c.yaml", "-o", "o", cwd=tmp_path), "c.yaml", "invalid YAML")


def test_unreadable_source(tmp_path: Path) -> None:
    write_config(tmp_path / "mix.yaml", [{"name": "./missing/*.jsonl.gz", "weight": 1}])
    _assert_one_line_error(_cli("sample", "-c", "mix.yaml", "-o", "out", cwd=tmp_path), "missing")
    assert not (tmp_path / "out" / "plan.json").exists()


def test_offline_hub_id_is_a_clear_error(tmp_path: Path) -> None:
    write_config(tmp_path / "mix.yaml", [{"name": "HuggingFaceFW/fineweb-edu", "config": "default", "weight": 1}])
    _assert_one_line_error(_cli("sample", "-c", "mix.yaml", "-o", "out", cwd=tmp_path), "HuggingFaceFW/fineweb-edu")


def _bad_file(tmp_path: Path) -> Path:
    p = tmp_path / "bad.jsonl"
    lines = [f'{{"text": "doc {i}"}}' for i in range(50)]
    lines[3] = '{"text": "broken'                 # malformed JSON
    lines[7] = '{"content": "no text field"}'     # record without the text field
    lines[9] = '{"text": 12}'                     # text not a string
    p.write_text("\n".join(lines) + "\n")
    return p


def test_malformed_lines_raise_naming_file_and_record(tmp_path: Path) -> None:
    _bad_file(tmp_path)
    write_config(tmp_path / "mix.yaml", [{"name": "bad.jsonl", "alias": "bad", "weight": 1}], target_samples=49)
    _assert_one_line_error(_cli("sample", "-c", "mix.yaml", "-o", "out", cwd=tmp_path), "bad.jsonl", "record")
    assert not (tmp_path / "out" / "bad" / "raw_data.jsonl.gz").exists()  # nothing half-written


def test_malformed_lines_counted_skip(tmp_path: Path) -> None:
    _bad_file(tmp_path)
    cfg_path = write_config(tmp_path / "mix.yaml", [{"name": "bad.jsonl", "alias": "bad", "weight": 1}],
                            target_samples=49, on_error="skip")
    plan = run_sample(load_config(cfg_path, MixtureConfig, {"raw_folder": str(tmp_path / "out")}), str(tmp_path), progress=False)
    s = plan["sources"][0]
    assert s["kept"] == 47 and s["problems"]["invalid_records"] == 3 and s["shortfall"] == 2
    texts = {r["text"] for r in read_raw(tmp_path / "out", "bad")}
    assert "doc 3" not in texts and "doc 4" in texts


def test_truncated_gzip(tmp_path: Path) -> None:
    full = write_jsonl(tmp_path / "full.jsonl.gz", 300_000)
    data = full.read_bytes()
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    write_config(tmp_path / "mix.yaml", [{"name": "cut.jsonl.gz", "alias": "cut", "weight": 1}], target_samples=10)
    _assert_one_line_error(_cli("sample", "-c", "mix.yaml", "-o", "out", cwd=tmp_path), "cut.jsonl.gz", "truncated")
    assert not (tmp_path / "out" / "cut" / "raw_data.jsonl.gz").exists()
    cfg_path = write_config(tmp_path / "mix2.yaml", [{"name": "cut.jsonl.gz", "alias": "cut", "weight": 1}],
                            target_samples=10, on_error="skip")
    plan = run_sample(load_config(cfg_path, MixtureConfig, {"raw_folder": str(tmp_path / "out2")}), str(tmp_path), progress=False)
    s = plan["sources"][0]
    assert s["problems"]["truncated_files"] == 1 and 0 < s["seen"] < 300_000 and s["kept"] == 10
    with gzip.open(tmp_path / "out2" / "cut" / "raw_data.jsonl.gz", "rt") as fh:  # output is a valid gzip
        assert len(fh.readlines()) == 10


def test_data_error_from_library(tmp_path: Path) -> None:
    cfg_path = write_config(tmp_path / "mix.yaml", [{"name": "nope.jsonl", "weight": 1}])
    with pytest.raises(DataError, match="nope.jsonl"):
        run_sample(load_config(cfg_path, MixtureConfig, {"raw_folder": str(tmp_path / "o")}), str(tmp_path), progress=False)
