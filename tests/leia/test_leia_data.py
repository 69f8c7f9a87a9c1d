import numpy as np
import pytest
import torch
from leia_fixtures import fresh_tiny_tokenizer, ja_articles, neox_tokenizer, real_tables, tiny_tokenizer

from corpuslab.core.errors import CorpuslabError
from corpuslab.leia.annotate import EntityResolver
from corpuslab.leia.data import (
    LeiaCollator,
    LeiaPacker,
    TokenizedArticle,
    add_marker_tokens,
    choose_id_dtype,
    insert_entity_names,
    insertion_draws,
    token_boundaries,
    tokenize_articles,
)

OPEN, CLOSE = 900, 901


def _art(n_tokens=20, spans=((2, 4), (7, 8), (12, 15))):
    ids = np.arange(100, 100 + n_tokens, dtype=np.int16)
    return TokenizedArticle(ids, np.array([s for s, _ in spans], np.int32), np.array([e for _, e in spans], np.int32),
                            [np.array([50 + k, 60 + k], np.int16) for k in range(len(spans))], ["Q1"] * len(spans))


def test_insertion_positions_after_before_replace():
    a = _art()
    take = np.array([True, False, True])
    after, kind = insert_entity_names(a.input_ids, a.entity_start, a.entity_end, a.entity_names, take, OPEN, CLOSE, "after")
    assert after.tolist() == [100, 101, 102, 103, OPEN, 50, 60, CLOSE] + list(range(104, 115)) + \
        [OPEN, 52, 62, CLOSE] + list(range(115, 120))
    assert kind.tolist().count(1) == 4 and kind.tolist().count(2) == 4 and after.dtype == np.int16
    before, _ = insert_entity_names(a.input_ids, a.entity_start, a.entity_end, a.entity_names, take, OPEN, CLOSE, "before")
    assert before[:8].tolist() == [100, 101, OPEN, 50, 60, CLOSE, 102, 103]
    repl, _ = insert_entity_names(a.input_ids, a.entity_start, a.entity_end, a.entity_names, take, OPEN, CLOSE, "replace")
    assert repl[:7].tolist() == [100, 101, OPEN, 50, 60, CLOSE, 104]
    assert len(repl) == 20 - 2 - 3 + 8
    bare, kind = insert_entity_names(a.input_ids, a.entity_start, a.entity_end, a.entity_names, take, OPEN, CLOSE,
                                     "after", markers=False)
    assert bare[:6].tolist() == [100, 101, 102, 103, 50, 60] and 1 not in kind
    none, _ = insert_entity_names(a.input_ids, a.entity_start, a.entity_end, a.entity_names, take, OPEN, CLOSE, "none")
    assert none.tolist() == a.input_ids.tolist()


def test_insertion_probability_and_per_epoch_redraw():
    draws = np.concatenate([insertion_draws(50, 0.5, seed=42, epoch=0, article_index=i) for i in range(400)])
    assert abs(draws.mean() - 0.5) < 0.015  # 20,000 Bernoulli(0.5): 4.2 sd
    d3 = np.concatenate([insertion_draws(50, 0.3, 42, 0, i) for i in range(400)])
    assert abs(d3.mean() - 0.3) < 0.015
    e0 = insertion_draws(50, 0.5, 42, 0, 7)
    assert (e0 == insertion_draws(50, 0.5, 42, 0, 7)).all()           # reproducible from the seed
    assert (e0 != insertion_draws(50, 0.5, 42, 1, 7)).any()           # fresh draw each epoch
    assert (e0 != insertion_draws(50, 0.5, 43, 0, 7)).any()
    # independence: consecutive anchors are uncorrelated
    x = draws.astype(float)
    assert abs(np.corrcoef(x[:-1], x[1:])[0, 1]) < 0.03
    assert not insertion_draws(10, 0.0, 42, 0, 0).any() and insertion_draws(10, 1.0, 42, 0, 0).all()


