"""RoFL-style fingerprint prompts (Tsai et al., arXiv 2505.12682, step 1), stored as token ids *and* text.

Method (KimAu197/llm_fingerprint ``watermarking/utils/fingerprint_gen.py``, ``sample_fingerprint_prompt``):
8 tokens drawn uniformly with replacement from the vocabulary minus special tokens, then extended to 64
tokens by repeatedly taking the base model's 50 least likely next tokens (softmax over the full vocabulary
at the last position; disallowed ids never chosen) and appending one of them uniformly.

Differences from the reference, on purpose: prompts keep their **token ids** (the reference stores only the
decoded string, which need not re-tokenise to the same ids); the random stream is a local
``random.Random(seed)`` consumed in exactly the reference order (per prompt: ``choices(allowed, k=8)``
then one ``randrange(50)`` per appended token), so all prompts can be extended in one batched forward pass
per position without changing which tokens are drawn.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpuslab.core.atomic import read_json, write_json_atomic
from corpuslab.core.errors import CorpuslabError, DataError
from corpuslab.models.loading import evaluating

FORMAT = "corpuslab-fingerprints-v1"


@dataclass
class Fingerprint:
    """One fingerprint prompt: the ids fed to models, and their decoded text (for humans)."""

    ids: list[int]
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"ids": list(self.ids), "text": self.text, "x_prime": self.text}


@dataclass
class FingerprintSet:
    """Prompts plus what they were made with, so a mismatched model can be refused on load."""

    prompts: list[Fingerprint]
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.prompts)

    @property
    def ids(self) -> list[list[int]]:
        return [p.ids for p in self.prompts]


def model_vocab_size(model: Any) -> int:
    """Rows of the output layer (``config.vocab_size``): the ids a bottom-k set can contain."""
    emb = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    if emb is not None and getattr(emb, "weight", None) is not None:
        return int(emb.weight.shape[0])
    return int(model.config.vocab_size)


def tokenizer_fingerprint(tokenizer: Any) -> str:
    """A short hash of the token→id map: two tokenizers with the same hash give ids the same meaning."""
    vocab = tokenizer.get_vocab()
    h = hashlib.sha256()
    for tok, i in sorted(vocab.items(), key=lambda kv: kv[1]):
        h.update(f"{i}\t{tok}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:16]


def special_token_ids(tokenizer: Any) -> set[int]:
    ids = {getattr(tokenizer, f"{n}_token_id", None) for n in ("bos", "eos", "pad", "unk")}
    ids |= set(getattr(tokenizer, "all_special_ids", []) or [])
    return {int(i) for i in ids if i is not None}


def allowed_token_ids(tokenizer: Any, model: Any) -> list[int]:
    """``[0, min(tokenizer.vocab_size, config.vocab_size))`` minus BOS/EOS/PAD/UNK and all special ids."""
    upper = min(int(tokenizer.vocab_size), model_vocab_size(model))
    special = special_token_ids(tokenizer)
    allowed = [i for i in range(upper) if i not in special]
    if not allowed:
        raise CorpuslabError("no non-special token ids to build fingerprints from")
    return allowed


@dataclass(frozen=True)
class FingerprintRecipe:
    """How prompts are drawn: ``prefix_len`` random ids, extended to ``total_len`` by picking among the
    model's ``k_bottom`` least likely next tokens, from ``random.Random(seed)``."""

    num_fingerprints: int = 5
    total_len: int = 64
    prefix_len: int = 8
    k_bottom: int = 50
    seed: int = 42


def generate_fingerprints(model: Any, tokenizer: Any, recipe: FingerprintRecipe = FingerprintRecipe(),
                          base_model_name: str | None = None) -> FingerprintSet:
    """Draw ``recipe.num_fingerprints`` prompts from ``model`` on its own device (deterministic for a seed)."""
    import torch

    num_fingerprints, total_len, prefix_len = recipe.num_fingerprints, recipe.total_len, recipe.prefix_len
    k_bottom, seed = recipe.k_bottom, recipe.seed
    if num_fingerprints < 1:
        raise CorpuslabError(f"num_fingerprints must be >= 1, got {num_fingerprints}")
    if not 0 < prefix_len <= total_len:
        raise CorpuslabError(f"need 0 < prefix_len ({prefix_len}) <= total_len ({total_len})")
    V = model_vocab_size(model)
    allowed = allowed_token_ids(tokenizer, model)
    if k_bottom > len(allowed):
        raise CorpuslabError(f"k_bottom={k_bottom} is larger than the {len(allowed)} allowed token ids")
    rng = random.Random(seed)
    n_ext = total_len - prefix_len
    prefixes, picks = [], []
    for _ in range(num_fingerprints):  # the reference's draw order: prefix, then one pick per position
        prefixes.append(rng.choices(allowed, k=prefix_len))
        picks.append([rng.randrange(k_bottom) for _ in range(n_ext)])

    dev = next(model.parameters()).device
    disallowed = torch.ones(V, dtype=torch.bool)
    disallowed[torch.tensor(allowed)] = False
    disallowed = disallowed.to(dev)
    ids = torch.tensor(prefixes, dtype=torch.long, device=dev)
    with evaluating(model), torch.no_grad():
        for j in range(n_ext):
            logits = _last_logits(model, ids)
            probs = torch.softmax(logits.float(), dim=-1)
            probs = probs.masked_fill(disallowed, 1e9)  # never pick a special / out-of-range id
            lowest = torch.sort(probs, dim=-1, stable=True).indices[:, :k_bottom]
            choice = torch.tensor([picks[i][j] for i in range(num_fingerprints)], device=dev)
            nxt = lowest.gather(1, choice[:, None])
            ids = torch.cat([ids, nxt], dim=1)
    prompts = [Fingerprint(ids=row, text=tokenizer.decode(row, skip_special_tokens=True)) for row in ids.tolist()]
    meta = {
        "format": FORMAT, "seed": seed, "num_fingerprints": num_fingerprints, "total_len": total_len,
        "prefix_len": prefix_len, "k_bottom": k_bottom, "vocab_size": V,
        "tokenizer_len": len(tokenizer), "tokenizer_hash": tokenizer_fingerprint(tokenizer),
        "base_model": base_model_name,
    }
    return FingerprintSet(prompts=prompts, meta=meta)


