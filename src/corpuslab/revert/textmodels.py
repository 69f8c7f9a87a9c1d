"""``revert tune``: fine-tune encoders on the text-model part of train (trokhymovych/KI_multilingual_training
``modules/feature_trainer.py``).

Four models, each on revisions of the ``is_text_train`` pages only:

1. ``change`` — sentence-pair classification of (old sentence, new sentence) → reverted or not;
2. ``insert`` — classification of an inserted text; 3. ``remove`` — of a removed text;
4. ``title`` — regression from the page title to the page's revert rate (pages with ≥ 5 revisions).

As in the reference, models 1–3 use only revisions with exactly one piece of their kind (less label
noise) and downsample the majority class to balance; settings default to the reference's (lr 2e-5,
batch 8, 5 epochs, weight decay 0.01, max length 512, 5 % stratified eval split, best epoch kept by
accuracy). For the title model we keep the best epoch by RMSE with ``greater_is_better=False``; the
reference's ``metric_for_best_model="rmse"`` with HF's default would keep the *worst* epoch.
Any HF encoder works (default ``bert-base-multilingual-cased``; a local folder for offline use).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from corpuslab.core.atomic import write_json_atomic
from corpuslab.core.errors import CorpuslabError
from corpuslab.core.runcard import run_card
from corpuslab.core.runinfo import run_info
from corpuslab.revert.config import TuneConfig
from corpuslab.revert.prepare import read_part

log = logging.getLogger(__name__)


def text_examples(table: pa.Table, kind: str, min_title_revisions: int = 5, seed: int = 42,
                  max_examples: int | None = None) -> tuple[list[Any], np.ndarray]:
    """Training inputs and labels for one model (``kind``: one of :data:`~corpuslab.revert.config.KINDS`)
    from revisions already restricted to the text-train pages."""
    y_all = table["is_reverted"].to_numpy(zero_copy_only=False).astype(bool)
    if kind == "title":
        lang = table["lang"].to_numpy(zero_copy_only=False)
        page = table["page_id"].to_numpy(zero_copy_only=False)
        title = table["page_title"].to_numpy(zero_copy_only=False)
        stats: dict[tuple[str, int], list[Any]] = {}
        for lg, p, t, v in zip(lang, page, title, y_all, strict=True):
            s = stats.setdefault((lg, int(p)), [t, 0, 0])
            s[1] += 1
            s[2] += int(v)
        items = sorted((k, v) for k, v in stats.items() if v[1] >= min_title_revisions)
        texts = [v[0] for _, v in items]
        rates = np.array([v[2] / v[1] for _, v in items], dtype=np.float32)
        if max_examples is not None and len(texts) > max_examples:
            keep = np.sort(np.random.default_rng(seed).choice(len(texts), max_examples, replace=False))
            texts, rates = [texts[i] for i in keep], rates[keep]
        return texts, rates
    if kind == "change":
        olds = table["texts_change_old"].to_pylist()
        news = table["texts_change_new"].to_pylist()
        xs = [(o[0], n[0]) if o and len(o) == 1 else None for o, n in zip(olds, news, strict=True)]
    else:
        col = table["texts_insert" if kind == "insert" else "texts_remove"].to_pylist()
        xs = [c[0] if c and len(c) == 1 else None for c in col]
    idx = np.array([i for i, x in enumerate(xs) if x is not None], dtype=int)
    if len(idx) == 0:
        return [], np.zeros(0, dtype=np.int64)
    y = y_all[idx]
    rng = np.random.default_rng(seed)
    pos, neg = idx[y], idx[~y]
    n = min(len(pos), len(neg))
    if n == 0:
        return [xs[i] for i in idx], y.astype(np.int64)
    chosen = np.sort(np.concatenate([rng.choice(pos, n, replace=False), rng.choice(neg, n, replace=False)]))
    if max_examples is not None and len(chosen) > max_examples:
        chosen = np.sort(rng.choice(chosen, max_examples, replace=False))
    return [xs[i] for i in chosen], y_all[chosen].astype(np.int64)


class _Encoded:
    """A tiny map-style dataset of tokenized examples (no ``datasets`` round trip needed)."""

    def __init__(self, enc: dict[str, list[Any]], labels: np.ndarray):
        self.enc, self.labels = enc, labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> dict[str, Any]:
        item = {k: v[i] for k, v in self.enc.items()}
        item["labels"] = self.labels[i].item()
        return item


def tokenize_inputs(tok: Any, xs: list[Any], max_length: int) -> dict[str, list[Any]]:
    """Tokenize texts or pairs, cutting each text to 16 characters per token first: a byte-level BPE on
    one 40k-character unspaced "word" (a CJK paragraph or a table line) is quadratic in time and memory."""
    cap = 16 * max_length
    if xs and isinstance(xs[0], tuple):
        return tok([a[:cap] for a, _ in xs], [b[:cap] for _, b in xs], truncation=True, max_length=max_length)
    return tok([x[:cap] for x in xs], truncation=True, max_length=max_length)


def load_base_encoder(name_or_path: str, num_labels: int) -> tuple[Any, Any]:
    """Encoder + fresh classification head; a head of another width (a saved classifier) is re-initialised."""
    from transformers import AutoModelForSequenceClassification

    from corpuslab.models.loading import _check_exists, _wrap_load_error, load_tokenizer

    _check_exists(name_or_path)
    tok = load_tokenizer(name_or_path)
    try:
        model = AutoModelForSequenceClassification.from_pretrained(
            name_or_path, num_labels=num_labels, ignore_mismatched_sizes=True)
    except (OSError, ValueError) as e:
        raise _wrap_load_error(name_or_path, e) from e
    return model, tok


def fine_tune(kind: str, xs: list[Any], y: np.ndarray, out_dir: str | Path, cfg: TuneConfig) -> dict[str, Any]:
    """Fine-tune ``cfg.base_model`` with the HF Trainer; saves model + tokenizer to ``out_dir``."""
    import torch
    from sklearn.model_selection import train_test_split
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments, set_seed
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the re-initialised head is expected; keep the CLI output readable
    hf_logging.disable_progress_bar()
    regression = kind == "title"
    set_seed(cfg.seed)
    model, tok = load_base_encoder(cfg.base_model, num_labels=1 if regression else 2)
    if regression:
        model.config.problem_type = "regression"
    if tok.pad_token is None:
        tok.pad_token = tok.unk_token or tok.eos_token
    idx = np.arange(len(xs))
    n_eval = max(1, int(round(cfg.eval_fraction * len(xs))))
    strat = None if regression or min(np.bincount(y.astype(int), minlength=2)) < 2 else y
    try:
        tr, ev = train_test_split(idx, test_size=n_eval, random_state=cfg.seed, stratify=strat)
    except ValueError:
        tr, ev = train_test_split(idx, test_size=n_eval, random_state=cfg.seed)
    yv = y.astype(np.float32) if regression else y.astype(np.int64)
    ds_tr = _Encoded(tokenize_inputs(tok, [xs[i] for i in tr], cfg.max_length), yv[tr])
    ds_ev = _Encoded(tokenize_inputs(tok, [xs[i] for i in ev], cfg.max_length), yv[ev])

    def metrics(p: Any) -> dict[str, float]:
        logits = p.predictions[0] if isinstance(p.predictions, tuple) else p.predictions
        if regression:
            return {"rmse": float(np.sqrt(np.mean((logits.reshape(-1) - p.label_ids) ** 2)))}
        return {"accuracy": float((logits.argmax(-1) == p.label_ids).mean())}

    ckpt = Path(out_dir).with_name(Path(out_dir).name + ".checkpoints")
    args = TrainingArguments(
        output_dir=str(ckpt), learning_rate=cfg.learning_rate, per_device_train_batch_size=cfg.batch_size,
        per_device_eval_batch_size=max(cfg.batch_size, 16), num_train_epochs=cfg.epochs,
        weight_decay=cfg.weight_decay, eval_strategy="epoch", save_strategy="epoch", load_best_model_at_end=True,
        metric_for_best_model="rmse" if regression else "accuracy", greater_is_better=not regression,
        save_total_limit=1, report_to=[], seed=cfg.seed, logging_strategy="no", disable_tqdm=True,
        use_cpu=(cfg.device or ("cuda" if torch.cuda.is_available() else "cpu")) == "cpu",
    )
    trainer = Trainer(model=model, args=args, train_dataset=ds_tr, eval_dataset=ds_ev,
                      data_collator=DataCollatorWithPadding(tok), compute_metrics=metrics)
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # per-epoch dicts on stdout; the CLI prints its own table
    trainer.train()
    ev_metrics = trainer.evaluate()
    trainer.save_model(str(out_dir))
    tok.save_pretrained(str(out_dir))
    shutil.rmtree(ckpt, ignore_errors=True)
    return {"n_train": len(tr), "n_eval": len(ev), "positives": None if regression else int(y.sum()),
            "eval": {k: round(float(v), 4) for k, v in ev_metrics.items() if isinstance(v, (int, float))}}


def tune(cfg: TuneConfig, progress: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    """Fine-tune every requested text model; a model with too little data is skipped and says why.

    ``progress(kind, n_examples)`` is called before each model is tuned.
    """
    out = Path(cfg.out)
    with run_card(out, "revert-tune", cfg, inputs={"prepared": cfg.prepared}) as card:
        report = _tune(cfg, out, progress)
        models = report["models"]
        card.counts.update(text_train_rows=report["text_train_rows"],
                           trained=sorted(k for k, v in models.items() if "skipped" not in v),
                           skipped=sorted(k for k, v in models.items() if "skipped" in v),
                           examples={k: v["n_train"] + v["n_eval"] for k, v in models.items() if "skipped" not in v},
                           eval={k: v["eval"].get("eval_rmse" if k == "title" else "eval_accuracy")
                                 for k, v in models.items() if "skipped" not in v})
        card.outputs.update({k: k for k, v in models.items() if "skipped" not in v}, report="tune.json")
    return report


def _tune(cfg: TuneConfig, out: Path, progress: Callable[[str, int], None] | None) -> dict[str, Any]:
    train = read_part(cfg.prepared, "train")
    text = train.filter(train["is_text_train"])
    report: dict[str, Any] = {"prepared": str(cfg.prepared), "config": cfg.settings(),
                              "text_train_rows": text.num_rows, "models": {}}
    for kind in cfg.kinds:
        xs, y = text_examples(text, kind, cfg.min_title_revisions, cfg.seed, cfg.max_examples)
        if len(xs) < 4 or (kind != "title" and len(set(y.tolist())) < 2):
            report["models"][kind] = {"skipped": f"too few examples ({len(xs)}, classes {sorted(set(y.tolist()))})"}
            log.warning("revert tune: %s model skipped: %s", kind, report["models"][kind]["skipped"])
            continue
        if progress is not None:
            progress(kind, len(xs))
        try:
            report["models"][kind] = fine_tune(kind, xs, y, out / kind, cfg)
        except (OSError, ValueError) as e:
            raise CorpuslabError(f"revert tune: {kind} model failed: {e}") from e
    report.update(run_info())
    write_json_atomic(out / "tune.json", report)
    return report
