"""Deciding on stored tags: first failing rule, per-language thresholds, re-decide without re-tagging."""

from __future__ import annotations

import pytest
from clean_fixtures import PROSE, records_table

from corpuslab.clean.config import CleanConfig
from corpuslab.clean.decide import decide
from corpuslab.clean.tag import TagPlan, tag_table


def _tag(texts: list[str], blocks: dict, langs: list[str | None] | None = None):
    cfg = CleanConfig.model_validate(blocks)
    md = [{"language": lg} if lg else {} for lg in (langs or [None] * len(texts))]
    return tag_table(records_table(texts, md), TagPlan(cfg)), cfg


def test_first_failing_rule_and_threshold_change_without_retag() -> None:
    texts = [PROSE, "Too short.", "casino " * 30 + "is the word of the day and that is that."]
    tags, cfg = _tag(texts, {"filtering": {"exclude_keywords": ["casino"], "gopher_quality": {}}})
    d = decide(tags, cfg)
    assert list(d.reason) == ["", "gopher_quality:gopher_short_doc", "exclude_keywords:excluded_keyword"]
    assert d.value[1] == 2 and d.value[2] == 30
    assert list(d.step_index) == [-1, 2, 1] and list(d.kept) == [True, False, False]
    looser = CleanConfig.model_validate({"filtering": {"exclude_keywords": {"keywords": ["casino"], "max_hits": 100},
                                                       "gopher_quality": {"min_doc_words": 2}}})
    d2 = decide(tags, looser)  # same tags, new thresholds
    # "Too short." now passes the word count and fails the next rule: 2 of 3 tokens have a letter
    assert d2.reason[1] == "gopher_quality:gopher_below_alpha_threshold" and d2.value[1] == pytest.approx(2 / 3)
    assert d2.reason[2] == ""  # 30 keyword hits are now allowed


def test_a_zero_gopher_threshold_turns_the_rule_off() -> None:
    tags, _ = _tag(["Too short."], {"filtering": {"gopher_quality": {}}})
    off = CleanConfig.model_validate({"filtering": {"gopher_quality": {"min_doc_words": 0}}})
    assert decide(tags, off).reason[0] == "gopher_quality:gopher_below_alpha_threshold"


def test_thresholds_follow_the_document_language() -> None:
    # max_avg_word_length: 10 by default, 5 in the ja profile; the same text in both languages
    long_words = " ".join(["abcdefgh"] * 60) + "."
    tags, cfg = _tag([long_words, long_words], {"filtering": {"gopher_quality": {"min_stop_words": 0}}}, ["en", "ja"])
    d = decide(tags, cfg)
    assert d.reason[0] == "" and d.reason[1] == "gopher_quality:gopher_above_avg_threshold"


def test_input_checks_come_first() -> None:
    tags, cfg = _tag(["x" * 2_000_001, "   \n  ", PROSE], {"cleaning": {}, "filtering": {"gopher_quality": {}}})
    d = decide(tags, cfg)
    assert list(d.reason) == ["input:huge_document", "input:empty", ""]
    assert list(d.step_index) == [0, 0, -1] and d.value[0] == 2_000_001
