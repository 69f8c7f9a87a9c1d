"""Gopher quality and repetition metrics (DataTrove 0.10.1 semantics) and the two family objects."""

from __future__ import annotations

import pytest
from clean_fixtures import PROSE

from corpuslab.clean.config import GopherRepetitionConfig
from corpuslab.clean.context import DocContext
from corpuslab.clean.gopher import (
    GOPHER_QUALITY,
    GOPHER_REPETITION,
    QUALITY_DEFAULTS,
    quality_stats,
    repetition_stats,
    repetition_stats_batch,
)


def ctx(text: str, lang: str = "en") -> DocContext:
    return DocContext(text=text, lang=lang)


def test_gopher_quality_metrics_and_defaults() -> None:
    s = quality_stats(ctx(PROSE), frozenset(QUALITY_DEFAULTS["stop_words"]))  # type: ignore[arg-type]
    # values checked against DataTrove 0.10.1 + spaCy (split_into_words): 144 tokens, 129 non-symbol, 7 stop words
    assert s["n_words"] == 144 and s["n_non_symbol_words"] == 129
    assert s["avg_word_length"] == pytest.approx(4.224806, abs=1e-6)
    assert s["stop_words"] == 7  # distinct (DataTrove counts distinct since f9bbe09)
    assert s["hash_ratio"] == 0 and s["bullet_lines_ratio"] == 0
    short = quality_stats(ctx("Only a few words here."), frozenset({"the"}))
    assert short["n_non_symbol_words"] == 5 and short["n_words"] == 6


def test_gopher_repetition_top_ngram_and_duplicate_ngrams() -> None:
    text = "buy cheap pills now " * 20
    s = repetition_stats(ctx(text.strip()), [2, 3, 4], [5, 10])
    # DataTrove 0.10.1 gives 0.451128 and 0.754386 on this text
    assert s["top_2_gram"] == pytest.approx(9 * 20 / len(text.strip())) == pytest.approx(0.451128, abs=1e-6)
    assert s["dup_5_gram"] == pytest.approx(0.754386, abs=1e-6)
    natural = repetition_stats(ctx(PROSE), [2, 3, 4], [5, 6, 7, 8, 9, 10])
    assert natural["dup_5_gram"] == 0 and natural["dup_line_frac"] == 0 and natural["top_2_gram"] < 0.05


def test_duplicate_ngram_scan_skips_n_words_after_a_repeat() -> None:
    # words a b c d e a b c d e a b c d e: the 2nd copy is counted, the scan jumps 5, the 3rd copy counts too
    s = repetition_stats(ctx("a b c d e a b c d e a b c d e"), [], [5])
    assert s["dup_5_gram"] == pytest.approx(10 / 29)


def test_batch_repetition_equals_one_document_at_a_time() -> None:
    texts = ["buy cheap pills now " * 20, PROSE, "a b c d e a b c d e a b c d e", "x", "line\nline\n\npara\n\npara"]
    batch = repetition_stats_batch([ctx(t) for t in texts], [2, 3, 4], [5, 6, 10])
    for t, got in zip(texts, batch, strict=True):
        assert got == pytest.approx(repetition_stats(ctx(t), [2, 3, 4], [5, 6, 10]))


def test_repetition_family_tags_configured_ngram_sizes_and_decides_their_rules() -> None:
    block = GopherRepetitionConfig(top_n_grams={5: 0.1}, dup_n_grams={12: 0.1})
    assert GOPHER_REPETITION.ngram_sizes(block) == ([2, 3, 4, 5], [5, 6, 7, 8, 9, 10, 12])
    assert GOPHER_REPETITION.tag_key(block) == GOPHER_REPETITION.ngram_sizes(block)
    reasons = [r[0] for r in GOPHER_REPETITION.rules_for(block)]
    assert reasons[-2:] == ["top_5_gram", "duplicated_12_n_grams"]
    assert [r[0] for r in GOPHER_REPETITION.rules_for(None)][-1] == "duplicated_10_n_grams"


def test_quality_family_uses_the_profile_stop_words() -> None:
    ja = GOPHER_QUALITY.parameters(None, "ja", per_language=True)
    assert "の" in ja["stop_words"] and ja["max_avg_word_length"] == 5
    assert GOPHER_QUALITY.parameters(None, "ja", per_language=False)["max_avg_word_length"] == 10
    assert GOPHER_QUALITY.tag_params == ("stop_words",) and GOPHER_QUALITY.falsy_disables
