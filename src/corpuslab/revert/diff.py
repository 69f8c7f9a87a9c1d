"""Diff pieces of an edit: inserted text, removed text, changed (old, new) sentence pairs, edit-type counts.

Follows the reference collector (trokhymovych/KI_multilingual_training ``modules/data_collection.py``): changed text is
line-diffed with difflib and split into sentences on ``[.!?]`` (we add the CJK full stops); a deleted
and an added sentence are paired when their fuzzy ``ratio`` exceeds 60, unpaired sentences join the
insert/remove lists. The reference counts 88 mwedittypes node actions; we count a smaller fixed set of
wikitext node types (links, templates, references, ...) with regexes as inserted/removed multisets, so
the feature vector has a fixed width without the mwedittypes dependency.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz

PAIR_RATIO = 60.0  # reference: fuzzywuzzy ratio > 60 pairs a removed with an added sentence

# Wikitext node types whose inserted/removed counts become features (a subset of mwedittypes' types).
NODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "wikilink": re.compile(r"\[\[(?!(?:category|kategorie|catégorie|カテゴリ|thể loại|file|image|ファイル|画像|tập tin|hình):)[^\[\]]+\]\]", re.I),
    "category": re.compile(r"\[\[(?:category|kategorie|catégorie|カテゴリ|thể loại):[^\[\]]+\]\]", re.I),
    "media": re.compile(r"\[\[(?:file|image|ファイル|画像|tập tin|hình):[^\]]+", re.I),
    "template": re.compile(r"\{\{[^{}]*\}\}"),
    "reference": re.compile(r"<ref[^>/]*(?:/>|>.*?</ref>)", re.I | re.S),
    "external_link": re.compile(r"(?<!\[)\[https?://[^\]\s]+[^\]]*\]"),
    "heading": re.compile(r"^={2,6}[^=\n].*?={2,6}\s*$", re.M),
    "table": re.compile(r"^\{\|", re.M),
    "list_item": re.compile(r"^[*#]+.*$", re.M),
}
EDIT_TYPE_COLUMNS: list[str] = (
    [f"et_{t}_{a}" for t in NODE_PATTERNS for a in ("insert", "remove")]
    + ["et_text_insert", "et_text_remove", "et_text_change"]
)

_SENT_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")
_REF = re.compile(r"<ref[^>/]*(?:/>|>.*?</ref>)", re.I | re.S)
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_TABLE = re.compile(r"\{\|.*?\|\}", re.S)
_LINK_PIPED = re.compile(r"\[\[(?:[^\[\]|]*\|)?([^\[\]|]*)\]\]")
_EXT_LINK = re.compile(r"\[https?://[^\]\s]+\s*([^\]]*)\]")
_TAG = re.compile(r"<[^>]{1,200}>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_QUOTES = re.compile(r"'{2,}")
_HEAD = re.compile(r"^=+\s*(.*?)\s*=+\s*$", re.M)
_MEDIA_LINE = re.compile(r"\[\[(?:category|kategorie|catégorie|カテゴリ|thể loại|file|image|ファイル|画像|tập tin|hình):[^\n]*", re.I)


@dataclass
class DiffPieces:
    inserts: list[str] = field(default_factory=list)
    removes: list[str] = field(default_factory=list)
    changes: list[tuple[str, str]] = field(default_factory=list)
    edit_types: dict[str, int] = field(default_factory=dict)


def plain_text(wikitext: str) -> str:
    """Cheap wikitext → text that keeps line structure (refs, templates, tables, tags and markup dropped)."""
    t = _COMMENT.sub("", wikitext)
    t = _REF.sub("", t)
    for _ in range(4):  # nested templates, innermost first
        t2 = _TEMPLATE.sub("", t)
        if t2 == t:
            break
        t = t2
    t = _TABLE.sub("", t)
    t = _MEDIA_LINE.sub("", t)
    t = _LINK_PIPED.sub(r"\1", t)
    t = _EXT_LINK.sub(r"\1", t)
    t = _TAG.sub("", t)
    t = _QUOTES.sub("", t)
    t = _HEAD.sub(r"\1", t)
    return t


def sentences(text: str) -> list[str]:
    out = []
    for line in text.split("\n"):
        line = line.strip(" *#:;\t")
        if not line:
            continue
        out.extend(s.strip() for s in _SENT_END.split(line) if s.strip())
    return out


def edit_type_counts(old: str, new: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, pat in NODE_PATTERNS.items():
        a, b = Counter(pat.findall(old)), Counter(pat.findall(new))
        counts[f"et_{name}_insert"] = sum((b - a).values())
        counts[f"et_{name}_remove"] = sum((a - b).values())
    return counts


def pair_sentences(removed: list[str], added: list[str]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Greedy best-first pairing of removed and added sentences with ratio > ``PAIR_RATIO``."""
    removed = [s for s in removed if s]
    added = [s for s in added if s]
    cands = sorted(
        ((fuzz.ratio(r, a), i, j) for i, r in enumerate(removed) for j, a in enumerate(added)), reverse=True
    )
    used_r: set[int] = set()
    used_a: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for score, i, j in cands:
        if score <= PAIR_RATIO:
            break
        if i in used_r or j in used_a:
            continue
        used_r.add(i)
        used_a.add(j)
        pairs.append((i, j))
    pairs.sort()
    return (
        [(removed[i], added[j]) for i, j in pairs],
        [s for j, s in enumerate(added) if j not in used_a],
        [s for i, s in enumerate(removed) if i not in used_r],
    )


def diff_pieces(old: str, new: str) -> DiffPieces:
    """Pieces of the edit ``old`` → ``new`` (wikitext); see the module docstring for the method.

    The line diff runs on the raw wikitext, and only the changed blocks are stripped of markup and
    scanned for nodes, so the cost follows the size of the edit rather than the size of the article.
    """
    a_lines = old.split("\n")
    b_lines = new.split("\n")
    inserts: list[str] = []
    removes: list[str] = []
    changes: list[tuple[str, str]] = []
    et = dict.fromkeys(EDIT_TYPE_COLUMNS, 0)
    sm = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        old_block = "\n".join(a_lines[i1:i2])
        new_block = "\n".join(b_lines[j1:j2])
        for k, v in edit_type_counts(old_block, new_block).items():
            et[k] += v
        old_s = sentences(plain_text(old_block))
        new_s = sentences(plain_text(new_block))
        common = set(old_s) & set(new_s)  # sentences that only moved inside a rewritten paragraph
        old_s = [s for s in old_s if s not in common]
        new_s = [s for s in new_s if s not in common]
        if op == "insert":
            inserts.extend(new_s)
        elif op == "delete":
            removes.extend(old_s)
        else:
            p, ins, rem = pair_sentences(old_s, new_s)
            changes.extend(p)
            inserts.extend(ins)
            removes.extend(rem)
    et["et_text_insert"] = len(inserts)
    et["et_text_remove"] = len(removes)
    et["et_text_change"] = len(changes)
    return DiffPieces(inserts, removes, changes, et)
