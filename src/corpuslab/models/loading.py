"""Load a causal LM / encoder and its tokenizer by hub id or local path, with sane dtype and device."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import Any

from corpuslab.core.errors import CorpuslabError

log = logging.getLogger(__name__)


def pick_device(device: str | None = None) -> str:
    import torch

    if device and device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype(device: str, dtype: str | None = None) -> Any:
    """fp32 on CPU; bf16 on GPUs that support it, else fp16. An explicit ``dtype`` wins."""
    import torch

    if dtype and dtype != "auto":
        try:
            return {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16,
                    "bf16": torch.bfloat16, "float16": torch.float16, "fp16": torch.float16}[dtype]
        except KeyError as e:
            raise CorpuslabError(f"unknown dtype {dtype!r}: use auto, float32, bfloat16 or float16") from e
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def _check_exists(name_or_path: str) -> None:
    looks_local = name_or_path.startswith((".", "/", "~")) or os.sep in name_or_path.strip("/").split("/", 1)[-1]
    if looks_local and not os.path.exists(os.path.expanduser(name_or_path)):
        raise CorpuslabError(f"model path {name_or_path!r} does not exist")


def _wrap_load_error(name_or_path: str, e: Exception) -> CorpuslabError:
    msg = str(e).splitlines()[0] if str(e) else type(e).__name__
    if os.path.isdir(name_or_path):
        return CorpuslabError(f"cannot load model from {name_or_path!r}: {msg}")
    return CorpuslabError(
        f"cannot load model {name_or_path!r}: not a local folder and not reachable on the Hugging Face Hub ({msg})"
    )


def load_tokenizer(name_or_path: str, trust_remote_code: bool = False) -> Any:
    from transformers import AutoTokenizer

    _check_exists(name_or_path)
    try:
        tok = AutoTokenizer.from_pretrained(name_or_path, trust_remote_code=trust_remote_code)
    except (OSError, ValueError) as e:
        raise _wrap_load_error(name_or_path, e) from e
    if tok.pad_token is None and tok.eos_token is not None:
        tok.pad_token = tok.eos_token
    return tok


def load_causal_lm(
    name_or_path: str,
    device: str | None = None,
    dtype: str | None = None,
    trust_remote_code: bool = False,
    eval_mode: bool = True,
) -> tuple[Any, Any]:
    """Return ``(model, tokenizer)``; the model is on ``device`` and in eval mode unless asked otherwise."""
    from transformers import AutoModelForCausalLM

    dev = pick_device(device)
    torch_dtype = pick_dtype(dev, dtype)
    tok = load_tokenizer(name_or_path, trust_remote_code=trust_remote_code)
    try:
        model = AutoModelForCausalLM.from_pretrained(
            name_or_path, dtype=torch_dtype, trust_remote_code=trust_remote_code
        )
    except (OSError, ValueError) as e:
        raise _wrap_load_error(name_or_path, e) from e
    model.to(dev)
    if eval_mode:
        model.eval()
    return model, tok


def load_encoder_classifier(
    name_or_path: str, num_labels: int = 2, device: str | None = None, trust_remote_code: bool = False
) -> tuple[Any, Any]:
    """A sequence-classification head on any HF encoder (BERT, MiniLM, XLM-R...)."""
    from transformers import AutoModelForSequenceClassification

    _check_exists(name_or_path)
    tok = load_tokenizer(name_or_path, trust_remote_code=trust_remote_code)
    try:
        model = AutoModelForSequenceClassification.from_pretrained(
            name_or_path, num_labels=num_labels, trust_remote_code=trust_remote_code
        )
    except (OSError, ValueError) as e:
        raise _wrap_load_error(name_or_path, e) from e
    model.to(pick_device(device))
    return model, tok


@contextlib.contextmanager
def evaluating(model: Any) -> Iterator[Any]:
    """Eval mode inside the block, the previous mode after it (e.g. a probe run inside a training loop).

    Switches only when the model is training: ``model.eval()`` walks every submodule, which costs more
    than a small model's whole bottom-k pass.
    """
    was_training = model.training
    if was_training:
        model.eval()
    try:
        yield model
    finally:
        if was_training:
            model.train()
