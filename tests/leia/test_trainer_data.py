import numpy as np
import pytest
import torch
from leia_fixtures import marker_ids, packing_articles, small_packer

from corpuslab.core.errors import CorpuslabError
from corpuslab.leia.insertion import NAME
from corpuslab.leia.packing import LeiaPacker
from corpuslab.leia.trainer_data import LeiaCollator, LeiaDataset

MARKERS = marker_ids()
OPEN, CLOSE = MARKERS

IDS = np.array([1, 5, OPEN, 50, 51, CLOSE, 6, 7])
NAMES = np.array([0, 0, 0, 1, 1, 0, 0, 0], bool)


def test_collator_masks_markers_and_padding_and_trains_names():
    batch = LeiaCollator(marker_ids=MARKERS, pad_token_id=2)([
        {"input_ids": IDS, "entity_name_mask": NAMES}, {"input_ids": IDS[:5], "entity_name_mask": NAMES[:5]}])
    lab = batch["labels"]
    assert lab[0].tolist() == [1, 5, -100, 50, 51, -100, 6, 7]
    assert lab[1].tolist() == [1, 5, -100, 50, 51, -100, -100, -100]
    assert batch["attention_mask"][1].tolist() == [1] * 5 + [0] * 3
    assert batch["input_ids"].dtype == torch.long and batch["input_ids"][1, 5:].tolist() == [2, 2, 2]


def test_collator_masks_names_for_the_ablation():
    masked = LeiaCollator(marker_ids=MARKERS, mask_entity_names=True)([{"input_ids": IDS, "entity_name_mask": NAMES}])
    assert masked["labels"][0].tolist() == [1, 5, -100, -100, -100, -100, 6, 7]


def test_dataset_streams_windows_with_the_name_mask_epoch_after_epoch():
    pk = small_packer()
    per_epoch = sum(1 for _ in pk.epoch_windows(0))
    got = list(LeiaDataset(small_packer(), epochs=2))
    assert len(got) == per_epoch + sum(1 for _ in pk.epoch_windows(1))
    for ex, (ids, kind) in zip(got[:per_epoch], pk.epoch_windows(0), strict=True):
        assert ex["input_ids"].dtype == np.int64 and ex["input_ids"].tolist() == ids.tolist()
        assert (ex["entity_name_mask"] == (kind == NAME)).all()


def test_dataset_without_a_full_window_says_so():
    with pytest.raises(CorpuslabError, match="no full window"):
        next(iter(LeiaDataset(LeiaPacker(packing_articles()[:1], 4096, 1, MARKERS))))
