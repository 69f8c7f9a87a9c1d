import numpy as np
import pytest
from leia_fixtures import marker_ids, packing_articles, small_packer

from corpuslab.core.errors import CorpuslabError
from corpuslab.leia.insertion import BOS, InsertionSettings, insert_entity_names, insertion_draws
from corpuslab.leia.packing import LeiaPacker, load_packed_epoch, write_packed_epoch

ARTICLES = packing_articles()
MARKERS = marker_ids()


def expected_stream(pk, epoch):
    out = []
    for i in pk.order(epoch):
        take = insertion_draws(3, 0.5, 3, epoch, int(i))
        ids, _ = insert_entity_names(ARTICLES[i], take, MARKERS)
        out += [1] + ids.tolist()
    return out


def test_windows_are_the_bos_prefixed_stream_cut_every_seq_len():
    pk = small_packer()
    wins = list(pk.epoch_windows(0))
    assert all(len(w) == 16 for w, _ in wins)
    stream = np.concatenate([w for w, _ in wins])
    expect = expected_stream(pk, 0)
    n_full = len(expect) // 16
    assert stream.tolist() == expect[: n_full * 16]                        # leftovers carry over
    assert pk.counters["tokens_dropped_tail"] == len(expect) - n_full * 16
    assert pk.counters["windows"] == len(wins) and pk.counters["articles"] == 4
    kinds = np.concatenate([k for _, k in wins])
    assert (stream[kinds == BOS] == 1).all()
    assert (kinds == BOS).sum() == sum(1 for t in expect[: n_full * 16] if t == 1)


def test_epochs_reshuffle_and_redraw():
    pk = small_packer()
    assert list(pk.order(0)) != list(pk.order(1))
    assert sorted(pk.order(1)) == [0, 1, 2, 3]
    assert list(small_packer(shuffle=False).order(5)) == [0, 1, 2, 3]
    e1 = np.concatenate([w for w, _ in pk.epoch_windows(1)])
    assert e1.tolist() == expected_stream(pk, 1)[: len(e1)]


def test_strategy_none_inserts_nothing():
    pk = LeiaPacker(ARTICLES, 16, None, MARKERS, InsertionSettings(strategy="none"))
    stream = np.concatenate([w for w, _ in pk.epoch_windows(0)])
    assert not np.isin(stream, list(MARKERS)).any() and pk.counters["links_inserted"] == 0


def test_seq_len_below_two_is_refused():
    with pytest.raises(CorpuslabError, match="seq_len"):
        LeiaPacker(ARTICLES, 1, None, MARKERS)


def test_packed_epoch_round_trips_through_the_memmap(tmp_path):
    meta = write_packed_epoch(tmp_path, small_packer(), np.dtype(np.int16), epoch=0)
    w = load_packed_epoch(tmp_path)
    assert w.shape == (meta["windows"], 16) and w.dtype == np.int16 and meta["bos_prefixed"]
    assert w.tolist() == [x.tolist() for x, _ in small_packer().epoch_windows(0)]
