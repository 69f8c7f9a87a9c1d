"""``revert train``: gradient-boosted revert classifier + a plain logistic-regression baseline
(trokhymovych/KI_multilingual_training ``modules/train_model.py``).

Reference: ``CatBoostClassifier(iterations=5000, learning_rate=0.01)`` with sklearn's
``compute_class_weight('balanced')`` weights, no resampling, a 90/10 stratified train/eval split, NaN
→ −1 and the wiki as a categorical feature. LightGBM is the alternative backend. Artefacts are native
model files (``model.cbm`` / ``model.txt``) and JSON (``model.json``: features, settings, metrics; the
logistic regression's scaler and coefficients) — no pickle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from corpuslab.core.atomic import atomic_path, read_json, write_json_atomic
from corpuslab.core.errors import ConfigError, DataError
from corpuslab.core.runcard import run_card
from corpuslab.core.runinfo import package_versions, run_info
from corpuslab.core.streams import open_read
from corpuslab.revert.config import Backend, ClassifierConfig, TrainConfig
from corpuslab.revert.metrics import binary_metrics

#: the booster's native model file, per backend
MODEL_FILES: dict[str, str] = {"catboost": "model.cbm", "lightgbm": "model.txt"}


def class_weights(y: np.ndarray) -> dict[int, float]:
    """sklearn's 'balanced': n / (n_classes · count(class))."""
    counts = np.bincount(y.astype(int), minlength=2)
    return {c: float(len(y) / (2 * counts[c])) if counts[c] else 1.0 for c in (0, 1)}


def _feature_frame(x_num: np.ndarray, names: list[str], cats: dict[str, np.ndarray]) -> Any:
    """The booster's input: NaN → −1 as in the reference, categorical columns (first) as text."""
    import pandas as pd

    df = pd.DataFrame(np.where(np.isnan(x_num), -1.0, x_num), columns=names)
    for c, v in cats.items():
        df.insert(0, c, pd.Series(v, dtype="string").fillna("unknown").astype(str))
    return df


class RevertClassifier:
    """A trained booster plus its feature list; ``predict_proba`` returns P(reverted)."""

    def __init__(self, backend: Backend, model: Any, numeric: list[str], cat: list[str],
                 categories: dict[str, list[str]] | None = None, meta: dict[str, Any] | None = None):
        self.backend, self.model, self.numeric, self.cat = backend, model, numeric, cat
        self.categories = categories or {}
        self.meta = meta or {}

    def _df(self, x_num: np.ndarray, cats: dict[str, np.ndarray]) -> Any:
        df = _feature_frame(x_num, self.numeric, {c: cats[c] for c in self.cat})
        if self.backend == "lightgbm":
            import pandas as pd

            for c in self.cat:
                df[c] = pd.Categorical(df[c], categories=self.categories.get(c, []))
        return df

    def predict_proba(self, x_num: np.ndarray, cats: dict[str, np.ndarray] | None = None) -> np.ndarray:
        df = self._df(x_num, cats or {})
        if self.backend == "catboost":
            return self.model.predict_proba(df)[:, 1]
        return self.model.predict(df)

    def save(self, out_dir: str | Path, extra: dict[str, Any] | None = None) -> Path:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        fname = MODEL_FILES[self.backend]
        with atomic_path(out / fname) as tmp:
            if self.backend == "catboost":
                self.model.save_model(tmp, format="cbm")
            else:
                self.model.save_model(tmp)
        meta = {**self.meta, **(extra or {}), "backend": self.backend, "model_file": fname,
                "numeric_features": self.numeric, "cat_features": self.cat, "categories": self.categories,
                "versions": package_versions(("catboost", "lightgbm", "scikit-learn", "numpy"))}
        write_json_atomic(out / "model.json", meta)
        self.meta = meta
        return out


