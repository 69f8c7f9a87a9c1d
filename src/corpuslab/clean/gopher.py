"""The Gopher quality and repetition families (Rae et al. 2021, "Scaling Language Models", App. A / Table A1),
as DataTrove 0.10.1 defines them (huggingface/datatrove ``src/datatrove/pipeline/filters/gopher_quality_filter.py``
and ``gopher_repetition_filter.py``). Taggers compute every metric once; the rules (tested in order, the first
failing one is the reason) are applied later by :mod:`corpuslab.clean.decide`.

Repeated n-grams are found on integer word ids with NumPy (``np.unique``) instead of building every
n-gram string; the sequential "skip n words after a repeat" scan of ``find_all_duplicate`` runs only when
some n-gram repeats at all. One documented difference: DataTrove compares ``"".join(words)`` strings for
the 5-10-gram rule, so two different word sequences with the same concatenation count as a repeat there;
we compare word sequences.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from itertools import filterfalse
from typing import Any

import numpy as np
import regex

from corpuslab.clean.constants import GOPHER_STOP_WORDS_EN, PUNCTUATION_SET
from corpuslab.clean.context import DocContext
from corpuslab.clean.family import FilterFamily, Metrics, ParamsFor, Rule

_LETTER = regex.compile(r"\p{L}")
_PARA = re.compile(r"\n{2,}")
_LINES = re.compile("\n+")
_MULT = np.uint64(0x9E3779B97F4A7C15)

QUALITY_DEFAULTS: dict[str, object] = {
    "min_doc_words": 50,
    "max_doc_words": 100000,
    "min_avg_word_length": 3,
    "max_avg_word_length": 10,
    "max_symbol_word_ratio": 0.1,
    "max_bullet_lines_ratio": 0.9,
    "max_ellipsis_lines_ratio": 0.3,
    "max_non_alpha_words_ratio": 0.8,
    "min_stop_words": 2,
    "stop_words": list(GOPHER_STOP_WORDS_EN),
}
# (reason, metric, drop-if operator, threshold parameter)
QUALITY_RULES: tuple[Rule, ...] = (
    ("gopher_short_doc", "n_non_symbol_words", "<", "min_doc_words"),
    ("gopher_long_doc", "n_non_symbol_words", ">", "max_doc_words"),
    ("gopher_below_avg_threshold", "avg_word_length", "<", "min_avg_word_length"),
    ("gopher_above_avg_threshold", "avg_word_length", ">", "max_avg_word_length"),
    ("gopher_too_many_hashes", "hash_ratio", ">", "max_symbol_word_ratio"),
    ("gopher_too_many_ellipsis", "ellipsis_ratio", ">", "max_symbol_word_ratio"),
    ("gopher_too_many_bullets", "bullet_lines_ratio", ">", "max_bullet_lines_ratio"),
    ("gopher_too_many_end_ellipsis", "end_ellipsis_lines_ratio", ">", "max_ellipsis_lines_ratio"),
    ("gopher_below_alpha_threshold", "alpha_words_ratio", "<", "max_non_alpha_words_ratio"),
    ("gopher_enough_stop_words", "stop_words", "<", "min_stop_words"),
)

REPETITION_DEFAULTS: dict[str, object] = {
    "dup_line_frac": 0.3,
    "dup_para_frac": 0.3,
    "dup_line_char_frac": 0.2,
    "dup_para_char_frac": 0.2,
    "top_n_grams": {2: 0.2, 3: 0.18, 4: 0.16},
    "dup_n_grams": {5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.10},
}


DEFAULT_TOP_NS = (2, 3, 4)
DEFAULT_DUP_NS = (5, 6, 7, 8, 9, 10)


def repetition_rules(top_ns: list[int], dup_ns: list[int]) -> list[Rule]:
    rules: list[Rule] = [
        ("empty", "empty", "flag", ""),
        ("dup_para_frac", "dup_para_frac", ">", "dup_para_frac"),
        ("dup_para_char_frac", "dup_para_char_frac", ">", "dup_para_char_frac"),
        ("dup_line_frac", "dup_line_frac", ">", "dup_line_frac"),
        ("dup_line_char_frac", "dup_line_char_frac", ">", "dup_line_char_frac"),
    ]
    rules += [(f"top_{n}_gram", f"top_{n}_gram", ">", f"top_n_grams.{n}") for n in top_ns]
    rules += [(f"duplicated_{n}_n_grams", f"dup_{n}_gram", ">", f"dup_n_grams.{n}") for n in dup_ns]
    return rules


def find_duplicates(items: list[str]) -> tuple[int, int]:
    """(number of repeated elements, their total length): every copy after the first counts."""
    seen: set[str] = set()
    n = chars = 0
    for x in items:
        if x in seen:
            n += 1
            chars += len(x)
        else:
            seen.add(x)
    return n, chars


def quality_stats(ctx: DocContext, stop_words: frozenset[str]) -> dict[str, float]:
    text, words = ctx.text, ctx.words
    n_words = len(words)
    non_symbol = list(filterfalse(PUNCTUATION_SET.issuperset, words))
    n_ns = len(non_symbol)
    lines = text.splitlines()
    n_lines = len(lines)
    nan = math.nan
    return {
        "n_words": n_words,
        "n_non_symbol_words": n_ns,
        "avg_word_length": sum(map(len, non_symbol)) / n_ns if n_ns else nan,
        "hash_ratio": text.count("#") / n_words if n_words else nan,
        "ellipsis_ratio": (text.count("...") + text.count("…")) / n_words if n_words else nan,
        "bullet_lines_ratio": sum(1 for s in lines if s.lstrip().startswith(("•", "-"))) / n_lines if n_lines else nan,
        "end_ellipsis_lines_ratio": sum(1 for s in lines if s.rstrip().endswith(("...", "…"))) / n_lines
        if n_lines
        else nan,
        "alpha_words_ratio": sum(map(bool, map(_LETTER.search, words))) / n_words if n_words else nan,
        "stop_words": len(stop_words.intersection(words)),
    }


def _ngram_keys(ids: np.ndarray, n: int) -> np.ndarray:
    """One 64-bit key per word n-gram (polynomial hash over word ids; collisions ~2^-64 per pair)."""
    m = len(ids) - n + 1
    key = np.zeros(m, dtype=np.uint64)
    for j in range(n):
        key = key * _MULT + ids[j : j + m]
    return key


def _line_and_paragraph_stats(text: str) -> dict[str, float]:
    """Gopher's duplicate-paragraph and duplicate-line fractions (by count and by characters)."""
    n_text = len(text) or 1
    paragraphs = _PARA.split(text.strip())
    dp, dpc = find_duplicates(paragraphs)
    lines = _LINES.split(text)
    dl, dlc = find_duplicates(lines)
    return {"empty": float(not text), "dup_para_frac": dp / len(paragraphs), "dup_para_char_frac": dpc / n_text,
            "dup_line_frac": dl / len(lines), "dup_line_char_frac": dlc / n_text}


