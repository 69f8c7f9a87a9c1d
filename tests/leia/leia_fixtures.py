"""Shared, cached material for LEIA tests: the real jawiki articles, real tables, small tokenizers."""

from __future__ import annotations

import bz2
import functools
from collections import Counter
from pathlib import Path
from typing import Any

from conftest import shared_path

JAWIKI = "wiki/jawiki-20230501-pages-articles-excerpt.xml.bz2"
WIKIDATA = "wiki/wikidata-all-head.json.bz2"
NEOX = "tokenizers/gpt-neox-20b-tokenizer.json.bz2"


@functools.lru_cache(maxsize=1)
def ja_articles() -> list[dict[str, Any]]:
    from corpuslab.wiki.extract import iter_articles

    return list(iter_articles(shared_path(JAWIKI)))


@functools.lru_cache(maxsize=1)
def real_tables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(redirects, ja title→QID, en title→QID) from the real jawiki excerpt and Wikidata head."""
    from corpuslab.wiki.redirects import extract_redirects
    from corpuslab.wiki.wikidata import iter_entities, sitelink_tables

    red, _ = extract_redirects(shared_path(JAWIKI))
    t = sitelink_tables(iter_entities(shared_path(WIKIDATA), Counter()), ["en", "ja"])
    return red, t["ja"], t["en"]


@functools.lru_cache(maxsize=1)
def tiny_tokenizer() -> Any:
    """Byte-level BPE (800 ids) trained in ~1 s on real ja text plus the English Wikidata titles."""
    from corpuslab.models.tiny import train_bpe_tokenizer

    texts = [a["text"][:3000] for a in ja_articles()[:60]] + list(real_tables()[2]) * 3
    return train_bpe_tokenizer(texts, vocab_size=800)


def fresh_tiny_tokenizer() -> Any:
    import copy

    return copy.deepcopy(tiny_tokenizer())


@functools.lru_cache(maxsize=1)
def neox_tokenizer() -> Any:
    """The real GPT-NeoX-20B tokenizer (50,277 ids + added tokens)."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    tk = Tokenizer.from_str(bz2.decompress(shared_path(NEOX).read_bytes()).decode())
    return PreTrainedTokenizerFast(tokenizer_object=tk, bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                                   pad_token="<|endoftext|>")


# ---- small constructed articles for insertion / packing / Trainer-data tests ---------------------------

def marker_ids() -> Any:
    from corpuslab.leia.markers import MarkerIds

    return MarkerIds(900, 901)


def make_article(n_tokens: int = 20, spans: tuple[tuple[int, int], ...] = ((2, 4), (7, 8), (12, 15))) -> Any:
    """Ids 100…, anchors at ``spans``, the k-th English name = tokens (50 + k, 60 + k)."""
    import numpy as np

    from corpuslab.leia.tokens import TokenizedArticle

    ids = np.arange(100, 100 + n_tokens, dtype=np.int16)
    return TokenizedArticle(ids, np.array([s for s, _ in spans], np.int32), np.array([e for _, e in spans], np.int32),
                            [np.array([50 + k, 60 + k], np.int16) for k in range(len(spans))], ["Q1"] * len(spans))


def packing_articles() -> list[Any]:
    return [make_article(20), make_article(35), make_article(9, spans=((1, 2), (3, 5), (6, 8))), make_article(50)]


def small_packer(**kw: Any) -> Any:
    """Windows of 16 over :func:`packing_articles`, BOS id 1, insertion seed 3."""
    from corpuslab.leia.insertion import InsertionSettings
    from corpuslab.leia.packing import LeiaPacker

    return LeiaPacker(packing_articles(), seq_len=16, bos_id=1, marker_ids=marker_ids(),
                      insertion=InsertionSettings(seed=3), **kw)


# ---- a `leia build` on the real jawiki excerpt ----------------------------------------------------------

def write_table_dir(d: Path) -> Path:
    """The real tables as files in ``d`` (en TSV, ja Parquet, redirects TSV) and the tiny tokenizer as ``tok/``."""
    from corpuslab.wiki.tables import write_pairs

    red, ja, en = real_tables()
    fresh_tiny_tokenizer().save_pretrained(str(d / "tok"))
    write_pairs(d / "en.tsv", sorted(en.items()))
    write_pairs(d / "ja.parquet", sorted(ja.items()))
    write_pairs(d / "red.tsv", sorted(red.items()))
    return d


def build_config(d: Path, out: Path, **kw: Any) -> Any:
    """Build settings over :func:`write_table_dir`'s files, windows of 128 tokens."""
    from corpuslab.leia.config import LeiaBuildConfig

    return LeiaBuildConfig(output_dir=out, model=str(d / "tok"), english_ids=d / "en.tsv",
                           target_ids=d / "ja.parquet", redirects=d / "red.tsv", seq_len=128, **kw)
