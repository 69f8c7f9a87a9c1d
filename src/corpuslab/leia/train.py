"""``leia train``: continued pre-training on LEIA data through :func:`corpuslab.train.causal_lm.train_causal_lm`.

Defaults are the reference ``train.sh`` (shared/reference/leia_and_revertrisk.md A.4): lr 5e-6, cosine,
no warmup, weight decay 0.1, AdamW betas (0.9, 0.95), eps 1e-6, grad clip 1.0, seed 42, bf16 where the
GPU supports it. The reference's 2048 × 2048-token steps are ``per_device_train_batch_size × gradient_
accumulation_steps × GPUs``; DeepSpeed / FSDP configs pass straight through to ``TrainingArguments``
(``deepspeed=ds_config.json`` / ``fsdp=...``), and ``accelerate launch -m corpuslab.cli.main leia train``
runs it on several GPUs. Insertions are re-drawn every epoch (LeiaDataset); markers are masked in the loss.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from corpuslab.core.atomic import write_json_atomic
from corpuslab.core.errors import DataError
from corpuslab.core.runinfo import run_info

LEIA_DEFAULTS: dict[str, Any] = {
    "learning_rate": 5e-6, "lr_scheduler_type": "cosine", "warmup_steps": 0, "weight_decay": 0.1,
    "adam_beta1": 0.9, "adam_beta2": 0.95, "adam_epsilon": 1e-6, "max_grad_norm": 1.0, "seed": 42,
}


def train_leia(
    model_name_or_path: str,
    data_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    max_steps: int = 50,
    per_device_train_batch_size: int = 1,
    gradient_accumulation_steps: int = 1,
    seq_len: int | None = None,
    p: float | None = None,
    strategy: str | None = None,
    mask_entity_names: bool = False,
    markers: bool = True,
    logging_steps: int = 1,
    bf16: bool | None = None,
    progress: bool = True,
    **training_args: Any,
) -> dict[str, Any]:
    """Train and save ``output_dir/final_model`` (model + tokenizer with markers); return a summary.

    ``seq_len``, ``p`` and ``strategy`` default to what ``leia build`` recorded; ``strategy="none"`` is the
    reference's no-insertion baseline ("LLaMA2+FT"). Extra kwargs override the LEIA defaults or go to
    ``TrainingArguments`` (``deepspeed``, ``fsdp``, ``gradient_checkpointing``, ...).
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from corpuslab.leia.build import TokenStore
    from corpuslab.leia.data import (
        TRANSLATE_CLOSE,
        TRANSLATE_OPEN,
        LeiaCollator,
        LeiaDataset,
        LeiaPacker,
        init_marker_embeddings,
    )
    from corpuslab.models.loading import _wrap_load_error, pick_device
    from corpuslab.train import CausalLMTrainConfig, train_causal_lm

    d = Path(data_dir)
    rep_path = d / "report.json"
    if not rep_path.exists():
        raise DataError(f"{d}: no report.json (not a `leia build` output folder)")
    build = json.loads(rep_path.read_text())
    cfg = build["config"]
    seq_len = int(seq_len or cfg["seq_len"])
    p = cfg["p"] if p is None else p
    strategy = strategy or cfg["strategy"]
    tok = AutoTokenizer.from_pretrained(str(d / "tokenizer"))
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    try:
        model = AutoModelForCausalLM.from_pretrained(model_name_or_path)
    except (OSError, ValueError) as e:
        raise _wrap_load_error(model_name_or_path, e) from e
    new_ids = init_marker_embeddings(model, tok)
    open_id, close_id = tok.convert_tokens_to_ids(TRANSLATE_OPEN), tok.convert_tokens_to_ids(TRANSLATE_CLOSE)
    store = TokenStore(d)
    bos = build.get("bos_id")
    hp = {**LEIA_DEFAULTS, **training_args}
    packer = LeiaPacker(store, seq_len, bos, open_id, close_id, p=p, strategy=strategy, seed=int(hp["seed"]),
                        markers=markers)
    ds = LeiaDataset(packer)
    collator = LeiaCollator(marker_ids=(open_id, close_id), pad_token_id=tok.pad_token_id,
                            mask_entity_names=mask_entity_names)
    fields = set(CausalLMTrainConfig.model_fields)
    settings = {"max_steps": max_steps, "per_device_train_batch_size": per_device_train_batch_size,
                "gradient_accumulation_steps": gradient_accumulation_steps, "logging_steps": logging_steps,
                "bf16": bf16, "save_final_model": True, **hp}
    train_cfg = CausalLMTrainConfig(
        output_dir=str(output_dir), **{k: v for k, v in settings.items() if k in fields},
        training_args={"dataloader_num_workers": 0, **{k: v for k, v in settings.items() if k not in fields}})
    res = train_causal_lm(model, tok, ds, train_cfg, data_collator=collator, progress=progress)
    losses = [h["loss"] for h in res.log_history if "loss" in h]
    summary = {
        "model": model_name_or_path, "data_dir": str(d), "final_model": str(res.final_model_dir),
        "max_steps": max_steps, "seq_len": seq_len, "p": p, "strategy": strategy,
        "tokens_per_step": seq_len * per_device_train_batch_size * gradient_accumulation_steps,
        "marker_ids": [open_id, close_id], "initialised_embedding_rows": new_ids,
        "hyperparameters": hp, "losses": losses, "metrics": res.metrics,
        "packer_counts": dict(packer.counters), "device": pick_device(None), "run": run_info(),
    }
    write_json_atomic(Path(output_dir) / "train_report.json", summary)
    return summary
