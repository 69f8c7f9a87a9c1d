"""FineWeb quality rules (Penedo et al. 2024), as DataTrove 0.10.1 ``FineWebQualityFilter`` defines them.

Current DataTrove semantics (``shared/reference/data_processing.md`` §3.4): non-empty lines only; a line
"ends in punctuation" if its last character is one of the 159 sentence-terminal characters (no rstrip, so
trailing spaces defeat it, as in DataTrove); drop if that ratio < 0.12, if lines <= 30 chars are > 0.67 of
lines, if characters in duplicated lines are > 0.01 of the non-newline characters, or if newlines per word
> 0.3.
"""

from __future__ import annotations

import math

from corpuslab.clean.constants import TERMINAL_PUNCTUATION
from corpuslab.clean.context import DocContext
from corpuslab.clean.gopher import find_duplicates

DEFAULTS: dict[str, object] = {
    "line_punct_thr": 0.12,
    "line_punct_exclude_zero": False,
    "short_line_thr": 0.67,
    "short_line_length": 30,
    "char_duplicates_ratio": 0.01,
    "new_line_ratio": 0.3,
}
RULES: list[tuple[str, str, str, str]] = [
    ("empty", "empty", "flag", ""),
    ("line_punct_ratio", "line_punct_ratio", "<", "line_punct_thr"),
    ("short_line_ratio", "short_line_ratio", ">", "short_line_thr"),
    ("char_dup_ratio", "char_dup_ratio", ">", "char_duplicates_ratio"),
    ("list_ratio", "list_ratio", ">", "new_line_ratio"),
]
#: short_line_length changes a metric, so it is a tag parameter.
TAG_PARAMS = ("short_line_length",)


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
