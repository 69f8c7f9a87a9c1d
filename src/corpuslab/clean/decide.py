"""Decide: apply thresholds to the stored tags, vectorised with NumPy; no text is read.

For each step in the configured order, its rules are tested in the reference implementation's order and
the first failing rule is the document's drop reason, with the metric value that failed. A threshold of
``None`` disables a rule; as in DataTrove, a falsy Gopher threshold (0) disables it too. Thresholds can
differ per document language (FineWeb-2 profiles), so each threshold becomes a per-document array.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from corpuslab.clean import c4, fineweb, gopher, lang, length
from corpuslab.clean.config import CleanConfig
from corpuslab.clean.tag import step_params

_OPS = {
    "<": np.less,
    ">": np.greater,
    "<=": np.less_equal,
    ">=": np.greater_equal,
}


@dataclass
class Decision:
    """Per document: ``reason`` ("" = kept, else ``step:rule``), the failing metric ``value``, and the index
    of the step that dropped it (``-1`` kept; 0 = input checks; k = k-th filter step, 1-based)."""

    reason: np.ndarray
    value: np.ndarray
    step_index: np.ndarray

    @property
    def kept(self) -> np.ndarray:
        return self.step_index < 0


def rules_for(cfg: CleanConfig, step: str) -> list[tuple[str, str, str, str]]:
    if step == "gopher_quality":
        return gopher.QUALITY_RULES
    if step == "gopher_repetition":
        f = cfg.filtering
        g = f.gopher_repetition if f else None
        tops = sorted(set(g.top_n_grams or {}) or {2, 3, 4}) if g else [2, 3, 4]
        dups = sorted(set(g.dup_n_grams or {}) or {5, 6, 7, 8, 9, 10}) if g else [5, 6, 7, 8, 9, 10]
        return gopher.repetition_rules(tops, dups)
    if step == "c4":
        return c4.RULES
    if step == "fineweb_quality":
        return fineweb.RULES
    if step == "language":
        return lang.RULES
    if step in ("min_length", "max_length", "length"):
        return length.LENGTH_RULES
    if step == "exclude_keywords":
        return length.KEYWORD_RULES
    raise KeyError(step)  # pragma: no cover


def _param(p: dict[str, Any], name: str) -> Any:
    if "." in name:
        head, n = name.split(".", 1)
        d = p.get(head) or {}
        return d.get(int(n), d.get(n))
    return p.get(name)


def _col(table: pa.Table, name: str, n: int) -> np.ndarray:
    if name not in table.column_names:
        return np.full(n, np.nan)
    return table.column(name).to_numpy(zero_copy_only=False).astype(np.float64, copy=False)


def decide(table: pa.Table, cfg: CleanConfig) -> Decision:
    """Keep/drop every row of a tag table under ``cfg``'s thresholds."""
    n = table.num_rows
    reason = np.full(n, "", dtype=object)
    value = np.full(n, np.nan)
    step_index = np.full(n, -1, dtype=np.int64)
    status = np.asarray(table.column("status").to_pylist(), dtype=object)
    for st in ("huge_document", "empty"):
        m = (status == st) & (step_index < 0)
        reason[m] = f"input:{st}"
        step_index[m] = 0
        value[m] = np.asarray(table.column("chars_in").to_numpy(), dtype=np.float64)[m]
    per_language = cfg.filtering.per_language if cfg.filtering else True
    langs = np.asarray(table.column("lang").to_pylist(), dtype=object)
    lang_key = langs if per_language else np.full(n, "en", dtype=object)
    uniq_arr, inv = np.unique(lang_key.astype(str), return_inverse=True)
    uniq = uniq_arr.tolist()
    for si, step in enumerate(cfg.steps, start=1):
        params = {lg: step_params(cfg, step, lg or None) for lg in uniq}
        alive = step_index < 0
        if not alive.any():
            break
        for rname, metric, op, pname in rules_for(cfg, step):
            if step == "language" and metric == "not_kept":
                keep_sets = {lg: set(p.get("keep") or []) for lg, p in params.items()}
                fail = np.zeros(n, dtype=bool)
                for lg, ks in keep_sets.items():
                    if ks:
                        fail |= (lang_key == lg) & ~np.isin(langs.astype(str), list(ks))
                vals = np.zeros(n)
            else:
                vals = _col(table, f"{step}.{metric}", n)
                if op == "flag":
                    fail = vals > 0
                else:
                    thr_by_lang = {lg: _param(p, pname) for lg, p in params.items()}
                    if step == "exclude_keywords":
                        thr_by_lang = {lg: cfg.filtering.exclude_keywords.max_hits for lg in uniq}  # type: ignore[union-attr]
                    disabled = {
                        lg: t is None or (step.startswith("gopher") and not t) for lg, t in thr_by_lang.items()
                    }
                    if all(disabled.values()):
                        continue
                    thr = np.array([np.nan if disabled[k] else float(thr_by_lang[k]) for k in uniq], dtype=np.float64)[inv]
                    with np.errstate(invalid="ignore"):
                        fail = _OPS[op](vals, thr) & ~np.isnan(thr)
                    if step == "fineweb_quality" and rname == "line_punct_ratio":
                        ez = np.array([bool(params[k].get("line_punct_exclude_zero")) for k in uniq], dtype=bool)[inv]
                        fail &= ~(ez & (vals == 0))
            m = fail & (step_index < 0)
            reason[m] = f"{step}:{rname}"
            value[m] = vals[m]
            step_index[m] = si
    return Decision(reason=reason, value=value, step_index=step_index)
