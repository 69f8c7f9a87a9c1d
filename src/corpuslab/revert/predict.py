"""``revert score``: P(reverted) for new revisions from a saved model (no labels needed).

Input is either a feature table (``revert features`` output) or collected revisions (``revert
collect`` output), in which case features are computed first with the given text models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from corpuslab.core.atomic import atomic_path
from corpuslab.core.errors import DataError
from corpuslab.core.runcard import run_card
from corpuslab.revert.classifier import load_classifier, score_table
from corpuslab.revert.config import ScoreConfig


def score_revisions(cfg: ScoreConfig) -> dict[str, Any]:
    """Write ``rev_id, lang, page_id, timestamp, revert_risk, revert_risk_logistic`` to ``cfg.out``."""
    from corpuslab.revert.collect import read_collected
    from corpuslab.revert.features import NUMERIC_FEATURES, build_features

    p = Path(cfg.inputs)
    if p.is_file() and p.suffix == ".parquet":
        table = pq.read_table(p)
    elif p.is_dir():
        table = read_collected(p)
    else:
        raise DataError(f"{p}: expected a features .parquet file or a `revert collect` output folder")
    if not set(NUMERIC_FEATURES) <= set(table.column_names):
        table = build_features(table, cfg.text_models, max_length=cfg.max_length)
    with run_card(cfg.out, "revert-score", cfg, inputs={"model": cfg.model, "inputs": cfg.inputs},
                  single_file=True) as card:
        p_model, p_lr = score_table(load_classifier(cfg.model), table)
        cols = {c: table[c] for c in ("rev_id", "lang", "page_id", "timestamp") if c in table.column_names}
        cols["revert_risk"] = pa.array(p_model)
        cols["revert_risk_logistic"] = pa.array(p_lr)
        out = pa.table(cols)
        with atomic_path(cfg.out) as tmp:
            pq.write_table(out, tmp)
        res = {"rows": out.num_rows, "out": str(cfg.out), "mean_risk": float(p_model.mean()) if len(p_model) else None}
        card.counts.update(rows=res["rows"], mean_risk=res["mean_risk"])
        card.outputs["scores"] = Path(cfg.out).name
    return res
