"""Length bounds (characters and words) and keyword/spam lists."""

from __future__ import annotations

import regex

from corpuslab.clean.constants import CJK_LANGS
from corpuslab.clean.context import DocContext

LENGTH_RULES: list[tuple[str, str, str, str]] = [
    ("too_short_chars", "chars", "<", "min_chars"),
    ("too_long_chars", "chars", ">", "max_chars"),
    ("too_few_words", "words", "<", "min_words"),
    ("too_many_words", "words", ">", "max_words"),
]
KEYWORD_RULES: list[tuple[str, str, str, str]] = [("excluded_keyword", "hits", ">", "max_hits")]


def length_stats(ctx: DocContext, need_words: bool) -> dict[str, float]:
    return {"chars": float(len(ctx.text)), "words": float(len(ctx.words)) if need_words else 0.0}


def keyword_pattern(keywords: list[str]) -> tuple[regex.Pattern[str] | None, regex.Pattern[str] | None]:
    """Whole-word, case-insensitive pattern for spaced languages; substring pattern for CJK (as C4's
    bad-word filter does for ja/zh/th)."""
    if not keywords:
        return None, None
    alt = "|".join(regex.escape(k) for k in sorted(keywords, key=len, reverse=True))
    return regex.compile(rf"(?<!\w)(?:{alt})(?!\w)", regex.IGNORECASE), regex.compile(rf"(?:{alt})", regex.IGNORECASE)


def keyword_stats(ctx: DocContext, pats: tuple[regex.Pattern[str] | None, regex.Pattern[str] | None]) -> tuple[dict[str, float], str]:
    word_pat, sub_pat = pats
    pat = sub_pat if ctx.seg_lang in CJK_LANGS else word_pat
    if pat is None:
        return {"hits": 0.0}, ""
    found = pat.findall(ctx.text)
    return {"hits": float(len(found))}, (found[0].lower() if found else "")
