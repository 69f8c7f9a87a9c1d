"""Shared, cached material for LEIA tests: the real jawiki articles, real tables, small tokenizers."""

from __future__ import annotations

import bz2
import functools
from collections import Counter
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
