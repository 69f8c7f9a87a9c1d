"""Multiple-choice evaluation as in LEIA (Yamada & Ri 2024, arXiv 2402.11485; leia-llm/leia ``evaluate.py``
and ``leia/tasks/``).

* Scoring: the **sum** of the continuation tokens' log-probabilities (no length normalisation); argmax.
* X-CSQA: 4-shot. Prompt ``Question: {stem}\\nAnswer:``, continuation `` {choice}``; demonstrations
  (``Question: …\\nAnswer: {gold}``) are drawn from the same split without the current item, joined by a
  blank line; context tokenised without BOS.
* X-CODAH: each choice sentence is scored whole after an EOS-only context (0-shot).
* Accuracy per language with a percentile bootstrap CI.

Data are local files in the X-CSR schema ``{"id","lang","question":{"stem","choices":[{"label","text"}]},
"answerKey"}`` (users download X-CSR themselves); :func:`load_codah_tsv` and :func:`load_csqa_jsonl`
convert the English CODAH / CommonsenseQA sources into it.

Where lm-evaluation-harness fits: these are plain log-likelihood multiple-choice tasks, i.e. an
``output_type: multiple_choice`` task YAML over the same files (``doc_to_text``/``doc_to_choice``); the
scorer here exists because the harness is not a dependency and X-CODAH's EOS-only context and X-CSQA's
in-split demonstrations need custom hooks there. ``docs/wiki.md`` shows the YAML.
"""

from __future__ import annotations

import csv
import json
import os
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpuslab.core.errors import ConfigError, DataError
from corpuslab.core.runcard import run_card
from corpuslab.core.streams import open_read
from corpuslab.leia.config import EvalSettings, LeiaEvalConfig

LABELS = "ABCDEFGH"


# ---- data -----------------------------------------------------------------------------------------


def _check_item(obj: Any, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise DataError(f"{where}: expected a JSON object")
    q = obj.get("question")
    if not isinstance(q, dict) or not isinstance(q.get("choices"), list) or not q["choices"]:
        raise DataError(f"{where}: missing question.choices")
    labels = [c.get("label") for c in q["choices"]]
    if obj.get("answerKey") not in labels:
        raise DataError(f"{where}: answerKey {obj.get('answerKey')!r} not among choice labels {labels}")
    return obj


def numbered_json_lines(path: str | os.PathLike[str], errors: Counter[str] | None = None
                        ) -> Iterator[tuple[str, Any]]:
    """``("file:line", parsed JSON)`` per non-blank line of a (possibly compressed) JSONL file.

    A line that is not JSON raises a one-line :class:`DataError` naming ``file:line``, or, with ``errors``,
    is counted as ``bad_items`` and skipped. The location is kept so item checks can name the line too.
    """
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: evaluation file not found")
    with open_read(p) as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            where = f"{p}:{lineno}"
            try:
                obj = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                if errors is None:
                    raise DataError(f"{where}: malformed JSON ({e})") from e
                errors["bad_items"] += 1
                continue
            yield where, obj


def load_xcsr(path: str | os.PathLike[str], lang: str | None = None,
              errors: Counter[str] | None = None) -> list[dict[str, Any]]:
    """Items of an X-CSR JSONL file; malformed lines are counted in ``errors`` (raised if None)."""
    items = []
    for where, obj in numbered_json_lines(path, errors):
        try:
            item = _check_item(obj, where)
        except DataError:
            if errors is None:
                raise
            errors["bad_items"] += 1
            continue
        if lang is not None:
            item["lang"] = lang
        item.setdefault("lang", "unk")
        items.append(item)
    return items


def load_codah_tsv(path: str | os.PathLike[str], lang: str = "en") -> list[dict[str, Any]]:
    """CODAH ``category, prompt, 4 endings, answer index`` → X-CODAH items (choices are whole sentences)."""
    items = []
    with open(path, encoding="utf-8") as fh:
        for i, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)):
            if len(row) < 7:
                raise DataError(f"{path}:{i + 1}: expected 7 tab-separated fields, got {len(row)}")
            prompt, endings, ans = row[1].strip(), row[2:6], int(row[6])
            choices = [{"label": LABELS[k], "text": f"{prompt} {e.strip()}"} for k, e in enumerate(endings)]
            items.append({"id": f"codah-{i}", "lang": lang, "question": {"stem": prompt, "choices": choices},
                          "answerKey": LABELS[ans]})
    return items


