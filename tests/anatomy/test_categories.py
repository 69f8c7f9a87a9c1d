"""The category taxonomy: aliases onto the seven RedPajama classes and the 7 → 6 web merge."""

from __future__ import annotations

import pytest

from corpuslab.anatomy.categories import canonical_category, merge_web


@pytest.mark.parametrize(("raw", "expected"), [
    ("RedPajamaCommonCrawl", "commoncrawl"), ("RedPajamaC4", "c4"), ("RedPajamaBook", "books"),
    ("code", "github"), ("Stack Exchange", "stackexchange"), ("wiki", "wikipedia"), ("Podcasts", "podcasts"),
])
def test_canonical_category(raw: str, expected: str) -> None:
    assert canonical_category(raw) == expected


def test_merge_web_folds_commoncrawl_and_c4() -> None:
    assert canonical_category("RedPajamaC4", merge_web=True) == "web"
    assert canonical_category("books", merge_web=True) == "books"
    assert merge_web({"commoncrawl": 0.5, "c4": 0.25, "books": 0.25}) == {"web": 0.75, "books": 0.25}
