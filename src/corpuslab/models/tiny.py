"""Tiny models for tests and examples: a BPE tokenizer trained on real text in seconds + a small config.

Every model workflow can then run end to end offline. Sizes are chosen so a forward/backward pass on
CPU takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from corpuslab.core.errors import CorpuslabError
from corpuslab.models.config import TinyModelConfig

Arch = Literal["gpt2", "llama", "qwen2", "bert"]
SPECIAL_TOKENS = ["<unk>", "<s>", "</s>", "<pad>"]


def train_bpe_tokenizer(texts: Iterable[str], vocab_size: int = 1000, byte_level: bool = True) -> Any:
    """Train a byte-level BPE tokenizer and wrap it as a ``PreTrainedTokenizerFast`` with BOS/EOS/PAD/UNK."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tk = Tokenizer(models.BPE(unk_token="<unk>" if not byte_level else None))
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tk.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tk, unk_token="<unk>", bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )


def tiny_config(arch: Arch, vocab_size: int, tokenizer: Any, hidden: int = 64, layers: int = 2,
                heads: int = 4, max_positions: int = 256) -> Any:
    from transformers import BertConfig, GPT2Config, LlamaConfig, Qwen2Config

    ids = {"bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id,
           "pad_token_id": tokenizer.pad_token_id}
    if arch == "gpt2":
        return GPT2Config(vocab_size=vocab_size, n_embd=hidden, n_layer=layers, n_head=heads,
                          n_positions=max_positions, **ids)
    if arch == "llama":
        return LlamaConfig(vocab_size=vocab_size, hidden_size=hidden, intermediate_size=hidden * 4,
                           num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=heads,
                           max_position_embeddings=max_positions, tie_word_embeddings=True, **ids)
    if arch == "qwen2":
        return Qwen2Config(vocab_size=vocab_size, hidden_size=hidden, intermediate_size=hidden * 4,
                           num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=heads,
                           max_position_embeddings=max_positions, tie_word_embeddings=True, **ids)
    if arch == "bert":
        return BertConfig(vocab_size=vocab_size, hidden_size=hidden, intermediate_size=hidden * 4,
                          num_hidden_layers=layers, num_attention_heads=heads,
                          max_position_embeddings=max_positions, pad_token_id=tokenizer.pad_token_id)
    raise ValueError(f"unknown architecture {arch!r}")


def build_tiny_causal_lm(
    texts: Iterable[str], arch: Arch = "llama", vocab_size: int = 1000, seed: int = 0,
    out_dir: str | Path | None = None, **config_kwargs: Any,
) -> tuple[Any, Any]:
    """Random-init small causal LM + tokenizer trained on ``texts``; saved to ``out_dir`` if given."""
    import torch
    from transformers import AutoModelForCausalLM

    tok = train_bpe_tokenizer(texts, vocab_size=vocab_size)
    cfg = tiny_config(arch, len(tok), tok, **config_kwargs)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(cfg)
    model.eval()
    if out_dir is not None:
        model.save_pretrained(out_dir)
        tok.save_pretrained(out_dir)
    return model, tok


def build_tiny_encoder(texts: Iterable[str], num_labels: int = 2, vocab_size: int = 1000, seed: int = 0,
                       out_dir: str | Path | None = None, **config_kwargs: Any) -> tuple[Any, Any]:
    """Random-init small BERT classifier + tokenizer trained on ``texts``."""
    import torch
    from transformers import BertForSequenceClassification

    tok = train_bpe_tokenizer(texts, vocab_size=vocab_size)
    cfg = tiny_config("bert", len(tok), tok, **config_kwargs)
    cfg.num_labels = num_labels
    torch.manual_seed(seed)
    model = BertForSequenceClassification(cfg)
    if out_dir is not None:
        model.save_pretrained(out_dir)
        tok.save_pretrained(out_dir)
    return model, tok


def read_texts(paths: Sequence[str | Path]) -> list[str]:
    """Documents of shard folders/files (their ``text``) and non-empty lines of text files (any compression)."""
    from corpuslab.core.shards import iter_records, list_shards
    from corpuslab.core.streams import open_read

    texts: list[str] = []
    for p in map(Path, paths):
        if p.is_dir() or str(p).endswith((".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet")):
            if p.is_dir() and not list_shards(p):
                raise CorpuslabError(f"{p}: no shard files in folder")
            texts.extend(r["text"] for r in iter_records(p))
        else:
            with open_read(p) as fh:
                texts.extend(line for line in fh.read().decode("utf-8", "replace").splitlines() if line.strip())
    return texts


def build_tiny_model(cfg: TinyModelConfig) -> tuple[Any, Any]:
    """``corpuslab models tiny``: read ``cfg.text``, train the tokenizer, init and save the model to ``cfg.out_dir``."""
    texts = read_texts(cfg.text)
    if not texts:
        raise CorpuslabError("no text to train the tokenizer on")
    return build_tiny_causal_lm(texts, arch=cfg.arch, vocab_size=cfg.vocab_size, seed=cfg.seed, out_dir=cfg.out_dir,
                                hidden=cfg.hidden, layers=cfg.layers)
