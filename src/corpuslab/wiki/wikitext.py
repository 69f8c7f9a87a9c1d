"""Wikitext → plain text with internal links kept as character spans.

We run mwparserfromhell's C tokenizer (the maintained MediaWiki grammar) and walk its flat token stream
directly instead of building the node tree: the tree builder is pure Python and costs ~5× the tokenizer,
while rendering only needs one pass. What is kept follows wikiextractor ``--no-templates``: templates,
tables, references, comments, files, categories and interlanguage links are dropped; link, heading and
list text is kept; bold/italic quotes are removed; entities are decoded.
"""

from __future__ import annotations

import bisect
import gc
import html
import re
from itertools import accumulate
from typing import Any

from mwparserfromhell.parser import tokens as T

from corpuslab.wiki.titles import (
    EMBED_NAMESPACES,
    Namespaces,
    is_interwiki,
    normalize_title,
    split_fragment,
    ucfirst,
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
# Whitespace squeezed after rendering: blanks around newlines go, and a run of spaces/tabs becomes one.
_BLANK = " \t\u3000"
_SPACES = re.compile(r"[ \t]{2,}")

_Text, _WOpen, _WSep, _WClose = T.Text, T.WikilinkOpen, T.WikilinkSeparator, T.WikilinkClose
_TplOpen, _TplClose, _ArgOpen, _ArgClose = T.TemplateOpen, T.TemplateClose, T.ArgumentOpen, T.ArgumentClose
_CStart, _CEnd = T.CommentStart, T.CommentEnd
_EOpen, _ESep, _EClose = T.ExternalLinkOpen, T.ExternalLinkSeparator, T.ExternalLinkClose
_HStart, _HEnd = T.HeadingStart, T.HeadingEnd
_EntStart, _EntEnd, _EntNum, _EntHex = T.HTMLEntityStart, T.HTMLEntityEnd, T.HTMLEntityNumeric, T.HTMLEntityHex
_TagOO, _TagCO, _TagCSelf, _TagOC, _TagCC = T.TagOpenOpen, T.TagCloseOpen, T.TagCloseSelfclose, T.TagOpenClose, T.TagCloseClose
# What closes each construct that :meth:`_Walker.skip` jumps over (tags are handled on their own).
_PAIRS: dict[type, type] = {_TplOpen: _TplClose, _ArgOpen: _ArgClose, _WOpen: _WClose, _EOpen: _EClose,
                            _HStart: _HEnd, _CStart: _CEnd, _EntStart: _EntEnd}
_LINK_MID = (_WSep, _WClose)
_LINK_CACHE_MAX = 200_000
# A link target with nothing normalize_title would change but its first letter: no namespace or
# interwiki prefix, fragment, entity, underscore, bidi mark, quote, or whitespace other than single spaces.
_PLAIN_TITLE = re.compile(r"[^:#&_'\s\u200e\u200f\u202a-\u202e]+(?: [^:#&_'\s\u200e\u200f\u202a-\u202e]+)*")


class WikitextError(ValueError):
    """The tokenizer gave up on a page (deep nesting, broken markup)."""


class _Walker:
    """One pass over the token list. Text is collected as pieces in ``out``; a link remembers the piece
    indices it spans, and character offsets are computed once at the end (no running position).

    Everything that is not rendered (templates, comments, skipped tags, dropped links) is jumped over
    with C-level list searches on the token types instead of being walked token by token: tokens
    nest properly, so a construct ends at the first closer that balances its openers. On the real
    jawiki/viwiki excerpts about half of all tokens lie in such regions.
    """

    __slots__ = ("toks", "types", "n", "out", "links", "ns", "cache")

    def __init__(self, toks: list[Any], ns: Namespaces):
        self.toks = toks
        self.types: list[type] = list(map(type, toks))
        self.n = len(toks)
        self.out: list[str] = []
        self.links: list[list[Any]] = []  # [first piece, end piece, target, fragment]
        self.ns = ns
        self.cache = ns.link_cache

    def close(self, i: int, open_t: type, close_t: type) -> int:
        """Index of the ``close_t`` that balances an ``open_t`` just before ``i`` (``n`` if none)."""
        types = self.types
        depth = 1
        try:
            while True:
                j = types.index(close_t, i)
                depth += types[i:j].count(open_t) - 1
                if depth == 0:
                    return j
                i = j + 1
        except ValueError:
            return self.n

    def skip(self, i: int, stops: tuple[type, ...]) -> int:
        """Index of the first token of type ``stops`` at this nesting level, rendering nothing."""
        types, n = self.types, self.n
        while i < n:
            if types[i] in stops:
                return i
            i = self.jump(i)
        return i

    def jump(self, i: int) -> int:
        """The index after the construct that starts at ``i`` (the next token if it opens none)."""
        cls = self.types[i]
        if cls is _TagOO:
            return self.skip_tag(i + 1)
        closer = _PAIRS.get(cls)
        return (self.close(i + 1, cls, closer) if closer is not None else i) + 1

    def skip_tag(self, i: int) -> int:
        j = self.skip(i, (_TagCO, _TagCSelf))
        if j >= self.n or self.types[j] is _TagCSelf:
            return j + 1
        return self.tag_end(self.close(j + 1, _TagCO, _TagOC))

    def tag_end(self, k: int) -> int:
        """From a ``</`` token, the index after its closing ``>``."""
        try:
            return self.types.index(_TagCC, k) + 1
        except ValueError:
            return self.n

    def walk(self, i: int, stops: tuple[type, ...]) -> int:
        """Render tokens from ``i`` until one of type ``stops`` at this nesting level; return its index."""
        toks, types, n = self.toks, self.types, self.n
        append = self.out.append
        while i < n:
            cls = types[i]
            if cls is _Text:
                s = toks[i]["text"]
                if "''" in s:
                    s = _QUOTES.sub("", s)
                if "__" in s:
                    s = _MAGIC.sub("", s)
                append(s)
                i += 1
            elif cls in stops:
                return i
            elif cls is _WOpen:
                i = self.wikilink(i + 1)
            elif cls is _TagOO:
                i = self.tag(i + 1)
            elif cls is _TplOpen:
                i = self.close(i + 1, _TplOpen, _TplClose) + 1
            elif cls is _CStart:
                i = self.close(i + 1, _CStart, _CEnd) + 1
            elif cls is _ArgOpen:
                i = self.close(i + 1, _ArgOpen, _ArgClose) + 1
            elif cls is _HStart:
                append("\n")
                i = self.walk(i + 1, (_HEnd,)) + 1
                append("\n")
            elif cls is _EOpen:
                j = self.skip(i + 1, (_ESep, _EClose))
                if j < n and types[j] is _ESep:
                    j = self.walk(j + 1, (_EClose,))
                i = j + 1
            elif cls is _EntStart:
                raw, i = self.entity(i + 1)
                append(raw)
            else:  # separators of enclosing constructs seen at a level that does not stop on them
                i += 1
        return i

    def entity(self, j: int) -> tuple[str, int]:
        """``&…;`` decoded; ``j`` is after the entity's start token. Returns the text and the next index."""
        toks, types, n = self.toks, self.types, self.n
        raw = "&"
        while j < n and types[j] is not _EntEnd:
            tc = types[j]
            raw += "#" if tc is _EntNum else (toks[j]["char"] if tc is _EntHex else toks[j]["text"] if tc is _Text else "")
            j += 1
        return html.unescape(raw + ";"), j + 1

    def _plain(self, i: int) -> tuple[str, int]:
        """Raw text of a link target up to ``|`` or ``]]``: Text and entities; templates make it unresolvable."""
        toks, types, n = self.toks, self.types, self.n
        parts: list[str] = []
        while i < n:
            cls = types[i]
            if cls is _WSep or cls is _WClose:
                break
            if cls is _Text:
                parts.append(toks[i]["text"])
                i += 1
            elif cls is _EntStart:
                raw, i = self.entity(i + 1)
                parts.append(raw)
            else:
                i = self.jump(i)
        return "".join(parts), i

    def wikilink(self, i: int) -> int:
        toks, types, n = self.toks, self.types, self.n
        if i + 1 < n and types[i] is _Text and types[i + 1] in _LINK_MID:  # the usual [[Title]] / [[Title|…]]
            raw_title = toks[i]["text"]
            i += 1
        else:
            raw_title, i = self._plain(i)
        has_text = i < n and types[i] is _WSep
        info = self.cache.get(raw_title)
        if info is None:
            info = self.cache[raw_title] = _link_info(raw_title, self.ns)
            if len(self.cache) > _LINK_CACHE_MAX:
                self.cache.clear()
        embed, interwiki, shown, target, frag = info
        if embed or (interwiki and not has_text):
            return (self.close(i + 1, _WOpen, _WClose) if has_text else i) + 1
        start = len(self.out)
        if has_text:
            i = self.walk(i + 1, (_WClose,))
        else:
            self.out.append(shown)
        if target and not interwiki:
            self.links.append([start, len(self.out), target, frag])
        return i + 1

    def tag(self, i: int) -> int:
        toks, types, n = self.toks, self.types, self.n
        name = toks[i]["text"].strip().lower() if i < n and types[i] is _Text else ""
        j = self.skip(i + 1, (_TagCO, _TagCSelf))  # the attributes
        if j >= n:
            return j
        if types[j] is _TagCSelf:
            if name in NEWLINE_TAGS:
                self.out.append("\n")
            return j + 1
        k = self.close(j + 1, _TagCO, _TagOC) if name in SKIP_TAGS else self.walk(j + 1, (_TagOC,))
        if name in NEWLINE_TAGS:
            self.out.append("\n")
        return self.tag_end(k)


def _link_info(raw_title: str, ns: Namespaces) -> tuple[bool, bool, str, str, str]:
    """How a raw link target renders: (embeds or categorises, interwiki, text shown for a bare link,
    normalised target title, fragment)."""
    raw = raw_title.strip()
    if _PLAIN_TITLE.fullmatch(raw):  # 9 in 10 real targets: only the first letter changes
        return False, False, raw, ucfirst(raw), ""
    return _link_info_full(raw, ns)


def _link_info_full(raw: str, ns: Namespaces) -> tuple[bool, bool, str, str, str]:
    leading_colon = raw.startswith(":")
    nid = ns.split(raw.lstrip(":").strip())[0]
    interwiki = not nid and is_interwiki(raw, ns)
    page, frag = split_fragment(raw)
    target = normalize_title(page, ns) if page.strip(" :") else ""
    return nid in EMBED_NAMESPACES and not leading_colon, interwiki, _QUOTES.sub("", raw.lstrip(":")), target, frag.strip()


def _squeeze(text: str, links: list[list[Any]]) -> tuple[str, list[list[Any]]]:
    """Collapse whitespace runs (≤1 blank line, single spaces) and move link offsets with the text.

    Line by line: a run that holds newlines is the blanks ending one line with the blank lines and the
    blanks starting the next, so splitting on ``\n`` and stripping each line finds every run with C
    string methods. (A regex over the whole text is 4× slower on space-separated scripts: it tries a
    match at every space.) Edits are recorded as (old start, old end, new start, new length); offsets between edits shift.
    """
    o_start: list[int] = []
    o_end: list[int] = []
    n_start: list[int] = []
    n_len: list[int] = []
    out: list[str] = []
    newpos = 0
    pos = 0  # old offset of the current line
    last_end = -1  # old offset just after the last kept text; -1 before any
    nl = 0  # newlines since then
    for line in text.split("\n"):
        body = line.strip(_BLANK)
        if body:
            a = pos + len(line) - len(line.lstrip(_BLANK))
            if last_end < 0:
                rep = ""
                last_end = 0
            else:
                rep = "\n\n" if nl >= 2 else "\n"
            if a - last_end != len(rep):  # else the run is just its newlines: unchanged
                o_start.append(last_end)
                o_end.append(a)
                n_start.append(newpos)
                n_len.append(len(rep))
            out.append(rep)
            newpos += len(rep)
            last_end = a + len(body)
            if "  " in body or "\t" in body:
                last = 0
                for m in _SPACES.finditer(body):
                    s, e = m.span()
                    out.append(body[last:s])
                    newpos += s - last
                    o_start.append(a + s)
                    o_end.append(a + e)
                    n_start.append(newpos)
                    n_len.append(1)
                    out.append(" ")
                    newpos += 1
                    last = e
                body = body[last:]
            out.append(body)
            newpos += len(body)
            nl = 0
        nl += 1
        pos += len(line) + 1
    if last_end >= 0:
        o_start.append(last_end)
        o_end.append(len(text))
        n_start.append(newpos)
        n_len.append(0)
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
    # A page is tens of thousands of token dicts that hold no cycles: left on, the cyclic GC rescans them
    # again and again while they are made (~20 % of the tokenizer's time on the excerpts).
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        try:
            toks = _Tokenizer().tokenize(wikitext, 0, True)
        except (RecursionError, SystemError, ValueError, MemoryError) as e:
            raise WikitextError(str(e) or type(e).__name__) from e
        w = _Walker(toks, namespaces)
        try:
            w.walk(0, ())
        except RecursionError as e:
            raise WikitextError("markup nested too deeply") from e
    finally:
        if gc_was_on:
            gc.enable()
    cum = [0, *accumulate(map(len, w.out))]
    spans = [[cum[a], cum[b], target, frag] for a, b, target, frag in w.links if cum[b] > cum[a]]
    text, links = _squeeze("".join(w.out), spans)
    out = []
    for s, e, target, frag in links:
        d: dict[str, Any] = {"start": s, "end": e, "target_title": target}
        if frag:
            d["fragment"] = frag
        out.append(d)
    return text, out
