"""Settings of ``corpuslab models import-llama2c|tiny``; keys = flags = argument names.

Light on purpose (stdlib, pydantic, ``corpuslab.core.config``): the CLI builds its flags from these models
at start-up.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from corpuslab.core.config import StrictModel


class ImportLlama2cConfig(StrictModel):
    """A llama2.c model → a Hugging Face folder (:func:`corpuslab.models.llama2c.import_llama2c`)."""

    checkpoint: str = Field(description="llama2.c legacy checkpoint (.bin).")
    tokenizer_bin: str = Field(description="llama2.c tokenizer.bin with pieces and scores.")
    out_dir: str = Field(description="Output folder (Hugging Face save_pretrained layout).")


class TinyModelConfig(StrictModel):
    """A random-init tiny causal LM with a tokenizer trained on real text
    (:func:`corpuslab.models.tiny.build_tiny_model`)."""

    text: list[str] = Field(min_length=1, description="Text files (plain, .bz2/.gz/.zst) or shard folders/files "
                                                      "to train the tokenizer on.")
    out_dir: str = Field(description="Output folder.")
    arch: Literal["gpt2", "llama", "qwen2"] = Field("llama", description="Architecture.")
    vocab_size: int = Field(1000, gt=0, description="BPE vocabulary size.")
    hidden: int = Field(64, gt=0, description="Hidden size.")
    layers: int = Field(2, gt=0, description="Number of layers.")
    seed: int = Field(0, description="Initialisation seed.")
