"""What ``Trainer`` consumes in ``leia train``: the stream of packed windows and the loss-masking collator.

As in LEIA (leia-llm/leia ``leia/data.py``, ``LeiaDataCollator``): labels = input ids, with both markers
(and padding) set to -100; the inserted name tokens are trained unless masked for the ablation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpuslab.core.errors import CorpuslabError
from corpuslab.leia.insertion import NAME
from corpuslab.leia.packing import LeiaPacker


def _torch_iterable_base() -> type:
    import torch.utils.data

    return torch.utils.data.IterableDataset


class LeiaDataset(_torch_iterable_base()):  # type: ignore[misc]
    """Endless (or ``epochs``-long) stream of packed LEIA windows for Trainer: ``input_ids`` + ``entity_name_mask``.

    One DataLoader worker only, as in the reference: the epoch order is global.
    """

    def __init__(self, packer: LeiaPacker, epochs: int | None = None, start_epoch: int = 0):
        super().__init__()
        self.packer = packer
        self.epochs = epochs
        self.start_epoch = start_epoch

    def __iter__(self) -> Iterator[dict[str, Any]]:
        epoch = self.start_epoch
        while self.epochs is None or epoch < self.start_epoch + self.epochs:
            produced = False
            for ids, kind in self.packer.epoch_windows(epoch):
                produced = True
                yield {"input_ids": ids.astype(np.int64), "entity_name_mask": (kind == NAME)}
            if not produced:
                raise CorpuslabError(f"no full window of {self.packer.seq_len} tokens: too little data for seq_len")
            epoch += 1


@dataclass
class LeiaCollator:
    """Batch windows; labels = ids with markers, padding (and optionally name tokens) set to -100.

    Padding is masked by position, not id, so with ``pad = eos`` a real EOS is still learned (the
    reference masks the pad id; with packing there is no padding either way).
    """

    marker_ids: tuple[int, ...]
    pad_token_id: int = 0
    mask_entity_names: bool = False

    def __call__(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        n = max(len(e["input_ids"]) for e in examples)
        ids = torch.full((len(examples), n), self.pad_token_id, dtype=torch.long)
        attn = torch.zeros((len(examples), n), dtype=torch.long)
        names = torch.zeros((len(examples), n), dtype=torch.bool)
        for i, e in enumerate(examples):
            L = len(e["input_ids"])
            ids[i, :L] = torch.as_tensor(np.asarray(e["input_ids"], dtype=np.int64))
            attn[i, :L] = 1
            if self.mask_entity_names and "entity_name_mask" in e:
                names[i, :L] = torch.as_tensor(np.asarray(e["entity_name_mask"], dtype=bool))
        labels = ids.clone()
        labels[attn == 0] = -100
        labels[torch.isin(ids, torch.as_tensor(list(self.marker_ids), dtype=torch.long))] = -100
        labels[names] = -100
        return {"input_ids": ids, "attention_mask": attn, "labels": labels}
