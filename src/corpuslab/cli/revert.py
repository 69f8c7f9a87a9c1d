"""``corpuslab revert collect|prepare|tune|features|train|eval|score``: the revert-risk pipeline.

Thin: the flags are generated from the stage's config (:mod:`corpuslab.revert.config`; ``--config
FILE.yaml`` with the same keys, flags win), the command calls the library runner and prints a rich table.
The reference collector's spellings (``-f1 1``, ``-f2 1``, ``-n 500``) and today's ``--keep-bots``,
``--keep-creations``, ``--keep-revision-wars``, ``--text-fraction``, ``--window-hours`` and ``--lr`` stay
as hidden aliases of the fields they set.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from corpuslab.cli.config_flags import config_command
from corpuslab.revert.config import (
    CollectConfig,
    EvalConfig,
    FeaturesConfig,
    PrepareConfig,
    ScoreConfig,
    TrainConfig,
    TuneConfig,
)

console = Console()
app = typer.Typer(name="revert", no_args_is_help=True,
                  help="Revert risk: dumps → labelled revisions → splits → text models → classifier → report.")


def _false_when_given(value: bool | None) -> bool | None:
    """``--keep-bots`` sets ``drop_bots`` to False; absent, the field keeps its file or default value."""
    return False if value else None


def _lang_table(title: str, per_lang: dict[str, dict[str, Any]]) -> Table:
    t = Table(title=title)
    keys = sorted({k for v in per_lang.values() for k in v})
    t.add_column("language")
    for k in keys:
        t.add_column(k, justify="right")
    for lg, v in per_lang.items():
        t.add_row(lg, *(str(v.get(k, "")) for k in keys))
    return t


@config_command(app, "collect", CollectConfig, short={"out": "-o", "mode": "-m", "workers": "-w"},
                arguments=("inputs",),
                aliases={"f1": "anonymous_only", "f2": "drop_revision_wars", "n": "max_per_language",
                         "keep_bots": "drop_bots", "keep_creations": "drop_page_creations",
                         "window_hours": "revert_window_hours"})
def collect_cmd(
    cfg: CollectConfig,
    f1: int | None = typer.Option(None, "-f1", hidden=True, help="1: anonymous users only (reference -f1)."),
    f2: int | None = typer.Option(None, "-f2", hidden=True, help="1: drop revision wars (reference -f2)."),
    n: int | None = typer.Option(None, "-n", hidden=True, help="Cap per language (reference -n)."),
    keep_bots: bool | None = typer.Option(None, "--keep-bots", hidden=True, callback=_false_when_given,
                                          help="Keep bot edits."),
    keep_creations: bool | None = typer.Option(None, "--keep-creations", hidden=True, callback=_false_when_given,
                                               help="Keep page creations."),
    window_hours: float | None = typer.Option(None, "--window-hours", hidden=True, help="Revert window in hours."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Hide the progress bar."),
) -> None:
    """Revisions with identity-revert labels, filtered as the reference collector, Parquet by language."""
    from corpuslab.revert.collect import collect

    rep = collect(cfg, progress=not quiet)
    console.print(_lang_table(f"collected → {cfg.out}", rep["languages"]))
    t = Table(title="filters and bad input")
    t.add_column("count")
    t.add_column("value", justify="right")
    for k, v in rep["counts"].items():
        t.add_row(k, f"{v:,}")
    for k, v in rep["bad_input"].items():
        if k not in rep["counts"]:
            t.add_row(k, f"{v:,}")
    console.print(t)


@config_command(app, "prepare", PrepareConfig, short={"out": "-o"}, arguments=("collected",),
                aliases={"text_fraction": "text_train_fraction", "keep_revision_wars": "drop_revision_wars"})
def prepare_cmd(
    cfg: PrepareConfig,
    text_fraction: float | None = typer.Option(None, "--text-fraction", hidden=True,
                                               help="Share of pages for the text models."),
    keep_revision_wars: bool | None = typer.Option(None, "--keep-revision-wars", hidden=True,
                                                   callback=_false_when_given, help="Keep revision wars."),
) -> None:
    """Time split, page-disjoint 60/40 text-model/classifier split, balancing key; counts per language."""
    from corpuslab.revert.prepare import prepare

    rep = prepare(cfg)
    console.print(f"split at {rep['split_timestamp']}; rows {rep['rows']}; revision wars dropped {rep['revision_wars_dropped']}")
    for part, per_lang in rep["counts"].items():
        console.print(_lang_table(part, per_lang))


@config_command(app, "tune", TuneConfig, short={"out": "-o"}, arguments=("prepared",),
                aliases={"lr": "learning_rate"})
def tune_cmd(
    cfg: TuneConfig,
    lr: float | None = typer.Option(None, "--lr", hidden=True, help="Learning rate."),
) -> None:
    """Fine-tune the text models on the text-model pages (HF Trainer; reference settings by default)."""
    from corpuslab.revert.textmodels import tune

    rep = tune(cfg, progress=lambda k, n: console.print(f"tuning {k} on {n} examples…"))
    t = Table(title=f"text models → {cfg.out}")
    for c in ("model", "examples (train/eval)", "eval"):
        t.add_column(c)
    for k, v in rep["models"].items():
        if "skipped" in v:
            t.add_row(k, "—", v["skipped"])
        else:
            ev = {m: v["eval"][m] for m in ("eval_accuracy", "eval_rmse") if m in v["eval"]}
            t.add_row(k, f"{v['n_train']}/{v['n_eval']}", str(ev))
    console.print(t)


@config_command(app, "features", FeaturesConfig, short={"out": "-o"}, arguments=("prepared",))
def features_cmd(cfg: FeaturesConfig) -> None:
    """Feature vectors for the classifier part of train and the test sets."""
    from corpuslab.revert.features import features

    rep = features(cfg)
    console.print(f"features → {cfg.out}: rows {rep['rows']}, {len(rep['feature_columns'])} columns; "
                  f"text-feature coverage {rep['coverage']}")


@config_command(app, "train", TrainConfig, short={"out": "-o"}, arguments=("features_dir",),
                aliases={"lr": "learning_rate"})
def train_cmd(
    cfg: TrainConfig,
    lr: float | None = typer.Option(None, "--lr", hidden=True, help="Learning rate."),
) -> None:
    """Train the booster + logistic baseline on pipeline features, or compare both on a feature table."""
    from corpuslab.revert.classifier import train

    res = train(cfg)
    if cfg.table_train is None:
        console.print(f"{res['backend']} → {cfg.out}: {res['n_train']} train / {res['n_eval']} eval revisions, "
                      f"best iteration {res['best_iteration']}, class weights {res['class_weights']}")
        return
    t = Table(title=f"{cfg.table_train.name}: {res['n_train']} train / {res['n_test']} test ({res['test_positives']} reverted)")
    for c in ("model", "ROC AUC", "PR AUC", "P@R0.75"):
        t.add_column(c)
    for k in (cfg.backend, "logistic_regression"):
        m = res[k]
        t.add_row(k, str(m["roc_auc"]), str(m["pr_auc"]), str(m["precision_at_recall_0.75"]))
    console.print(t)


@config_command(app, "eval", EvalConfig, short={"out": "-o"}, arguments=("model", "features_dir"))
def eval_cmd(cfg: EvalConfig) -> None:
    """ROC AUC, PR AUC, P@R0.75 overall / per language / anonymous vs registered; disparate impact; report."""
    from corpuslab.revert.evaluate import evaluate

    m = evaluate(cfg)
    rows = {"all": m["overall"], **m["by_user_type"], **{f"lang {k}": v for k, v in m["per_language"].items()}}
    if "logistic_regression" in m:
        rows["logistic regression"] = m["logistic_regression"]
    t = Table(title=f"{cfg.split} → {cfg.out}/report.md")
    for c in ("group", "n", "reverted", "ROC AUC", "PR AUC", "P@R0.75"):
        t.add_column(c)
    for k, v in rows.items():
        t.add_row(k, str(v["n"]), str(v["positives"]), str(v["roc_auc"]), str(v["pr_auc"]), str(v["precision_at_recall_0.75"]))
    console.print(t)
    di = m["disparate_impact"]
    console.print(f"disparate impact (anonymous/registered): model {di['ratio']}, labels {di['ground_truth']}")


@config_command(app, "score", ScoreConfig, short={"out": "-o"}, arguments=("model", "inputs"))
def score_cmd(cfg: ScoreConfig) -> None:
    """Score new revisions with a saved model."""
    from corpuslab.revert.predict import score_revisions

    rep = score_revisions(cfg)
    console.print(f"scored {rep['rows']} revisions → {cfg.out} (mean risk {rep['mean_risk']})")