def load_csqa_jsonl(path: str | os.PathLike[str], lang: str = "en") -> list[dict[str, Any]]:
    """CommonsenseQA (original or HF layout) → X-CSQA items."""
    items = []
    for where, o in numbered_json_lines(path):
        q = o["question"]
        if isinstance(q, dict):  # original layout: question.stem + question.choices
            stem, choices = q["stem"], q["choices"]
        else:  # HF layout: question str + choices{label: [...], text: [...]}
            stem = q
            choices = [{"label": lab, "text": t} for lab, t in zip(o["choices"]["label"], o["choices"]["text"], strict=True)]
        item = {"id": o.get("id", f"csqa-{where.rsplit(':', 1)[1]}"), "lang": lang,
                "question": {"stem": stem, "choices": choices}, "answerKey": o["answerKey"]}
        items.append(_check_item(item, where))
    return items


# ---- scoring --------------------------------------------------------------------------------------


def score_continuations(model: Any, tokenizer: Any, requests: Sequence[tuple[list[int], list[int]]],
                        batch_size: int = 16, max_length: int | None = None) -> list[float]:
    """Summed log-probability of each continuation given its context (token id lists).

    Over-long inputs are cut from the left, keeping the whole continuation when possible.
    """
    import torch

    dev = next(model.parameters()).device
    limit = max_length or getattr(model.config, "max_position_embeddings", None) or getattr(model.config, "n_positions", 2048)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    order = sorted(range(len(requests)), key=lambda i: -(len(requests[i][0]) + len(requests[i][1])))
    out = [0.0] * len(requests)
    model.eval()
    for b in range(0, len(order), batch_size):
        idxs = order[b:b + batch_size]
        seqs, spans = [], []
        for i in idxs:
            ctx, cont = list(requests[i][0]), list(requests[i][1])
            if not cont:
                raise DataError("empty continuation: nothing to score")
            full = (ctx + cont)[-(limit + 1):]
            n_cont = min(len(cont), len(full) - 1)
            seqs.append(full[:-1])  # inputs; targets are full[1:]
            spans.append((full, n_cont))
        L = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), L), pad, dtype=torch.long)
        attn = torch.zeros((len(seqs), L), dtype=torch.long)
        for k, s in enumerate(seqs):
            ids[k, :len(s)] = torch.as_tensor(s)
            attn[k, :len(s)] = 1
        with torch.no_grad():
            logits = model(input_ids=ids.to(dev), attention_mask=attn.to(dev)).logits.float()
            logp = torch.log_softmax(logits, dim=-1).cpu()
        for k, i in enumerate(idxs):
            full, n_cont = spans[k]
            T = len(full) - 1
            tgt = torch.as_tensor(full[1:])
            pos = torch.arange(T - n_cont, T)
            out[i] = float(logp[k, pos, tgt[T - n_cont:]].sum())
    return out


