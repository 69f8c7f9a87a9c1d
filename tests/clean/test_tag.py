"""Tagging: the tag key moves only with what changes the tags; input checks; the batch schema is fixed."""

from __future__ import annotations

import math

from clean_fixtures import PROSE, records_table

from corpuslab.clean.config import CleanConfig
from corpuslab.clean.tag import TagPlan, tag_table


def key(blocks: dict) -> str:
    return TagPlan(CleanConfig.model_validate(blocks)).key


def test_thresholds_do_not_change_the_tag_key_but_tag_parameters_do() -> None:
    base = {"filtering": {"gopher_quality": {}, "c4": {}, "exclude_keywords": ["casino"], "fineweb_quality": {}}}
    same = {"filtering": {"gopher_quality": {"min_doc_words": 3}, "c4": {"min_num_sentences": 1},
                          "exclude_keywords": {"keywords": ["casino"], "max_hits": 4},
                          "fineweb_quality": {"line_punct_thr": 0.5}}}
    assert key(base) == key(same)
    for changed in ({"c4": {"profile": "tfds"}}, {"exclude_keywords": ["poker"]},
                    {"fineweb_quality": {"short_line_length": 10}}, {"gopher_quality": {"stop_words": ["a"]}}):
        assert key({"filtering": {**base["filtering"], **changed}}) != key(base), changed
    assert key({**base, "cleaning": {}}) != key(base)
    assert key({"filtering": {"c4": {}, "gopher_quality": {}}}) != key({"filtering": {"gopher_quality": {}, "c4": {}}})


def test_huge_and_empty_documents_are_marked_not_processed() -> None:
    cfg = CleanConfig.model_validate({"cleaning": {}, "filtering": {"gopher_quality": {}}})
    tags = tag_table(records_table(["x" * 2_000_001, "   \n  ", PROSE]), TagPlan(cfg))
    assert tags.column("status").to_pylist() == ["huge_document", "empty", ""]
    assert math.isnan(tags.column("gopher_quality.avg_word_length")[0].as_py())
    assert tags.column("chars_final").to_pylist()[:2] == [0, 0]


def test_every_batch_has_the_same_columns_and_c4_rewrites_the_text() -> None:
    cfg = CleanConfig.model_validate({"filtering": {"exclude_keywords": ["casino"], "c4": {}, "gopher_quality": {}}})
    plan = TagPlan(cfg)
    a = tag_table(records_table([PROSE + "\nshort line"]), plan)
    b = tag_table(records_table([""]), plan)
    assert a.schema == b.schema
    assert "exclude_keywords.match" in a.column_names and a.schema.field("exclude_keywords.match").type == "string"
    assert a.column("text")[0].as_py() == PROSE  # the line without an end mark is gone
    assert a.column("chars_final")[0].as_py() == len(PROSE) < a.column("chars_clean")[0].as_py()
