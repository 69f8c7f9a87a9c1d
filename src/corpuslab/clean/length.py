"""The length families: ``min_length`` / ``max_length`` (characters, a number in the YAML) and ``length``
(``{min_chars, max_chars, min_words, max_words}``); one class, one object per ``filtering:`` key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from corpuslab.clean.context import DocContext
from corpuslab.clean.family import FilterFamily, Metrics, Rule

RULES: tuple[Rule, ...] = (
    ("too_short_chars", "chars", "<", "min_chars"),
    ("too_long_chars", "chars", ">", "max_chars"),
    ("too_few_words", "words", "<", "min_words"),
    ("too_many_words", "words", ">", "max_words"),
)


def length_stats(ctx: DocContext, need_words: bool) -> dict[str, float]:
    return {"chars": float(len(ctx.text)), "words": float(len(ctx.words)) if need_words else 0.0}


class Length(FilterFamily):
    """``bound``: the one parameter a bare number sets (``min_length: 100`` is ``min_chars: 100``); None for
    the ``length`` mapping, the only one that counts words (segmenting costs time)."""

    rules = RULES

    def __init__(self, key: str, bound: str | None = None) -> None:
        self.key = key
        self.bound = bound

    def parameters(self, block: Any, lang: str | None, per_language: bool) -> dict[str, Any]:
        if self.bound is not None:
            return {self.bound: block}
        return super().parameters(block, lang, per_language)

    def tag_one(self, doc: DocContext, block: object, params: Mapping[str, object]) -> Metrics:
        return length_stats(doc, need_words=self.bound is None)


MIN_LENGTH = Length("min_length", "min_chars")
MAX_LENGTH = Length("max_length", "max_chars")
LENGTH = Length("length")
