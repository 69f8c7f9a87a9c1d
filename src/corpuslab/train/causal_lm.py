"""Causal-LM training on text: a streamed token dataset and a thin layer over Hugging Face ``Trainer``.

Why a layer at all: every model workflow (overlap fine-tuning, LEIA continued pre-training, data-anatomy
models trained from scratch) needs the same four things — read text from a hub dataset or a corpuslab
shard folder without materialising it, turn it into token windows (per document, or packed), train with
sane CPU/GPU defaults, and know how many samples a step budget consumes. Everything else is plain
``transformers``: the loop is ``Trainer``, so ``torchrun``/``accelerate launch`` work unchanged.

Usage::

    texts = open_text_source("wikimedia/wikipedia", config="20231101.en")        # or a shard folder
    ds = text_dataset(texts, tokenizer, max_length=512, packing=True, num_samples=20_000)
    cfg = CausalLMTrainConfig(output_dir="runs/x", max_steps=500, learning_rate=2e-6)
    result = train_causal_lm(model, tokenizer, ds, cfg)
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpuslab.core.errors import CorpuslabError, DataError
from corpuslab.train.config import CausalLMTrainConfig

log = logging.getLogger(__name__)

TextSource = Iterable[Any] | Callable[[], Iterable[Any]]


# ---- text sources --------------------------------------------------------------------------------


class _Reiterable:
    """Wrap a zero-argument factory so each ``iter()`` restarts the stream (Trainer may re-iterate)."""

    def __init__(self, factory: Callable[[], Iterable[Any]], description: str):
        self._factory = factory
        self.description = description

    def __iter__(self) -> Iterator[Any]:
        return iter(self._factory())

    def __repr__(self) -> str:
        return f"TextSource({self.description})"


def open_text_source(
    dataset: str | os.PathLike[str],
    config: str | None = None,
    split: str = "train",
    text_field: str = "text",
    data_files: str | list[str] | None = None,
    streaming: bool = True,
    trust_remote_code: bool = False,
) -> _Reiterable:
    """Texts from a corpuslab shard folder/file/glob, or a Hugging Face dataset (streamed).

    A path that exists locally and holds shard files (``.jsonl[.gz|.zst]``, ``.parquet``) is read with
    :func:`corpuslab.core.shards.iter_records`. Anything else goes to ``datasets.load_dataset(dataset,
    config, split=split, streaming=True, data_files=...)`` — the real Hub path (e.g.
    ``wikimedia/wikipedia`` + ``20231101.en``), which also serves local files via builders such as
    ``json``/``parquet``/``text``. Yields strings (the ``text_field`` of each row).
    """
    from corpuslab.core.shards import iter_records, list_shards

    name = os.fspath(dataset)
    if os.path.exists(name) and not data_files:
        shards = list_shards(name)
        if shards:
            def shard_texts() -> Iterator[str]:
                for rec in iter_records(name):
                    t = rec.get(text_field)
                    if isinstance(t, str):
                        yield t
            return _Reiterable(shard_texts, f"shards:{name}")

    def hf_texts() -> Iterator[str]:
        import datasets

        kwargs: dict[str, Any] = {"split": split, "streaming": streaming}
        if data_files:
            kwargs["data_files"] = data_files
        if trust_remote_code:
            kwargs["trust_remote_code"] = True
        try:
            ds = datasets.load_dataset(name, config, **kwargs)
        except Exception as e:  # datasets raises many types (DatasetNotFoundError, ConnectionError, ValueError)
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise DataError(
                f"dataset {name!r} (config {config!r}, split {split!r}) could not be opened: {msg}"
            ) from e
        for i, row in enumerate(ds):
            if text_field not in row:
                raise DataError(f"dataset {name!r}: row {i} has no field {text_field!r} (fields: {sorted(row)})")
            t = row[text_field]
            if isinstance(t, str):
                yield t

    return _Reiterable(hf_texts, f"hf:{name}/{config or ''}/{split}")


def _iter_texts(source: TextSource, text_field: str) -> Iterator[str]:
    it = source() if callable(source) and not hasattr(source, "__iter__") else source
    for i, item in enumerate(it):  # type: ignore[union-attr]
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            t = item.get(text_field)
            if not isinstance(t, str):
                raise DataError(f"text source item {i} has no string field {text_field!r}")
            yield t
        else:
            raise DataError(f"text source item {i}: expected str or dict, got {type(item).__name__}")


# ---- tokenised dataset ---------------------------------------------------------------------------


def _torch_iterable_base() -> type:
    import torch.utils.data

    return torch.utils.data.IterableDataset


class TextTokenDataset(_torch_iterable_base()):  # type: ignore[misc]
    """A streamed causal-LM dataset over ``source`` (strings, record dicts, an HF dataset, or a factory).

    ``packing=False`` (the reference setup): one example per document, truncated to ``max_length``.
    ``packing=True``: documents are joined with EOS and cut into windows of exactly ``max_length``
    tokens, so no compute is spent on padding. ``num_samples`` caps the number of *documents* read.
    """

    #: unpacked documents shorter than this many tokens give no example (nothing to predict)
    min_length = 2
    #: documents per tokenizer call (the fast tokenizer batches in Rust)
    tokenize_batch = 64

    def __init__(
        self,
        source: TextSource,
        tokenizer: Any,
        max_length: int = 512,
        packing: bool = False,
        text_field: str = "text",
        num_samples: int | None = None,
        add_special_tokens: bool = True,
        add_eos: bool | None = None,
    ):
        super().__init__()
        if max_length < 2:
            raise CorpuslabError(f"max_length must be >= 2, got {max_length}")
        self.source = source
        self.tokenizer = tokenizer
        self.max_length = int(max_length)
        self.packing = packing
        self.text_field = text_field
        self.num_samples = num_samples
        self.add_special_tokens = add_special_tokens
        self.add_eos = packing if add_eos is None else add_eos
        self.docs_seen = 0

    def _docs(self) -> Iterator[str]:
        import torch.utils.data

        info = torch.utils.data.get_worker_info()
        for i, text in enumerate(_iter_texts(self.source, self.text_field)):
            if self.num_samples is not None and i >= self.num_samples:
                break
            if info is not None and i % info.num_workers != info.id:
                continue  # each DataLoader worker reads every n-th document
            yield text

    def _token_lists(self) -> Iterator[list[int]]:
        tok = self.tokenizer
        eos = tok.eos_token_id
        batch: list[str] = []

        def flush() -> Iterator[list[int]]:
            enc = tok(
                batch,
                add_special_tokens=self.add_special_tokens,
                truncation=not self.packing,
                max_length=None if self.packing else self.max_length - int(self.add_eos and eos is not None),
                verbose=False,  # packing tokenises whole documents longer than the model window on purpose
            )["input_ids"]
            for ids in enc:
                ids = list(ids)
                if self.add_eos and eos is not None:
                    ids.append(eos)
                yield ids

        for text in self._docs():
            self.docs_seen += 1
            batch.append(text)
            if len(batch) >= self.tokenize_batch:
                yield from flush()
                batch = []
        if batch:
            yield from flush()

    def __iter__(self) -> Iterator[dict[str, list[int]]]:
        n = 0
        for ex in self._examples():
            n += 1
            yield ex
        if n == 0:
            raise DataError(
                f"text source {getattr(self.source, 'description', type(self.source).__name__)} produced no "
                f"training examples ({self.docs_seen} documents read"
                + (f"; packing needs at least max_length={self.max_length} tokens in total)" if self.packing
                   else f"; each needs >= {self.min_length} tokens)"))

    def _examples(self) -> Iterator[dict[str, list[int]]]:
        self.docs_seen = 0
        if not self.packing:
            for ids in self._token_lists():
                if len(ids) >= self.min_length:
                    yield {"input_ids": ids, "attention_mask": [1] * len(ids)}
            return
        buf: list[int] = []
        n = self.max_length
        for ids in self._token_lists():
            buf.extend(ids)
            while len(buf) >= n:
                window, buf = buf[:n], buf[n:]
                yield {"input_ids": window, "attention_mask": [1] * n}
        # the final partial window is dropped: every packed example has exactly max_length tokens


#: the public name of the dataset factory (``text_dataset(texts, tokenizer, max_length=…, packing=…)``)
text_dataset = TextTokenDataset


@dataclass
class CausalLMCollator:
    """Right-pads a batch and sets ``labels`` to ``-100`` on padding only.

    Unlike ``DataCollatorForLanguageModeling``, positions are masked by the attention mask rather than by
    token id, so a real EOS is still learned when ``pad_token == eos_token``.
    """

    pad_token_id: int = 0
    pad_to_multiple_of: int | None = None

    def __call__(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        n = max(len(e["input_ids"]) for e in examples)
        if self.pad_to_multiple_of:
            n = int(math.ceil(n / self.pad_to_multiple_of) * self.pad_to_multiple_of)
        ids = torch.full((len(examples), n), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(examples), n), dtype=torch.long)
        for i, e in enumerate(examples):
            L = len(e["input_ids"])
            ids[i, :L] = torch.as_tensor(e["input_ids"], dtype=torch.long)
            mask[i, :L] = 1
        labels = ids.masked_fill(mask == 0, -100)
        return {"input_ids": ids, "attention_mask": mask, "labels": labels}


# ---- steps ↔ samples -----------------------------------------------------------------------------


def world_size() -> int:
    """Number of training processes (``WORLD_SIZE`` under torchrun/accelerate, else 1)."""
    try:
        return max(1, int(os.environ.get("WORLD_SIZE", "1")))
    except ValueError:
        return 1


def training_plan(
    max_steps: int,
    per_device_train_batch_size: int,
    gradient_accumulation_steps: int = 1,
    num_processes: int | None = None,
    num_train_samples: int | None = None,
    packing: bool = False,
) -> dict[str, Any]:
    """The steps↔samples arithmetic: effective batch and how many examples ``max_steps`` consumes.

    Returns a dict with ``effective_batch``, ``samples_needed`` and ``warning`` (``None`` when the
    sample budget suffices). With packing an example is a window, so documents ≠ samples; the check then
    only warns, it cannot be exact.
    """
    procs = num_processes or world_size()
    eff = per_device_train_batch_size * gradient_accumulation_steps * procs
    need = max_steps * eff
    warning = None
    if num_train_samples is not None and num_train_samples < need:
        unit = "documents (packing: windows per document vary)" if packing else "samples"
        warning = (
            f"num_train_samples={num_train_samples} {unit} < {need} needed for {max_steps} steps × effective "
            f"batch {eff}; the stream will run out early (Trainer stops or restarts the data)"
        )
    return {
        "max_steps": max_steps, "per_device_train_batch_size": per_device_train_batch_size,
        "gradient_accumulation_steps": gradient_accumulation_steps, "num_processes": procs,
        "effective_batch": eff, "samples_needed": need, "num_train_samples": num_train_samples,
        "warning": warning,
        "text": (f"effective batch = {per_device_train_batch_size} per device × {gradient_accumulation_steps} "
                 f"accumulation × {procs} processes = {eff}; samples needed = {max_steps} steps × {eff} = {need}"),
    }


# ---- training ------------------------------------------------------------------------------------


#: config fields that are TrainingArguments of the same name
_TRAINING_ARGUMENT_FIELDS = {"output_dir", "max_steps", "per_device_train_batch_size", "gradient_accumulation_steps",
                             "learning_rate", "warmup_steps", "max_grad_norm", "weight_decay", "lr_scheduler_type",
                             "logging_steps", "seed"}


@dataclass
class TrainResult:
    trainer: Any
    metrics: dict[str, Any]
    log_history: list[dict[str, Any]] = field(default_factory=list)
    final_model_dir: Path | None = None


def _auto_bf16() -> bool:
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


def train_causal_lm(
    model: Any,
    tokenizer: Any,
    train_dataset: Any,
    cfg: CausalLMTrainConfig,
    callbacks: list[Any] | None = None,
    data_collator: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None,
    progress: bool = True,
) -> TrainResult:
    """Train ``model`` on ``train_dataset`` with HF ``Trainer`` under ``cfg``.

    Defaults are chosen for small local runs: no checkpoints (``save_strategy="no"``), no trackers
    (``report_to="none"``), bf16 autocast only on GPUs that support it, fp32 master weights (a half-
    precision model is upcast first, since plain AdamW on fp16 weights loses small updates). Works with
    map-style and iterable datasets; an iterable one needs ``max_steps``. Under ``torchrun`` Trainer
    shards the work itself. ``cfg.save_final_model`` writes ``output_dir/final_model`` (model + tokenizer).
    """
    import torch
    from transformers import Trainer, TrainingArguments

    if cfg.upcast_fp32 and any(p.dtype in (torch.float16, torch.bfloat16) for p in model.parameters()):
        log.info("upcasting half-precision weights to fp32 master weights for training")
        model.float()
    if tokenizer is not None and tokenizer.pad_token_id is None and tokenizer.eos_token_id is not None:
        tokenizer.pad_token = tokenizer.eos_token
    if data_collator is None:
        pad = tokenizer.pad_token_id if tokenizer is not None and tokenizer.pad_token_id is not None else 0
        data_collator = CausalLMCollator(pad_token_id=pad)
    use_bf16 = _auto_bf16() if cfg.bf16 is None else cfg.bf16
    kwargs: dict[str, Any] = {
        **cfg.model_dump(include=_TRAINING_ARGUMENT_FIELDS),
        "bf16": use_bf16,
        "save_strategy": "no",
        "report_to": "none",
        "remove_unused_columns": False,
        "dataloader_pin_memory": torch.cuda.is_available(),
        "disable_tqdm": not progress,
        "ddp_find_unused_parameters": False,  # causal LMs use every parameter; True costs a graph traversal
    }
    if world_size() > 1 and not torch.cuda.is_available():
        # multi-process CPU (torchrun on a CPU box): accelerate only sets up DDP over gloo when told to use CPU
        kwargs.update({"use_cpu": True, "ddp_backend": "gloo"})
    kwargs.update(cfg.training_args)
    try:
        args = TrainingArguments(**kwargs)
    except (TypeError, ValueError) as e:
        raise CorpuslabError(f"invalid training arguments: {str(e).splitlines()[0]}") from e
    trainer = Trainer(
        model=model, args=args, train_dataset=train_dataset, data_collator=data_collator,
        processing_class=tokenizer, callbacks=list(callbacks or []),
    )
    out = trainer.train()
    metrics = dict(out.metrics)
    final_dir = None
    if cfg.save_final_model:
        final_dir = Path(cfg.output_dir) / "final_model"
        trainer.save_model(str(final_dir))  # also saves the tokenizer (processing_class); rank-0 only
    return TrainResult(trainer=trainer, metrics=metrics, log_history=list(trainer.state.log_history),
                       final_model_dir=final_dir)
