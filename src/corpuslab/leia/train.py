"""``leia train``: continued pre-training on LEIA data through :func:`corpuslab.train.train_causal_lm`.

The recipe (:class:`~corpuslab.leia.config.LeiaTrainConfig`'s defaults) is the leia-llm/leia ``train.sh``:
lr 5e-6, cosine, no warm-up, weight decay 0.1, AdamW betas (0.9, 0.95), eps 1e-6, grad clip 1.0, seed 42,
bf16 where the GPU supports it. DeepSpeed / FSDP configs pass straight through to ``TrainingArguments``,
and ``accelerate launch -m corpuslab.cli.main leia train`` runs it on several GPUs. Insertions are re-drawn
every epoch (:class:`~corpuslab.leia.trainer_data.LeiaDataset`); markers are masked in the loss.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from corpuslab.core.atomic import write_json_atomic
from corpuslab.core.errors import DataError
from corpuslab.core.runcard import run_card
from corpuslab.core.runinfo import run_info
from corpuslab.leia.config import LeiaTrainConfig


def read_build_report(data_dir: str | Path) -> dict[str, Any]:
    """``report.json`` of a ``leia build`` folder (its config gives the training defaults)."""
    rep_path = Path(data_dir) / "report.json"
    if not rep_path.exists():
        raise DataError(f"{data_dir}: no report.json (not a `leia build` output folder)")
    return json.loads(rep_path.read_text())


def train_leia(cfg: LeiaTrainConfig, progress: bool = True) -> dict[str, Any]:
    """Train and save ``output_dir/final_model`` (model + tokenizer with markers); return the summary.

    ``seq_len``, ``p`` and ``strategy`` default to what ``leia build`` recorded; ``strategy="none"`` is the
    reference's no-insertion baseline ("LLaMA2+FT"). Writes ``train_report.json`` and ``run.json`` (kind
    ``leia-train``).
    """
    build = read_build_report(cfg.data_dir)
    with run_card(cfg.output_dir, "leia-train", cfg, inputs={"model": cfg.model, "data_dir": cfg.data_dir}) as card:
        summary = _train(cfg, build, progress)
        losses = summary["losses"]
        card.counts.update(steps=summary["steps"], tokens_per_step=summary["tokens_per_step"],
                           first_loss=losses[0] if losses else None, last_loss=losses[-1] if losses else None)
        card.outputs.update(final_model="final_model", report="train_report.json")
    return summary


def _train(cfg: LeiaTrainConfig, build: dict[str, Any], progress: bool) -> dict[str, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from corpuslab.leia.insertion import InsertionSettings
    from corpuslab.leia.markers import init_marker_embeddings, marker_ids_of
    from corpuslab.leia.packing import LeiaPacker
    from corpuslab.leia.token_store import TokenStore
    from corpuslab.leia.trainer_data import LeiaCollator, LeiaDataset
    from corpuslab.models.loading import _wrap_load_error, pick_device
    from corpuslab.train import train_causal_lm

    d = Path(cfg.data_dir)
    built = build["config"]
    seq_len = int(cfg.seq_len or built["seq_len"])
    insertion = InsertionSettings(p=built["p"] if cfg.p is None else cfg.p, strategy=cfg.strategy or built["strategy"],
                                  seed=cfg.seed, markers=cfg.markers)
    tok = AutoTokenizer.from_pretrained(str(d / "tokenizer"))
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    try:
        model = AutoModelForCausalLM.from_pretrained(cfg.model)
    except (OSError, ValueError) as e:
        raise _wrap_load_error(cfg.model, e) from e
    new_ids = init_marker_embeddings(model, tok)
    marker_ids = marker_ids_of(tok)
    packer = LeiaPacker(TokenStore(d), seq_len, build.get("bos_id"), marker_ids, insertion)
    collator = LeiaCollator(marker_ids=marker_ids, pad_token_id=tok.pad_token_id,
                            mask_entity_names=cfg.mask_entity_names)
    res = train_causal_lm(model, tok, LeiaDataset(packer), cfg.causal_lm_config(), data_collator=collator,
                          progress=progress)
    losses = [h["loss"] for h in res.log_history if "loss" in h]
    summary = {
        "model": cfg.model, "data_dir": str(d), "final_model": str(res.final_model_dir),
        "max_steps": cfg.max_steps, "steps": int(res.trainer.state.global_step), "seq_len": seq_len,
        "p": insertion.p, "strategy": insertion.strategy,
        "tokens_per_step": seq_len * cfg.per_device_train_batch_size * cfg.gradient_accumulation_steps,
        "marker_ids": list(marker_ids), "initialised_embedding_rows": new_ids,
        "hyperparameters": cfg.hyperparameters(), "losses": losses, "metrics": res.metrics,
        "packer_counts": dict(packer.counters), "device": pick_device(None), "run": run_info(),
    }
    write_json_atomic(Path(cfg.output_dir) / "train_report.json", summary)
    return summary
