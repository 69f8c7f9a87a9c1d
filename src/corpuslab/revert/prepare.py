"""``revert prepare``: time split, page-disjoint text-model/classifier split, balancing key
(trokhymovych/KI_multilingual_training ``modules/data_prepareration.py``).

- Train is every revision before ``split_date`` (reference: 2022-07-01; train Jan–Jun, test July), test
  the rest, so no test revision is earlier than any train revision.
- Revision wars are removed from both (``rw_filter=True`` in the reference).
- ``is_text_train``: per language, ``text_train_fraction`` (0.6) of the unique pages (seed 42) fine-tune
  the text models; revisions on the other pages train the classifier. Page-disjoint, so text-model
  scores are never computed on pages the text model saw.
- ``is_balanced``: within each language × anonymity group, every reverted revision plus an equal-size
  random sample of the others; ``balance_key`` = ``lang|anonymous|reverted`` names the cell. It is used
  only for balanced evaluation subsets, never to resample training data.
- An independent full test set (a ``--mode test`` collection) passes through with the same columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpuslab.core.atomic import atomic_path, write_json_atomic
from corpuslab.core.errors import DataError
from corpuslab.core.runcard import run_card
from corpuslab.core.runinfo import run_info
from corpuslab.revert.collect import read_collected
from corpuslab.revert.config import PrepareConfig, iso_timestamp


def _balance(table: pa.Table, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    lang = table["lang"].to_numpy(zero_copy_only=False)
    anon = table["is_anonymous"].to_numpy(zero_copy_only=False).astype(bool)
    y = table["is_reverted"].to_numpy(zero_copy_only=False).astype(bool)
    keys = [f"{lg}|{'anonymous' if a else 'registered'}|{'reverted' if v else 'kept'}" for lg, a, v in zip(lang, anon, y, strict=True)]
    balanced = np.zeros(len(y), dtype=bool)
    groups: dict[tuple[str, bool], list[int]] = {}
    for i, (lg, a) in enumerate(zip(lang, anon, strict=True)):
        groups.setdefault((lg, bool(a)), []).append(i)
    for g in sorted(groups):
        idx = np.array(groups[g])
        pos, neg = idx[y[idx]], idx[~y[idx]]
        balanced[pos] = True
        if len(neg):
            balanced[rng.choice(neg, size=min(len(pos), len(neg)), replace=False)] = True
    return balanced, keys


def _text_pages(table: pa.Table, fraction: float, seed: int) -> np.ndarray:
    lang = table["lang"].to_numpy(zero_copy_only=False)
    page = table["page_id"].to_numpy(zero_copy_only=False)
    out = np.zeros(len(lang), dtype=bool)
    for lg in sorted(set(lang)):
        m = lang == lg
        pages = np.unique(page[m])
        rng = np.random.default_rng(seed)
        chosen = rng.permutation(pages)[: int(round(fraction * len(pages)))]
        out[m] = np.isin(page[m], chosen)
    return out


def class_counts(table: pa.Table) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    if table.num_rows == 0:
        return out
    lang = table["lang"].to_numpy(zero_copy_only=False)
    y = table["is_reverted"].to_numpy(zero_copy_only=False).astype(bool)
    anon = table["is_anonymous"].to_numpy(zero_copy_only=False).astype(bool)
    for lg in sorted(set(lang)):
        m = lang == lg
        out[lg] = {"revisions": int(m.sum()), "reverted": int(y[m].sum()), "kept": int((~y[m]).sum()),
                   "anonymous": int(anon[m].sum()), "anonymous_reverted": int((y & anon)[m].sum())}
    return out


def _write_parquet(table: pa.Table, path: Path) -> None:
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def prepare(cfg: PrepareConfig) -> dict[str, Any]:
    """Write ``train.parquet``/``test.parquet`` (and ``full_test.parquet``) plus ``prepare.json`` to ``cfg.out``."""
    inputs = {"collected": cfg.collected, "full_test": cfg.full_test}
    with run_card(cfg.out, "revert-prepare", cfg, inputs={k: v for k, v in inputs.items() if v is not None}) as card:
        report = _prepare(cfg)
        card.counts.update({f"rows_{k}": v for k, v in report["rows"].items()},
                           revision_wars_dropped=report["revision_wars_dropped"],
                           split_timestamp=report["split_timestamp"],
                           text_model_rows=_total(report["counts"]["train_text_model"]),
                           classifier_rows=_total(report["counts"]["train_classifier"]))
        card.outputs.update({k: f"{k}.parquet" for k in report["rows"]}, report="prepare.json")
    return report


def _total(per_lang: dict[str, dict[str, int]]) -> int:
    return sum(v["revisions"] for v in per_lang.values())


def _prepare(cfg: PrepareConfig) -> dict[str, Any]:
    out = Path(cfg.out)
    table = read_collected(cfg.collected)
    if table.num_rows == 0:
        raise DataError(f"{cfg.collected}: no revisions to prepare")
    n_wars = 0
    if cfg.drop_revision_wars:
        n_wars = int(pc.sum(table["is_revision_war"]).as_py() or 0)
        table = table.filter(pc.invert(pc.fill_null(table["is_revision_war"], False)))
    ts = table["timestamp"].to_numpy(zero_copy_only=False)
    split = iso_timestamp(cfg.split_date) if cfg.split_date else str(np.sort(ts)[int(cfg.train_fraction * (len(ts) - 1))])
    is_train = ts < split
    train, test = table.filter(pa.array(is_train)), table.filter(pa.array(~is_train))
    rng = np.random.default_rng(cfg.seed)
    train = train.append_column("is_text_train", pa.array(_text_pages(train, cfg.text_train_fraction, cfg.seed)))
    parts: dict[str, pa.Table] = {"train": train, "test": test}
    if cfg.full_test is not None:
        ft = read_collected(cfg.full_test)
        if cfg.drop_revision_wars:
            ft = ft.filter(pc.invert(pc.fill_null(ft["is_revision_war"], False)))
        parts["full_test"] = ft
    for name, t in list(parts.items()):
        bal, keys = _balance(t, rng)
        parts[name] = t.append_column("is_balanced", pa.array(bal)).append_column("balance_key", pa.array(keys, pa.string()))
        _write_parquet(parts[name], out / f"{name}.parquet")
    tt = parts["train"]["is_text_train"].to_numpy(zero_copy_only=False).astype(bool)
    counts = {
        "train_text_model": class_counts(parts["train"].filter(pa.array(tt))),
        "train_classifier": class_counts(parts["train"].filter(pa.array(~tt))),
        "test": class_counts(parts["test"]),
    }
    if "full_test" in parts:
        counts["full_test"] = class_counts(parts["full_test"])
    report = {"collected": str(cfg.collected), "full_test": str(cfg.full_test) if cfg.full_test else None,
              "config": cfg.settings(), "split_timestamp": split, "revision_wars_dropped": n_wars,
              "rows": {k: v.num_rows for k, v in parts.items()}, "counts": counts, **run_info()}
    write_json_atomic(out / "prepare.json", report)
    return report


def read_part(prepared: str | Path, name: str) -> pa.Table:
    p = Path(prepared) / f"{name}.parquet"
    if not p.exists():
        raise DataError(f"{p}: not found (run `corpuslab revert prepare` first)")
    return pq.read_table(p)
