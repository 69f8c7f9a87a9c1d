"""``run_overlap_training`` end to end on the real stories260K Llama: the curve, the output files, the run card,
shared prompts between runs, the Hub code path (``datasets`` JSON) through the CLI, and torchrun."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from overlap_fixtures import _one_torch_thread, botchan_docs, botchan_shards  # noqa: F401
from typer.testing import CliRunner

from conftest import check_run_card
from corpuslab.cli.main import app
from corpuslab.core.errors import CorpuslabError
from corpuslab.overlap.config import OverlapScoreConfig, OverlapTrainConfig
from corpuslab.overlap.lineage import score_models
from corpuslab.overlap.run import run_overlap_training

RUN_FILES = ["overlap_results.json", "overlap_summary.csv", "overlap_vs_steps.png",
             "overlap_analysis_combined.png", "fingerprints.json", "base_bottomk.json", "final_model/config.json",
             "run.json"]


def _cfg(base: Path, data: Path, out: Path, **kw) -> OverlapTrainConfig:  # type: ignore[no-untyped-def]
    opts = {"base_model": str(base), "dataset": str(data), "output_dir": str(out), "max_steps": 12,
            "eval_steps": 3, "num_train_samples": 200, "per_device_train_batch_size": 4,
            "gradient_accumulation_steps": 1, "learning_rate": 2e-3, "warmup_steps": 0, "bottom_k_vocab": 100,
            "num_fingerprints": 4, "max_length": 96, "packing": True, "logging_steps": 3, **kw}
    return OverlapTrainConfig(**opts)


@pytest.fixture(scope="module")
def en_run(stories260k: Path, botchan_shards: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:  # noqa: F811
    out = tmp_path_factory.mktemp("runs") / "en"
    fp = out.parent / "shared_fingerprints.json"
    res = run_overlap_training(_cfg(stories260k, botchan_shards, out, save_fingerprints=str(fp)), progress=False)
    return {"dir": out, "res": res, "fingerprints": fp}


@pytest.mark.model
def test_curve_starts_at_one_and_decreases(en_run: dict) -> None:
    res = en_run["res"]
    steps = [p["step"] for p in res["steps"]]
    ov = np.array([p["avg_overlap_ratio"] for p in res["steps"]])
    assert steps == [0, 3, 6, 9, 12]
    assert ov[0] == 1.0  # exact: no embedding resize, base sets from the untouched model
    assert all(s == 1.0 for s in res["steps"][0]["overlap_scores"])
    assert ov[-1] < ov[0] and ov[-1] < 0.99
    assert np.corrcoef(steps, ov)[0, 1] < -0.5  # non-increasing in expectation
    assert res["summary"]["decrease_rate"] == pytest.approx((ov[0] - ov[-1]) / 12)
    assert res["plan"]["effective_batch"] == 4 and res["plan"]["samples_needed"] == 48
    assert res["chance"] == 100 / 512 and res["vocab_size"] == 512


@pytest.mark.model
def test_output_files_are_well_formed(en_run: dict) -> None:
    from transformers import AutoConfig

    d: Path = en_run["dir"]
    for f in RUN_FILES:
        assert (d / f).exists(), f
    res = json.loads((d / "overlap_results.json").read_text())
    assert {"config", "steps", "summary", "chance", "k", "plan", "log_history"} <= set(res)
    assert res["config"]["bottom_k_vocab"] == 100 and len(res["steps"][1]["overlap_scores"]) == 4
    assert {"overlap_first", "overlap_last", "decrease_rate", "first_step_below_0_5"} <= set(res["summary"])
    rows = list(csv.DictReader(open(d / "overlap_summary.csv")))  # noqa: SIM115
    assert list(rows[0])[:2] == ["step", "avg_overlap_ratio"] and len(rows) == len(res["steps"])
    assert float(rows[0]["avg_overlap_ratio"]) == 1.0
    for png in ("overlap_vs_steps.png", "overlap_analysis_combined.png"):
        img = matplotlib.image.imread(d / png)
        assert img.shape[0] > 200 and img.shape[1] > 300
    assert AutoConfig.from_pretrained(d / "final_model").vocab_size == 512  # embeddings never resized
    assert not list(d.glob(".tmp-*"))


@pytest.mark.model
def test_run_card_has_the_headline_numbers(en_run: dict) -> None:
    card = check_run_card(en_run["dir"], "overlap-train")
    res = en_run["res"]
    assert card["counts"] == {"steps_evaluated": 5, "overlap_first": 1.0,
                              "overlap_last": res["summary"]["overlap_last"], "chance": 100 / 512,
                              "docs_read": res["docs_read"]}
    assert 0 < res["docs_read"] <= 200
    assert card["outputs"]["final_model"] == "final_model" and card["outputs"]["results"] == "overlap_results.json"
    assert card["config"]["given"]["max_steps"] == 12 and card["config"]["resolved"]["split"] == "train"
    assert card["seed"] == 42 and card["inputs"]["base_model"] == res["config"]["base_model"]


@pytest.mark.model
def test_final_model_scores_as_the_last_tracked_point(en_run: dict, stories260k: Path) -> None:
    """The lineage scorer and the training tracker measure the same thing on the same prompts."""
    sc = score_models(OverlapScoreConfig(base=str(stories260k), models=[str(en_run["dir"] / "final_model")],
                                         load_fingerprints=str(en_run["fingerprints"]), bottom_k_vocab=100))
    assert sc["rows"][0]["avg_overlap_ratio"] == pytest.approx(en_run["res"]["summary"]["overlap_last"], abs=1e-9)


@pytest.mark.model
def test_shared_fingerprints_give_the_same_prompts(en_run: dict, stories260k: Path, tmp_path: Path) -> None:
    """A second run on other data reusing the saved prompts (the EN/JA protocol)."""
    from corpuslab.core.shards import write_records

    other = tmp_path / "other_data"
    write_records(other / "a.jsonl", [{"text": "Once upon a time there was a cat. " * 20, "metadata": {}}] * 50)
    res2 = run_overlap_training(_cfg(stories260k, other, tmp_path / "b", max_steps=6,
                                     load_fingerprints=str(en_run["fingerprints"])), progress=False)
    assert res2["fingerprints_sha"] == en_run["res"]["fingerprints_sha"]
    assert res2["steps"][0]["avg_overlap_ratio"] == 1.0 and [p["step"] for p in res2["steps"]] == [0, 3, 6]
    assert json.loads((tmp_path / "b" / "fingerprints.json").read_text()) == json.loads(
        en_run["fingerprints"].read_text())


@pytest.mark.model
def test_tiny_qwen2_via_datasets_json_and_cli(tmp_path: Path, botchan_docs: list[str]) -> None:  # noqa: F811
    """The Hub code path (datasets.load_dataset streaming) on a local JSON file, a Qwen2-style tiny model."""
    from corpuslab.models.tiny import build_tiny_causal_lm

    build_tiny_causal_lm(botchan_docs, arch="qwen2", vocab_size=800, seed=0, out_dir=tmp_path / "qwen")
    jf = tmp_path / "wiki.jsonl"
    jf.write_text("".join(json.dumps({"text": t}) + "\n" for t in botchan_docs[:300]), encoding="utf-8")
    r = CliRunner().invoke(app, [
        "overlap", "train", "--base-model", str(tmp_path / "qwen"), "--dataset", "json", "--data-files", str(jf),
        "--output-dir", str(tmp_path / "run"), "--max-steps", "6", "--eval-steps", "3", "--num-train-samples", "10",
        "--per-device-train-batch-size", "2", "--gradient-accumulation-steps", "2", "--learning-rate", "3e-3",
        "--warmup-steps", "0", "--bottom-k-vocab", "50", "--num-fingerprints", "3", "--max-length", "64",
        "--fingerprint-total-len", "24", "--eval-first-step", "--no-final-model"])
    assert r.exit_code == 0, r.output
    assert "effective batch = 2 per device × 2 accumulation × 1 processes = 4" in r.output
    assert "samples needed = 6 steps × 4 = 24" in r.output
    assert "WARNING" in r.output and "num_train_samples=10" in r.output  # 10 < 24
    res = json.loads((tmp_path / "run" / "overlap_results.json").read_text())
    assert res["steps"][0]["avg_overlap_ratio"] == 1.0 and [p["step"] for p in res["steps"]] == [0, 1, 3, 6]
    fps = json.loads((tmp_path / "run" / "fingerprints.json").read_text())["fingerprints"]
    assert len(fps) == 3 and all(len(f["ids"]) == 24 for f in fps)
    assert res["steps"][-1]["avg_overlap_ratio"] < 1.0
    assert not (tmp_path / "run" / "final_model").exists()
    card = check_run_card(tmp_path / "run", "overlap-train")
    assert card["outputs"]["final_model"] is None and card["config"]["resolved"]["save_final_model"] is False


def test_missing_base_model_is_a_one_line_error_and_a_failed_card(tmp_path: Path, botchan_shards: Path) -> None:  # noqa: F811
    with pytest.raises(CorpuslabError, match="does not exist") as e:
        run_overlap_training(_cfg(tmp_path / "no_such_model", botchan_shards, tmp_path / "x"))
    assert "\n" not in str(e.value)
    card = json.loads((tmp_path / "x" / "run.json").read_text())
    assert card["kind"] == "overlap-train" and card["status"] == "failed" and "does not exist" in card["error"]


def test_k_larger_than_the_vocabulary_is_refused(stories260k: Path, botchan_shards: Path, tmp_path: Path) -> None:  # noqa: F811
    with pytest.raises(CorpuslabError, match="k=5000 is larger than the model's vocabulary of 512"):
        run_overlap_training(_cfg(stories260k, botchan_shards, tmp_path / "x", bottom_k_vocab=5000))


@pytest.mark.model
@pytest.mark.slow
def test_torchrun_two_cpu_processes(stories260k: Path, botchan_shards: Path, tmp_path: Path) -> None:  # noqa: F811
    """`torchrun --nproc_per_node 2 corpuslab overlap train ...` works unchanged (DDP over gloo on CPU);
    rank 0 alone writes the files and the run card."""
    import os
    import shutil
    import subprocess
    import sys

    # the venv's scripts sit beside its python, which need not be on PATH (`.venv/bin/python -m pytest`)
    bindir = str(Path(sys.executable).parent)
    exe = shutil.which("corpuslab", path=bindir) or shutil.which("corpuslab")
    torchrun = shutil.which("torchrun", path=bindir) or shutil.which("torchrun")
    assert exe and torchrun
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    cmd = [torchrun, "--nproc_per_node", "2", "--master_port", "29561", exe, "overlap", "train",
           "--base-model", str(stories260k), "--dataset", str(botchan_shards), "--output-dir", str(tmp_path / "ddp"),
           "--max-steps", "4", "--eval-steps", "2", "--num-train-samples", "100", "--per-device-train-batch-size", "2",
           "--gradient-accumulation-steps", "1", "--learning-rate", "1e-3", "--warmup-steps", "0",
           "--bottom-k-vocab", "50", "--max-length", "64", "--packing", "--no-final-model"]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    res = json.loads((tmp_path / "ddp" / "overlap_results.json").read_text())
    assert res["plan"]["num_processes"] == 2 and res["plan"]["effective_batch"] == 4
    assert [s["step"] for s in res["steps"]] == [0, 2, 4] and res["steps"][0]["avg_overlap_ratio"] == 1.0
    assert res["steps"][-1]["samples_seen"] == 16
    card = check_run_card(tmp_path / "ddp", "overlap-train")
    assert card["counts"]["steps_evaluated"] == 3