def _last_logits(model: Any, ids: Any) -> Any:
    try:
        return model(input_ids=ids, logits_to_keep=1, use_cache=False).logits[:, -1, :]
    except TypeError:  # architectures without logits_to_keep
        return model(input_ids=ids, use_cache=False).logits[:, -1, :]


def save_fingerprints(path: str | Path, fps: FingerprintSet) -> Path:
    """Write ``{"format", "meta", "fingerprints": [{"ids", "text", "x_prime"}]}`` atomically.

    ``x_prime`` duplicates ``text`` so the reference's loader can read the file too.
    """
    write_json_atomic(path, {"format": FORMAT, "meta": fps.meta, "fingerprints": [p.to_json() for p in fps.prompts]})
    return Path(path)


def load_fingerprints(path: str | Path, tokenizer: Any | None = None, model: Any | None = None) -> FingerprintSet:
    """Read a fingerprints JSON; with ``tokenizer``/``model`` given, refuse one made for another vocabulary.

    Also accepts the reference's text-only list ``[{"x_prime": ...}]`` (then ids come from ``tokenizer``,
    with no special tokens added, and the file is marked as re-tokenised).
    """
    data = read_json(path)
    if isinstance(data, list):  # reference format: text only
        if tokenizer is None:
            raise DataError(f"{path}: text-only fingerprints need a tokenizer to become ids")
        prompts = []
        for i, item in enumerate(data):
            text = item.get("x_prime") if isinstance(item, dict) else None
            if not isinstance(text, str):
                raise DataError(f"{path}: item {i} has no string 'x_prime'")
            prompts.append(Fingerprint(ids=tokenizer(text, add_special_tokens=False)["input_ids"], text=text))
        fps = FingerprintSet(prompts=prompts, meta={"format": "reference-text", "retokenised": True})
    else:
        if not isinstance(data, dict) or not isinstance(data.get("fingerprints"), list):
            raise DataError(f"{path}: not a fingerprints file (expected a 'fingerprints' list)")
        prompts = []
        for i, item in enumerate(data["fingerprints"]):
            ids = item.get("ids") if isinstance(item, dict) else None
            if not isinstance(ids, list) or not ids or not all(isinstance(x, int) and x >= 0 for x in ids):
                raise DataError(f"{path}: fingerprint {i} has no list of non-negative integer 'ids'")
            prompts.append(Fingerprint(ids=ids, text=str(item.get("text", ""))))
        if not prompts:
            raise DataError(f"{path}: contains no fingerprints")
        fps = FingerprintSet(prompts=prompts, meta=dict(data.get("meta") or {}))
    if tokenizer is not None or model is not None:
        check_compatible(fps, tokenizer=tokenizer, model=model, source=str(path))
    return fps


def check_compatible(fps: FingerprintSet, tokenizer: Any | None = None, model: Any | None = None,
                     source: str = "fingerprints") -> None:
    """Raise a one-line error when ``fps`` was made with a different vocabulary than ``tokenizer``/``model``."""
    meta = fps.meta
    max_id = max(max(p.ids) for p in fps.prompts)
    if model is not None:
        V = model_vocab_size(model)
        if meta.get("vocab_size") is not None and int(meta["vocab_size"]) != V:
            raise CorpuslabError(
                f"{source}: fingerprints were made for a vocabulary of {meta['vocab_size']} ids, "
                f"this model has {V}; generate fingerprints for this model's tokenizer")
        if max_id >= V:
            raise CorpuslabError(f"{source}: fingerprint id {max_id} is outside this model's vocabulary of {V}")
    if tokenizer is not None and meta.get("tokenizer_hash"):
        h = tokenizer_fingerprint(tokenizer)
        if h != meta["tokenizer_hash"]:
            raise CorpuslabError(
                f"{source}: fingerprints were made with another tokenizer (hash {meta['tokenizer_hash']}, "
                f"{meta.get('tokenizer_len')} tokens) than this model's (hash {h}, {len(tokenizer)} tokens)")
