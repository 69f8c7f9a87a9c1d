from collections import Counter

import numpy as np
import pytest
from leia_fixtures import ja_articles, neox_tokenizer, real_tables, tiny_tokenizer

from corpuslab.core.errors import CorpuslabError
from corpuslab.leia.annotate import EntityResolver
from corpuslab.leia.markers import add_marker_tokens
from corpuslab.leia.tokens import choose_id_dtype, token_boundaries, tokenize_articles


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


def test_token_boundaries_on_real_text():
    text = "日本の首都は東京である。 Paris is big"
    tok = neox_tokenizer()
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    starts, ends = token_boundaries(text, enc["offset_mapping"])
    # 'Paris' follows a space: byte-level BPE puts the space inside the token, the boundary is still the P
    p = text.index("Paris")
    assert p in starts and tok.decode(enc["input_ids"][starts[p]]).strip() == "Paris"
    for c, k in starts.items():  # no token straddles a start boundary
        assert all(e <= c or s >= c for s, e in enc["offset_mapping"][:k])
    assert len(text) in ends


def annotated_articles():
    red, ja, en = real_tables()
    return [a for a in (EntityResolver.from_tables(red, ja, en).annotate(x) for x in ja_articles()) if a["anchors"]]


def test_tokenised_anchors_cover_their_mentions():
    arts = annotated_articles()[:15]
    tok = neox_tokenizer()
    cnt: Counter = Counter()
    toks = tokenize_articles(arts, tok, np.dtype(np.int32), cnt)
    kept = cnt["links_kept"]
    assert kept + cnt["dropped_not_token_boundary"] == sum(len(a["anchors"]) for a in arts)
    assert kept > 0 and cnt["tokens"] == sum(len(t.input_ids) for t in toks)
    for a, t in zip(arts, toks, strict=True):
        for s, e in zip(t.entity_start, t.entity_end, strict=True):
            seg = tok.decode(t.input_ids[s:e].tolist()).strip()
            assert seg in {a["text"][x["start"]:x["end"]] for x in a["anchors"]}


def test_a_small_bpe_merging_across_anchor_edges_drops_those_anchors():
    small: Counter = Counter()
    toks = tokenize_articles(annotated_articles(), tiny_tokenizer(), np.dtype(np.int16), small)
    # a small ja-trained BPE merges across anchor edges (e.g. 'フラン|ス'): those anchors are dropped
    assert small["dropped_not_token_boundary"] > 0 and small["links_kept"] > 0
    assert all(t.input_ids.dtype == np.int16 for t in toks)
