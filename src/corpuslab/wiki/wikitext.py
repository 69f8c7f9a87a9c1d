"""Wikitext → plain text with internal links kept as character spans.

We run mwparserfromhell's C tokenizer (the maintained MediaWiki grammar) and walk its flat token stream
directly instead of building the node tree: the tree builder is pure Python and costs ~5× the tokenizer,
while rendering only needs one pass. What is kept follows wikiextractor ``--no-templates``: templates,
tables, references, comments, files, categories and interlanguage links are dropped; link, heading and
list text is kept; bold/italic quotes are removed; entities are decoded.
"""

from __future__ import annotations

import bisect
import html
import re
from typing import Any

from mwparserfromhell.parser import tokens as T

from corpuslab.wiki.titles import (
    EMBED_NAMESPACES,
    Namespaces,
    is_interwiki,
    normalize_title,
    split_fragment,
)

try:  # the C tokenizer; the pure-Python one gives the same tokens, only slower
    from mwparserfromhell.parser._tokenizer import CTokenizer as _Tokenizer
except ImportError:  # pragma: no cover
    from mwparserfromhell.parser.tokenizer import Tokenizer as _Tokenizer

# Tags whose content is not running text.
SKIP_TAGS = frozenset({
    "ref", "references", "table", "gallery", "math", "chem", "ce", "score", "syntaxhighlight", "source",
    "timeline", "imagemap", "includeonly", "templatestyles", "graph", "mapframe", "maplink", "hiero",
    "rp", "indicator", "categorytree", "inputbox", "section", "templatedata", "charinsert", "pre",
})
NEWLINE_TAGS = frozenset({"br", "p", "div", "li", "tr"})
_QUOTES = re.compile(r"'{2,}")
_MAGIC = re.compile(r"__[A-Z]+__")
# Whitespace to squeeze after rendering: runs around newlines, repeated spaces.
_SQUEEZE = re.compile(r"[ \t\u3000]*\n[ \t\n\u3000]*|[ \t]{2,}")

_Text, _WOpen, _WSep, _WClose = T.Text, T.WikilinkOpen, T.WikilinkSeparator, T.WikilinkClose
_TplOpen, _TplClose, _ArgOpen, _ArgClose = T.TemplateOpen, T.TemplateClose, T.ArgumentOpen, T.ArgumentClose
_CStart, _CEnd = T.CommentStart, T.CommentEnd
_EOpen, _ESep, _EClose = T.ExternalLinkOpen, T.ExternalLinkSeparator, T.ExternalLinkClose
_HStart, _HEnd = T.HeadingStart, T.HeadingEnd
_EntStart, _EntEnd, _EntNum, _EntHex = T.HTMLEntityStart, T.HTMLEntityEnd, T.HTMLEntityNumeric, T.HTMLEntityHex
_TagOO, _TagCO, _TagCSelf, _TagOC, _TagCC = T.TagOpenOpen, T.TagCloseOpen, T.TagCloseSelfclose, T.TagOpenClose, T.TagCloseClose
_TagAttr = T.TagAttrStart


class WikitextError(ValueError):
    """The tokenizer gave up on a page (deep nesting, broken markup)."""


