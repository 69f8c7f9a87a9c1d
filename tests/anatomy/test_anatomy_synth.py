"""synth: corpus construction on real categories (default suite) and the full experiment (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from anatomy_fixtures import one_thread  # noqa: F401  (fixture)

from corpuslab.anatomy.synth import build_corpus, minkpp_pool, read_category
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
@pytest.mark.usefixtures("one_thread")
def test_synth_end_to_end(tmp_path: Path) -> None:
    from corpuslab.anatomy.synth import run_synth

    s = run_synth(str(tmp_path / "synth"), progress=False, n_bootstrap=20)
    assert len(s["true_mixture"]) >= 4
    assert s["accuracy"]["labelshift/bbse"] > s["uniform_accuracy"]
    assert s["auroc"]["macro"]["minkpp"] > 0.5 and s["auroc"]["pooled"]["loss"] > 0.5
    saved = json.loads((tmp_path / "synth" / "synth.json").read_text())
    assert saved["true_mixture"] == s["true_mixture"]
    assert np.isclose(sum(s["true_mixture"].values()), 1.0)
    for sub in ("labelshift/summary.json", "minkpp/summary.json", "evaluation/report.md", "truth.yaml"):
        assert (tmp_path / "synth" / sub).exists()
