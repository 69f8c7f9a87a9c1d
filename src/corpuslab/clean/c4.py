"""The C4 family: line and page rules (Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a
Unified Text-to-Text Transformer", §2.2), in two named profiles.

* ``datatrove``: DataTrove 0.10.1 ``C4QualityFilter`` defaults (huggingface/datatrove
  ``src/datatrove/pipeline/filters/c4_filters.py``), which follow the paper's wording: keep lines with >= 3
  words, drop pages with < 5 sentences; end marks include ``'``; the word checks use the tokens taken before
  citation removal.
* ``tfds`` (alias ``paper-original``): the TFDS reference code (tensorflow/datasets
  ``tensorflow_datasets/text/c4_utils.py``, ``clean_page``): >= 5 words per line, >= 3 sentences per page,
  end marks ``. ? ! "``; words counted after citation removal.

The line rules rewrite the text (only kept lines remain), so they are applied at tag time; the page decision
(``lorem ipsum``, ``{``, too few sentences) is a rule. For languages written without spaces the end marks are
the sentence-terminal table and words are segmented (an extension: DataTrove's C4 has no CJK handling).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from corpuslab.clean.constants import CJK_LANGS, TERMINAL_PUNCTUATION_TUPLE
from corpuslab.clean.context import DocContext
from corpuslab.clean.family import FilterFamily, Metrics, Rule
from corpuslab.clean.segment import count_sentences, split_words

CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
POLICY_SUBSTRINGS = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")

PROFILES: dict[str, dict[str, object]] = {
    "datatrove": {
        "min_words_per_line": 3,
        "min_num_sentences": 5,
        "end_punctuation": [".", "?", "!", '"', "'"],
        "words_before_citation_removal": True,
    },
    "tfds": {
        "min_words_per_line": 5,
        "min_num_sentences": 3,
        "end_punctuation": [".", "?", "!", '"'],
        "words_before_citation_removal": False,
    },
}
PROFILES["paper-original"] = PROFILES["tfds"]

COMMON_DEFAULTS: dict[str, object] = {
    "remove_citations": True,
    "filter_no_terminal_punct": True,
    "max_word_length": 1000,
    "filter_lorem_ipsum": True,
    "filter_javascript": True,
    "filter_curly_bracket": True,
    "filter_policy": True,
}
#: Parameters that change the rewritten text, hence the tags (everything else is decided later).
LINE_PARAMS = (
    "min_words_per_line", "end_punctuation", "words_before_citation_removal", "remove_citations",
    "filter_no_terminal_punct", "max_word_length", "filter_lorem_ipsum", "filter_javascript",
    "filter_curly_bracket", "filter_policy",
)
RULES: tuple[Rule, ...] = (
    ("lorem_ipsum", "lorem_ipsum", "flag", ""),
    ("curly_bracket", "curly_bracket", "flag", ""),
    ("too_few_sentences", "num_sentences", "<", "min_num_sentences"),
)
#: end marks for languages without spaces: the sentence-terminal table plus closing quotes and brackets
CJK_END_PUNCTUATION = [*TERMINAL_PUNCTUATION_TUPLE, "」", "』", "）", '"', "'"]


def c4_stats(ctx: DocContext, p: Mapping[str, object]) -> tuple[dict[str, float], str]:
    """Metrics plus the rewritten text (kept lines joined with ``\\n``)."""
    end = tuple(p["end_punctuation"])  # type: ignore[arg-type]
    min_words = int(p["min_words_per_line"])  # type: ignore[arg-type]
    max_word = int(p["max_word_length"])  # type: ignore[arg-type]
    before = bool(p["words_before_citation_removal"])
    seg = bool(p.get("segment_words"))

    def line_words(s: str) -> list[str]:
        return split_words(s, ctx.seg_lang, ctx.tokenizer) if seg else s.split()

    n_sent = 0
    kept: list[str] = []
    flags = {"lorem_ipsum": 0.0, "curly_bracket": 0.0}
    dropped_lines = 0
    lines = ctx.text.splitlines()
    for raw in lines:
        line = raw.strip()
        words = line_words(line)
        if max_word != -1 and max(map(len, words), default=0) > max_word:
            dropped_lines += 1
            continue
        if p["remove_citations"]:
            line = CITATION.sub("", line)
            if not before:
                words = line_words(line)
        if p["filter_no_terminal_punct"] and (not line.endswith(end) or line.endswith("...")):
            dropped_lines += 1
            continue
        if len(words) < min_words:
            dropped_lines += 1
            continue
        low = line.lower()
        if p["filter_lorem_ipsum"] and "lorem ipsum" in low:
            flags["lorem_ipsum"] = 1.0
            break
        if p["filter_javascript"] and "javascript" in low:
            dropped_lines += 1
            continue
        if p["filter_curly_bracket"] and "{" in line:
            flags["curly_bracket"] = 1.0
            break
        if p["filter_policy"] and any(s in low for s in POLICY_SUBSTRINGS):
            dropped_lines += 1
            continue
        n_sent += count_sentences(line, ctx.seg_lang, ctx.tokenizer)
        kept.append(line)
    stats = {**flags, "num_sentences": float(n_sent), "lines_removed": float(dropped_lines), "lines_in": float(len(lines))}
    return stats, "\n".join(kept).strip()


class C4(FilterFamily):
    key = "c4"
    rules = RULES
    tag_params = ("profile", *LINE_PARAMS)
    rewrites_text = True

    def base_parameters(self, explicit: Mapping[str, Any], lang: str | None, per_language: bool) -> dict[str, Any]:
        base = {**COMMON_DEFAULTS, **PROFILES[explicit.get("profile", "datatrove")]}
        if per_language and lang in CJK_LANGS:
            # every Japanese line "lacks" end punctuation and is one whitespace word under DataTrove's rules
            base["end_punctuation"] = list(CJK_END_PUNCTUATION)
            base["segment_words"] = True
        return base

    def tag_one(self, doc: DocContext, block: object, params: Mapping[str, object]) -> Metrics:
        stats, new_text = c4_stats(doc, params)
        doc.set_text(new_text)
        return stats


C4_QUALITY = C4()