def fit_booster(x_num: np.ndarray, y: np.ndarray, numeric: list[str], cats: dict[str, np.ndarray] | None = None,
                cfg: ClassifierConfig | None = None) -> RevertClassifier:
    """Train on a 90/10 stratified split (the 10 % picks the best iteration), balanced class weights."""
    from sklearn.model_selection import train_test_split

    cfg = cfg or ClassifierConfig()
    cats = cats or {}
    y = y.astype(int)
    idx = np.arange(len(y))
    strat = y if np.bincount(y, minlength=2).min() >= 2 else None
    tr, ev = train_test_split(idx, test_size=cfg.eval_fraction, random_state=cfg.seed, stratify=strat)
    w = class_weights(y[tr]) if cfg.class_weights == "balanced" else {0: 1.0, 1: 1.0}
    cat_names = list(cats)
    df = _feature_frame(x_num, numeric, cats)
    meta = {"config": cfg.settings(), "class_weights": w, "n_train": len(tr), "n_eval": len(ev),
            "positives": int(y.sum())}
    if cfg.backend == "catboost":
        from catboost import CatBoostClassifier, Pool

        model = CatBoostClassifier(iterations=cfg.iterations, learning_rate=cfg.learning_rate, class_weights=w,
                                   random_seed=cfg.seed, verbose=False, allow_writing_files=False,
                                   thread_count=cfg.threads or -1, eval_metric="AUC", use_best_model=True)
        model.fit(Pool(df.iloc[tr], y[tr], cat_features=cat_names), eval_set=Pool(df.iloc[ev], y[ev], cat_features=cat_names))
        meta["best_iteration"] = int(model.get_best_iteration() or 0)
        return RevertClassifier("catboost", model, numeric, cat_names, meta=meta)
    import lightgbm as lgb
    import pandas as pd

    categories = {c: sorted(set(df[c])) for c in cat_names}
    for c in cat_names:
        df[c] = pd.Categorical(df[c], categories=categories[c])
    weights = np.array([w[v] for v in y])
    params = {"objective": "binary", "learning_rate": cfg.learning_rate, "seed": cfg.seed, "verbose": -1,
              "metric": "auc", "num_threads": cfg.threads or 0, "min_data_in_leaf": 5}
    dtr = lgb.Dataset(df.iloc[tr], y[tr], weight=weights[tr], categorical_feature=cat_names or "auto")
    dev = lgb.Dataset(df.iloc[ev], y[ev], weight=weights[ev], reference=dtr)
    booster = lgb.train(params, dtr, num_boost_round=cfg.iterations, valid_sets=[dev],
                        callbacks=[lgb.early_stopping(max(50, cfg.iterations // 10), verbose=False)])
    meta["best_iteration"] = int(booster.best_iteration or cfg.iterations)
    return RevertClassifier("lightgbm", booster, numeric, cat_names, categories, meta)


def load_classifier(model_dir: str | Path) -> RevertClassifier:
    d = Path(model_dir)
    meta_path = d / "model.json"
    if not meta_path.exists():
        raise DataError(f"{d}: no model.json (train one with `corpuslab revert train`)")
    meta = read_json(meta_path)
    f = d / meta["model_file"]
    if meta["backend"] == "catboost":
        from catboost import CatBoostClassifier

        model = CatBoostClassifier()
        model.load_model(str(f), format="cbm")
    else:
        import lightgbm as lgb

        model = lgb.Booster(model_file=str(f))
    return RevertClassifier(meta["backend"], model, meta["numeric_features"], meta["cat_features"],
                            meta.get("categories"), meta)


# ---- logistic regression baseline (JSON-serialisable) -----------------------------------------------


def fit_logistic(x: np.ndarray, y: np.ndarray, seed: int = 42) -> dict[str, Any]:
    """Standardised features + L2 logistic regression with balanced weights; returned as plain numbers."""
    from sklearn.linear_model import LogisticRegression

    x = np.where(np.isnan(x), -1.0, x)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(max_iter=2000, class_weight="balanced", random_state=seed)
    lr.fit((x - mean) / scale, y.astype(int))
    return {"mean": mean.tolist(), "scale": scale.tolist(), "coef": lr.coef_[0].tolist(),
            "intercept": float(lr.intercept_[0])}


def logistic_proba(params: dict[str, Any], x: np.ndarray) -> np.ndarray:
    x = np.where(np.isnan(x), -1.0, x)
    z = ((x - np.array(params["mean"])) / np.array(params["scale"])) @ np.array(params["coef"]) + params["intercept"]
    return 1.0 / (1.0 + np.exp(-z))


def one_hot(values: np.ndarray, categories: list[str]) -> np.ndarray:
    return np.stack([(values == c).astype(np.float64) for c in categories], axis=1) if categories else np.zeros((len(values), 0))


# ---- tabular tables (ORES editquality feature files) --------------------------------------------------


def load_feature_table(path: str | Path, id_column: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A headerless TSV of feature values whose last column is the label (ORES editquality format).

    ``True``/``False`` become 1/0; a row with a non-numeric value or a different width raises DataError
    naming the file and line. ``id_column`` is dropped: in the editquality demo tables column 0 is the
    revision id (it matches ``enwiki.rev_reverted.20k_2015.tsv``), an identifier rather than a feature.
    """
    rows: list[list[float]] = []
    labels: list[int] = []
    width = None
    conv = {"true": 1.0, "false": 0.0}
    with open_read(path) as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.decode("utf-8").rstrip("\n")
            if not line:
                continue
            f = line.split("\t")
            if width is None:
                width = len(f)
            if len(f) != width:
                raise DataError(f"{path}:{lineno}: expected {width} columns, got {len(f)}")
            try:
                vals = [conv[v.lower()] if v.lower() in conv else float(v) for v in f]
            except ValueError as e:
                raise DataError(f"{path}:{lineno}: non-numeric value ({e})") from e
            feats = vals[:-1]
            if id_column is not None:
                del feats[id_column]
            rows.append(feats)
            labels.append(int(vals[-1]))
    if not rows:
        raise DataError(f"{path}: empty feature table")
    return np.array(rows, dtype=np.float64), np.array(labels, dtype=np.int64)


def compare_on_table(cfg: TrainConfig) -> dict[str, Any]:
    """Booster vs logistic regression on the same train/test feature tables: ROC AUC and PR AUC each.

    The booster (with the logistic coefficients and the comparison in ``model.json``) and
    ``metrics.json`` are written to ``cfg.out``.
    """
    if cfg.table_train is None or cfg.table_test is None:
        raise ConfigError("compare_on_table: give table_train and table_test")
    train_path, test_path = cfg.table_train, cfg.table_test
    xtr, ytr = load_feature_table(train_path, cfg.id_column)
    xte, yte = load_feature_table(test_path, cfg.id_column)
    if xtr.shape[1] != xte.shape[1]:
        raise DataError(f"{test_path}: {xte.shape[1]} features, but {train_path} has {xtr.shape[1]}")
    names = [f"f{i}" for i in range(xtr.shape[1])]
    clf = fit_booster(xtr, ytr, names, None, cfg)
    lr = fit_logistic(xtr, ytr, cfg.seed)
    p_b = clf.predict_proba(xte)
    p_l = logistic_proba(lr, xte)
    res = {"train": str(train_path), "test": str(test_path), "n_train": len(ytr), "n_test": len(yte),
           "test_positives": int(yte.sum()), "id_column": cfg.id_column, "backend": cfg.backend,
           "iterations": cfg.iterations, cfg.backend: binary_metrics(yte, p_b),
           "logistic_regression": binary_metrics(yte, p_l)}
    res["overall"] = res[cfg.backend]
    clf.save(cfg.out, {"logistic_regression": lr, "table_comparison": {k: v for k, v in res.items() if k != "overall"}})
    write_json_atomic(Path(cfg.out) / "metrics.json", res)
    return res


# ---- the pipeline's train step ------------------------------------------------------------------------


def feature_arrays(table: pa.Table, numeric: list[str]) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(numeric feature matrix, labels — empty without ``is_reverted`` —, categorical columns) of a feature table."""
    missing = [c for c in numeric if c not in table.column_names]
    if missing:
        raise DataError(f"feature table lacks columns {missing[:5]} (built by another version of `revert features`?)")
    x = np.stack([table[c].to_numpy(zero_copy_only=False).astype(np.float64) for c in numeric], axis=1)
    y = table["is_reverted"].to_numpy(zero_copy_only=False).astype(int) if "is_reverted" in table.column_names else np.zeros(0)
    cats = {"lang": table["lang"].to_numpy(zero_copy_only=False).astype(str)}
    return x, y, cats


def train(cfg: TrainConfig) -> dict[str, Any]:
    """``revert train``: the booster + logistic baseline on ``cfg.features_dir/train.parquet``, or, with
    ``table_train``/``table_test``, both compared on a feature table (:func:`compare_on_table`'s result)."""
    on_table = cfg.table_train is not None
    if on_table:
        inputs = {"table_train": cfg.table_train, "table_test": cfg.table_test}
    else:
        inputs = {"features": _features_train_file(cfg.features_dir)}
    with run_card(cfg.out, "revert-train", cfg, inputs=inputs) as card:
        if on_table:
            res = compare_on_table(cfg)
            card.counts.update(train_rows=res["n_train"], test_rows=res["n_test"], test_reverted=res["test_positives"])
            for k in (cfg.backend, "logistic_regression"):
                card.counts.update({f"{k}_roc_auc": res[k]["roc_auc"], f"{k}_pr_auc": res[k]["pr_auc"]})
            card.outputs.update(metrics="metrics.json")
        else:
            res = _train_on_features(cfg, inputs["features"])
            card.counts.update(train_rows=res["n_train"], eval_rows=res["n_eval"], reverted=res["positives"],
                               best_iteration=res["best_iteration"])
        card.outputs.update(model=MODEL_FILES[cfg.backend], meta="model.json")
    return res


def _features_train_file(features_dir: Path | None) -> Path:
    p = Path(features_dir or ".") / "train.parquet"
    if features_dir is None or not p.exists():
        raise DataError(f"{p}: not found (run `corpuslab revert features` first)")
    return p


def _train_on_features(cfg: TrainConfig, train_file: Path) -> dict[str, Any]:
    from corpuslab.revert.features import NUMERIC_FEATURES

    table = pq.read_table(train_file)
    if table.num_rows < 10 or len(set(table["is_reverted"].to_pylist())) < 2:
        raise DataError(f"{train_file}: need at least 10 revisions of both classes to train, got {table.num_rows}")
    x, y, cats = feature_arrays(table, NUMERIC_FEATURES)
    clf = fit_booster(x, y, NUMERIC_FEATURES, cats, cfg)
    langs = sorted(set(cats["lang"]))
    lr = fit_logistic(np.concatenate([x, one_hot(cats["lang"], langs)], axis=1), y, cfg.seed)
    lr["languages"] = langs
    clf.save(cfg.out, {"features_dir": str(cfg.features_dir), "logistic_regression": lr, **run_info()})
    return clf.meta | {"model_dir": str(cfg.out)}


def score_table(clf: RevertClassifier, table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """(booster score, logistic-regression score) for a feature table."""
    x, _, cats = feature_arrays(table, clf.numeric)
    p = clf.predict_proba(x, cats)
    lr = clf.meta.get("logistic_regression")
    if lr and "languages" in lr:
        q = logistic_proba(lr, np.concatenate([x, one_hot(cats["lang"], lr["languages"])], axis=1))
    else:
        q = np.full(len(p), np.nan)
    return p, q