def repetition_stats(ctx: DocContext, top_ns: list[int], dup_ns: list[int]) -> dict[str, float]:
    """One document's repetition statistics: the readable definition :func:`repetition_stats_batch` matches."""
    text = ctx.text
    out = _line_and_paragraph_stats(text)
    n_text = len(text) or 1
    words = ctx.words
    vocab: dict[str, int] = {}
    ids = np.fromiter((vocab.setdefault(w, len(vocab)) for w in words), dtype=np.uint64, count=len(words)) + np.uint64(1)
    lens = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    cum = np.concatenate([[0], np.cumsum(lens)])
    for n in top_ns:
        if len(words) < n:
            out[f"top_{n}_gram"] = 0.0
            continue
        keys = _ngram_keys(ids, n)
        _, first, counts = np.unique(keys, return_index=True, return_counts=True)
        top = counts.max()
        pos = int(first[counts == top].min())  # Counter.most_common keeps the first-seen among ties
        top_len = int(cum[pos + n] - cum[pos]) + (n - 1)
        out[f"top_{n}_gram"] = top_len * int(top) / n_text
    for n in dup_ns:
        out[f"dup_{n}_gram"] = _dup_ngram_chars(ids, cum, n) / n_text
    return out


def _dup_ngram_chars(ids: np.ndarray, cum: np.ndarray, n: int) -> int:
    if len(ids) < n:
        return 0
    keys = _ngram_keys(ids, n)
    if len(np.unique(keys)) == len(keys):
        return 0
    klist = keys.tolist()
    seen: set[int] = set()
    rep = i = 0
    last = len(klist)
    while i < last:
        k = klist[i]
        if k in seen:
            rep += int(cum[i + n] - cum[i])
            i += n
        else:
            seen.add(k)
            i += 1
    return rep