def test_packing_windows_and_boundaries():
    arts = [_art(20), _art(35), _art(9, spans=((1, 2), (3, 5), (6, 8))), _art(50)]
    packer = LeiaPacker(arts, seq_len=16, bos_id=1, open_id=OPEN, close_id=CLOSE, p=0.5, seed=3)
    wins = list(packer.epoch_windows(0))
    assert all(len(w) == 16 for w, _ in wins)
    stream = np.concatenate([w for w, _ in wins])
    expect = []
    for i in packer.order(0):
        a = arts[i]
        take = insertion_draws(3, 0.5, 3, 0, int(i))
        ids, _ = insert_entity_names(a.input_ids, a.entity_start, a.entity_end, a.entity_names, take, OPEN, CLOSE)
        expect += [1] + ids.tolist()
    n_full = len(expect) // 16
    assert stream.tolist() == expect[: n_full * 16]                        # leftovers carry over
    assert packer.counters["tokens_dropped_tail"] == len(expect) - n_full * 16
    kinds = np.concatenate([k for _, k in wins])
    assert (stream[kinds == 3] == 1).all() and (kinds == 3).sum() == sum(1 for t in expect[: n_full * 16] if t == 1)
    assert list(packer.order(0)) != list(packer.order(1))                  # reshuffled per epoch


def test_collator_masks_markers_and_padding_trains_names():
    ids = np.array([1, 5, OPEN, 50, 51, CLOSE, 6, 7])
    names = np.array([0, 0, 0, 1, 1, 0, 0, 0], bool)
    batch = LeiaCollator(marker_ids=(OPEN, CLOSE), pad_token_id=2)([
        {"input_ids": ids, "entity_name_mask": names}, {"input_ids": ids[:5], "entity_name_mask": names[:5]}])
    lab = batch["labels"]
    assert lab[0].tolist() == [1, 5, -100, 50, 51, -100, 6, 7]
    assert lab[1].tolist() == [1, 5, -100, 50, 51, -100, -100, -100]
    assert batch["attention_mask"][1].tolist() == [1] * 5 + [0] * 3
    masked = LeiaCollator(marker_ids=(OPEN, CLOSE), mask_entity_names=True)([{"input_ids": ids, "entity_name_mask": names}])
    assert masked["labels"][0].tolist() == [1, 5, -100, -100, -100, -100, 6, 7]
    assert batch["input_ids"].dtype == torch.long


def test_dtype_choice():
    assert choose_id_dtype(32000) == np.int16          # LLaMA-2
    assert choose_id_dtype(32768) == np.int16          # max id 32767 still fits
    assert choose_id_dtype(32769) == np.int32
    assert choose_id_dtype(43176) == np.int32          # Swallow: the reference's int16 would overflow
    with pytest.raises(CorpuslabError):
        choose_id_dtype(50_000, "int16")
    assert choose_id_dtype(50_000, "uint16") == np.uint16
    tok = neox_tokenizer()
    add_marker_tokens(tok)
    assert len(tok) > 50_000 and choose_id_dtype(len(tok)) == np.int32


def test_markers_are_single_special_tokens():
    tok = fresh_tiny_tokenizer()
    o, c = add_marker_tokens(tok)
    assert add_marker_tokens(tok) == (o, c) and len(tok) == 802
    ids = tok("日本<translate>Japan</translate>", add_special_tokens=False)["input_ids"]
    assert ids.count(o) == 1 and ids.count(c) == 1


def test_token_boundary_alignment_on_real_text():
    text = "日本の首都は東京である。 Paris is big"
    tok = neox_tokenizer()
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    starts, ends = token_boundaries(text, enc["offset_mapping"])
    # 'Paris' follows a space: byte-level BPE puts the space inside the token, the boundary is still the P
    p = text.index("Paris")
    assert p in starts and tok.decode(enc["input_ids"][starts[p]]).strip() == "Paris"
    for c, k in starts.items():  # no token straddles a start boundary
        assert all(e <= c or s >= c for s, e in enc["offset_mapping"][:k])
    red, ja, en = real_tables()
    arts = [EntityResolver.from_tables(red, ja, en).annotate(a) for a in ja_articles()]
    all_arts = [a for a in arts if a["anchors"]]
    arts = all_arts[:15]
    from collections import Counter

    cnt: Counter = Counter()
    toks = tokenize_articles(arts, tok, np.dtype(np.int32), cnt)
    kept = cnt["links_kept"]
    assert kept + cnt["dropped_not_token_boundary"] == sum(len(a["anchors"]) for a in arts)
    assert kept > 0
    small: Counter = Counter()
    tokenize_articles(all_arts, tiny_tokenizer(), np.dtype(np.int16), small)
    # a small ja-trained BPE merges across anchor edges (e.g. 'フラン|ス'): those anchors are dropped
    assert small["dropped_not_token_boundary"] > 0 and small["links_kept"] > 0
    for a, t in zip(arts, toks, strict=True):
        for s, e in zip(t.entity_start, t.entity_end, strict=True):
            seg = tok.decode(t.input_ids[s:e].tolist()).strip()
            assert seg in {a["text"][x["start"]:x["end"]] for x in a["anchors"]}
