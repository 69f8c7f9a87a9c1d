"""``corpuslab revert collect|prepare|tune|features|train|eval|score``: the revert-risk pipeline.

Thin: parse options, call :mod:`corpuslab.revert`, print a rich table. Each command can also take a
YAML config whose keys are the library config's field names (flags win over the file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

console = Console()
revert_app = typer.Typer(help="Revert risk: dumps → labelled revisions → splits → text models → classifier → report.",
                         no_args_is_help=True)


def _cfg(model: Any, config: Path | None, overrides: dict[str, Any]) -> Any:
    from corpuslab.core.config import load_config, validate

    if config is not None:
        return load_config(config, model, overrides)
    return validate(model, {k: v for k, v in overrides.items() if v is not None}, "<command line>")


def _lang_table(title: str, per_lang: dict[str, dict[str, Any]]) -> Table:
    t = Table(title=title)
    keys = sorted({k for v in per_lang.values() for k in v})
    t.add_column("language")
    for k in keys:
        t.add_column(k, justify="right")
    for lg, v in per_lang.items():
        t.add_row(lg, *(str(v.get(k, "")) for k in keys))
    return t


@revert_app.command("collect")
def collect_cmd(
    inputs: list[Path] = typer.Argument(..., help="Full-history XML dumps and/or MediaWiki history TSV dumps."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: lang=<code>/part-*.parquet + collect.json."),
    config: Path | None = typer.Option(None, "--config", "-c", help="YAML with CollectConfig keys."),
    mode: str | None = typer.Option(None, "--mode", "-m", help="train or test: which date window applies."),
    train_start: str | None = typer.Option(None, help="Train window start (inclusive), e.g. 2022-01-01."),
    train_end: str | None = typer.Option(None, help="Train window end (exclusive)."),
    test_start: str | None = typer.Option(None, help="Test window start (inclusive)."),
    test_end: str | None = typer.Option(None, help="Test window end (exclusive)."),
    f1: int | None = typer.Option(None, "-f1", help="1: anonymous users only (reference -f1)."),
    f2: int | None = typer.Option(None, "-f2", help="1: drop revision wars (reference -f2)."),
    n: int | None = typer.Option(None, "-n", help="Cap per language (uniform sample; reference -n)."),
    keep_bots: bool = typer.Option(False, "--keep-bots", help="Keep bot edits (dropped by default)."),
    keep_creations: bool = typer.Option(False, "--keep-creations", help="Keep page creations (dropped by default)."),
    window_hours: float | None = typer.Option(None, "--window-hours", help="Revert window in hours (default: none)."),
    rollback_comments: bool = typer.Option(False, "--rollback-comments", help="Also label by rollback summaries."),
    lang: str | None = typer.Option(None, "--lang", help="Force the language of XML inputs."),
    workers: int = typer.Option(1, "--workers", "-w", help="Parallel tasks (one per input file)."),
    engine: str = typer.Option("local", "--engine", help="local (process pool) or ray."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Revisions with identity-revert labels, filtered as the reference collector, Parquet by language."""
    from corpuslab.revert.collect import CollectConfig, collect

    cfg = _cfg(CollectConfig, config, {
        "mode": mode, "train_start": train_start, "train_end": train_end, "test_start": test_start,
        "test_end": test_end, "anonymous_only": None if f1 is None else bool(f1),
        "drop_revision_wars": None if f2 is None else bool(f2), "max_per_language": n,
        "drop_bots": False if keep_bots else None, "drop_page_creations": False if keep_creations else None,
        "revert_window_hours": window_hours, "rollback_comments": rollback_comments or None, "lang": lang})
    if engine not in ("local", "ray"):
        raise typer.BadParameter("use local or ray", param_hint="--engine")
    rep = collect([str(p) for p in inputs], out, cfg, workers=workers, engine=engine, progress=not quiet)  # type: ignore[arg-type]
    console.print(_lang_table(f"collected → {out}", rep["languages"]))
    t = Table(title="filters and bad input")
    t.add_column("count")
    t.add_column("value", justify="right")
    for k, v in rep["counts"].items():
        t.add_row(k, f"{v:,}")
    for k, v in rep["bad_input"].items():
        if k not in rep["counts"]:
            t.add_row(k, f"{v:,}")
    console.print(t)


