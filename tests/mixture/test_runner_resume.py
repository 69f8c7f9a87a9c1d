"""Resume: a killed run, re-run, gives byte-identical output to an uninterrupted run; no partial files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mixture_fixtures import folder_bytes, write_config, write_jsonl

import corpuslab.mixture.runner as runner
from corpuslab.core.config import load_config
from corpuslab.mixture.config import MixtureConfig


def _cfg(tmp_path: Path) -> Path:
    for name, n in (("a", 3000), ("b", 4000), ("c", 2000)):
        write_jsonl(tmp_path / f"{name}.jsonl.gz", n, prefix=name)
    return write_config(tmp_path / "mix.yaml", [
        {"name": f"{n}.jsonl.gz", "alias": n, "weight": w} for n, w in (("a", 1), ("b", 2), ("c", 1))
    ], target_samples=400)


def test_crash_mid_run_then_resume_is_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = load_config(_cfg(tmp_path), MixtureConfig)
    runner.run_sample(cfg.model_copy(update={"raw_folder": str(tmp_path / "clean")}), str(tmp_path), progress=False)

    real_write = runner._write_source
    calls = {"n": 0}

    def crash_on_second(raw_folder, src, merged, info):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("simulated kill while writing source b")
        return real_write(raw_folder, src, merged, info)

    monkeypatch.setattr(runner, "_write_source", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        runner.run_sample(cfg.model_copy(update={"raw_folder": str(tmp_path / "resumed")}), str(tmp_path), progress=False)
    assert (tmp_path / "resumed" / "a" / "raw_data.jsonl.gz").exists()
    assert not (tmp_path / "resumed" / "b" / "raw_data.jsonl.gz").exists()
    monkeypatch.setattr(runner, "_write_source", real_write)
    plan = runner.run_sample(cfg.model_copy(update={"raw_folder": str(tmp_path / "resumed")}), str(tmp_path), progress=False)
    assert [s["resumed"] for s in plan["sources"]] == [True, False, False]
    assert folder_bytes(tmp_path / "clean") == folder_bytes(tmp_path / "resumed")
    assert not list((tmp_path / "resumed").rglob(".tmp-*"))


def test_sigkill_then_resume_is_identical(tmp_path: Path) -> None:
    """A real ``kill -9`` of the CLI while it samples a large source; the re-run completes identically."""
    write_jsonl(tmp_path / "small.jsonl.gz", 500, prefix="s")
    write_jsonl(tmp_path / "large.jsonl.gz", 400_000, prefix="l")
    cfg = write_config(tmp_path / "mix.yaml", [{"name": "small.jsonl.gz", "alias": "small", "weight": 1},
                                               {"name": "large.jsonl.gz", "alias": "large", "weight": 1}],
                       target_samples=200)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "corpuslab.cli.main", "sample", "-c", str(cfg), "--no-progress"]
    subprocess.run([*cmd, "-o", str(tmp_path / "ref")], check=True, env=env, capture_output=True, timeout=300)
    proc = subprocess.Popen([*cmd, "-o", str(tmp_path / "killed")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    marker = tmp_path / "killed" / "_complete"
    t0 = time.time()
    while not (marker.exists() and any(marker.iterdir())) and time.time() - t0 < 120 and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # it really died mid-run: killed by the signal, the large source unfinished, no plan, the card still "running"
    assert proc.returncode == -signal.SIGKILL, f"the run ended by itself (exit {proc.returncode}) before the kill"
    assert not (tmp_path / "killed" / "plan.json").exists()
    assert not (marker / "large__raw_data.jsonl.gz.json").exists()
    assert json.loads((tmp_path / "killed" / "run.json").read_text())["status"] == "running"
    subprocess.run([*cmd, "-o", str(tmp_path / "killed")], check=True, env=env, capture_output=True, timeout=300)
    assert folder_bytes(tmp_path / "ref") == folder_bytes(tmp_path / "killed")
    assert not list((tmp_path / "killed").rglob(".tmp-*"))
