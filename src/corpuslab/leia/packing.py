"""Packing tokenised articles into fixed-length windows, one epoch at a time, and a packed epoch on disk.

As in LEIA (leia-llm/leia ``leia/data.py``, ``LeiaConstantLengthDataset``): articles are BOS-prefixed (no
EOS), shuffled per epoch, appended to one running buffer, and every full window is emitted (the remainder
carries over; the final partial window is dropped). Insertions are re-drawn every epoch.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from corpuslab.core.atomic import atomic_path, write_json_atomic
from corpuslab.core.errors import CorpuslabError
from corpuslab.leia.insertion import BOS, InsertionSettings, insert_entity_names, insertion_draws
from corpuslab.leia.markers import MarkerIds


class LeiaPacker:
    """Iterate packed windows over tokenised articles, one epoch at a time, insertions re-drawn per epoch.

    ``articles`` is sequence-like: ``len()`` and ``[i]`` → :class:`~corpuslab.leia.tokens.TokenizedArticle`
    (a list, or a :class:`~corpuslab.leia.token_store.TokenStore`).
    """

    def __init__(self, articles: Any, seq_len: int, bos_id: int | None, marker_ids: MarkerIds,
                 insertion: InsertionSettings | None = None, shuffle: bool = True):
        if seq_len < 2:
            raise CorpuslabError(f"seq_len must be >= 2, got {seq_len}")
        self.articles = articles
        self.seq_len = seq_len
        self.bos_id = bos_id
        self.marker_ids = marker_ids
        self.insertion = insertion or InsertionSettings()
        self.shuffle = shuffle
        self.counters: Counter[str] = Counter()

    def order(self, epoch: int) -> np.ndarray:
        n = len(self.articles)
        if not self.shuffle:
            return np.arange(n)
        return np.random.default_rng((self.insertion.seed, epoch)).permutation(n)

    def epoch_windows(self, epoch: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """``(ids, kind)`` windows of exactly ``seq_len`` tokens; ``kind`` as in :mod:`~corpuslab.leia.insertion`."""
        ins = self.insertion
        buf_ids: list[np.ndarray] = []
        buf_kind: list[np.ndarray] = []
        buffered = 0
        L = self.seq_len
        c = self.counters
        for idx in self.order(epoch):
            art = self.articles[int(idx)]
            take = insertion_draws(len(art.entity_start), ins.p, ins.seed, epoch, int(idx))
            if ins.strategy == "none":
                take[:] = False
            ids, kind = insert_entity_names(art, take, self.marker_ids, ins.strategy, ins.markers)
            c["articles"] += 1
            c["links_inserted"] += int(take.sum())
            c["links_not_inserted"] += int(len(take) - take.sum())
            if self.bos_id is not None:
                ids = np.concatenate([np.asarray([self.bos_id], dtype=ids.dtype), ids])
                kind = np.concatenate([np.asarray([BOS], dtype=np.int8), kind])
            buf_ids.append(ids)
            buf_kind.append(kind)
            buffered += len(ids)
            if buffered >= L:
                all_ids = np.concatenate(buf_ids)
                all_kind = np.concatenate(buf_kind)
                n_full = len(all_ids) // L
                for w in range(n_full):
                    c["windows"] += 1
                    yield all_ids[w * L:(w + 1) * L], all_kind[w * L:(w + 1) * L]
                buf_ids = [all_ids[n_full * L:]]
                buf_kind = [all_kind[n_full * L:]]
                buffered = len(buf_ids[0])
        c["tokens_dropped_tail"] += buffered


def write_packed_epoch(out_dir: str | os.PathLike[str], packer: LeiaPacker, dtype: np.dtype,
                       epoch: int = 0) -> dict[str, Any]:
    """Materialise one epoch of packed windows as raw ``dtype`` ids (``np.memmap``-readable) + ``meta.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    f = out / f"epoch-{epoch:04d}.bin"
    n = 0
    with atomic_path(f) as tmp, open(tmp, "wb") as fh:
        for ids, _kind in packer.epoch_windows(epoch):
            fh.write(np.ascontiguousarray(ids, dtype=dtype).tobytes())
            n += 1
    meta = {"file": f.name, "dtype": str(dtype), "seq_len": packer.seq_len, "windows": n, "epoch": epoch,
            "bos_prefixed": packer.bos_id is not None}
    write_json_atomic(out / "meta.json", meta)
    return meta


def load_packed_epoch(path: str | os.PathLike[str]) -> np.ndarray:
    """``[windows, seq_len]`` memmap of a packed epoch written by :func:`write_packed_epoch`."""
    d = Path(path)
    meta = json.loads((d / "meta.json").read_text())
    return np.memmap(d / meta["file"], dtype=meta["dtype"], mode="r", shape=(meta["windows"], meta["seq_len"]))
