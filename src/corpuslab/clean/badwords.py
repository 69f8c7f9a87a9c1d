"""The ``c4_badwords`` family: C4's bad-words rule (Raffel et al. 2020, §2.2: "we removed any page that
contained any word on the List of Dirty, Naughty, Obscene or Otherwise Bad Words"), with the semantics of
DataTrove's ``C4BadWordsFilter`` (huggingface/datatrove ``src/datatrove/pipeline/filters/c4_filters.py``).

* Word lists: LDNOOBW per language, at the commits DataTrove downloads, committed under ``ldnoobw/``
  (CC-BY-4.0; ``ldnoobw/SOURCE.txt``); DataTrove's allowlist (ja: ``sm``, ``グロ``, ``女の子``; zh: ``性``) is
  removed, as it is common inside ordinary words.
* Matching on the lower-cased text: substrings for ja, th and zh (no spaces between words), whole words
  elsewhere (a hit must not touch a word character on either side).
* The language is the document's (metadata, else detected; ``default_language`` when unknown, and for every
  document with ``per_language: false``). A language without a list stops the run when
  ``fail_on_missing_language`` (checked when deciding, for documents that reach this step), else passes.
* ``keep_fraction``: a document with bad words is kept anyway when a draw ``u`` in [0, 1) is below it. ``u`` is
  a hash of (``seed``, document id), so the decision is the same on every engine and every re-run, and
  changing ``keep_fraction`` or ``seed`` re-decides without re-tagging.

Differences from DataTrove, on purpose: its draw is one sequential random stream (the order documents arrive
in decides which are kept, and ``seed`` defaults to none); its list words are not lower-cased (the
capitalised Spanish list never matches lower-cased text); and its ``_get_badwords`` reuses the name ``lang``
as the allowlist loop variable, so every language ends up compiled as ``zh`` with substring matching
(``ass`` inside "class"). Here the documented intent holds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from importlib.resources import files
from typing import Any

import numpy as np
import xxhash

from corpuslab.clean.context import DocContext
from corpuslab.clean.family import DecideBatch, FilterFamily, Metrics, ParamsFor, Rule
from corpuslab.core.errors import DataError

#: languages with a list (``ldnoobw/<code>.txt``)
LANGUAGES = frozenset({"ar", "cs", "da", "de", "en", "eo", "es", "fa", "fi", "fil", "fr", "hi", "hu", "it", "ja",
                       "kab", "ko", "nl", "no", "pl", "pt", "ru", "sv", "th", "tlh", "tr", "zh"})
#: language codes the detector or metadata use for a listed language
ALIASES = {"tl": "fil", "nb": "no", "nn": "no"}
SUBSTRING_LANGUAGES = frozenset({"ja", "th", "zh"})
ALLOWLIST = {"ja": frozenset({"sm", "グロ", "女の子"}), "zh": frozenset({"性"})}
#: which lists: part of the tag key, so new lists re-tag
LISTS_VERSION = "ldnoobw 5faf2ba (en 25e679f)"


def list_language(lang: str | None, per_language: bool, default_language: str) -> str:
    """The list a document is checked against."""
    code = lang if per_language and lang else default_language
    return ALIASES.get(code, code)


def words(lang: str) -> list[str]:
    """The lower-cased bad words of ``lang``, allowlist removed, sorted."""
    text = files("corpuslab.clean").joinpath("ldnoobw", f"{lang}.txt").read_text(encoding="utf-8")
    listed = {w.strip().lower() for w in text.splitlines()} - {""} - ALLOWLIST.get(lang, frozenset())
    return sorted(listed)


def prefix_tree_pattern(items: list[str]) -> str:
    """An alternation of ``items`` factored by common prefixes (``ass(?:hole)?``): ``re`` tries a few branches
    per position instead of hundreds, about 5× faster. The words matching at one position are prefixes of each
    other, and the optional tail is tried first, so the longest wins, as in a longest-first alternation."""
    tree: dict[str, dict] = {}
    for item in items:
        node = tree
        for ch in item:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def alternation(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + alternation(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        group = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" not in node:
            return group
        return ("(?:" + group + ")" if len(alts) == 1 else group) + "?"

    return alternation(tree)


@functools.cache
def pattern(lang: str) -> re.Pattern[str] | None:
    """The compiled matcher of ``lang``'s list; None when there is no list."""
    if lang not in LANGUAGES:
        return None
    alt = prefix_tree_pattern(words(lang))
    return re.compile(alt if lang in SUBSTRING_LANGUAGES else rf"(?<!\w)(?:{alt})(?!\w)")


def keep_draws(ids: Sequence[str], seed: int) -> np.ndarray:
    """A uniform draw in [0, 1) per document id: 53 bits of xxh3-64(id, seed)."""
    s = seed & 0xFFFF_FFFF_FFFF_FFFF
    return np.fromiter((xxhash.xxh3_64_intdigest(i.encode("utf-8"), s) >> 11 for i in ids), dtype=np.float64,
                       count=len(ids)) * 2.0**-53


class C4BadWords(FilterFamily):
    key = "c4_badwords"
    #: DataTrove's, except the seed (DataTrove: none, i.e. a different draw on every run)
    defaults = {"default_language": "en", "keep_fraction": 0.0, "seed": 0, "fail_on_missing_language": True}
    rules: tuple[Rule, ...] = (("document_removed_with_badwords", "hits", "flag", ""),)
    tag_params = ("default_language",)

    def tag_key(self, block: Any) -> Any:
        return {**super().tag_key(block), "lists": LISTS_VERSION}

    def tag(self, docs: Sequence[DocContext], block: Any, params: ParamsFor) -> list[Metrics]:
        out: list[Metrics] = []
        for doc in docs:
            pat = pattern(list_language(doc.lang, doc.per_language, str(params(doc)["default_language"])))
            if pat is None:
                out.append({"hits": float("nan"), "missing_list": 1.0, "match": ""})
                continue
            found = pat.findall(doc.text.lower())
            out.append({"hits": float(len(found)), "missing_list": 0.0, "match": found[0] if found else ""})
        return out

    def evaluate(self, rule: Rule, batch: DecideBatch) -> tuple[np.ndarray, np.ndarray] | None:
        # none of these settings differs by language: any language's parameters will do
        settings: Mapping[str, Any] = next(iter(batch.params.values()), self.defaults)
        missing = batch.alive & (batch.column(f"{self.key}.missing_list") > 0)
        if missing.any() and settings["fail_on_missing_language"]:
            default = str(settings["default_language"])
            names = sorted({list_language(lg, batch.per_language, default) for lg in batch.langs[missing].astype(str)})
            raise DataError(f"{self.key}: no bad-words list for language {', '.join(names)} ({missing.sum():,} "
                            f"documents; lists: {', '.join(sorted(LANGUAGES))}); set "
                            "fail_on_missing_language: false to let such documents pass")
        hits = batch.column(f"{self.key}.hits")
        fail = hits > 0
        keep_fraction = float(settings["keep_fraction"])
        if keep_fraction > 0 and fail.any():
            ids = batch.table.column("id").to_pylist()
            at = np.flatnonzero(fail)
            draws = keep_draws([str(ids[i]) for i in at], int(settings["seed"]))
            fail[at[draws < keep_fraction]] = False
        return fail, hits


C4_BADWORDS = C4BadWords()
