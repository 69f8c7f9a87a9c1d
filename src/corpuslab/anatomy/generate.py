"""Target texts for label shift: seeded sampling from the model, cached as JSONL (``{"prompt", "text"}``).

Defaults follow Yaxin9Luo/data_anatomy ``run_labelshift.py``: neutral prompts, temperature 0.8, top-p 0.9.
The cache is resumable: a rerun with the same settings appends only the missing generations.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from corpuslab.core.errors import DataError

#: Neutral prompts: they should not favour any domain. "" means "start from BOS only".
NEUTRAL_PROMPTS = ["", "\n", "Continue the passage:", "Abstract:", "The", "In", "#", "1.", "Title:", "A", "It",
                   "This", "Q:", "def", "Chapter 1", "Introduction"]


def read_generations(path: str | os.PathLike[str]) -> list[str]:
    """Texts from a JSONL file of ``{"text": ...}`` lines (cached or user-supplied generations)."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: generations file not found")
    texts = []
    with open(p, encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise DataError(f"{p}:{i}: malformed JSON ({e})") from e
            t = rec.get("text") if isinstance(rec, dict) else None
            if not isinstance(t, str):
                raise DataError(f"{p}:{i}: expected an object with a string 'text'")
            if t.strip():
                texts.append(t)
    if not texts:
        raise DataError(f"{p}: no non-empty generations")
    return texts


def generate_texts(model: Any, tokenizer: Any, num_prompts: int = 300, prompts: list[str] | None = None,
                   max_new_tokens: int = 512, temperature: float = 0.8, top_p: float = 0.9, top_k: int = 0,
                   seed: int = 0,
                   batch_size: int = 16, cache_path: str | os.PathLike[str] | None = None,
                   progress: bool = True) -> list[str]:
    """``num_prompts`` sampled continuations (prompt text excluded), cycling through ``prompts``.

    Batch b is sampled with seed ``seed + b`` so a resumed run reproduces the same texts. ``top_k=0``
    disables Hugging Face's default top-k of 50, which silently cuts the long tail of the first-token
    distribution (e.g. byte tokens of CJK text) and biases the generated domain mix.
    """
    import torch

    prompts = list(prompts) if prompts else NEUTRAL_PROMPTS
    settings = {"max_new_tokens": max_new_tokens, "temperature": temperature, "top_p": top_p, "top_k": top_k,
                "seed": seed,
                "batch_size": batch_size}
    done: list[dict[str, Any]] = []
    cache = Path(cache_path) if cache_path else None
    if cache and cache.exists():
        with open(cache, encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    break  # a cut last line from a killed run: regenerate from here
                if rec.get("settings") != settings:
                    done = []
                    break
                done.append(rec)
    dev = next(model.parameters()).device
    old_side = getattr(tokenizer, "padding_side", "right")
    tokenizer.padding_side = "left"
    bos = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    mode = "a" if done else "w"
    fh = open(cache, mode, encoding="utf-8") if cache else None
    try:
        start_batch = len(done) // batch_size
        done = done[: start_batch * batch_size]
        if fh and mode == "a":  # rewrite to drop a partial trailing batch
            fh.close()
            with open(cache, "w", encoding="utf-8") as w:
                for rec in done:
                    w.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh = open(cache, "a", encoding="utf-8")
        n_batches = (num_prompts + batch_size - 1) // batch_size
        for b in tqdm(range(start_batch, n_batches), desc="generating", disable=not progress,
                      initial=start_batch, total=n_batches):
            idx = list(range(b * batch_size, min((b + 1) * batch_size, num_prompts)))
            batch_prompts = [prompts[i % len(prompts)] for i in idx]
            ids = []
            for p in batch_prompts:
                t = tokenizer(p, add_special_tokens=False)["input_ids"] if p else []
                ids.append(([bos] if bos is not None else []) + t)
            width = max(len(x) for x in ids)
            input_ids = torch.tensor([[pad] * (width - len(x)) + x for x in ids], device=dev)
            attn = torch.tensor([[0] * (width - len(x)) + [1] * len(x) for x in ids], device=dev)
            torch.manual_seed(seed + b)
            with torch.no_grad():
                out = model.generate(input_ids=input_ids, attention_mask=attn, do_sample=True,
                                     temperature=temperature, top_p=top_p, top_k=top_k, max_new_tokens=max_new_tokens,
                                     pad_token_id=pad, eos_token_id=tokenizer.eos_token_id)
            for i, p in zip(idx, batch_prompts, strict=False):
                row = out[i - idx[0], width:].tolist()
                text = tokenizer.decode(row, skip_special_tokens=True)
                rec = {"prompt": p, "text": text, "settings": settings}
                done.append(rec)
                if fh:
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            if fh:
                fh.flush()
    finally:
        tokenizer.padding_side = old_side
        if fh:
            fh.close()
    return [r["text"] for r in done[:num_prompts]]
