"""Per-document context handed to each tagger: the current text, its language (and the detector's score for
it), and cached segmentations.

Several families need the same words (Gopher quality and repetition, FineWeb's list ratio); the context
segments once per text version, as DataTrove's ``lru_cache`` on ``split_into_words`` intends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from corpuslab.clean.segment import split_words


@dataclass
class DocContext:
    text: str
    lang: str | None
    tokenizer: str = "fast"
    per_language: bool = True
    #: fastText's score for ``lang`` (NaN when not detected; the language filter's metric)
    lang_score: float = math.nan
    _words: list[str] | None = field(default=None, repr=False)

    @property
    def seg_lang(self) -> str | None:
        """Language used to pick the segmenter (English rules everywhere when per-language is off)."""
        return self.lang if self.per_language else "en"

    @property
    def words(self) -> list[str]:
        if self._words is None:
            self._words = split_words(self.text, self.seg_lang, self.tokenizer)
        return self._words

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self._words = None
