"""The FineWeb quality family (Penedo et al. 2024, "The FineWeb Datasets"), as DataTrove 0.10.1
``FineWebQualityFilter`` defines it (huggingface/datatrove ``src/datatrove/pipeline/filters/fineweb_quality_filter.py``).

Current DataTrove semantics: non-empty lines only; a line
"ends in punctuation" if its last character is one of the 159 sentence-terminal characters (no rstrip, so
trailing spaces defeat it, as in DataTrove); drop if that ratio < 0.12, if lines <= 30 chars are > 0.67 of
lines, if characters in duplicated lines are > 0.01 of the non-newline characters, or if newlines per word
> 0.3.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from corpuslab.clean.constants import TERMINAL_PUNCTUATION
from corpuslab.clean.context import DocContext
from corpuslab.clean.family import DecideBatch, FilterFamily, Metrics, Rule
from corpuslab.clean.gopher import find_duplicates

DEFAULTS: dict[str, object] = {
    "line_punct_thr": 0.12,
    "line_punct_exclude_zero": False,
    "short_line_thr": 0.67,
    "short_line_length": 30,
    "char_duplicates_ratio": 0.01,
    "new_line_ratio": 0.3,
}
RULES: tuple[Rule, ...] = (
    ("empty", "empty", "flag", ""),
    ("line_punct_ratio", "line_punct_ratio", "<", "line_punct_thr"),
    ("short_line_ratio", "short_line_ratio", ">", "short_line_thr"),
    ("char_dup_ratio", "char_dup_ratio", ">", "char_duplicates_ratio"),
    ("list_ratio", "list_ratio", ">", "new_line_ratio"),
)


def fineweb_stats(ctx: DocContext, short_line_length: int = 30) -> dict[str, float]:
    text = ctx.text
    lines = [ln for ln in text.split("\n") if ln.strip() != ""]
    if not lines:
        return {"empty": 1.0, "line_punct_ratio": math.nan, "short_line_ratio": math.nan,
                "char_dup_ratio": math.nan, "list_ratio": math.nan}
    n = len(lines)
    n_words = len(ctx.words)
    non_nl = len(text) - text.count("\n")
    return {
        "empty": 0.0,
        "line_punct_ratio": sum(1 for ln in lines if ln[-1] in TERMINAL_PUNCTUATION) / n,
        "short_line_ratio": sum(1 for ln in lines if len(ln) <= short_line_length) / n,
        "char_dup_ratio": find_duplicates(lines)[1] / non_nl if non_nl else math.nan,
        "list_ratio": text.count("\n") / n_words if n_words else math.inf,
    }


class FineWebQuality(FilterFamily):
    key = "fineweb_quality"
    defaults = DEFAULTS
    rules = RULES
    #: short_line_length changes a metric, so it is a tag parameter
    tag_params = ("short_line_length",)

    def tag_one(self, doc: DocContext, block: object, params: Mapping[str, object]) -> Metrics:
        return fineweb_stats(doc, int(params["short_line_length"]))  # type: ignore[call-overload]

    def evaluate(self, rule: Rule, batch: DecideBatch) -> tuple[np.ndarray, np.ndarray] | None:
        result = super().evaluate(rule, batch)
        if result is None or rule[0] != "line_punct_ratio":
            return result
        fail, vals = result
        # line_punct_exclude_zero: a document without any punctuated line is not dropped by this rule
        exclude_zero = np.array([bool(batch.params[k].get("line_punct_exclude_zero")) for k in batch.uniq], dtype=bool)
        return fail & ~(exclude_zero[batch.inv] & (vals == 0)), vals


FINEWEB_QUALITY = FineWebQuality()
