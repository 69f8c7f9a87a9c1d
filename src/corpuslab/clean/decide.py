"""Decide: apply thresholds to the stored tags, vectorised with NumPy; no text is read.

For each step in the configured order, its family's rules are tested in the reference implementation's
order and the first failing rule is the document's drop reason, with the metric value that failed. A
threshold of ``None`` disables a rule (so does a falsy Gopher threshold, as in DataTrove). Thresholds can
differ per document language (FineWeb-2 profiles), so each threshold becomes a per-document array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from corpuslab.clean.config import CleanConfig
from corpuslab.clean.families import family, step_block, step_params
from corpuslab.clean.family import DecideBatch


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
        alive = step_index < 0
        if not alive.any():
            break
        fam = family(step)
        batch = DecideBatch(table=table, langs=langs, lang_key=lang_key, uniq=uniq, inv=inv, alive=alive,
                            params={lg: step_params(cfg, step, lg or None) for lg in uniq}, per_language=per_language)
        for rule in fam.rules_for(step_block(cfg, step)):
            result = fam.evaluate(rule, batch)
            if result is None:
                continue
            fail, vals = result
            m = fail & (step_index < 0)
            reason[m] = f"{step}:{rule[0]}"
            value[m] = vals[m]
            step_index[m] = si
    return Decision(reason=reason, value=value, step_index=step_index)
