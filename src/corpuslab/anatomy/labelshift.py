"""Label-shift prior estimation: BBSE and EM (Saerens et al. 2002), with bootstrap confidence intervals.

Setting (label shift, as in Yaxin9Luo/data_anatomy ``prior.py``): p(x|y) is shared by the local category
samples (source) and the model's generations (target); only p(y) differs. Given a classifier's
posteriors on held-out source data (with labels) and on target data:

* **BBSE** (Lipton, Wang & Smola, ICML 2018, arXiv 1802.03916), in the conditional ("adjusted classify and
  count") form: ``C[y, ŷ] = P(ŷ | y)`` on held-out source, ``μ̂[ŷ]`` = target marginal of the prediction,
  ``q̂ = (Cᵀ)⁻¹ μ̂`` — solved as least squares and projected onto the probability simplex, as in
  Yaxin9Luo/data_anatomy ``prior.py``. ``mode="hard"`` uses argmax indicators (Lipton's estimator);
  ``mode="soft"`` (default) uses the calibrated probabilities on *both* sides, which is equally
  unbiased (any fixed f(x) works: E_q[f] = Σ_y q(y)·E[f|y]) and lower-variance, and avoids the
  reference code's mix of a hard C with a soft p̄.
* **EM** (Saerens, Latinne & Decaestecker, Neural Computation 14(1):21–41, 2002): re-weight posteriors by
  ``p̂(ω)/p_t(ω)``, renormalise, average; repeat. Needs calibrated posteriors (we temperature-scale).

A singular (or nearly singular) confusion matrix means some classes cannot be told apart; we warn with the
class names and fall back to the minimum-norm least-squares solution (pseudo-inverse) instead of failing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corpuslab.anatomy.config import LabelShiftConfig

log = logging.getLogger(__name__)


def project_simplex(v: np.ndarray) -> np.ndarray:
    """Euclidean projection onto {x ≥ 0, Σx = 1} (Held et al. / Duchi et al. 2008 sort algorithm)."""
    v = np.asarray(v, dtype=np.float64)
    n = v.size
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - 1.0
    ind = np.arange(1, n + 1)
    rho = np.nonzero(u - css / ind > 0)[0][-1]
    theta = css[rho] / (rho + 1.0)
    return np.maximum(v - theta, 0.0)


def confusion_matrix(probs: np.ndarray, labels: np.ndarray, k: int, mode: str = "soft") -> np.ndarray:
    """Row-conditional confusion ``C[y, ŷ] = P(ŷ | y)`` (hard: argmax counts; soft: mean probabilities).

    A class with no held-out examples gets an all-zero row (and makes C singular).
    """
    probs = np.asarray(probs, dtype=np.float64)
    labels = np.asarray(labels)
    f = _bbse_features(probs, k, mode)
    c = np.zeros((k, k))
    for y in range(k):
        m = labels == y
        if m.any():
            c[y] = f[m].mean(axis=0)
    return c


def _bbse_features(probs: np.ndarray, k: int, mode: str) -> np.ndarray:
    if mode == "soft":
        return probs
    if mode == "hard":
        return np.eye(k)[np.argmax(probs, axis=1)]
    raise ValueError(f"unknown BBSE mode {mode!r}: use 'soft' or 'hard'")


def check_confusion(c: np.ndarray, class_names: list[str] | None = None, cond_limit: float = 1e8) -> str | None:
    """A one-line warning if C is singular or ill-conditioned, naming the classes involved; else None."""
    k = c.shape[0]
    names = class_names or [str(i) for i in range(k)]
    rank = np.linalg.matrix_rank(c)
    cond = np.linalg.cond(c) if rank == k else np.inf
    if rank == k and cond < cond_limit:
        return None
    dead_rows = [names[i] for i in range(k) if not c[i].any()]
    dead_cols = [names[j] for j in range(k) if not c[:, j].any()]
    parts = []
    if dead_rows:
        parts.append(f"no held-out examples for {', '.join(dead_rows)}")
    if dead_cols:
        parts.append(f"never predicted: {', '.join(dead_cols)}")
    if not parts:
        # find the most similar pair of rows: those classes are confused with each other
        best, pair = -1.0, (0, 1)
        for i in range(k):
            for j in range(i + 1, k):
                den = np.linalg.norm(c[i]) * np.linalg.norm(c[j])
                sim = float(c[i] @ c[j] / den) if den > 0 else 0.0
                if sim > best:
                    best, pair = sim, (i, j)
        parts.append(f"classes {names[pair[0]]} and {names[pair[1]]} are nearly indistinguishable")
    what = f"singular (rank {rank} < {k})" if rank < k else f"ill-conditioned (condition number {cond:.2g})"
    return f"confusion matrix is {what}: {'; '.join(parts)}; falling back to least squares (pseudo-inverse)"


def bbse_from_stats(c: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """``argmin_q ‖Cᵀq − μ‖²`` (min-norm lstsq = pseudo-inverse when singular), projected onto the simplex."""
    q, *_ = np.linalg.lstsq(c.T, mu, rcond=None)
    return project_simplex(q)


def bbse(source_probs: np.ndarray, source_labels: np.ndarray, target_probs: np.ndarray,
         mode: str = "soft") -> np.ndarray:
    """Target class priors by black-box shift estimation (see module docstring)."""
    k = source_probs.shape[1]
    c = confusion_matrix(source_probs, source_labels, k, mode)
    mu = _bbse_features(np.asarray(target_probs, dtype=np.float64), k, mode).mean(axis=0)
    return bbse_from_stats(c, mu)


def em_priors(target_probs: np.ndarray, train_priors: np.ndarray, max_iter: int = 1000,
              tol: float = 1e-10) -> tuple[np.ndarray, int]:
    """Saerens et al. (2002) EM: returns (target priors, iterations). Eq. numbers follow the paper §2.2.

    E: p̂⁽ˢ⁾(ω|x) ∝ p̂⁽ˢ⁾(ω)/p_t(ω) · p_t(ω|x);  M: p̂⁽ˢ⁺¹⁾(ω) = mean_x p̂⁽ˢ⁾(ω|x). Starts at p_t.
    """
    p = np.clip(np.asarray(target_probs, dtype=np.float64), 1e-300, None)
    pt = np.asarray(train_priors, dtype=np.float64)
    pt = pt / pt.sum()
    q = pt.copy()
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - reported
        w = p * (q / pt)
        w /= w.sum(axis=1, keepdims=True)
        q_new = w.mean(axis=0)
        if np.abs(q_new - q).max() < tol:
            q = q_new
            break
        q = q_new
    return q, it


@dataclass(frozen=True)
class BootstrapSettings:
    """The percentile bootstrap behind the confidence intervals: resamples, CI level, seed."""

    n_bootstrap: int = 200
    ci: float = 0.95
    seed: int = 0


@dataclass
class PriorEstimate:
    """Point estimate, bootstrap mean and percentile CI for one method."""

    method: str
    point: np.ndarray
    mean: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, classes: list[str]) -> dict[str, Any]:
        return {
            "point": dict(zip(classes, map(float, self.point), strict=False)),
            "mean": dict(zip(classes, map(float, self.mean), strict=False)),
            "ci_low": dict(zip(classes, map(float, self.ci_low), strict=False)),
            "ci_high": dict(zip(classes, map(float, self.ci_high), strict=False)),
            **self.extra,
        }


@dataclass
class LabelShiftResult:
    classes: list[str]
    bbse: PriorEstimate
    em: PriorEstimate
    confusion: np.ndarray            # C[y, ŷ] = P(ŷ|y) (soft or hard, per bbse_mode)
    confusion_hard: np.ndarray
    pbar: np.ndarray                 # mean target posteriors
    train_priors: np.ndarray
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        cl = self.classes
        return {
            "classes": cl,
            "priors": {"bbse": self.bbse.as_dict(cl), "em": self.em.as_dict(cl)},
            "confusion_matrix": self.confusion.tolist(),
            "confusion_matrix_hard": self.confusion_hard.tolist(),
            "pbar": dict(zip(cl, map(float, self.pbar), strict=False)),
            "ct_pi_bbse": dict(zip(cl, map(float, self.confusion.T @ self.bbse.point), strict=False)),
            "train_priors": dict(zip(cl, map(float, self.train_priors), strict=False)),
            "warnings": self.warnings,
        }


def estimate_priors(
    source_probs: np.ndarray, source_labels: np.ndarray, target_probs: np.ndarray, classes: list[str],
    train_priors: np.ndarray | None = None, bbse_mode: str = "soft",
    bootstrap: BootstrapSettings = BootstrapSettings(),
) -> LabelShiftResult:
    """Both estimators with bootstrap CIs (BBSE resamples held-out and target; EM resamples target).

    ``train_priors`` are the class frequencies the classifier was trained with (EM's p_t); default: the
    held-out label frequencies.
    """
    n_bootstrap, ci = bootstrap.n_bootstrap, bootstrap.ci
    sp = np.asarray(source_probs, dtype=np.float64)
    tp = np.asarray(target_probs, dtype=np.float64)
    y = np.asarray(source_labels, dtype=np.int64)
    k = len(classes)
    if sp.ndim != 2 or sp.shape[1] != k or tp.ndim != 2 or tp.shape[1] != k:
        raise ValueError(f"posteriors must have {k} columns (one per class)")
    if len(tp) == 0:
        raise ValueError("no target texts to estimate priors from")
    pt = np.bincount(y, minlength=k).astype(np.float64) if train_priors is None else np.asarray(train_priors, float)
    pt = pt / pt.sum()
    warnings: list[str] = []
    c = confusion_matrix(sp, y, k, bbse_mode)
    msg = check_confusion(c, classes)
    if msg:
        log.warning(msg)
        warnings.append(msg)
    mu = _bbse_features(tp, k, bbse_mode).mean(axis=0)
    bbse_point = bbse_from_stats(c, mu)
    em_point, em_iters = em_priors(tp, pt)

    rng = np.random.default_rng(bootstrap.seed)
    bb, ee = [], []
    by_class = [np.nonzero(y == j)[0] for j in range(k)]
    for _ in range(n_bootstrap):
        ti = rng.integers(0, len(tp), len(tp))
        # stratified resample of the held-out set keeps every class present
        si = np.concatenate([idx[rng.integers(0, len(idx), len(idx))] for idx in by_class if len(idx)])
        cb = confusion_matrix(sp[si], y[si], k, bbse_mode)
        bb.append(bbse_from_stats(cb, _bbse_features(tp[ti], k, bbse_mode).mean(axis=0)))
        ee.append(em_priors(tp[ti], pt, max_iter=300, tol=1e-8)[0])
    lo, hi = 100 * (1 - ci) / 2, 100 * (1 + ci) / 2

    def pack(name: str, point: np.ndarray, samples: list[np.ndarray], extra: dict[str, Any]) -> PriorEstimate:
        if samples:
            s = np.stack(samples)
            mean = s.mean(axis=0)
            mean = mean / mean.sum()
            return PriorEstimate(name, point, mean, np.percentile(s, lo, axis=0), np.percentile(s, hi, axis=0),
                                 {**extra, "n_bootstrap": len(samples), "ci": ci})
        return PriorEstimate(name, point, point, point, point, {**extra, "n_bootstrap": 0, "ci": ci})

    return LabelShiftResult(
        classes=list(classes),
        bbse=pack("bbse", bbse_point, bb, {"mode": bbse_mode}),
        em=pack("em", em_point, ee, {"iterations": em_iters}),
        confusion=c, confusion_hard=confusion_matrix(sp, y, k, "hard"),
        pbar=tp.mean(axis=0), train_priors=pt, warnings=warnings,
    )


# ---- the `anatomy labelshift` pipeline --------------------------------------------------------------


def stratified_split(labels: np.ndarray, holdout: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train/held-out indices with ``holdout`` of every class held out (at least one each side)."""
    rng = np.random.default_rng(seed)
    tr, ho = [], []
    for y in np.unique(labels):
        idx = rng.permutation(np.nonzero(labels == y)[0])
        n_ho = min(max(1, int(round(holdout * len(idx)))), len(idx) - 1)
        ho.append(idx[:n_ho])
        tr.append(idx[n_ho:])
    return np.sort(np.concatenate(tr)), np.sort(np.concatenate(ho))


def run_labelshift(cfg: LabelShiftConfig, progress: bool = True, model_obj: Any = None) -> dict[str, Any]:
    """Classifier on local samples → posteriors on the model's generations → BBSE + EM priors.

    Writes ``summary.json``, ``summary.csv``, ``confusion_matrix.png``, ``priors.png``, ``pbar_vs_ctpi.png``,
    ``generations.jsonl`` (when generating), the raw posteriors as ``.npy`` and ``run.json`` under
    ``cfg.output_dir``. ``model_obj`` = ``(model, tokenizer)`` already in memory (used by ``synth``).
    """
    from corpuslab.anatomy.samples import load_category_samples
    from corpuslab.core.errors import CorpuslabError
    from corpuslab.core.runcard import run_card

    if not cfg.use_cached_generations and model_obj is None and not cfg.model:
        raise CorpuslabError("give --model to generate target texts, or --use-cached-generations FILE")
    if cfg.classifier == "encoder" and not cfg.encoder_model:
        raise CorpuslabError("--classifier encoder needs --encoder-model (a local folder or hub id)")
    inputs = {"samples": cfg.samples, "model": cfg.model or ("<in-memory>" if model_obj is not None else None),
              "use_cached_generations": cfg.use_cached_generations}
    with run_card(cfg.output_dir, "anatomy-labelshift", cfg, inputs=inputs) as card:
        samples = load_category_samples(cfg.samples, cfg.categories, max_per_category=cfg.max_per_category)
        summary = _estimate_and_write(cfg, samples, progress, model_obj)
        card.counts.update(documents=summary["samples"], generations=summary["generations"]["n"],
                           heldout_accuracy=summary["classifier"]["heldout_accuracy"],
                           bbse=summary["priors"]["bbse"]["point"], em=summary["priors"]["em"]["point"],
                           warnings=len(summary["warnings"]))
        card.outputs.update(summary="summary.json", table="summary.csv", confusion="confusion_matrix.png",
                            priors="priors.png", fit_check="pbar_vs_ctpi.png")
        if not cfg.use_cached_generations:
            card.outputs["generations"] = "generations.jsonl"
    return summary


def _target_texts(cfg: LabelShiftConfig, out: Path, progress: bool, model_obj: Any) -> tuple[list[str], str]:
    """The texts to estimate priors on and where they come from: the cached file, or the model's samples."""
    from corpuslab.anatomy.generate import generate_texts, read_generations
    from corpuslab.core.errors import CorpuslabError

    if cfg.use_cached_generations:
        return read_generations(cfg.use_cached_generations), str(cfg.use_cached_generations)
    if model_obj is None:
        from corpuslab.models.loading import load_causal_lm

        model_obj = load_causal_lm(cfg.model, device=cfg.device)  # type: ignore[arg-type]
    gens = generate_texts(model_obj[0], model_obj[1], cfg, cache_path=out / "generations.jsonl", progress=progress)
    gens = [g for g in gens if g.strip()]
    if not gens:
        raise CorpuslabError("the model generated only empty texts; check the prompts and max_new_tokens")
    return gens, str(out / "generations.jsonl")


def _estimate_and_write(cfg: LabelShiftConfig, samples: dict[str, list[str]], progress: bool,
                        model_obj: Any) -> dict[str, Any]:
    """Classifier on a stratified split of the samples, priors on the target texts; every output file."""
    from corpuslab.anatomy.classifier import calibrated_probs, make_classifier, train_and_calibrate
    from corpuslab.anatomy.plots import plot_confusion, plot_pbar_vs_ctpi, plot_priors
    from corpuslab.core.atomic import atomic_path, write_json_atomic
    from corpuslab.core.runinfo import run_info

    out = Path(cfg.output_dir)
    classes = list(samples)
    texts = [t for c in classes for t in samples[c]]
    labels = np.array([i for i, c in enumerate(classes) for _ in samples[c]], dtype=np.int64)
    tr, ho = stratified_split(labels, cfg.holdout, cfg.seed)
    encoder = cfg.classifier == "encoder"
    kw: dict[str, Any] = {"model_name": cfg.encoder_model, "device": cfg.device} if encoder else {}
    clf = make_classifier(cfg.classifier, classes, seed=cfg.seed, **kw)
    ho_probs, ho_acc = train_and_calibrate(clf, [texts[i] for i in tr], labels[tr], [texts[i] for i in ho], labels[ho])
    gens, gen_source = _target_texts(cfg, out, progress, model_obj)
    tgt_probs = calibrated_probs(clf, gens)
    res = estimate_priors(ho_probs, labels[ho], tgt_probs, classes,
                          train_priors=np.bincount(labels[tr], minlength=len(classes)), bbse_mode=cfg.bbse_mode,
                          bootstrap=BootstrapSettings(n_bootstrap=cfg.n_bootstrap, seed=cfg.seed))
    np.save(out / "heldout_probs.npy", ho_probs)
    np.save(out / "heldout_labels.npy", labels[ho])
    np.save(out / "target_probs.npy", tgt_probs)
    summary = {
        "estimator": "labelshift",
        **res.summary(),
        "classifier": {"kind": cfg.classifier, "heldout_accuracy": ho_acc, "temperature": clf.temperature,
                       "n_train": int(len(tr)), "n_heldout": int(len(ho))},
        "samples": {c: len(v) for c, v in samples.items()},
        "generations": {"source": gen_source, "n": len(gens), "num_prompts": cfg.num_prompts,
                        "max_new_tokens": cfg.max_new_tokens, "temperature": cfg.temperature, "top_p": cfg.top_p,
                        "top_k": cfg.top_k},
        "model": cfg.model or ("<in-memory>" if model_obj is not None else None),
        "run": run_info(seed=cfg.seed),
    }
    write_json_atomic(out / "summary.json", summary)
    with atomic_path(out / "summary.csv") as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write("category,bbse,bbse_ci_low,bbse_ci_high,em,em_ci_low,em_ci_high,pbar,train_prior\n")
        for i, c in enumerate(classes):
            b, e = res.bbse, res.em
            fh.write(f"{c},{b.point[i]:.6f},{b.ci_low[i]:.6f},{b.ci_high[i]:.6f},{e.point[i]:.6f},"
                     f"{e.ci_low[i]:.6f},{e.ci_high[i]:.6f},{res.pbar[i]:.6f},{res.train_priors[i]:.6f}\n")
    plot_confusion(res.confusion_hard, classes, out / "confusion_matrix.png")
    plot_priors(res, out / "priors.png")
    plot_pbar_vs_ctpi(res, out / "pbar_vs_ctpi.png")
    return summary
