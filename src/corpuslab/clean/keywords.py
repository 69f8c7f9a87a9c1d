"""The ``exclude_keywords`` family: a keyword (spam) list, whole words in spaced languages, substrings in
languages without spaces (as C4's bad-words filter matches ja/zh/th)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import regex

from corpuslab.clean.constants import CJK_LANGS
from corpuslab.clean.context import DocContext
from corpuslab.clean.family import FilterFamily, Metrics, ParamsFor, Rule

Patterns = tuple[regex.Pattern[str] | None, regex.Pattern[str] | None]


@functools.lru_cache(maxsize=8)
def keyword_pattern(keywords: tuple[str, ...]) -> Patterns:
    """(whole-word pattern, substring pattern), case-insensitive; (None, None) for no keywords."""
    if not keywords:
        return None, None
    alt = "|".join(regex.escape(k) for k in sorted(keywords, key=len, reverse=True))
    return regex.compile(rf"(?<!\w)(?:{alt})(?!\w)", regex.IGNORECASE), regex.compile(rf"(?:{alt})", regex.IGNORECASE)


def keyword_stats(ctx: DocContext, pats: Patterns) -> tuple[dict[str, float], str]:
    """({"hits": n}, the first hit in lower case or "")."""
    word_pat, sub_pat = pats
    pat = sub_pat if ctx.seg_lang in CJK_LANGS else word_pat
    if pat is None:
        return {"hits": 0.0}, ""
    found = pat.findall(ctx.text)
    return {"hits": float(len(found))}, (found[0].lower() if found else "")


class ExcludeKeywords(FilterFamily):
    key = "exclude_keywords"
    rules: tuple[Rule, ...] = (("excluded_keyword", "hits", ">", "max_hits"),)
    tag_params = ("keywords",)

    def tag_key(self, block: object) -> object:
        return sorted(block.keywords) if block is not None else []  # type: ignore[attr-defined]

    def tag(self, docs: Sequence[DocContext], block: object, params: ParamsFor) -> list[Metrics]:
        pats = keyword_pattern(tuple(block.keywords if block is not None else ()))  # type: ignore[attr-defined]
        out: list[Metrics] = []
        for doc in docs:
            stats, match = keyword_stats(doc, pats)
            out.append({"match": match, **stats})
        return out


EXCLUDE_KEYWORDS = ExcludeKeywords()
