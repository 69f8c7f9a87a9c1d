"""The quickstart chain: end to end on the real example data (reduced), on tiny local sources, and its
failure path."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import check_run_card
from corpuslab.cli.main import app
from corpuslab.core.config import load_config
from corpuslab.quickstart.chain import run_quickstart
from corpuslab.quickstart.config import QuickstartConfig
from corpuslab.report.browser import check_page, find_browser

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "quickstart" / "quickstart.yaml"


def _reduced_config(tmp_path: Path, shared) -> Path:
    """The example config cut down: three real sources, a few dozen documents, a few training steps."""
    cfg = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    keep = {"books", "stackexchange", "wikipedia_vi"}
    cfg["mixture"]["datasets"] = [d for d in cfg["mixture"]["datasets"] if d["alias"] in keep]
    for d in cfg["mixture"]["datasets"]:
        shared(d["name"].replace("../shared/data/", "").replace("*.txt.bz2", "botchan.txt.bz2"))
        d["name"] = str(REPO / d["name"])
    cfg["mixture"]["target_samples"] = 45
    cfg["mixture"]["dedup"] = {"exact": True}
    cfg["base_model"] = {k: str(REPO / v) for k, v in cfg["base_model"].items()}
    cfg["train"].update(max_steps=4, eval_steps=2, per_device_train_batch_size=4, max_length=64)
    cfg["anatomy"].update(num_prompts=8, max_new_tokens=16, n_bootstrap=5)
    cfg["min_per_category"] = 2
    p = tmp_path / "qs.yaml"
    p.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return p


@pytest.mark.slow
@pytest.mark.model
def test_reduced_example_end_to_end(tmp_path, shared):
    cfg = _reduced_config(tmp_path, shared)
    out = tmp_path / "qs"
    t0 = time.perf_counter()
    res = CliRunner().invoke(app, ["quickstart", "--config", str(cfg), "--output-dir", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    lines = [x for x in res.output.strip().splitlines() if x.strip()]
    assert lines[-1].strip() == f"report: {out / 'report.html'}"  # ends by printing where the page is
    state = json.loads((out / "quickstart.json").read_text())
    assert state["finished"] and [s["status"] for s in state["steps"]] == ["done"] * 7, state["steps"]
    assert set(state["true_mixture"]) == {"books", "stackexchange", "wikipedia"}
    assert sum(state["true_mixture"].values()) == pytest.approx(1.0)
    results = json.loads((out / "overlap" / "overlap_results.json").read_text())
    assert results["steps"][0]["step"] == 0 and results["steps"][0]["avg_overlap_ratio"] == 1.0
    assert [p["step"] for p in results["steps"]] == [0, 2, 4]
    ev = json.loads((out / "anatomy" / "evaluation" / "evaluation.json").read_text())
    assert {s["method"] for s in ev["scores"]} == {"bbse", "em", "uniform"}
    page = (out / "report.html").read_text(encoding="utf-8")
    for kind in ("quickstart", "sample", "clean", "overlap-train", "anatomy-labelshift"):
        assert f'data-kind="{kind}"' in page
    if find_browser():
        check = check_page(out / "report.html", tmp_path / "qs.png")
        assert check.console_errors == [] and check.charts == check.charts_drawn > 5
    print(f"reduced quickstart: {time.perf_counter() - t0:.1f} s")


def _local_sources(tmp_path: Path, n: int = 12) -> Path:
    """Two categories of constructed documents (distinct vocabularies), as local JSONL sources."""
    src = tmp_path / "src"
    src.mkdir()
    words = {"books": "chapter heroine voyage letter garden", "wikipedia": "article census river province born"}
    for cat, vocab in words.items():
        with open(src / f"{cat}.jsonl", "w", encoding="utf-8") as fh:
            for i in range(n):
                w = vocab.split()
                fh.write(json.dumps({"text": " ".join(f"The {w[j % 5]} {i} {w[(i + j) % 5]}." for j in range(40))})
                         + "\n")
    return src


def _tiny_config(tmp_path: Path, base_model: dict) -> Path:
    src = _local_sources(tmp_path)
    cfg = {
        "mixture": {"target_samples": 20, "seed": 1, "datasets": [
            {"name": str(src / "books.jsonl"), "alias": "books", "weight": 1, "category": "books"},
            {"name": str(src / "wikipedia.jsonl"), "alias": "wiki", "weight": 1, "category": "wikipedia"}],
            "filtering": {"min_length": 20}, "dedup": {"exact": True}},
        "base_model": base_model,
        "train": {"max_steps": 2, "eval_steps": 1, "per_device_train_batch_size": 2, "max_length": 32},
        "anatomy": {"num_prompts": 4, "max_new_tokens": 8, "n_bootstrap": 3},
        "min_per_category": 2,
    }
    p = tmp_path / "qs.yaml"
    p.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return p


@pytest.mark.model
def test_tiny_chain_every_step_done_and_the_cli_ends_with_the_page(tmp_path, shared):
    """Every step done on tiny local sources with the real stories260K model; the CLI ends with the path."""
    ckpt = shared("models/stories260K/checkpoint_legacy.bin")
    cfg = _tiny_config(tmp_path, {"llama2c_checkpoint": str(ckpt),
                                  "llama2c_tokenizer": str(ckpt.parent / "tokenizer.bin")})
    out = tmp_path / "qs"
    res = CliRunner().invoke(app, ["quickstart", "-c", str(cfg), "-o", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines()[-1] == f"report: {out / 'report.html'}"
    # stage 1 shows its plan before sampling and its summary after, as `corpuslab sample` does
    plan_at, summary_at = res.output.index("Sampling plan: 20 docs, seed 1"), res.output.index("Stage 1 summary")
    assert plan_at < summary_at < res.output.index("sample: done") < res.output.index("clean + dedup …")
    assert all(f"│ {slug}" in res.output for slug in ("books", "wiki"))
    state = json.loads((out / "quickstart.json").read_text())
    assert [s["status"] for s in state["steps"]] == ["done"] * 7, state["steps"]
    assert state["true_mixture"] == {"books": 0.5, "wikipedia": 0.5}
    results = json.loads((out / "overlap" / "overlap_results.json").read_text())
    assert [p["step"] for p in results["steps"]] == [0, 1, 2] and results["steps"][0]["avg_overlap_ratio"] == 1.0
    page = (out / "report.html").read_text(encoding="utf-8")
    for kind in ("quickstart", "sample", "clean", "overlap-train", "anatomy-labelshift"):
        assert f'data-kind="{kind}" data-status="ok"' in page
    card = check_run_card(out, "quickstart")
    assert card["counts"]["estimate mixture"] == "done" and card["counts"]["true_mixture"] == state["true_mixture"]
    for sub, kind in (("raw", "sample"), ("cleaned", "clean"), ("overlap", "overlap-train"),
                      ("anatomy", "anatomy-labelshift"), ("category_samples", "anatomy-fetch-samples")):
        check_run_card(out / sub, kind)


def test_a_failed_step_is_shown_not_faked(tmp_path):
    """A step that fails (here: a base-model checkpoint that does not exist) is recorded; the steps that need
    it are skipped with the reason; the page is still written and says so."""
    p = _tiny_config(tmp_path, {"llama2c_checkpoint": str(tmp_path / "no-such.bin"), "llama2c_tokenizer": "t.bin"})
    cfg = load_config(p, QuickstartConfig, {"output_dir": str(tmp_path / "out")}).with_base_dir(p)
    res = run_quickstart(cfg, progress=False)
    status = {s.name: s.status for s in res.steps}
    assert status == {"sample": "done", "clean + dedup": "done", "training data": "done", "base model": "failed",
                      "fine-tune + fingerprints": "skipped", "estimate mixture": "skipped", "report": "done"}
    assert "base_model.llama2c_checkpoint" in res.step("base model").error
    assert "no-such.bin: no such file" in res.step("base model").error
    assert "needs base model" in res.step("fine-tune + fingerprints").note
    assert "needs fine-tune + fingerprints" in res.step("estimate mixture").note
    assert res.truth == {"books": 0.5, "wikipedia": 0.5}
    page = res.report.read_text(encoding="utf-8")
    assert "Failed: base model" in page and "Skipped: fine-tune + fingerprints" in page
    kinds = [k for k in ("quickstart", "sample", "clean", "overlap-train") if f'data-kind="{k}"' in page]
    assert kinds == ["quickstart", "sample", "clean"]