def repetition_stats_batch(ctxs: list[DocContext], top_ns: list[int], dup_ns: list[int]) -> list[dict[str, float]]:
    """:func:`repetition_stats` for a batch: the n-gram counting runs once over the whole batch.

    Word ids are shared across the batch; each n-gram key also mixes in its document index, so one
    ``np.unique`` per n finds every document's most common n-gram (first-seen among ties, as
    ``Counter.most_common``) and whether any n-gram repeats at all. Only documents with a repeated
    5…10-gram run the sequential skip-scan of ``find_all_duplicate``.
    """
    outs: list[dict[str, float]] = []
    flat: list[str] = []
    n_words_l: list[int] = []
    n_text = np.zeros(len(ctxs), dtype=np.float64)
    for d, c in enumerate(ctxs):
        n_text[d] = len(c.text) or 1
        outs.append(_line_and_paragraph_stats(c.text))
        words = c.words
        flat.extend(words)
        n_words_l.append(len(words))
    if not ctxs:
        return outs
    import pandas as pd

    n_words = np.asarray(n_words_l, dtype=np.int64)
    codes = pd.factorize(np.asarray(flat, dtype=object))[0] if flat else np.zeros(0, np.int64)
    ids = codes.astype(np.uint64) + np.uint64(1)
    lens = np.fromiter(map(len, flat), dtype=np.int64, count=len(flat))
    cum = np.concatenate([[0], np.cumsum(lens)])
    starts = np.concatenate([[0], np.cumsum(n_words)[:-1]])
    doc_of = np.repeat(np.arange(len(ctxs)), n_words)
    pos_in_doc = np.arange(len(ids)) - starts[doc_of]
    # a repeated n-gram (n > 5) contains a repeated 5-gram: count uniques for the top-n sizes and the smallest
    # duplicate size only; the skip-scan then runs for documents with any repeat at that size
    min_dup = min(dup_ns) if dup_ns else None
    rep_docs: set[int] = set()
    for n in sorted(set(top_ns) | set(dup_ns)):
        if n in dup_ns and n != min_dup and n not in top_ns:
            for d, o in enumerate(outs):
                o[f"dup_{n}_gram"] = _skip_scan(d, n, starts, n_words, cum, ids) / n_text[d] if d in rep_docs else 0.0
            continue
        m = len(ids) - n + 1
        if m <= 0:
            for o in outs:
                if n in top_ns:
                    o[f"top_{n}_gram"] = 0.0
                if n in dup_ns:
                    o[f"dup_{n}_gram"] = 0.0
            continue
        key = np.zeros(m, dtype=np.uint64)
        for j in range(n):
            key = key * _MULT + ids[j : j + m]
        valid = pos_in_doc[:m] + n <= n_words[doc_of[:m]]
        pos = np.flatnonzero(valid)
        dkey = key[pos] * _MULT + doc_of[pos].astype(np.uint64)
        _, first, counts = np.unique(dkey, return_index=True, return_counts=True)
        first_pos = pos[first]
        first_doc = doc_of[first_pos]
        if n in top_ns:
            top_metric = np.zeros(len(ctxs))
            o_ = np.lexsort((first_pos, -counts, first_doc))
            head = np.concatenate([[True], first_doc[o_][1:] != first_doc[o_][:-1]])
            sel = o_[head]
            p0, cnt, dd = first_pos[sel], counts[sel], first_doc[sel]
            top_len = (cum[p0 + n] - cum[p0]) + (n - 1)
            top_metric[dd] = top_len * cnt / n_text[dd]
            for d, o in enumerate(outs):
                o[f"top_{n}_gram"] = float(top_metric[d])
        if n in dup_ns:
            if n == min_dup:
                rep_docs = set(np.unique(first_doc[counts > 1]).tolist())
            for d, o in enumerate(outs):
                o[f"dup_{n}_gram"] = _skip_scan(d, n, starts, n_words, cum, ids) / n_text[d] if d in rep_docs else 0.0
    return outs


