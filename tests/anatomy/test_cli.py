"""`corpuslab anatomy …`: every command on tiny real inputs, through its flags (old spellings included)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from anatomy_fixtures import (
    one_thread,  # noqa: F401  (fixture)
    real_category_texts,
    split_real,
    tiny_lm,
    write_estimator_runs,
    write_spec,
)
from typer.testing import CliRunner

from conftest import check_run_card
from corpuslab.anatomy.samples import write_category_samples
from corpuslab.cli.main import app
from corpuslab.core.errors import ConfigError, CorpuslabError, DataError

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("one_thread")


def anatomy(*args: str | Path) -> str:
    r = runner.invoke(app, ["anatomy", *map(str, args)])
    assert r.exit_code == 0, (r.output, r.exception)
    return r.output


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model, tok = tiny_lm()
    out = tmp_path_factory.mktemp("anatomy_model") / "m"
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("anatomy_samples") / "samples"
    write_category_samples(real_category_texts(per_category=12, chars=300), out)
    return out


def test_fetch_samples(tmp_path: Path) -> None:
    from corpuslab.core.shards import write_records

    recs = [{"id": str(i), "text": f"doc {i}", "metadata": {"category": ["code", "wiki", "book"][i % 3]}}
            for i in range(30)]
    write_records(tmp_path / "shards" / "part-0.jsonl.gz", recs)
    out = anatomy("fetch-samples", "--root", tmp_path / "shards", "-o", tmp_path / "s", "-n", "12",
                  "--categories", "code,wiki", "--no-progress")
    assert "fewer than requested" in out  # 10 per category available
    card = check_run_card(tmp_path / "s", "anatomy-fetch-samples")
    assert card["counts"]["documents"] == {"github": 10, "wikipedia": 10}
    assert card["config"]["given"] == {"root": str(tmp_path / "shards"), "output_dir": str(tmp_path / "s"), "n": 12,
                                       "categories": ["code", "wiki"]}


def test_labelshift_with_cached_generations_and_the_bootstrap_flag(tmp_path: Path) -> None:
    samples, gens, _ = split_real(tmp_path)
    out = anatomy("labelshift", "-s", samples, "-o", tmp_path / "ls", "--use-cached-generations", gens,
                  "--bootstrap", "30", "--no-progress")
    assert "classifier held-out accuracy" in out and "40 target texts" in out
    card = check_run_card(tmp_path / "ls", "anatomy-labelshift")
    assert card["config"]["given"]["n_bootstrap"] == 30
    assert json.loads((tmp_path / "ls" / "summary.json").read_text())["priors"]["bbse"]["n_bootstrap"] == 30


def test_labelshift_generates_from_a_prompts_file(tmp_path: Path, tiny_model: Path, samples: Path) -> None:
    (tmp_path / "prompts.txt").write_text("The\ndef\n")
    anatomy("labelshift", "-s", samples, "-o", tmp_path / "ls", "-m", tiny_model, "--num-prompts", "6",
            "--max-new-tokens", "12", "--gen-batch-size", "4", "--n-bootstrap", "5", "--no-progress",
            "--prompts-file", tmp_path / "prompts.txt")
    gens = [json.loads(x) for x in (tmp_path / "ls" / "generations.jsonl").read_text().splitlines()]
    assert len(gens) == 6 and [g["prompt"] for g in gens[:3]] == ["The", "def", "The"]
    card = check_run_card(tmp_path / "ls", "anatomy-labelshift")
    assert card["config"]["given"]["prompts"] == ["The", "def"] and card["inputs"]["model"] == str(tiny_model)
    assert card["outputs"]["generations"] == "generations.jsonl"


def test_minkpp_with_the_k_flag(tmp_path: Path, tiny_model: Path, samples: Path) -> None:
    out = anatomy("minkpp", "-s", samples, "-o", tmp_path / "mk", "-m", tiny_model, "--max-tokens", "32",
                  "--batch-size", "8", "--k", "0.2", "--no-progress")
    assert "Min-K%++ membership rates" in out
    s = json.loads((tmp_path / "mk" / "summary.json").read_text())
    assert s["settings"]["ratio"] == 0.2 and set(s["per_category"]) == {"books", "stackexchange", "github"}
    card = check_run_card(tmp_path / "mk", "anatomy-minkpp")
    assert card["config"]["resolved"]["ratio"] == 0.2


def test_minkpp_ratio_out_of_range(tmp_path: Path) -> None:
    r = runner.invoke(app, ["anatomy", "minkpp", "-o", str(tmp_path / "mk"), "-m", "x", "--k", "1.5"])
    assert isinstance(r.exception, ConfigError) and "ratio: Input should be less than or equal to 1" in str(r.exception)


def test_evaluate_one_results_dir_writes_the_report(tmp_path: Path) -> None:
    ls, _ = write_estimator_runs(tmp_path)
    spec = write_spec(tmp_path / "truth.yaml", {"web": 0.8, "github": 0.2})
    out = anatomy("evaluate", "--results-dir", ls, "-g", spec, "-o", tmp_path / "ev")
    acc = {ln.split("[")[1].split("]")[0]: float(ln.rsplit(" ", 1)[1]) for ln in out.splitlines() if "Accuracy:" in ln}
    assert acc == {"bbse": 1.0, "em": 0.8, "uniform": 0.7}
    assert (tmp_path / "ev" / "report.md").exists() and (tmp_path / "ev" / "mixtures.png").exists()
    assert check_run_card(tmp_path / "ev", "anatomy-evaluate")["counts"]["accuracy"]["ls/em"] == pytest.approx(0.8)


def test_evaluate_compare_method_and_no_uniform(tmp_path: Path) -> None:
    ls, _ = write_estimator_runs(tmp_path)
    out = anatomy("evaluate", "--compare", ls, "--compare", ls, "-g", "starcoder", "--method", "em", "--no-uniform")
    assert out.count("ls [em] Accuracy: ") == 2 and "uniform" not in out
    assert not (tmp_path / "ls" / "run.json").exists()  # no output folder: nothing written


def test_evaluate_positional_runs(tmp_path: Path) -> None:
    ls, mk = write_estimator_runs(tmp_path)
    out = anatomy("evaluate", mk, ls, "-g", "starcoder")
    assert "mk [minkpp] Accuracy: 0.5000" in out and "ls [bbse] Accuracy: 0.2000" in out


def test_evaluate_from_a_config_file_with_flags_winning(tmp_path: Path) -> None:
    ls, _ = write_estimator_runs(tmp_path)
    cfg = tmp_path / "ev.yaml"
    cfg.write_text(f"runs: [{ls}]\nground_truth: starcoder\nmethod: em\nuniform: false\n")
    out = anatomy("evaluate", "--config", cfg, "--method", "bbse")
    assert [ln for ln in out.splitlines() if "Accuracy:" in ln] == ["ls [bbse] Accuracy: 0.2000"]


def test_evaluate_unknown_spec_category(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("category_weights: {commoncrawl: 1, podcasts: 2}\n")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "summary.json").write_text('{"global_mixture_over_sampled_pool": {"books": 1.0}}')
    r = runner.invoke(app, ["anatomy", "evaluate", "--results-dir", str(tmp_path / "run"), "-g", str(spec)])
    assert isinstance(r.exception, CorpuslabError) and "podcasts: unknown category" in str(r.exception)


def test_labelshift_missing_category_file(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "books.jsonl").write_text('{"text": "a"}\n{"text": "b"}\n')
    r = runner.invoke(app, ["anatomy", "labelshift", "-s", str(tmp_path / "s"), "-o", str(tmp_path / "o"),
                            "--categories", "books,arxiv", "--use-cached-generations", "x.jsonl"])
    assert isinstance(r.exception, DataError) and "arxiv.jsonl: category file missing" in str(r.exception)


def test_labelshift_without_an_output_folder(tmp_path: Path) -> None:
    r = runner.invoke(app, ["anatomy", "labelshift", "-s", str(tmp_path)])
    assert isinstance(r.exception, ConfigError)
    assert "output_dir: required: give --output-dir" in str(r.exception)


@pytest.mark.model
def test_synth_with_the_mixture_and_bootstrap_flags(tmp_path: Path) -> None:
    out = tmp_path / "synth"
    text = anatomy("synth", "-o", out, "--mixture", "github=.5,stackexchange=.3,books=.2", "--bootstrap", "3",
                   "--distinct-sequences", "60", "--heldout-per-category", "20", "--max-docs-per-category", "100",
                   "--epochs", "1", "--seq-len", "16", "--vocab-size", "300", "--hidden", "16", "--layers", "1",
                   "--heads", "2", "--num-generations", "20", "--gen-batch-size", "10", "--minkpp-pool-size", "20",
                   "--no-progress")
    assert "labelshift/bbse Accuracy: " in text
    card = check_run_card(out, "anatomy-synth")
    assert card["config"]["given"]["mixture"] == {"github": 0.5, "stackexchange": 0.3, "books": 0.2}
    assert card["config"]["given"]["n_bootstrap"] == 3
    assert set(card["counts"]["true_mixture"]) == {"github", "stackexchange", "books"}
    ls = check_run_card(out / "labelshift", "anatomy-labelshift")
    assert ls["config"]["resolved"]["n_bootstrap"] == 3 and ls["inputs"]["model"] == "<in-memory>"
    check_run_card(out / "minkpp", "anatomy-minkpp")
    ev = check_run_card(out / "evaluation", "anatomy-evaluate")
    assert set(ev["counts"]["accuracy"]) == {"labelshift/bbse", "labelshift/em", "minkpp/minkpp", "uniform-guess/uniform"}
