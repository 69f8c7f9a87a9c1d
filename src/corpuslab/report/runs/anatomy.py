"""Data anatomy (``corpuslab anatomy labelshift|minkpp|evaluate``): estimated against true training mixtures.

Reads the label-shift ``summary.json`` (``priors.{bbse,em}.{point,mean,ci_low,ci_high}``), the Min-K%++
``summary.json`` (``global_mixture_over_sampled_pool``) and the evaluator's ``evaluation.json`` (``scores[]``
with categories, estimate, truth, accuracy). The truth comes from an evaluation in the same folder (or its
``evaluation/`` sub-folder, or the ``evaluation/`` beside it in an ``anatomy synth`` experiment) or from a
``ground_truth`` mapping in the summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpuslab.report.artefacts import read_json_tolerant, read_result, to_float
from corpuslab.report.blocks import Block, Heading, Note, Row, Run, Table
from corpuslab.report.charts import ChartStyle, bar_chart, heatmap_chart
from corpuslab.report.mixtures import as_mixture, mixture_accuracy, normalise

SYNTH_FILE = "synth.json"
TRUTH_KEYS = ("ground_truth", "true_mixture", "truth", "category_weights")
SUMMARY_FILE = "summary.json"
EVALUATION_FILE = "evaluation.json"
#: run kind → the estimator whose summary.json the folder holds (the evaluator's folder has none)
ESTIMATORS = {"anatomy-labelshift": "labelshift", "anatomy-minkpp": "minkpp"}


def _evaluation(path: Path, problems: list[str], estimator_folder: bool = False) -> dict[str, Any] | None:
    """The evaluator's output for this folder: its own ``evaluation.json``; for an estimator folder also its
    ``evaluation/`` sub-folder, or the sibling ``evaluation/`` of an ``anatomy synth`` experiment."""
    files = [path / EVALUATION_FILE]
    if estimator_folder:
        files.append(path / "evaluation" / EVALUATION_FILE)
        if (path.parent / SYNTH_FILE).exists():
            files.append(path.parent / "evaluation" / EVALUATION_FILE)
    for f in files:
        if f.exists():
            ev = read_json_tolerant(f, problems)
            if isinstance(ev, dict) and isinstance(ev.get("scores"), list):
                return ev
    return None


def load(path: Path, card: dict[str, Any]) -> Run:
    problems: list[str] = []
    estimator = ESTIMATORS.get(card["kind"])
    summary = None
    if estimator is not None:
        summary = read_result(path / SUMMARY_FILE, card, problems, "the estimator stopped before writing its results")
    ev = _evaluation(path, problems, estimator_folder=estimator is not None)
    if estimator is None and ev is None and not problems:
        problems.append(f"{EVALUATION_FILE} is missing")
    return Run(path, card["kind"], card, {"estimator": estimator, "summary": summary if isinstance(summary, dict)
                                          else None, "evaluation": ev}, problems=problems)


def _truth(run: Run) -> dict[str, float]:
    s = run.data.get("summary") or {}
    for k in TRUTH_KEYS:
        m = as_mixture(s.get(k)) if isinstance(s, dict) else {}
        if m:
            return normalise(m)
    ev = run.data.get("evaluation")
    if ev:
        for sc in ev["scores"]:
            if sc.get("truth") and sc.get("categories") and sc.get("method") != "uniform":
                return dict(zip(sc["categories"], map(float, sc["truth"]), strict=False))
    return {}


def estimates(run: Run) -> dict[str, dict[str, float]]:
    """Estimated mixtures by method (``bbse``, ``em``, ``minkpp``, ...), normalised."""
    s, estimator = run.data.get("summary"), run.data.get("estimator")
    out: dict[str, dict[str, float]] = {}
    if estimator == "labelshift" and s:
        for m, block in (s.get("priors") or {}).items():
            if isinstance(block, dict):
                mix = as_mixture(block.get("point") or block.get("mean") or {})
                if mix:
                    out[m] = normalise(mix)
    elif estimator == "minkpp" and s:
        out["minkpp"] = normalise(as_mixture(s.get("global_mixture_over_sampled_pool")))
        thr = as_mixture(s.get("global_mixture_threshold") or {})
        if thr:
            out["minkpp (threshold)"] = normalise(thr)
    elif run.data.get("evaluation"):
        for sc in run.data["evaluation"]["scores"]:
            if sc.get("method") == "uniform":
                continue
            out[f"{sc.get('run')}/{sc.get('method')}"] = dict(zip(sc["categories"], map(float, sc["estimate"]),
                                                                  strict=False))
    return out


def categories_of(*mixes: dict[str, float]) -> list[str]:
    """Every category of the mixtures, in first-seen order (the truth's order when it comes first)."""
    cats: list[str] = []
    for m in mixes:
        for c in m:
            if c not in cats:
                cats.append(c)
    return cats


def render(run: Run) -> list[Block]:
    s, estimator = run.data.get("summary") or {}, run.data.get("estimator")
    blocks: list[Block] = []
    est = estimates(run)
    truth = _truth(run)
    if not est:
        return [Note("No mixture estimate in this folder yet.", "warn")]
    if estimator == "labelshift":
        clf = s.get("classifier") or {}
        gen = s.get("generations") or {}
        bits = ["Label shift (BBSE and EM prior correction) on the model's generations"]
        if clf.get("heldout_accuracy") is not None:
            bits.append(f"domain classifier ({clf.get('kind', '?')}) held-out accuracy {clf['heldout_accuracy']:.3f}")
        if gen.get("n") is not None:
            bits.append(f"{gen['n']:,} generated texts")
        blocks.append(Note("; ".join(bits) + "."))
    elif estimator == "minkpp":
        blocks.append(Note("Min-K%++ membership: per-category member rate from a 2-component Gaussian mixture "
                           "over document scores, normalised into a global mixture over the sampled pool."))
    for w in (s.get("warnings") or []) if isinstance(s, dict) else []:
        blocks.append(Note(str(w), "warn"))
    cats = categories_of(truth, *est.values())
    series: dict[str, list[float | None]] = {}
    errors: dict[str, tuple[list[float | None], list[float | None]]] = {}
    if truth:
        series["true mixture"] = [truth.get(c, 0.0) for c in cats]
    for m, mix in est.items():
        series[m] = [mix.get(c, 0.0) for c in cats]
        block = (s.get("priors") or {}).get(m) if estimator == "labelshift" else None
        if isinstance(block, dict) and isinstance(block.get("ci_low"), dict):
            errors[m] = ([to_float(block["ci_low"].get(c)) for c in cats],
                         [to_float(block["ci_high"].get(c)) for c in cats])
    title = "Estimated vs true mixture" if truth else "Estimated mixture"
    chart = bar_chart("anatomy-mixture", title, cats, series, ChartStyle(
        percent=True, y_title="share", caption="Bars: share per category; whiskers: bootstrap CI where available."),
        errors=errors)
    cols = ["category"] + (["truth"] if truth else []) + list(est)
    rows = []
    for c in cats:
        row: list[Any] = [c] + ([truth.get(c, 0.0)] if truth else [])
        for m in est:
            v = est[m].get(c, 0.0)
            if m in errors:
                i = cats.index(c)
                lo, hi = errors[m][0][i], errors[m][1][i]
                row.append(f"{v:.1%} [{lo:.1%}, {hi:.1%}]" if lo is not None and hi is not None else v)
            else:
                row.append(v)
        rows.append(row)
    fmts = {k: ".1%" for k in cols[1:]}
    blocks.append(Row([chart, Table(cols, rows, formats=fmts, caption="bootstrap CI in brackets" if errors else "")]))
    if truth:
        acc_rows = [[m, mixture_accuracy(mix, truth)] for m, mix in est.items()]
        uni = {c: 1.0 / len(truth) for c in truth}
        acc_rows.append(["uniform guess", mixture_accuracy(uni, truth)])
        blocks.append(Table(["method", "accuracy (1 − ½·Σ|e−g|)"], acc_rows,
                            formats={"accuracy (1 − ½·Σ|e−g|)": ".4f"}, caption="Accuracy against the true mixture"))
    ev = run.data.get("evaluation")
    if ev:
        blocks.append(Heading(f"Evaluation against {ev.get('spec', 'the ground truth')}"))
        blocks.append(Table(["run", "method", "accuracy", "within tolerance", "L1", "KL(g‖e)"],
                            [[sc.get("run"), sc.get("method"), to_float(sc.get("accuracy")),
                              to_float(sc.get("tol_accuracy")), to_float(sc.get("l1")), to_float(sc.get("kl"))]
                             for sc in ev["scores"]], formats={"accuracy": ".4f", "within tolerance": ".2f"}))
    if estimator == "labelshift" and s.get("confusion_matrix_hard") and s.get("classes"):
        cl = [str(c) for c in s["classes"]]
        blocks.append(Row([heatmap_chart("anatomy-confusion", "Held-out confusion P(predicted | true)", cl, cl,
                                         s["confusion_matrix_hard"], ChartStyle(x_title="predicted", y_title="true"))]))
    if estimator == "minkpp" and isinstance(s.get("per_category"), dict):
        pc = s["per_category"]
        blocks.append(Table(["category", "documents", "member rate", "mean Min-K%++", "mean Min-K%", "mean loss"],
                            [[c, r.get("n_docs"), to_float(r.get("rate")), to_float(r.get("mean_minkpp")),
                              to_float(r.get("mean_mink")), to_float(r.get("mean_loss"))] for c, r in pc.items()],
                            formats={"member rate": ".1%"}, caption="Per-category scores"))
    return blocks


def compare(runs: list[Run]) -> list[Block]:
    labelled = [(r, m, mix) for r in runs for m, mix in estimates(r).items()]
    if len(labelled) < 2:
        return []
    truth = next((t for t in (_truth(r) for r in runs) if t), {})
    cats = categories_of(truth, *(mix for _, _, mix in labelled))
    series: dict[str, list[float | None]] = {}
    if truth:
        series["true mixture"] = [truth.get(c, 0.0) for c in cats]
    for r, m, mix in labelled:
        series[f"{r.label}: {m}"] = [mix.get(c, 0.0) for c in cats]
    chart = bar_chart("compare-anatomy-mixture", "Estimated mixtures" + (" vs truth" if truth else ""), cats,
                      series, ChartStyle(percent=True, y_title="share"))
    rows = [[r.label, m, mixture_accuracy(mix, _truth(r) or truth) if (_truth(r) or truth) else None]
            for r, m, mix in labelled]
    return [Row([chart, Table(["run", "method", "accuracy"], rows, formats={"accuracy": ".4f"})])]
