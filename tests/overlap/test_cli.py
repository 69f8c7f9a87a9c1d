"""``corpuslab overlap train``'s flags are OverlapTrainConfig's fields; every spelling used so far still works.

The runner is replaced by a recorder, so these tests parse command lines only (no model is loaded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corpuslab.cli.main import app
from corpuslab.core.errors import ConfigError
from corpuslab.overlap.config import OverlapTrainConfig

REQUIRED = ["--base-model", "m", "--dataset", "d", "--output-dir", "o"]


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[OverlapTrainConfig]:
    got: list[OverlapTrainConfig] = []

    def record(cfg: OverlapTrainConfig, **_: Any) -> dict[str, Any]:
        got.append(cfg)
        return {"is_main_process": False}  # what a non-zero torchrun rank returns: nothing to print

    monkeypatch.setattr("corpuslab.overlap.run.run_overlap_training", record)
    return got


def test_every_flag_of_the_golden_command_line(seen: list[OverlapTrainConfig]) -> None:
    r = CliRunner().invoke(app, ["overlap", "train", *REQUIRED, "--max-steps", "6", "--eval-steps", "2",
                                 "--num-train-samples", "200", "--per-device-train-batch-size", "4",
                                 "--gradient-accumulation-steps", "1", "--learning-rate", "1e-3", "--warmup-steps", "1",
                                 "--bottom-k-vocab", "64", "--num-fingerprints", "3", "--max-length", "64",
                                 "--fingerprint-total-len", "24", "--device", "cpu"])
    assert r.exit_code == 0, r.output
    assert seen[-1] == OverlapTrainConfig(
        base_model="m", dataset="d", output_dir="o", max_steps=6, eval_steps=2, num_train_samples=200,
        per_device_train_batch_size=4, gradient_accumulation_steps=1, learning_rate=1e-3, warmup_steps=1,
        bottom_k_vocab=64, num_fingerprints=3, max_length=64, fingerprint_total_len=24, device="cpu")


def test_old_and_new_spellings_of_final_model(seen: list[OverlapTrainConfig]) -> None:
    for flags, want in (([], True), (["--no-final-model"], False), (["--no-save-final-model"], False),
                        (["--save-final-model"], True)):
        r = CliRunner().invoke(app, ["overlap", "train", *REQUIRED, *flags])
        assert r.exit_code == 0, r.output
        assert seen[-1].save_final_model is want, flags
    assert "--no-final-model" not in CliRunner().invoke(app, ["overlap", "train", "--help"]).output  # hidden


def test_other_flags_and_the_config_file(seen: list[OverlapTrainConfig], tmp_path: Path) -> None:
    y = tmp_path / "run.yaml"
    y.write_text("base_model: m\ndataset: d\noutput_dir: from-file\nmax_steps: 3\npacking: true\n")
    r = CliRunner().invoke(app, ["overlap", "train", "--config", str(y), "--output-dir", "o", "--data-files", "a.json",
                                 "--data-files", "b.json", "--no-packing", "--eval-first-step", "--trust-remote-code",
                                 "--load-fingerprints", "f.json", "--save-fingerprints", "g.json", "--positions", "2",
                                 "--k-bottom-random-prefix", "20", "--eval-batch-size", "8", "--seed", "7",
                                 "--dataset-config", "20231101.ja", "--split", "validation", "--text-field", "body",
                                 "--max-grad-norm", "1.0"])
    assert r.exit_code == 0, r.output
    cfg = seen[-1]
    assert (cfg.output_dir, cfg.max_steps, cfg.packing, cfg.data_files) == ("o", 3, False, ["a.json", "b.json"])
    assert (cfg.eval_first_step, cfg.trust_remote_code, cfg.load_fingerprints, cfg.save_fingerprints) == (
        True, True, "f.json", "g.json")
    assert (cfg.positions, cfg.k_bottom_random_prefix, cfg.eval_batch_size, cfg.seed) == (2, 20, 8, 7)
    assert (cfg.dataset_config, cfg.split, cfg.text_field, cfg.max_grad_norm) == ("20231101.ja", "validation",
                                                                                  "body", 1.0)


def test_bad_values_and_unknown_keys_are_one_line_errors(seen: list[OverlapTrainConfig], tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["overlap", "train", *REQUIRED, "--max-steps", "0"])
    assert isinstance(r.exception, ConfigError) and "max_steps" in str(r.exception)
    y = tmp_path / "run.yaml"
    y.write_text("base_model: m\ndataset: d\noutput_dir: o\nmax_stepz: 3\n")
    r = CliRunner().invoke(app, ["overlap", "train", "--config", str(y)])
    assert isinstance(r.exception, ConfigError) and "max_stepz: unknown key" in str(r.exception)
    assert "\n" not in str(r.exception) and not seen