@revert_app.command("prepare")
def prepare_cmd(
    collected: Path = typer.Argument(..., help="`revert collect` output (train mode)."),
    out: Path = typer.Option(..., "--out", "-o"),
    full_test: Path | None = typer.Option(None, "--full-test", help="`revert collect --mode test` output."),
    split_date: str | None = typer.Option(None, "--split-date", help="Train < date ≤ test (reference 2022-07-01)."),
    text_fraction: float | None = typer.Option(None, "--text-fraction", help="Share of pages for text models (0.6)."),
    keep_revision_wars: bool = typer.Option(False, "--keep-revision-wars"),
    seed: int | None = typer.Option(None, "--seed"),
    config: Path | None = typer.Option(None, "--config", "-c"),
) -> None:
    """Time split, page-disjoint 60/40 text-model/classifier split, balancing key; counts per language."""
    from corpuslab.revert.prepare import PrepareConfig, prepare

    cfg = _cfg(PrepareConfig, config, {"split_date": split_date, "text_train_fraction": text_fraction,
                                       "drop_revision_wars": False if keep_revision_wars else None, "seed": seed})
    rep = prepare(collected, out, cfg, full_test)
    console.print(f"split at {rep['split_timestamp']}; rows {rep['rows']}; revision wars dropped {rep['revision_wars_dropped']}")
    for part, per_lang in rep["counts"].items():
        console.print(_lang_table(part, per_lang))


