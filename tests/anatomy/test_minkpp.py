"""Min-K%++: batched float32 scoring matches a direct float64 reimplementation; GMM membership; the runner."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from anatomy_fixtures import (
    botchan_paragraphs,
    one_thread,  # noqa: F401  (fixture)
    real_category_texts,
    tiny_lm,
)

from conftest import check_run_card
from corpuslab.anatomy.config import MinKppConfig
from corpuslab.anatomy.minkpp import (
    auroc,
    global_mixture,
    membership_rate,
    minkpp_reference_float64,
    run_minkpp,
    score_documents,
    threshold_mixture,
)
from corpuslab.anatomy.samples import write_category_samples
from corpuslab.core.errors import CorpuslabError

pytestmark = pytest.mark.usefixtures("one_thread")


def test_batched_scores_match_float64_reference() -> None:
    model, tok = tiny_lm()
    # different lengths (some shorter than max_tokens) exercise padding and the ⌊k·T⌋ rule
    texts = [p[: 40 + 37 * i] for i, p in enumerate(botchan_paragraphs()[:9])]
    got = score_documents(model, tok, texts, max_tokens=64, ratio=0.2, batch_size=4, progress=False)
    import copy

    ref_model = copy.deepcopy(model).double()
    for i, t in enumerate(texts):
        pp, mk, loss = minkpp_reference_float64(ref_model, tok, t, max_tokens=64, ratio=0.2)
        assert got.minkpp[i] == pytest.approx(pp, rel=1e-4, abs=1e-4)
        assert got.mink[i] == pytest.approx(mk, rel=1e-5, abs=1e-5)
        assert got.loss[i] == pytest.approx(loss, rel=1e-5, abs=1e-5)
    assert got.n_tokens.min() >= 1 and got.n_tokens.max() == 64


def test_batch_size_does_not_change_scores() -> None:
    model, tok = tiny_lm()
    texts = list(botchan_paragraphs()[10:22])
    a = score_documents(model, tok, texts, max_tokens=48, batch_size=1, progress=False, sort_by_length=False)
    b = score_documents(model, tok, texts, max_tokens=48, batch_size=8, progress=False)
    np.testing.assert_allclose(a.minkpp, b.minkpp, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(a.loss, b.loss, rtol=1e-5, atol=1e-5)


def test_membership_rate_finds_the_high_component() -> None:
    rng = np.random.default_rng(0)
    scores = np.r_[rng.normal(-2.0, 0.3, 700), rng.normal(1.0, 0.3, 300)]
    r = membership_rate(scores, seed=0)
    assert r["rate"] == pytest.approx(0.3, abs=0.02)
    assert r["mean_high"] == pytest.approx(1.0, abs=0.05)
    assert membership_rate(np.ones(10))["degenerate"] is True


def test_global_mixture_and_threshold() -> None:
    mix = global_mixture({"a": 0.6, "b": 0.2}, {"a": 100, "b": 100})
    assert mix == pytest.approx({"a": 0.75, "b": 0.25})
    assert global_mixture({"a": 0.0, "b": 0.0}, {"a": 1, "b": 1}) == {"a": 0.5, "b": 0.5}
    thr = threshold_mixture({"a": np.array([5.0, 6.0, 1.0]), "b": np.array([0.0, 2.0, 0.5])})
    assert thr == pytest.approx({"a": 2 / 3, "b": 1 / 3})  # median 1.5: a has 2 above, b has 1


def test_auroc() -> None:
    assert auroc(np.array([3.0, 4.0]), np.array([1.0, 2.0])) == 1.0
    assert auroc(np.array([1.0, 2.0]), np.array([3.0, 4.0])) == 0.0


def test_half_precision_model_scores_close_to_float32(tmp_path: Path) -> None:
    from corpuslab.anatomy.minkpp import load_scoring_model

    model, tok = tiny_lm()
    model.save_pretrained(tmp_path / "m")
    tok.save_pretrained(tmp_path / "m")
    half, tok2 = load_scoring_model(str(tmp_path / "m"), device="cpu", half=True)
    import torch

    assert next(half.parameters()).dtype == torch.bfloat16
    texts = list(botchan_paragraphs()[30:36])
    a = score_documents(model, tok, texts, max_tokens=48, progress=False)
    b = score_documents(half, tok2, texts, max_tokens=48, progress=False)
    np.testing.assert_allclose(a.loss, b.loss, rtol=0.02)
    assert np.all(np.isfinite(b.minkpp))


def test_int8_needs_a_gpu(tmp_path: Path) -> None:
    from corpuslab.anatomy.minkpp import load_scoring_model

    with pytest.raises(CorpuslabError, match="--int8 needs a CUDA GPU"):
        load_scoring_model(str(tmp_path / "m"), device="cpu", int8=True)


def test_run_minkpp_writes_the_mixture_and_a_run_card(tmp_path: Path) -> None:
    texts = real_category_texts(per_category=12, chars=300)
    write_category_samples(texts, tmp_path / "samples")
    cfg = MinKppConfig(samples=str(tmp_path / "samples"), output_dir=str(tmp_path / "mk"), max_tokens=32,
                       batch_size=8, categories="books,github")
    run = run_minkpp(cfg, progress=False, model_obj=tiny_lm())
    mix = run.summary["global_mixture_over_sampled_pool"]
    assert set(mix) == {"books", "github"} and sum(mix.values()) == pytest.approx(1.0)
    assert run.summary["model"] == "<in-memory>" and run.summary["settings"]["max_tokens"] == 32
    lines = (tmp_path / "mk" / "scores.jsonl").read_text().splitlines()
    assert len(lines) == 24 and json.loads(lines[0])["category"] == "books"
    for f in ("per_category.csv", "global_mixture.csv", "score_hist.png"):
        assert (tmp_path / "mk" / f).stat().st_size > 0
    card = check_run_card(tmp_path / "mk", "anatomy-minkpp")
    assert card["counts"]["documents"] == {"books": 12, "github": 12}
    assert card["counts"]["mixture"] == pytest.approx(mix)
    assert card["inputs"]["model"] == "<in-memory>"


def test_run_minkpp_needs_a_model_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(CorpuslabError, match="give --model"):
        run_minkpp(MinKppConfig(samples=str(tmp_path / "s"), output_dir=str(tmp_path / "o")), progress=False)
    assert not (tmp_path / "o").exists()
