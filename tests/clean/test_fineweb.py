"""FineWeb quality metrics and the line_punct_exclude_zero option."""

from __future__ import annotations

import pytest
from clean_fixtures import records_table

from corpuslab.clean.config import CleanConfig
from corpuslab.clean.context import DocContext
from corpuslab.clean.decide import decide
from corpuslab.clean.fineweb import fineweb_stats
from corpuslab.clean.tag import TagPlan, tag_table


def ctx(text: str) -> DocContext:
    return DocContext(text=text, lang="en")


def test_fineweb_quality_metrics() -> None:
    s = fineweb_stats(ctx("Short line\nAnother short one\nA much longer line that ends properly with a period."))
    assert s["line_punct_ratio"] == pytest.approx(1 / 3)
    assert s["short_line_ratio"] == pytest.approx(2 / 3)
    trailing = fineweb_stats(ctx("Ends with a period and a space. "))
    assert trailing["line_punct_ratio"] == 0  # no rstrip, as in DataTrove
    assert fineweb_stats(ctx("\n\n"))["empty"] == 1


def test_line_punct_exclude_zero_keeps_documents_without_punctuated_lines() -> None:
    text = "\n".join(f"a list item number {i} without any end mark at all" for i in range(5))
    tags = tag_table(records_table([text]), TagPlan(CleanConfig.model_validate({"filtering": {"fineweb_quality": {}}})))
    plain = decide(tags, CleanConfig.model_validate({"filtering": {"fineweb_quality": {}}}))
    assert plain.reason[0] == "fineweb_quality:line_punct_ratio" and plain.value[0] == 0
    excl = decide(tags, CleanConfig.model_validate({"filtering": {"fineweb_quality": {"line_punct_exclude_zero": True}}}))
    assert excl.reason[0] != "fineweb_quality:line_punct_ratio"
