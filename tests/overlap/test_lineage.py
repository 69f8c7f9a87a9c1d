"""Lineage scoring of arbitrary models against a base: itself 1.0, a derivative in between, an independent
init near chance; tokenizer mismatches refused; the optional JSON output and its run card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from overlap_fixtures import _one_torch_thread, botchan_docs, tiny_llama_dir  # noqa: F401
from typer.testing import CliRunner

from conftest import check_run_card
from corpuslab.cli.main import app
from corpuslab.core.errors import CorpuslabError
from corpuslab.overlap.config import OverlapScoreConfig
from corpuslab.overlap.lineage import score_models


@pytest.fixture(scope="module")
def relatives(stories260k: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """stories260K with small noise on every weight (a derivative) and a fresh init of its architecture."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    d = tmp_path_factory.mktemp("relatives")
    tok = AutoTokenizer.from_pretrained(stories260k)
    torch.manual_seed(5)
    noisy = AutoModelForCausalLM.from_pretrained(stories260k)
    with torch.no_grad():
        for p in noisy.parameters():
            p.add_(0.05 * p.std() * torch.randn_like(p))
    fresh = AutoModelForCausalLM.from_config(noisy.config)
    for name, model in (("noisy", noisy), ("fresh", fresh)):
        model.save_pretrained(d / name)
        tok.save_pretrained(d / name)
    return {"noisy": d / "noisy", "fresh": d / "fresh"}


def test_self_derivative_and_independent_init(stories260k: Path, relatives: dict[str, Path]) -> None:
    cfg = OverlapScoreConfig(base=str(stories260k), models=[str(stories260k), str(relatives["noisy"]),
                                                            str(relatives["fresh"])], num_fingerprints=4,
                             bottom_k_vocab=100)
    res = score_models(cfg)
    same, noisy, fresh = (r["avg_overlap_ratio"] for r in res["rows"])
    assert same == 1.0 and fresh < noisy < 1.0
    assert fresh < 0.35 and res["chance"] == 100 / 512
    assert all(r["same_tokenizer"] for r in res["rows"]) and res["num_fingerprints"] == 4
    assert [len(r["overlap_scores"]) for r in res["rows"]] == [4, 4, 4]


def test_in_memory_fingerprints_are_used(stories260k: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from corpuslab.overlap.fingerprints import FingerprintRecipe, generate_fingerprints

    model, tok = AutoModelForCausalLM.from_pretrained(stories260k), AutoTokenizer.from_pretrained(stories260k)
    fps = generate_fingerprints(model, tok, FingerprintRecipe(num_fingerprints=2, total_len=16, seed=9))
    res = score_models(OverlapScoreConfig(base=str(stories260k), models=[str(stories260k)], bottom_k_vocab=20,
                                          positions=3), fingerprints=fps)
    assert res["num_fingerprints"] == 2 and res["positions"] == 3 and res["rows"][0]["avg_overlap_ratio"] == 1.0


def test_output_file_and_its_run_card(stories260k: Path, tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    res = score_models(OverlapScoreConfig(base=str(stories260k), models=[str(stories260k)], num_fingerprints=2,
                                          bottom_k_vocab=50, output=str(out)))
    assert json.loads(out.read_text()) == json.loads(json.dumps(res))
    card = check_run_card(out, "overlap-score", single_file=True)
    assert card["counts"] == {"models": 1, "num_fingerprints": 2, "chance": 50 / 512, "tokenizer_mismatches": 0}


def test_another_tokenizer_is_refused_unless_allowed(stories260k: Path, tiny_llama_dir: Path) -> None:  # noqa: F811
    cfg = OverlapScoreConfig(base=str(stories260k), models=[str(tiny_llama_dir)], bottom_k_vocab=50,
                             num_fingerprints=2)
    with pytest.raises(CorpuslabError, match="different tokenizer") as e:
        score_models(cfg)
    assert "--allow-tokenizer-mismatch" in str(e.value) and "\n" not in str(e.value)
    mixed = score_models(cfg.model_copy(update={"allow_tokenizer_mismatch": True}))
    assert mixed["rows"][0]["same_tokenizer"] is False and mixed["rows"][0]["vocab_size"] == 1000


def test_cli_takes_several_models_after_one_flag(stories260k: Path, relatives: dict[str, Path],
                                                 tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["overlap", "score", "--base", str(stories260k), "--models", str(stories260k),
                                 str(relatives["fresh"]), "--bottom-k-vocab", "64", "--num-fingerprints", "2",
                                 "--output", str(tmp_path / "s.json")])
    assert r.exit_code == 0, r.output
    rows = json.loads((tmp_path / "s.json").read_text())["rows"]
    assert [Path(x["model"]).name for x in rows] == ["stories260K", "fresh"] and rows[0]["avg_overlap_ratio"] == 1.0
    assert "bottom-64 overlap" in r.output


def test_unknown_hub_model_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline, so the Hub client fails at once instead of retrying the unreachable network for ~45 s."""
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    r = CliRunner().invoke(app, ["overlap", "score", "--base", "no-such-org/no-such-model", "--models", "x"])
    assert r.exit_code != 0 and isinstance(r.exception, CorpuslabError)
    assert "no-such-org/no-such-model" in str(r.exception) and "\n" not in str(r.exception)
