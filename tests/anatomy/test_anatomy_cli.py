"""The `corpuslab anatomy` commands end to end on real text and a tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from anatomy_fixtures import (
    one_thread,  # noqa: F401  (fixture)
    real_category_texts,
    tiny_lm,
)
from typer.testing import CliRunner

from corpuslab.anatomy.samples import write_category_samples
from corpuslab.cli.main import app
from corpuslab.core.errors import CorpuslabError, DataError

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("one_thread")


def _split_real(tmp_path: Path) -> tuple[Path, Path, dict[str, float]]:
    """Samples (first 50 per category) + 'generations' drawn from the rest in a known 60/30/10 mix."""
    texts = real_category_texts(per_category=80)
    write_category_samples({c: v[:50] for c, v in texts.items()}, tmp_path / "samples")
    take = {"github": 24, "stackexchange": 12, "books": 4}
    gens = tmp_path / "gens.jsonl"
    with open(gens, "w") as fh:
        for c, k in take.items():
            for t in texts[c][50: 50 + k]:
                fh.write(json.dumps({"text": t}) + "\n")
    return tmp_path / "samples", gens, {c: k / 40 for c, k in take.items()}


def test_labelshift_with_cached_generations_then_evaluate(tmp_path: Path) -> None:
    samples, gens, truth = _split_real(tmp_path)
    r = runner.invoke(app, ["anatomy", "labelshift", "-s", str(samples), "-o", str(tmp_path / "ls"),
                            "--use-cached-generations", str(gens), "--bootstrap", "30", "--no-progress"])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "ls" / "summary.json").read_text())
    for m in ("bbse", "em"):
        for c, g in truth.items():
            assert s["priors"][m]["point"][c] == pytest.approx(g, abs=0.08), (m, c, s["priors"][m])
    for f in ("summary.csv", "confusion_matrix.png", "priors.png", "pbar_vs_ctpi.png"):
        assert (tmp_path / "ls" / f).stat().st_size > 0
    spec = tmp_path / "truth.yaml"
    spec.write_text("name: t\ncategory_weights:\n" + "".join(f"  {c}: {w}\n" for c, w in truth.items()))
    r = runner.invoke(app, ["anatomy", "evaluate", "--results-dir", str(tmp_path / "ls"), "-g", str(spec),
                            "-o", str(tmp_path / "ev")])
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.output.splitlines() if "Accuracy:" in ln]
    assert len(lines) == 3  # bbse, em, uniform
    acc = {ln.split("[")[1].split("]")[0]: float(ln.rsplit(" ", 1)[1]) for ln in lines}
    assert acc["bbse"] >= 0.9 and acc["em"] >= 0.9 and acc["uniform"] < 0.8
    assert (tmp_path / "ev" / "report.md").exists() and (tmp_path / "ev" / "mixtures.png").exists()
    r = runner.invoke(app, ["anatomy", "evaluate", "--compare", str(tmp_path / "ls"), "--compare", str(tmp_path / "ls"),
                            "-g", str(spec), "--method", "em", "--no-uniform"])
    assert r.exit_code == 0, r.output
    assert r.output.count("ls [em] Accuracy: ") == 2 and "uniform" not in r.output


def test_labelshift_generates_and_caches_and_minkpp_runs(tmp_path: Path) -> None:
    model, tok = tiny_lm()
    model.save_pretrained(tmp_path / "m")
    tok.save_pretrained(tmp_path / "m")
    texts = real_category_texts(per_category=30, chars=300)
    write_category_samples(texts, tmp_path / "samples")
    args = ["anatomy", "labelshift", "-s", str(tmp_path / "samples"), "-o", str(tmp_path / "ls"), "-m",
            str(tmp_path / "m"), "--num-prompts", "6", "--max-new-tokens", "12", "--gen-batch-size", "4",
            "--bootstrap", "5", "--no-progress", "--prompts-file", str(tmp_path / "prompts.txt")]
    (tmp_path / "prompts.txt").write_text("The\ndef\n")
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    gens = [json.loads(x) for x in (tmp_path / "ls" / "generations.jsonl").read_text().splitlines()]
    assert len(gens) == 6 and [g["prompt"] for g in gens[:3]] == ["The", "def", "The"]
    before = (tmp_path / "ls" / "generations.jsonl").read_text()
    r = runner.invoke(app, args)  # cached: same texts, not regenerated
    assert r.exit_code == 0 and (tmp_path / "ls" / "generations.jsonl").read_text() == before
    r = runner.invoke(app, ["anatomy", "minkpp", "-s", str(tmp_path / "samples"), "-o", str(tmp_path / "mk"),
                            "-m", str(tmp_path / "m"), "--max-tokens", "32", "--batch-size", "8", "--no-progress"])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "mk" / "summary.json").read_text())
    assert sum(s["global_mixture_over_sampled_pool"].values()) == pytest.approx(1.0)
    assert set(s["per_category"]) == {"books", "stackexchange", "github"}
    for f in ("per_category.csv", "global_mixture.csv", "scores.jsonl"):
        assert (tmp_path / "mk" / f).exists()
    r = runner.invoke(app, ["anatomy", "evaluate", str(tmp_path / "mk"), str(tmp_path / "ls"), "-g", "starcoder"])
    assert r.exit_code == 0, r.output
    assert "mk [minkpp] Accuracy: 0." in r.output and "ls [bbse] Accuracy: 0." in r.output


def test_cli_bad_input_messages(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "books.jsonl").write_text('{"text": "a"}\n{"text": "b"}\n')
    r = runner.invoke(app, ["anatomy", "labelshift", "-s", str(tmp_path / "s"), "-o", str(tmp_path / "o"),
                            "--categories", "books,arxiv", "--use-cached-generations", "x.jsonl"])
    assert isinstance(r.exception, DataError) and "arxiv.jsonl: category file missing" in str(r.exception)
    spec = tmp_path / "bad.yaml"
    spec.write_text("category_weights: {commoncrawl: 1, podcasts: 2}\n")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "summary.json").write_text('{"global_mixture_over_sampled_pool": {"books": 1.0}}')
    r = runner.invoke(app, ["anatomy", "evaluate", "--results-dir", str(tmp_path / "run"), "-g", str(spec)])
    assert isinstance(r.exception, CorpuslabError) and "podcasts: unknown category" in str(r.exception)
