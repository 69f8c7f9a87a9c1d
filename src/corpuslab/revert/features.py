"""``revert features``: one fixed-width feature vector per revision (trokhymovych/KI_multilingual_training
``modules/feature_builder.py`` and ``modules/train_model.py``).

For each text model (change, insert, remove) applied to every piece of its kind: the raw logits
``s0, s1`` and softmax ``p0, p1``, each as max and mean over the edit's pieces (8 × 3 = 24); the title
model's score; missing values are −1 as in the reference. Plus the byte change, edit-type counts,
``is_anonymous``, the 16 user-group flags, the edit-interface tag flags and the language (categorical).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from corpuslab.core.atomic import atomic_path, read_json, write_json_atomic
from corpuslab.core.errors import DataError
from corpuslab.core.runcard import run_card
from corpuslab.core.runinfo import run_info
from corpuslab.revert.config import FeaturesConfig
from corpuslab.revert.diff import EDIT_TYPE_COLUMNS
from corpuslab.revert.prepare import read_part
from corpuslab.revert.schema import INTERFACE_TAGS, USER_GROUPS

PIECE_KINDS = ("change", "insert", "remove")
MLM_COLUMNS: list[str] = [f"{k}_{v}_{a}" for k in PIECE_KINDS for v in ("s0", "s1", "p0", "p1") for a in ("max", "mean")]
GROUP_COLUMNS = [f"group_{g}" for g in USER_GROUPS]
TAG_COLUMNS = [f"tag_{t.replace(' ', '_')}" for t in INTERFACE_TAGS]
CAT_FEATURES = ["lang"]
NUMERIC_FEATURES: list[str] = (["bytes_diff", *EDIT_TYPE_COLUMNS, "is_anonymous", *GROUP_COLUMNS, *TAG_COLUMNS,
                                *MLM_COLUMNS, "title_score"])
FEATURE_COLUMNS: list[str] = CAT_FEATURES + NUMERIC_FEATURES
META_COLUMNS = ["rev_id", "page_id", "timestamp", "is_reverted", "balance_key", "is_balanced"]
MISSING = -1.0


def _score_texts(model: Any, tok: Any, xs: list[Any], batch_size: int, max_length: int, device: str) -> np.ndarray:
    """Logits for unique inputs, longest first so batches pad little."""
    import torch

    from corpuslab.revert.textmodels import tokenize_inputs

    out = np.zeros((len(xs), model.config.num_labels), dtype=np.float32)
    order = sorted(range(len(xs)), key=lambda i: -len(xs[i][0] + xs[i][1]) if isinstance(xs[i], tuple) else -len(xs[i]))
    model.eval()
    from tqdm.auto import tqdm

    starts = range(0, len(order), batch_size)
    with torch.no_grad():
        for s in tqdm(starts, desc="text-model scores", disable=len(starts) < 20, leave=False):
            ids = order[s: s + batch_size]
            enc = tokenize_inputs(tok, [xs[i] for i in ids], max_length)
            batch = tok.pad(enc, return_tensors="pt")
            batch = {k: v.to(device) for k, v in batch.items() if k in ("input_ids", "attention_mask", "token_type_ids")}
            out[ids] = model(**batch).logits.float().cpu().numpy()
    return out


def _load_text_model(text_models: Path, kind: str, device: str) -> tuple[Any, Any] | None:
    d = text_models / kind
    if not (d / "config.json").exists():
        return None
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    tok = AutoTokenizer.from_pretrained(str(d))
    model = AutoModelForSequenceClassification.from_pretrained(str(d)).to(device)
    return model, tok


def mlm_features(table: pa.Table, text_models: str | Path | None, batch_size: int = 32, max_length: int = 512,
                 device: str | None = None) -> dict[str, np.ndarray]:
    """The 24 piece statistics + title score per revision; −1 where a model or a piece is missing."""
    from corpuslab.models.loading import pick_device

    n = table.num_rows
    cols = {c: np.full(n, MISSING, dtype=np.float32) for c in [*MLM_COLUMNS, "title_score"]}
    if text_models is None or n == 0:
        return cols
    tm = Path(text_models)
    dev = pick_device(device)
    for kind in PIECE_KINDS:
        loaded = _load_text_model(tm, kind, dev)
        if loaded is None:
            continue
        if kind == "change":
            olds, news = table["texts_change_old"].to_pylist(), table["texts_change_new"].to_pylist()
            pieces = [list(zip(o or [], w or [], strict=False)) for o, w in zip(olds, news, strict=True)]
        else:
            pieces = [p or [] for p in table["texts_insert" if kind == "insert" else "texts_remove"].to_pylist()]
        uniq = {x: i for i, x in enumerate(dict.fromkeys(x for ps in pieces for x in ps))}
        if not uniq:
            continue
        logits = _score_texts(*loaded, list(uniq), batch_size, max_length, dev)
        z = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        vals = np.concatenate([logits, probs], axis=1)  # s0 s1 p0 p1
        for r, ps in enumerate(pieces):
            if not ps:
                continue
            v = vals[[uniq[x] for x in ps]]
            for j, name in enumerate(("s0", "s1", "p0", "p1")):
                cols[f"{kind}_{name}_max"][r] = v[:, j].max()
                cols[f"{kind}_{name}_mean"][r] = v[:, j].mean()
    loaded = _load_text_model(tm, "title", dev)
    if loaded is not None:
        titles = table["page_title"].to_pylist()
        uniq_t = {t: i for i, t in enumerate(dict.fromkeys(t or "" for t in titles))}
        scores = _score_texts(*loaded, list(uniq_t), batch_size, max_length, dev)[:, 0]
        cols["title_score"] = np.array([scores[uniq_t[t or ""]] for t in titles], dtype=np.float32)
    return cols


def build_features(table: pa.Table, text_models: str | Path | None = None, batch_size: int = 32,
                   max_length: int = 512, device: str | None = None) -> pa.Table:
    """Feature table: meta columns, ``lang`` and the numeric features in :data:`FEATURE_COLUMNS` order."""
    n = table.num_rows
    cols: dict[str, Any] = {c: table[c] for c in META_COLUMNS if c in table.column_names}
    cols["lang"] = table["lang"]
    bd = table["bytes_diff"].to_numpy(zero_copy_only=False)
    cols["bytes_diff"] = np.where(np.isnan(bd.astype(np.float64)), MISSING, bd).astype(np.float32)
    for c in EDIT_TYPE_COLUMNS:
        v = table[c].to_numpy(zero_copy_only=False).astype(np.float64)
        cols[c] = np.where(np.isnan(v), MISSING, v).astype(np.float32)
    cols["is_anonymous"] = table["is_anonymous"].to_numpy(zero_copy_only=False).astype(np.float32)
    groups = [set(g or ()) for g in table["user_groups"].to_pylist()]
    for g, c in zip(USER_GROUPS, GROUP_COLUMNS, strict=True):
        cols[c] = np.fromiter((g in s for s in groups), dtype=np.float32, count=n)
    tags = [set(t or ()) for t in table["tags"].to_pylist()]
    for t, c in zip(INTERFACE_TAGS, TAG_COLUMNS, strict=True):
        cols[c] = np.fromiter((t in s for s in tags), dtype=np.float32, count=n)
    cols.update(mlm_features(table, text_models, batch_size, max_length, device))
    return pa.table(cols)


def features(cfg: FeaturesConfig) -> dict[str, Any]:
    """Features for the classifier part of train, the test set and the full test set (when present)."""
    text_models = cfg.text_models
    if text_models is not None and not Path(text_models).exists():
        raise DataError(f"{text_models}: text-model folder not found (run `corpuslab revert tune`)")
    inputs = {"prepared": cfg.prepared, **({"text_models": text_models} if text_models is not None else {})}
    with run_card(cfg.out, "revert-features", cfg, inputs=inputs) as card:
        report = _features(cfg)
        card.counts.update({f"rows_{k}": v for k, v in report["rows"].items()},
                           feature_columns=len(report["feature_columns"]), text_feature_coverage=report["coverage"])
        card.outputs.update({k: f"{k}.parquet" for k in report["rows"]}, report="features.json")
    return report


def _features(cfg: FeaturesConfig) -> dict[str, Any]:
    out, prepared, text_models = Path(cfg.out), Path(cfg.prepared), cfg.text_models
    report: dict[str, Any] = {"prepared": str(prepared), "text_models": str(text_models) if text_models else None,
                              "feature_columns": FEATURE_COLUMNS, "cat_features": CAT_FEATURES, "rows": {},
                              "coverage": {}}
    if text_models is not None and (Path(text_models) / "tune.json").exists():
        report["tune"] = {k: ("skipped" if "skipped" in v else "trained")
                          for k, v in read_json(Path(text_models) / "tune.json")["models"].items()}
    for name in ("train", "test", "full_test"):
        if name == "full_test" and not (prepared / "full_test.parquet").exists():
            continue
        t = read_part(prepared, name)
        if name == "train":
            t = t.filter(pa.compute.invert(t["is_text_train"]))  # page-disjoint from the text models
        ft = build_features(t, text_models, cfg.batch_size, cfg.max_length, cfg.device)
        with atomic_path(out / f"{name}.parquet") as tmp:
            pq.write_table(ft, tmp)
        report["rows"][name] = ft.num_rows
        report["coverage"][name] = {k: round(float((ft[f"{k}_p1_max"].to_numpy() != MISSING).mean()), 4) if ft.num_rows else 0.0
                                    for k in PIECE_KINDS}
    report.update(run_info())
    write_json_atomic(out / "features.json", report)
    return report
