"""synth benchmark: corpus construction on real categories (default suite) and the full experiment (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from anatomy_fixtures import one_thread  # noqa: F401  (fixture)

from conftest import check_run_card
from corpuslab.anatomy.config import SynthConfig
from corpuslab.anatomy.synth_benchmark import build_corpus, minkpp_pool, read_category
from corpuslab.core.errors import DataError
from corpuslab.models.tiny import train_bpe_tokenizer


@pytest.fixture(scope="module")
def small_docs(request: pytest.FixtureRequest) -> dict[str, list[str]]:
    from conftest import shared_path

    root = shared_path("text/botchan.txt.bz2").parents[1]
    return {c: [d for _, d in zip(range(60), read_category(c, root), strict=False)]
            for c in ("books", "stackexchange", "github")}


def test_build_corpus_realises_the_mixture_and_keeps_heldout_apart(small_docs: dict[str, list[str]]) -> None:
    tok = train_bpe_tokenizer([d[:3000] for v in small_docs.values() for d in v], vocab_size=400)
    mix = {"github": 0.5, "stackexchange": 0.3, "books": 0.2}
    corpus = build_corpus(tok, small_docs, mix, seq_len=32, distinct_sequences=100, epochs=3,
                          heldout_per_category=20, seed=0)
    assert corpus.mixture == pytest.approx(mix, abs=0.01)
    assert len(corpus.train) == 300
    for c in mix:
        assert all(len(p) == 32 for p in corpus.members[c] + corpus.heldout[c])
        members = {tuple(p) for p in corpus.members[c]}
        assert not members & {tuple(p) for p in corpus.heldout[c]}
        assert sum(1 for cc, _ in corpus.train if cc == c) == 3 * len(corpus.members[c])
    pools, labels = minkpp_pool(corpus, pool_size=40, max_member_rate=0.8)
    # member fraction ∝ member count; the largest category is at the cap
    assert labels["github"].mean() == pytest.approx(0.8, abs=0.03)
    assert labels["books"].mean() == pytest.approx(0.8 * 20 / 50, abs=0.03)
    assert all(len(pools[c]) == len(labels[c]) == 40 for c in mix)
    with pytest.raises(DataError, match="needs 20 held out"):
        build_corpus(tok, small_docs, mix, seq_len=32, distinct_sequences=10_000, epochs=1,
                     heldout_per_category=20)


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.usefixtures("one_thread")
def test_synth_end_to_end(tmp_path: Path) -> None:
    from corpuslab.anatomy.synth_benchmark import run_synth

    s = run_synth(SynthConfig(output_dir=str(tmp_path / "synth"), n_bootstrap=20), progress=False)
    assert len(s["true_mixture"]) >= 4
    assert s["accuracy"]["labelshift/bbse"] > s["uniform_accuracy"]
    assert s["auroc"]["macro"]["minkpp"] > 0.5 and s["auroc"]["pooled"]["loss"] > 0.5
    saved = json.loads((tmp_path / "synth" / "synth.json").read_text())
    assert saved["true_mixture"] == s["true_mixture"]
    assert np.isclose(sum(s["true_mixture"].values()), 1.0)
    for sub in ("labelshift/summary.json", "minkpp/summary.json", "evaluation/report.md", "truth.yaml"):
        assert (tmp_path / "synth" / sub).exists()
    card = check_run_card(tmp_path / "synth", "anatomy-synth")
    assert card["counts"]["accuracy"] == s["accuracy"]


def test_membership_aurocs_within_category_and_pooled() -> None:
    from types import SimpleNamespace

    from corpuslab.anatomy.synth_benchmark import membership_aurocs

    def scores(member: list[float], non: list[float]) -> SimpleNamespace:
        v = np.array(member + non)
        return SimpleNamespace(minkpp=v, mink=v, loss=-v)  # low loss = member-like

    # within each category members score higher; category b's scores are all lower than a's
    s = {"a": scores([5.0, 6.0], [3.0, 4.0]), "b": scores([1.0, 2.0], [-1.0, 0.0])}
    is_member = {"a": np.array([1, 1, 0, 0]), "b": np.array([1, 1, 0, 0])}
    aucs = membership_aurocs(s, is_member)
    assert aucs["macro"] == {"minkpp": 1.0, "mink": 1.0, "loss": 1.0}
    assert aucs["per_category"]["minkpp"] == {"a": 1.0, "b": 1.0}
    assert aucs["pooled"]["minkpp"] == pytest.approx(12 / 16)  # b's members lose to a's non-members
    # a category with members only has no within-category AUROC
    one_sided = membership_aurocs({**s, "c": scores([1.0], [])}, {**is_member, "c": np.array([1])})
    assert set(one_sided["per_category"]["loss"]) == {"a", "b"}