@revert_app.command("tune")
def tune_cmd(
    prepared: Path = typer.Argument(..., help="`revert prepare` output."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for change/insert/remove/title models."),
    base_model: str | None = typer.Option(None, "--base-model", help="HF encoder id or folder (bert-base-multilingual-cased)."),
    epochs: float | None = typer.Option(None, "--epochs"),
    max_length: int | None = typer.Option(None, "--max-length"),
    batch_size: int | None = typer.Option(None, "--batch-size"),
    learning_rate: float | None = typer.Option(None, "--lr"),
    max_examples: int | None = typer.Option(None, "--max-examples", help="Cap per model (quick runs)."),
    kinds: str | None = typer.Option(None, "--kinds", help="Comma list of change,insert,remove,title."),
    config: Path | None = typer.Option(None, "--config", "-c"),
) -> None:
    """Fine-tune the text models on the text-model pages (HF Trainer; reference settings by default)."""
    from corpuslab.revert.textmodels import TuneConfig, tune

    cfg = _cfg(TuneConfig, config, {"base_model": base_model, "epochs": epochs, "max_length": max_length,
                                    "batch_size": batch_size, "learning_rate": learning_rate,
                                    "max_examples": max_examples, "kinds": kinds.split(",") if kinds else None})
    rep = tune(prepared, out, cfg, progress=lambda k, n: console.print(f"tuning {k} on {n} examples…"))
    t = Table(title=f"text models → {out}")
    for c in ("model", "examples (train/eval)", "eval"):
        t.add_column(c)
    for k, v in rep["models"].items():
        if "skipped" in v:
            t.add_row(k, "—", v["skipped"])
        else:
            ev = {m: v["eval"][m] for m in ("eval_accuracy", "eval_rmse") if m in v["eval"]}
            t.add_row(k, f"{v['n_train']}/{v['n_eval']}", str(ev))
    console.print(t)


@revert_app.command("features")
def features_cmd(
    prepared: Path = typer.Argument(..., help="`revert prepare` output."),
    out: Path = typer.Option(..., "--out", "-o"),
    text_models: Path | None = typer.Option(None, "--text-models", help="`revert tune` output (omit: MLM features = −1)."),
    max_length: int = typer.Option(512, "--max-length"),
    batch_size: int = typer.Option(32, "--batch-size"),
    device: str | None = typer.Option(None, "--device"),
) -> None:
    """Feature vectors for the classifier part of train and the test sets."""
    from corpuslab.revert.features import features

    rep = features(prepared, out, text_models, batch_size, max_length, device)
    console.print(f"features → {out}: rows {rep['rows']}, {len(rep['feature_columns'])} columns; "
                  f"text-feature coverage {rep['coverage']}")


@revert_app.command("train")
def train_cmd(
    features_dir: Path | None = typer.Argument(None, help="`revert features` output."),
    out: Path = typer.Option(..., "--out", "-o", help="Model folder: model.cbm|model.txt + model.json."),
    backend: str | None = typer.Option(None, "--backend", help="catboost (default) or lightgbm."),
    iterations: int | None = typer.Option(None, "--iterations", help="Boosting rounds (reference 5000)."),
    learning_rate: float | None = typer.Option(None, "--lr", help="Learning rate (reference 0.01)."),
    table_train: Path | None = typer.Option(None, "--table-train", help="Headerless TSV, label last (ORES format)."),
    table_test: Path | None = typer.Option(None, "--table-test", help="Its test table."),
    id_column: int | None = typer.Option(None, "--id-column", help="Table column that is an id, not a feature (ORES demo: 0)."),
    config: Path | None = typer.Option(None, "--config", "-c"),
) -> None:
    """Train the booster + logistic baseline on pipeline features, or compare both on a feature table."""
    from corpuslab.revert.classifier import ClassifierConfig, compare_on_table, train

    cfg = _cfg(ClassifierConfig, config, {"backend": backend, "iterations": iterations, "learning_rate": learning_rate})
    if table_train is not None or table_test is not None:
        if table_train is None or table_test is None:
            raise typer.BadParameter("give both --table-train and --table-test", param_hint="--table-train")
        res = compare_on_table(table_train, table_test, cfg, out, id_column)
        t = Table(title=f"{table_train.name}: {res['n_train']} train / {res['n_test']} test ({res['test_positives']} reverted)")
        for c in ("model", "ROC AUC", "PR AUC", "P@R0.75"):
            t.add_column(c)
        for k in (cfg.backend, "logistic_regression"):
            m = res[k]
            t.add_row(k, str(m["roc_auc"]), str(m["pr_auc"]), str(m["precision_at_recall_0.75"]))
        console.print(t)
        return
    if features_dir is None:
        raise typer.BadParameter("give a features folder or --table-train/--table-test")
    meta = train(features_dir, out, cfg)
    console.print(f"{meta['backend']} → {out}: {meta['n_train']} train / {meta['n_eval']} eval revisions, "
                  f"best iteration {meta['best_iteration']}, class weights {meta['class_weights']}")


@revert_app.command("eval")
def eval_cmd(
    model: Path = typer.Argument(..., help="`revert train` output."),
    features_dir: Path = typer.Argument(..., help="`revert features` output."),
    out: Path = typer.Option(..., "--out", "-o", help="metrics.json, report.md, plots."),
    split: str = typer.Option("test", "--split", help="test or full_test."),
    threshold: float = typer.Option(0.5, "--threshold"),
) -> None:
    """ROC AUC, PR AUC, P@R0.75 overall / per language / anonymous vs registered; disparate impact; report."""
    from corpuslab.revert.evaluate import evaluate

    m = evaluate(model, features_dir, out, split, threshold)
    rows = {"all": m["overall"], **m["by_user_type"], **{f"lang {k}": v for k, v in m["per_language"].items()}}
    if "logistic_regression" in m:
        rows["logistic regression"] = m["logistic_regression"]
    t = Table(title=f"{split} → {out}/report.md")
    for c in ("group", "n", "reverted", "ROC AUC", "PR AUC", "P@R0.75"):
        t.add_column(c)
    for k, v in rows.items():
        t.add_row(k, str(v["n"]), str(v["positives"]), str(v["roc_auc"]), str(v["pr_auc"]), str(v["precision_at_recall_0.75"]))
    console.print(t)
    di = m["disparate_impact"]
    console.print(f"disparate impact (anonymous/registered): model {di['ratio']}, labels {di['ground_truth']}")


@revert_app.command("score")
def score_cmd(
    model: Path = typer.Argument(..., help="`revert train` output."),
    inputs: Path = typer.Argument(..., help="A features .parquet or a `revert collect` folder."),
    out: Path = typer.Option(..., "--out", "-o", help="Parquet with rev_id and revert_risk."),
    text_models: Path | None = typer.Option(None, "--text-models", help="Needed to score collected revisions."),
    max_length: int = typer.Option(512, "--max-length"),
) -> None:
    """Score new revisions with a saved model."""
    from corpuslab.revert.score import score

    rep = score(model, inputs, out, text_models, max_length)
    console.print(f"scored {rep['rows']} revisions → {out} (mean risk {rep['mean_risk']})")


def register(app: typer.Typer) -> None:
    """Add ``corpuslab revert …`` to the root app."""
    app.add_typer(revert_app, name="revert")