def _skip_scan(d: int, n: int, starts: np.ndarray, n_words: np.ndarray, cum: np.ndarray, ids: np.ndarray) -> int:
    """DataTrove's ``find_all_duplicate`` on word ids: a repeated n-gram adds its characters and skips n words."""
    s0, L = int(starts[d]), int(n_words[d])
    if n > L:
        return 0
    seg = ids[s0 : s0 + L]
    m = L - n + 1
    key = np.zeros(m, dtype=np.uint64)
    for j in range(n):
        key = key * _MULT + seg[j : j + m]
    kl = key.tolist()
    seen: set[int] = set()
    rep = i = 0
    while i < m:
        if kl[i] in seen:
            rep += int(cum[s0 + i + n] - cum[s0 + i])
            i += n
        else:
            seen.add(kl[i])
            i += 1
    return rep



class GopherQuality(FilterFamily):
    key = "gopher_quality"
    defaults = QUALITY_DEFAULTS
    rules = QUALITY_RULES
    tag_params = ("stop_words",)
    falsy_disables = True

    def tag_one(self, doc: DocContext, block: object, params: Mapping[str, object]) -> Metrics:
        return quality_stats(doc, frozenset(params.get("stop_words") or GOPHER_STOP_WORDS_EN))  # type: ignore[arg-type]


class GopherRepetition(FilterFamily):
    """The n-gram sizes are tag parameters (a column per size); their thresholds are decided later."""

    key = "gopher_repetition"
    defaults = REPETITION_DEFAULTS
    falsy_disables = True

    @staticmethod
    def ngram_sizes(block: Any) -> tuple[list[int], list[int]]:
        """Sizes to tag: DataTrove's plus any the YAML adds (so a threshold change never re-tags)."""
        tops, dups = set(DEFAULT_TOP_NS), set(DEFAULT_DUP_NS)
        if block is not None:
            tops |= set(block.top_n_grams or {})
            dups |= set(block.dup_n_grams or {})
        return sorted(tops), sorted(dups)

    def tag_key(self, block: Any) -> Any:
        return self.ngram_sizes(block)

    def rules_for(self, block: Any) -> list[Rule]:
        """The rules of the configured sizes (DataTrove's when the YAML sets none)."""
        tops = sorted(set(block.top_n_grams or {}) or set(DEFAULT_TOP_NS)) if block else list(DEFAULT_TOP_NS)
        dups = sorted(set(block.dup_n_grams or {}) or set(DEFAULT_DUP_NS)) if block else list(DEFAULT_DUP_NS)
        return repetition_rules(tops, dups)

    def tag(self, docs: Sequence[DocContext], block: Any, params: ParamsFor) -> list[Metrics]:
        tops, dups = self.ngram_sizes(block)
        return repetition_stats_batch(list(docs), tops, dups)  # type: ignore[return-value]


GOPHER_QUALITY = GopherQuality()
GOPHER_REPETITION = GopherRepetition()