class _Walker:
    __slots__ = ("toks", "n", "out", "pos", "links", "ns")

    def __init__(self, toks: list[Any], ns: Namespaces):
        self.toks = toks
        self.n = len(toks)
        self.out: list[str] = []
        self.pos = 0
        self.links: list[list[Any]] = []
        self.ns = ns

    def emit(self, s: str) -> None:
        if s:
            self.out.append(s)
            self.pos += len(s)

    def walk(self, i: int, emit: bool, stops: tuple[type, ...]) -> int:
        """Render tokens from ``i`` until one of type ``stops`` at this nesting level; return its index."""
        toks, n = self.toks, self.n
        while i < n:
            tok = toks[i]
            cls = type(tok)
            if cls is _Text:
                if emit:
                    s = tok.text
                    if "''" in s:
                        s = _QUOTES.sub("", s)
                    if "__" in s:
                        s = _MAGIC.sub("", s)
                    self.emit(s)
                i += 1
            elif cls in stops:
                return i
            elif cls is _WOpen:
                i = self.wikilink(i + 1, emit)
            elif cls is _TplOpen:
                i = self.walk(i + 1, False, (_TplClose,)) + 1
            elif cls is _ArgOpen:
                i = self.walk(i + 1, False, (_ArgClose,)) + 1
            elif cls is _CStart:
                i = self.walk(i + 1, False, (_CEnd,)) + 1
            elif cls is _TagOO:
                i = self.tag(i + 1, emit)
            elif cls is _HStart:
                if emit:
                    self.emit("\n")
                i = self.walk(i + 1, emit, (_HEnd,)) + 1
                if emit:
                    self.emit("\n")
            elif cls is _EOpen:
                j = self.walk(i + 1, False, (_ESep, _EClose))
                if j < n and type(toks[j]) is _ESep:
                    j = self.walk(j + 1, emit, (_EClose,))
                i = j + 1
            elif cls is _EntStart:
                j = i + 1
                raw = "&"
                while j < n and type(toks[j]) is not _EntEnd:
                    t = toks[j]
                    tc = type(t)
                    raw += "#" if tc is _EntNum else (t.char if tc is _EntHex else t.text if tc is _Text else "")
                    j += 1
                if emit:
                    self.emit(html.unescape(raw + ";"))
                i = j + 1
            else:  # separators of enclosing constructs seen at a level that does not stop on them
                i += 1
        return i

    def _plain(self, i: int, stops: tuple[type, ...]) -> tuple[str, int]:
        """Raw text of tokens up to a stop (for link targets): Text and entities only."""
        toks, n = self.toks, self.n
        parts: list[str] = []
        while i < n and type(toks[i]) not in stops:
            t = toks[i]
            if type(t) is _Text:
                parts.append(t.text)
            elif type(t) is _EntStart:
                j = i + 1
                raw = "&"
                while j < n and type(toks[j]) is not _EntEnd:
                    tj = toks[j]
                    raw += "#" if type(tj) is _EntNum else getattr(tj, "char", None) or getattr(tj, "text", "")
                    j += 1
                parts.append(html.unescape(raw + ";"))
                i = j
            elif type(t) in (_TplOpen, _CStart, _WOpen):  # templates in a target: not a resolvable title
                close = {_TplOpen: _TplClose, _CStart: _CEnd, _WOpen: _WClose}[type(t)]
                i = self.walk(i + 1, False, (close,))
            i += 1
        return "".join(parts), i

    def wikilink(self, i: int, emit: bool) -> int:
        raw_title, i = self._plain(i, (_WSep, _WClose))
        has_text = i < self.n and type(self.toks[i]) is _WSep
        raw = raw_title.strip()
        leading_colon = raw.startswith(":")
        nid = self.ns.split(raw.lstrip(":").strip())[0]
        interwiki = not nid and is_interwiki(raw, self.ns)
        drop = (nid in EMBED_NAMESPACES and not leading_colon) or (interwiki and not has_text)
        if not emit or drop:
            return self.walk(i + 1, False, (_WClose,)) + 1 if has_text else i + 1
        start = self.pos
        if has_text:
            i = self.walk(i + 1, True, (_WClose,))
        else:
            self.emit(_QUOTES.sub("", raw.lstrip(":")))
        end = self.pos
        if not interwiki and end > start:
            page, frag = split_fragment(raw)
            target = normalize_title(page, self.ns) if page.strip(" :") else ""
            if target:
                self.links.append([start, end, target, frag.strip()])
        return i + 1

    def tag(self, i: int, emit: bool) -> int:
        toks, n = self.toks, self.n
        name = toks[i].text.strip().lower() if i < n and type(toks[i]) is _Text else ""
        # skip attributes up to the end of the opening tag
        j = self.walk(i + 1, False, (_TagCO, _TagCSelf))
        if j >= n:
            return j
        if type(toks[j]) is _TagCSelf:
            if emit and name in NEWLINE_TAGS:
                self.emit("\n")
            return j + 1
        inner = emit and name not in SKIP_TAGS
        j = self.walk(j + 1, inner, (_TagOC,))
        if emit and name in NEWLINE_TAGS:
            self.emit("\n")
        while j < n and type(toks[j]) is not _TagCC:  # closing tag name
            j += 1
        return j + 1


def _squeeze(text: str, links: list[list[Any]]) -> tuple[str, list[list[Any]]]:
    """Collapse whitespace runs (≤1 blank line, single spaces) and move link offsets with the text."""
    o_start: list[int] = []
    o_end: list[int] = []
    n_start: list[int] = []
    n_len: list[int] = []
    out: list[str] = []
    last = 0
    newpos = 0
    for m in _SQUEEZE.finditer(text):
        s, e = m.span()
        g = m.group()
        nl = g.count("\n")
        rep = "\n\n" if nl >= 2 else "\n" if nl == 1 else " "
        if g == rep:
            continue
        out.append(text[last:s])
        newpos += s - last
        o_start.append(s)
        o_end.append(e)
        n_start.append(newpos)
        n_len.append(len(rep))
        out.append(rep)
        newpos += len(rep)
        last = e
    out.append(text[last:])
    new = "".join(out)

    def remap(p: int) -> int:
        k = bisect.bisect_right(o_start, p) - 1
        if k < 0:
            return p
        if p < o_end[k]:
            return n_start[k] + min(p - o_start[k], n_len[k])
        return n_start[k] + n_len[k] + (p - o_end[k])

    # trim leading whitespace of the whole text
    lead = len(new) - len(new.lstrip())
    final = new.strip()
    res = []
    for s, e, target, frag in links:
        ns_, ne = remap(s) - lead, remap(e) - lead
        ns_, ne = max(ns_, 0), min(ne, len(final))
        while ns_ < ne and final[ns_].isspace():
            ns_ += 1
        while ne > ns_ and final[ne - 1].isspace():
            ne -= 1
        if ne > ns_:
            res.append([ns_, ne, target, frag])
    return final, res


def wikitext_to_text(wikitext: str, namespaces: Namespaces) -> tuple[str, list[dict[str, Any]]]:
    """Render one page's wikitext; links are ``{start, end, target_title[, fragment]}`` into the result.

    ``target_title`` is the normalised page title (fragment stripped); ``fragment`` is present only for
    section links, so consumers can choose to keep or drop them. Raises :class:`WikitextError` when the
    tokenizer fails.
    """
    try:
        toks = _Tokenizer().tokenize(wikitext, 0, True)
    except (RecursionError, SystemError, ValueError, MemoryError) as e:
        raise WikitextError(str(e) or type(e).__name__) from e
    w = _Walker(toks, namespaces)
    try:
        w.walk(0, True, ())
    except RecursionError as e:
        raise WikitextError("markup nested too deeply") from e
    text, links = _squeeze("".join(w.out), w.links)
    out = []
    for s, e, target, frag in links:
        d: dict[str, Any] = {"start": s, "end": e, "target_title": target}
        if frag:
            d["fragment"] = frag
        out.append(d)
    return text, out
