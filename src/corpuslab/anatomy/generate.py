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

from corpuslab.anatomy.config import GenerationConfig
from corpuslab.core.atomic import atomic_path
from corpuslab.core.errors import DataError
from corpuslab.core.shards import iter_jsonl

#: Neutral prompts: they should not favour any domain. "" means "start from BOS only".
NEUTRAL_PROMPTS = ["", "\n", "Continue the passage:", "Abstract:", "The", "In", "#", "1.", "Title:", "A", "It",
                   "This", "Q:", "def", "Chapter 1", "Introduction"]


def read_prompts(path: str | os.PathLike[str]) -> list[str]:
    """One prompt per line of a text file; a literal ``\\n`` in a line stands for a newline."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as e:
        raise DataError(f"{path}: prompts file not found") from e
    return [ln.replace("\\n", "\n") for ln in lines]


def read_generations(path: str | os.PathLike[str]) -> list[str]:
    """Texts from a JSONL file of ``{"text": ...}`` lines (cached or user-supplied generations)."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: generations file not found")
    texts = []
    for i, rec in enumerate(iter_jsonl(p, validate=False), 1):
        t = rec.get("text") if isinstance(rec, dict) else None
        if not isinstance(t, str):
            raise DataError(f"{p}: record {i}: expected an object with a string 'text'")
        if t.strip():
            texts.append(t)
    if not texts:
        raise DataError(f"{p}: no non-empty generations")
    return texts


def read_cache(cache: Path, settings: dict[str, Any]) -> list[dict[str, Any]]:
    """The cached generations made with ``settings``, up to the first unreadable line (a killed run's
    cut last line: generation resumes from there); none when they were made with other settings."""
    done: list[dict[str, Any]] = []
    if not cache.exists():
        return done
    try:
        for rec in iter_jsonl(cache, validate=False):
            if rec.get("settings") != settings:
                return []
            done.append(rec)
    except DataError:
        pass
    return done


def cache_settings(cfg: GenerationConfig) -> dict[str, Any]:
    """What a cached generation must have been made with to be reused (stored in every cache line)."""
    return {"max_new_tokens": cfg.max_new_tokens, "temperature": cfg.temperature, "top_p": cfg.top_p,
            "top_k": cfg.top_k, "seed": cfg.seed, "batch_size": cfg.gen_batch_size}


def generate_texts(model: Any, tokenizer: Any, cfg: GenerationConfig,
                   cache_path: str | os.PathLike[str] | None = None, progress: bool = True) -> list[str]:
    """``cfg.num_prompts`` sampled continuations (prompt text excluded), cycling through ``cfg.prompts``.

    Batch b is sampled with seed ``seed + b`` so a resumed run reproduces the same texts. ``top_k=0``
    disables Hugging Face's default top-k of 50, which silently cuts the long tail of the first-token
    distribution (e.g. byte tokens of CJK text) and biases the generated domain mix.
    """
    prompts = list(cfg.prompts) if cfg.prompts else NEUTRAL_PROMPTS
    settings = cache_settings(cfg)
    batch_size = cfg.gen_batch_size
    cache = Path(cache_path) if cache_path else None
    done = read_cache(cache, settings) if cache else []
    if len(done) >= cfg.num_prompts:
        return [r["text"] for r in done[: cfg.num_prompts]]
    n_batches = (cfg.num_prompts + batch_size - 1) // batch_size
    start_batch = len(done) // batch_size
    done = done[: start_batch * batch_size]  # a partial trailing batch is generated again
    if cache:
        with atomic_path(cache) as tmp, open(tmp, "w", encoding="utf-8") as w:
            w.writelines(json.dumps(rec, ensure_ascii=False) + "\n" for rec in done)
    old_side = getattr(tokenizer, "padding_side", "right")
    tokenizer.padding_side = "left"
    fh = open(cache, "a", encoding="utf-8") if cache else None
    try:
        for b in tqdm(range(start_batch, n_batches), desc="generating", disable=not progress,
                      initial=start_batch, total=n_batches):
            idx = range(b * batch_size, min((b + 1) * batch_size, cfg.num_prompts))
            batch_prompts = [prompts[i % len(prompts)] for i in idx]
            for p, text in zip(batch_prompts, _sample_batch(model, tokenizer, batch_prompts, cfg, b), strict=True):
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
    return [r["text"] for r in done[: cfg.num_prompts]]


def _sample_batch(model: Any, tokenizer: Any, prompts: list[str], cfg: GenerationConfig, batch: int) -> list[str]:
    """One left-padded batch from BOS + prompt, seeded with ``cfg.seed + batch``; the continuations only."""
    import torch

    dev = next(model.parameters()).device
    bos = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    ids = []
    for p in prompts:
        t = tokenizer(p, add_special_tokens=False)["input_ids"] if p else []
        ids.append(([bos] if bos is not None else []) + t)
    width = max(len(x) for x in ids)
    input_ids = torch.tensor([[pad] * (width - len(x)) + x for x in ids], device=dev)
    attn = torch.tensor([[0] * (width - len(x)) + [1] * len(x) for x in ids], device=dev)
    torch.manual_seed(cfg.seed + batch)
    with torch.no_grad():
        out = model.generate(input_ids=input_ids, attention_mask=attn, do_sample=True,
                             temperature=cfg.temperature, top_p=cfg.top_p, top_k=cfg.top_k,
                             max_new_tokens=cfg.max_new_tokens, pad_token_id=pad, eos_token_id=tokenizer.eos_token_id)
    return [tokenizer.decode(row[width:].tolist(), skip_special_tokens=True) for row in out]
