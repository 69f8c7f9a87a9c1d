"""Import a llama2.c checkpoint (Karpathy's legacy ``.bin`` format) as a Hugging Face ``LlamaForCausalLM``.

Why: ``stories260K`` is a genuinely pretrained 260k-parameter Llama that runs in milliseconds on CPU, so
tests of model workflows can use a model that has actually learned something, fully offline.

Legacy checkpoint layout (llama2.c ``export.py``, ``legacy_export``): a header of 7 int32
``dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len`` (a negative ``vocab_size`` means
the classifier is *not* shared with the embedding), then float32 tensors in this order: token embedding,
per-layer attention RMSNorm, wq, wk, wv, wo, per-layer FFN RMSNorm, w1 (gate), w2 (down), w3 (up), final
RMSNorm, RoPE cos/sin tables (skipped: HF recomputes them), then the classifier if unshared.

llama2.c applies RoPE to *interleaved* pairs (0,1),(2,3)…, HF Llama to the two halves of each head
(``rotate_half``), so q/k rows are permuted per head exactly like HF's own Meta-weights converter.

``tokenizer.bin``: int32 ``max_token_length`` then per token float32 score, int32 length, bytes. It is a
SentencePiece BPE vocabulary with byte fallback (``<0x00>``…``<0xFF>``) where ``▁`` was written as a
space and BOS/EOS as ``"\\n<s>\\n"``/``"\\n</s>\\n"``. SentencePiece BPE merges the adjacent pair whose
concatenation has the highest score; a ``tokenizers`` BPE whose merge ranks follow those scores does the
same, so the converted tokenizer encodes like llama2.c's ``encode``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpuslab.core.errors import DataError

SPIECE_SPACE = "\u2581"


@dataclass(frozen=True)
class Llama2cHeader:
    dim: int
    hidden_dim: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    vocab_size: int
    seq_len: int
    shared_classifier: bool


def read_llama2c_checkpoint(path: str | Path) -> tuple[Llama2cHeader, dict[str, np.ndarray]]:
    """Parse a legacy llama2.c checkpoint into a header and named float32 arrays (llama2.c names)."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: llama2.c checkpoint not found")
    raw = p.read_bytes()
    if len(raw) < 28:
        raise DataError(f"{p}: too short for a llama2.c header ({len(raw)} bytes)")
    dim, hidden, n_layers, n_heads, n_kv, vocab, seq_len = struct.unpack("7i", raw[:28])
    shared = vocab > 0
    vocab = abs(vocab)
    if min(dim, hidden, n_layers, n_heads, n_kv, vocab, seq_len) <= 0 or dim % n_heads:
        raise DataError(f"{p}: implausible llama2.c header {(dim, hidden, n_layers, n_heads, n_kv, vocab, seq_len)}")
    head = dim // n_heads
    kv_dim = head * n_kv
    shapes: list[tuple[str, tuple[int, ...]]] = [
        ("tok_embeddings", (vocab, dim)),
        ("attention_norm", (n_layers, dim)),
        ("wq", (n_layers, dim, dim)),
        ("wk", (n_layers, kv_dim, dim)),
        ("wv", (n_layers, kv_dim, dim)),
        ("wo", (n_layers, dim, dim)),
        ("ffn_norm", (n_layers, dim)),
        ("w1", (n_layers, hidden, dim)),
        ("w2", (n_layers, dim, hidden)),
        ("w3", (n_layers, hidden, dim)),
        ("norm", (dim,)),
        ("freq_cos", (seq_len, head // 2)),
        ("freq_sin", (seq_len, head // 2)),
    ]
    if not shared:
        shapes.append(("output", (vocab, dim)))
    need = sum(int(np.prod(s)) for _, s in shapes) * 4 + 28
    if len(raw) < need:
        raise DataError(f"{p}: file has {len(raw)} bytes, the header implies at least {need}")
    flat = np.frombuffer(raw, dtype="<f4", offset=28)
    out: dict[str, np.ndarray] = {}
    off = 0
    for name, shape in shapes:
        n = int(np.prod(shape))
        out[name] = flat[off : off + n].reshape(shape).copy()
        off += n
    header = Llama2cHeader(dim, hidden, n_layers, n_heads, n_kv, vocab, seq_len, shared)
    return header, out


def read_llama2c_tokenizer(path: str | Path, vocab_size: int) -> list[tuple[str, float]]:
    """Return ``[(piece, score)]`` with SentencePiece spelling (``▁`` for spaces, ``<s>``/``</s>``)."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: llama2.c tokenizer.bin not found")
    raw = p.read_bytes()
    off = 4
    pieces: list[tuple[str, float]] = []
    try:
        for _ in range(vocab_size):
            score, n = struct.unpack_from("<fi", raw, off)
            off += 8
            pieces.append((raw[off : off + n].decode("utf-8"), float(score)))
            off += n
    except (struct.error, UnicodeDecodeError) as e:
        raise DataError(f"{p}: not a llama2.c tokenizer with {vocab_size} tokens ({e})") from e
    fixed = []
    for i, (piece, score) in enumerate(pieces):
        if i in (1, 2):
            piece = piece.strip("\n")  # llama2.c writes "\n<s>\n" / "\n</s>\n"
        elif not (piece.startswith("<0x") and piece.endswith(">") and len(piece) == 6):
            piece = piece.replace(" ", SPIECE_SPACE)
        fixed.append((piece, score))
    return fixed


def build_tokenizer(pieces: list[tuple[str, float]], model_max_length: int = 512) -> Any:
    """A ``LlamaTokenizerFast``-equivalent (SentencePiece BPE + byte fallback) from llama2.c pieces."""
    from tokenizers import Tokenizer, decoders, models, normalizers
    from transformers import PreTrainedTokenizerFast

    vocab = {piece: i for i, (piece, _) in enumerate(pieces)}
    # Merge rank follows the merged piece's score (higher score = merged earlier, as in llama2.c encode).
    order = sorted(range(len(pieces)), key=lambda i: (-pieces[i][1], i))
    merges: list[tuple[str, str]] = []
    for i in order:
        piece = pieces[i][0]
        if i < 3 or len(piece) < 2 or (piece.startswith("<0x") and len(piece) == 6):
            continue
        splits = [(piece[:j], piece[j:]) for j in range(1, len(piece))
                  if piece[:j] in vocab and piece[j:] in vocab]
        splits.sort(key=lambda lr: (vocab[lr[0]], vocab[lr[1]]))
        merges.extend(splits)
    model = models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", fuse_unk=True, byte_fallback=True)
    tk = Tokenizer(model)
    tk.normalizer = normalizers.Sequence([normalizers.Prepend(SPIECE_SPACE), normalizers.Replace(" ", SPIECE_SPACE)])
    tk.decoder = decoders.Sequence([
        decoders.Replace(SPIECE_SPACE, " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0),
    ])
    from tokenizers.processors import TemplateProcessing

    tk.post_processor = TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", vocab["<s>"])]
    )
    tok = PreTrainedTokenizerFast(
        tokenizer_object=tk, unk_token="<unk>", bos_token="<s>", eos_token="</s>",
        model_max_length=model_max_length, padding_side="left", clean_up_tokenization_spaces=False,
    )
    return tok


def _permute_rotary(w: np.ndarray, n_heads: int) -> np.ndarray:
    """Interleaved-pair RoPE rows → HF half-split rows, per head (HF ``convert_llama_weights_to_hf``)."""
    out_dim, in_dim = w.shape
    return w.reshape(n_heads, out_dim // n_heads // 2, 2, in_dim).transpose(0, 2, 1, 3).reshape(out_dim, in_dim)


def llama2c_to_hf(checkpoint: str | Path) -> Any:
    """Build a ``LlamaForCausalLM`` (fp32, eval mode) holding the checkpoint's weights."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    h, w = read_llama2c_checkpoint(checkpoint)
    cfg = LlamaConfig(
        vocab_size=h.vocab_size, hidden_size=h.dim, intermediate_size=h.hidden_dim,
        num_hidden_layers=h.n_layers, num_attention_heads=h.n_heads, num_key_value_heads=h.n_kv_heads,
        max_position_embeddings=h.seq_len, rms_norm_eps=1e-5, rope_theta=10000.0,
        tie_word_embeddings=h.shared_classifier, bos_token_id=1, eos_token_id=2, pad_token_id=None,
        attention_bias=False, mlp_bias=False, hidden_act="silu",
    )
    model = LlamaForCausalLM(cfg)
    sd: dict[str, Any] = {"model.embed_tokens.weight": w["tok_embeddings"], "model.norm.weight": w["norm"]}
    for i in range(h.n_layers):
        pre = f"model.layers.{i}."
        sd[pre + "input_layernorm.weight"] = w["attention_norm"][i]
        sd[pre + "post_attention_layernorm.weight"] = w["ffn_norm"][i]
        sd[pre + "self_attn.q_proj.weight"] = _permute_rotary(w["wq"][i], h.n_heads)
        sd[pre + "self_attn.k_proj.weight"] = _permute_rotary(w["wk"][i], h.n_kv_heads)
        sd[pre + "self_attn.v_proj.weight"] = w["wv"][i]
        sd[pre + "self_attn.o_proj.weight"] = w["wo"][i]
        sd[pre + "mlp.gate_proj.weight"] = w["w1"][i]
        sd[pre + "mlp.down_proj.weight"] = w["w2"][i]
        sd[pre + "mlp.up_proj.weight"] = w["w3"][i]
    sd["lm_head.weight"] = w["tok_embeddings"] if h.shared_classifier else w["output"]
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()}
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [m for m in missing if "rotary" not in m]
    if missing or unexpected:  # pragma: no cover - guards against a transformers layout change
        raise DataError(f"{checkpoint}: weight layout mismatch (missing {missing}, unexpected {unexpected})")
    if h.shared_classifier:
        model.tie_weights()
    model.eval()
    return model


def import_llama2c(checkpoint: str | Path, tokenizer_bin: str | Path, out_dir: str | Path) -> Path:
    """Convert a llama2.c checkpoint + ``tokenizer.bin`` into a HF folder (``save_pretrained``); returns it.

    The folder is written under a temporary name and renamed, so a half-written import never looks done.
    """
    import os
    import shutil

    model = llama2c_to_hf(checkpoint)
    pieces = read_llama2c_tokenizer(tokenizer_bin, model.config.vocab_size)
    tok = build_tokenizer(pieces, model_max_length=model.config.max_position_embeddings)
    out = Path(out_dir)
    tmp = out.with_name(f".tmp-{os.getpid()}-{out.name}")
    if tmp.exists():
        shutil.rmtree(tmp)
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    return out