def _encode(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def xcsqa_requests(items: Sequence[dict[str, Any]], tokenizer: Any, num_fewshot: int = 4, seed: int = 42
                   ) -> list[list[tuple[list[int], list[int]]]]:
    """Per item, one (context, continuation) per choice. Demonstrations come from the same item list."""
    rng = random.Random(seed)
    out = []
    for i, it in enumerate(items):
        demos = []
        if num_fewshot > 0:
            pool = [j for j in range(len(items)) if j != i]
            for j in rng.sample(pool, min(num_fewshot, len(pool))):
                d = items[j]
                gold = next(c["text"] for c in d["question"]["choices"] if c["label"] == d["answerKey"])
                demos.append(f"Question: {d['question']['stem']}\nAnswer: {gold}")
        ctx_text = "\n\n".join([*demos, f"Question: {it['question']['stem']}\nAnswer:"])
        ctx = _encode(tokenizer, ctx_text)
        out.append([(ctx, _encode(tokenizer, " " + c["text"])) for c in it["question"]["choices"]])
    return out


def xcodah_requests(items: Sequence[dict[str, Any]], tokenizer: Any) -> list[list[tuple[list[int], list[int]]]]:
    """Whole choice sentences after an EOS-only context."""
    eos = tokenizer.eos_token_id
    if eos is None:
        raise DataError("X-CODAH scoring needs a tokenizer with an EOS token")
    return [[([eos], _encode(tokenizer, c["text"])) for c in it["question"]["choices"]] for it in items]


def bootstrap_ci(correct: np.ndarray, n_boot: int = 1000, alpha: float = 0.05, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of a 0/1 vector."""
    x = np.asarray(correct, dtype=float)
    if len(x) == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
    return float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2))


def evaluate_items(model: Any, tokenizer: Any, items: Sequence[dict[str, Any]], task: str,
                   settings: EvalSettings | None = None) -> dict[str, Any]:
    """Evaluate one task (``xcsqa`` or ``xcodah``); returns metrics per language and predictions.

    As in the reference, items are shuffled with ``seed`` before ``limit`` (per language) is applied. Few-shot
    demonstrations are drawn per language (the same split, the same language).
    """
    st = settings or EvalSettings()
    num_fewshot, seed, limit = st.num_fewshot, st.seed, st.limit
    if task not in ("xcsqa", "xcodah"):
        raise DataError(f"unknown task {task!r}: use xcsqa or xcodah")
    items = list(items)
    if st.shuffle:
        random.Random(seed).shuffle(items)
    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for it in items:
        if limit is None or len(by_lang[it.get("lang", "unk")]) < limit:
            by_lang[it.get("lang", "unk")].append(it)
    metrics: dict[str, Any] = {}
    predictions = []
    for lang, its in sorted(by_lang.items()):
        reqs = xcsqa_requests(its, tokenizer, num_fewshot, seed) if task == "xcsqa" else xcodah_requests(its, tokenizer)
        flat = [r for rs in reqs for r in rs]
        scores = score_continuations(model, tokenizer, flat, batch_size=st.batch_size)
        correct = []
        k = 0
        for it, rs in zip(its, reqs, strict=True):
            s = scores[k:k + len(rs)]
            k += len(rs)
            labels = [c["label"] for c in it["question"]["choices"]]
            pred = labels[int(np.argmax(s))]
            correct.append(pred == it["answerKey"])
            predictions.append({"id": it.get("id"), "lang": lang, "task": task, "pred": pred, "gold": it["answerKey"],
                                "scores": [round(x, 4) for x in s]})
        acc = float(np.mean(correct)) if correct else float("nan")
        lo, hi = bootstrap_ci(np.asarray(correct), n_boot=st.n_boot, seed=seed)
        n_choices = len(its[0]["question"]["choices"]) if its else 0
        metrics[lang] = {"accuracy": acc, "ci_low": lo, "ci_high": hi, "n": len(its),
                         "chance": 1.0 / n_choices if n_choices else None}
    return {"task": task, "num_fewshot": num_fewshot if task == "xcsqa" else 0, "metrics": metrics,
            "predictions": predictions}


def load_task_items(path: str | os.PathLike[str], task: str, lang: str | None = None,
                    errors: Counter[str] | None = None) -> list[dict[str, Any]]:
    """X-CSR JSONL by default; CODAH ``.tsv`` and CommonsenseQA ``.jsonl`` are recognised and converted."""
    p = str(path)
    if p.endswith(".tsv"):
        return load_codah_tsv(p, lang or "en")
    with open_read(p) as fh:
        first = fh.readline()
    try:
        head = json.loads(first)
    except json.JSONDecodeError:
        head = {}
    if isinstance(head, dict) and (isinstance(head.get("question"), str) or "question_concept" in head):
        return load_csqa_jsonl(p, lang or "en")
    return load_xcsr(p, lang, errors)


def results_table(results: Sequence[dict[str, Any]]) -> str:
    """Markdown table: task, language, n, accuracy, 95% CI, chance."""
    lines = ["| task | lang | n | accuracy | 95% CI | chance |", "|---|---|---|---|---|---|"]
    for r in results:
        for lang, m in r["metrics"].items():
            lines.append(f"| {r['task']} | {lang} | {m['n']} | {m['accuracy']:.3f} | "
                         f"[{m['ci_low']:.3f}, {m['ci_high']:.3f}] | {m['chance']:.2f} |")
    return "\n".join(lines)


def run_eval(cfg: LeiaEvalConfig) -> list[dict[str, Any]]:
    """Evaluate ``cfg.model`` on the X-CSQA / X-CODAH files; return one result per task.

    With ``output_dir`` it writes ``{task}_metrics.json``, ``{task}_predictions.jsonl``, ``results.md`` and
    ``run.json`` (kind ``leia-eval``). The reference evaluates in fp16 on GPU (``dtype``).
    """
    tasks = cfg.tasks()
    if not tasks:
        raise ConfigError("xcsqa, xcodah: give at least one --xcsqa or --xcodah file")
    if cfg.output_dir is None:
        return _evaluate_tasks(cfg)
    inputs = {"model": cfg.model, "xcsqa": cfg.xcsqa, "xcodah": cfg.xcodah}
    with run_card(cfg.output_dir, "leia-eval", cfg, inputs=inputs) as card:
        results = _evaluate_tasks(cfg)
        card.counts.update(items={r["task"]: {lang: m["n"] for lang, m in r["metrics"].items()} for r in results},
                           accuracy={r["task"]: {lang: m["accuracy"] for lang, m in r["metrics"].items()}
                                     for r in results},
                           bad_items=results[0]["bad_items"])  # every file is read first: one total
        card.outputs.update(results="results.md", **{f"{r['task']}_metrics": f"{r['task']}_metrics.json"
                                                     for r in results})
    return results


def _evaluate_tasks(cfg: LeiaEvalConfig) -> list[dict[str, Any]]:
    from corpuslab.core.atomic import atomic_path, write_json_atomic
    from corpuslab.models.loading import load_causal_lm

    model, tok = load_causal_lm(cfg.model, device=cfg.device, dtype=cfg.dtype)
    results = []
    by_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
    errors: Counter[str] = Counter()
    for task, path in cfg.tasks():
        by_task[task].extend(load_task_items(path, task, errors=errors))
    for task, items in by_task.items():
        r = evaluate_items(model, tok, items, task, cfg)
        r["bad_items"] = errors.get("bad_items", 0)
        results.append(r)
        if cfg.output_dir is not None:
            out = Path(cfg.output_dir)
            write_json_atomic(out / f"{task}_metrics.json", {k: v for k, v in r.items() if k != "predictions"}
                              | {"model": cfg.model})
            with atomic_path(out / f"{task}_predictions.jsonl") as tmp, open(tmp, "w", encoding="utf-8") as fh:
                for pr in r["predictions"]:
                    fh.write(json.dumps(pr, ensure_ascii=False) + "\n")
    if cfg.output_dir is not None:
        with atomic_path(Path(cfg.output_dir) / "results.md") as tmp, open(tmp, "w", encoding="utf-8") as fh:
            fh.write(f"Model: `{cfg.model}`\n\n{results_table(results)}\n")
    return results
